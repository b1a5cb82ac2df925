package crm

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors returned (wrapped with %w) by every Adapter. The sync
// worker classifies failures with errors.Is / errors.As only.
var (
	// ErrAuth means the token is missing, expired or revoked (401, or the
	// vendor's equivalent). The UI says "reconnect your CRM"; queued items
	// stay queued.
	ErrAuth = errors.New("crm: authentication failed, reconnect your CRM")
	// ErrForbidden means the token is valid but lacks a scope (HubSpot 403).
	ErrForbidden = errors.New("crm: permission denied")
	// ErrRateLimited means the vendor throttled the request (429). The
	// concrete error is a *RateLimitError carrying Retry-After.
	ErrRateLimited = errors.New("crm: rate limited")
	// ErrTransient covers 5xx, timeouts, connection resets and truncated
	// responses: retry with exponential backoff and jitter.
	ErrTransient = errors.New("crm: temporary failure")
	// ErrRejected means the vendor refused the record itself (a 4xx
	// validation error). Retrying the same body will not help; the item is
	// marked failed with the vendor's message and can be retried by hand.
	ErrRejected = errors.New("crm: record rejected")
	// ErrBadResponse means the vendor answered with a body the adapter
	// could not understand (malformed JSON, missing id).
	ErrBadResponse = errors.New("crm: unexpected response")
	// ErrNotFound means the looked-up object does not exist.
	ErrNotFound = errors.New("crm: not found")
	// ErrUnsupported means the vendor has no API for the operation.
	ErrUnsupported = errors.New("crm: not supported by this CRM")
)

// RateLimitError is returned for a 429. It matches ErrRateLimited with
// errors.Is.
type RateLimitError struct {
	// RetryAfter is how long the vendor asked us to wait (Retry-After, or
	// the vendor's own reset header); zero when it gave no hint.
	RetryAfter time.Duration
	// Daily is true when a daily quota is exhausted (HubSpot policyName
	// DAILY, Pipedrive daily token budget, Zoho credits): the worker
	// pauses until the reset instead of retrying every few seconds.
	Daily bool
	// Message is the vendor's own message.
	Message string
}

// Error implements error.
func (e *RateLimitError) Error() string {
	kind := "burst"
	if e.Daily {
		kind = "daily"
	}
	return fmt.Sprintf("crm: rate limited (%s limit, retry after %s): %s", kind, e.RetryAfter, e.Message)
}

// Is makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// APIError carries the vendor's status code and message. Adapters wrap it
// inside one of the sentinels, e.g. fmt.Errorf("%w: %w", ErrRejected, apiErr).
type APIError struct {
	Status  int    // HTTP status
	Code    string // vendor error code or category, if any
	Message string // vendor message, verbatim
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// Retryable reports whether the worker should retry err automatically
// (rate limits and transient failures). Auth, rejection and bad responses
// need a person.
func Retryable(err error) bool {
	return errors.Is(err, ErrRateLimited) || errors.Is(err, ErrTransient)
}

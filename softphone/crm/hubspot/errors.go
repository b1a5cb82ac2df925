package hubspot

import "errors"

// Sentinel errors of this package (wrapped with %w). Failures talking to
// HubSpot are reported with the crm package's sentinels (crm.ErrAuth,
// crm.ErrTransient, ...) wrapping a *crm.APIError; these cover misuse.
var (
	// ErrBadOption means New was given an invalid option value.
	ErrBadOption = errors.New("hubspot: invalid option")
	// ErrNoToken means New was called with an empty token.
	ErrNoToken = errors.New("hubspot: empty token")
	// ErrTooMany means CreateCalls got more than MaxBatch calls.
	ErrTooMany = errors.New("hubspot: batch larger than MaxBatch")
	// ErrBadCursor means Pull got a cursor it did not produce.
	ErrBadCursor = errors.New("hubspot: invalid pull cursor")
)

package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// errorBody is HubSpot's error shape (calls.json #/components/schemas/Error
// plus the 429 fields errorType and policyName); every field is optional.
type errorBody struct {
	Status     string `json:"status"`
	Message    string `json:"message"`
	Category   string `json:"category"`
	ErrorType  string `json:"errorType"`
	PolicyName string `json:"policyName"`
	Errors     []struct {
		Message string `json:"message"`
	} `json:"errors"`
}

// statusError maps a non-2xx answer to the crm sentinels
// (https://developers.hubspot.com/docs/api-reference/error-handling).
func (c *Client) statusError(status int, h http.Header, body []byte, now time.Time) error {
	var eb errorBody
	parsed := json.Unmarshal(body, &eb) == nil
	apiErr := &crm.APIError{Status: status, Code: eb.Category, Message: eb.Message}
	if apiErr.Code == "" {
		apiErr.Code = eb.PolicyName
	}
	if !parsed || apiErr.Message == "" {
		apiErr.Message = strings.TrimSpace(string(body))
		if len(apiErr.Message) > 200 {
			apiErr.Message = apiErr.Message[:200] + "…"
		}
		if apiErr.Message == "" {
			apiErr.Message = http.StatusText(status)
		}
	}
	switch {
	case status == http.StatusUnauthorized:
		return fmt.Errorf("%w: %w", crm.ErrAuth, apiErr)
	case status == http.StatusForbidden:
		return fmt.Errorf("%w: %w", crm.ErrForbidden, apiErr)
	case status == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %w", c.rateLimitError(h, eb, now), apiErr)
	case status >= 500, status == http.StatusRequestTimeout, status == http.StatusLocked, status == 477:
		// 423 Locked: wait ≥2 s; 477: portal migration in progress.
		return fmt.Errorf("%w: %w", crm.ErrTransient, apiErr)
	case status == http.StatusNotFound && eb.Category == "OBJECT_NOT_FOUND":
		return fmt.Errorf("%w: %w", crm.ErrNotFound, apiErr)
	case status >= 400:
		return fmt.Errorf("%w: %w", crm.ErrRejected, apiErr)
	}
	return fmt.Errorf("%w: unexpected status: %w", crm.ErrBadResponse, apiErr)
}

// rateLimitError builds the 429 error: Retry-After (RFC 9110 §10.2.3) when
// present; else DAILY waits until midnight in the portal's zone, the
// search limit one second, TEN_SECONDLY_ROLLING until the rolling window
// frees a slot (the pacer's estimate, else the whole interval).
func (c *Client) rateLimitError(h http.Header, eb errorBody, now time.Time) *crm.RateLimitError {
	rl := &crm.RateLimitError{Message: eb.Message, Daily: eb.PolicyName == "DAILY"}
	if d, ok := parseRetryAfter(h.Get("Retry-After"), now); ok {
		rl.RetryAfter = d
		return rl
	}
	switch {
	case rl.Daily:
		loc := c.loc.Load()
		if loc == nil {
			loc = time.Local
		}
		t := now.In(loc)
		midnight := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc)
		rl.RetryAfter = midnight.Sub(now)
	case strings.Contains(strings.ToLower(eb.Message), "secondly limit") || eb.PolicyName == "SECONDLY":
		rl.RetryAfter = time.Second
	default:
		window := c.rateWindow
		if ms, err := strconv.Atoi(h.Get("X-HubSpot-RateLimit-Interval-Milliseconds")); err == nil && ms > 0 {
			window = time.Duration(ms) * time.Millisecond
		}
		rl.RetryAfter = window
		if d := c.burst.untilSlot(now); d > 0 && d < window {
			rl.RetryAfter = d
		}
	}
	return rl
}

// parseRetryAfter reads delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

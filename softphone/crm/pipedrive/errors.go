package pipedrive

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// ErrConfig is returned by New for an empty token or an invalid option.
// Every other failure is one of the crm sentinels (crm.ErrAuth,
// crm.ErrTransient, ...), wrapped with %w.
var ErrConfig = errors.New("pipedrive: invalid configuration")

// errorBody is Pipedrive's error envelope
// (https://developers.pipedrive.com/docs/api/v1 "Errors"):
// {"success":false,"error":"...","error_info":"...","data":null}.
type errorBody struct {
	Success   *bool           `json:"success"`
	Error     string          `json:"error"`
	ErrorInfo string          `json:"error_info"`
	ErrorCode json.RawMessage `json:"errorCode"`
}

// statusError maps a non-2xx answer to the crm sentinels.
func (c *Client) statusError(op string, resp *http.Response, body []byte) error {
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // a non-JSON error page still has a status
	msg := eb.Error
	if eb.ErrorInfo != "" {
		msg = strings.TrimSpace(msg + " (" + eb.ErrorInfo + ")")
	}
	if msg == "" {
		msg = strings.TrimSpace(string(crm.Truncate(body, 200)))
	}
	apiErr := &crm.APIError{Status: resp.StatusCode, Message: msg}
	if len(eb.ErrorCode) > 0 {
		apiErr.Code = strings.Trim(string(eb.ErrorCode), `"`)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("pipedrive: %s: %w: %w", op, crm.ErrAuth, apiErr)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("pipedrive: %s: %w: %w", op, crm.ErrForbidden, apiErr)
	case resp.StatusCode == http.StatusTooManyRequests:
		rl := &crm.RateLimitError{Message: msg}
		// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting:
		// x-ratelimit-reset is the seconds left in the 2 s window.
		rl.RetryAfter = crm.RetryAfter(resp.Header, c.now())
		if rl.RetryAfter == 0 {
			if s, err := strconv.ParseFloat(resp.Header.Get("x-ratelimit-reset"), 64); err == nil && s > 0 {
				rl.RetryAfter = time.Duration(s * float64(time.Second))
			}
		}
		// UNCONFIRMED (crm-apis.md §2.5): the daily token budget's 429 is not
		// documented in detail; we treat x-daily-requests-left: 0 or an
		// error text naming the daily budget as the daily limit.
		if resp.Header.Get("x-daily-requests-left") == "0" || strings.Contains(strings.ToLower(msg), "daily") {
			rl.Daily = true
		}
		return fmt.Errorf("pipedrive: %s: %w", op, rl)
	case resp.StatusCode >= 500:
		return fmt.Errorf("pipedrive: %s: %w: %w", op, crm.ErrTransient, apiErr)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("pipedrive: %s: %w: %w", op, crm.ErrNotFound, apiErr)
	default:
		return fmt.Errorf("pipedrive: %s: %w: %w", op, crm.ErrRejected, apiErr)
	}
}

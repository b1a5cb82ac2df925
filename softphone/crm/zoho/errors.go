package zoho

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
)

// ErrConfig is returned by New for an empty token or an invalid option.
// Every other failure is one of the crm sentinels, wrapped with %w.
var ErrConfig = errors.New("zoho: invalid configuration")

// status is Zoho's error (and per-record result) object
// (crm-apis.md §4.4): {"code","details","message","status"}.
type status struct {
	Code    string          `json:"code"`
	Details json.RawMessage `json:"details"`
	Message string          `json:"message"`
	Status  string          `json:"status"`
}

// apiError converts a status object; details.api_name is appended.
func (s status) apiError(httpStatus int) *crm.APIError {
	msg := s.Message
	var d struct {
		APIName string `json:"api_name"`
	}
	if json.Unmarshal(s.Details, &d) == nil && d.APIName != "" {
		msg += " (" + d.APIName + ")"
	}
	return &crm.APIError{Status: httpStatus, Code: s.Code, Message: msg}
}

func (c *Client) statusError(op string, resp *http.Response, body []byte) error {
	var st status
	_ = json.Unmarshal(body, &st) // a non-JSON error page still has a status
	apiErr := st.apiError(resp.StatusCode)
	if apiErr.Message == "" && apiErr.Code == "" {
		apiErr.Message = strings.TrimSpace(string(crm.Truncate(body, 200)))
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrAuth, apiErr)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrForbidden, apiErr)
	case resp.StatusCode == http.StatusTooManyRequests:
		rl := &crm.RateLimitError{RetryAfter: crm.RetryAfter(resp.Header, c.now()), Message: apiErr.Error()}
		// UNCONFIRMED (crm-apis.md §4.3): TOO_MANY_REQUESTS is the
		// concurrency limit; LIMIT_EXCEEDED means the rolling 24-hour
		// credits are used up.
		rl.Daily = st.Code == "LIMIT_EXCEEDED"
		return fmt.Errorf("zoho: %s: %w", op, rl)
	case resp.StatusCode >= 500:
		return fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrTransient, apiErr)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrNotFound, apiErr)
	default:
		return fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrRejected, apiErr)
	}
}

package sell

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
var ErrConfig = errors.New("sell: invalid configuration")

// errorBody is Sell's error envelope (basecrm-ruby lib/basecrm/errors.rb):
// {"errors":[{"error":{"code","message","details","resource","field"}}],
// "meta":{"http_status","logref"}}.
type errorBody struct {
	Errors []struct {
		Error struct {
			Code     string `json:"code"`
			Message  string `json:"message"`
			Details  string `json:"details"`
			Resource string `json:"resource"`
			Field    string `json:"field"`
		} `json:"error"`
	} `json:"errors"`
	Meta struct {
		HTTPStatus string `json:"http_status"`
		Logref     string `json:"logref"`
	} `json:"meta"`
}

func (c *Client) statusError(op string, resp *http.Response, body []byte) error {
	var eb errorBody
	_ = json.Unmarshal(body, &eb) // a non-JSON error page still has a status
	apiErr := &crm.APIError{Status: resp.StatusCode}
	var msgs []string
	for _, e := range eb.Errors {
		m := e.Error.Message
		if e.Error.Field != "" {
			m = e.Error.Field + ": " + m
		}
		if e.Error.Details != "" {
			m += " (" + e.Error.Details + ")"
		}
		msgs = append(msgs, m)
		if apiErr.Code == "" {
			apiErr.Code = e.Error.Code
		}
	}
	apiErr.Message = strings.Join(msgs, "; ")
	if apiErr.Message == "" {
		apiErr.Message = strings.TrimSpace(string(crm.Truncate(body, 200)))
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("sell: %s: %w: %w", op, crm.ErrAuth, apiErr)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("sell: %s: %w: %w", op, crm.ErrForbidden, apiErr)
	case resp.StatusCode == http.StatusTooManyRequests:
		// Sell documents no rate-limit headers; honour Retry-After if any.
		return fmt.Errorf("sell: %s: %w", op, &crm.RateLimitError{RetryAfter: crm.RetryAfter(resp.Header, c.now()), Message: apiErr.Message})
	case resp.StatusCode >= 500:
		return fmt.Errorf("sell: %s: %w: %w", op, crm.ErrTransient, apiErr)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("sell: %s: %w: %w", op, crm.ErrNotFound, apiErr)
	default:
		return fmt.Errorf("sell: %s: %w: %w", op, crm.ErrRejected, apiErr)
	}
}

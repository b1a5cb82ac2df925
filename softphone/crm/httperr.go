package crm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Helpers shared by the vendor adapters' error mapping.

// TransportError classifies a failure to get a complete answer (timeout,
// reset, truncated body) as ErrTransient, prefixed with the vendor and the
// operation. A cancelled context is passed through: nobody should retry it.
func TransportError(vendor Vendor, op string, err error) error {
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %s: %w", vendor, op, err)
	}
	return fmt.Errorf("%s: %s: %w: %w", vendor, op, ErrTransient, err)
}

// BadResponse wraps a decoding failure as ErrBadResponse.
func BadResponse(vendor Vendor, op string, err error) error {
	return fmt.Errorf("%s: %s: %w: %w", vendor, op, ErrBadResponse, err)
}

// RetryAfter parses a Retry-After header, in seconds or as an HTTP date
// (https://www.rfc-editor.org/rfc/rfc9110#name-retry-after); 0 when absent
// or unparsable.
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// Truncate returns at most n bytes of b, for quoting a vendor's body in an
// error message.
func Truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

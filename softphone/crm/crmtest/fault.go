package crmtest

import (
	"fmt"
	"net/http"
	"path"
)

// FaultKind names what an injected fault does to a request.
type FaultKind string

// Fault kinds.
const (
	// KindStatus answers with a fixed status, body and headers (429 with
	// Retry-After, 500, 502, 503, ...).
	KindStatus FaultKind = "status"
	// KindTimeout holds the request without answering until the client
	// gives up (its context ends or it closes the connection) or the
	// Injector is closed.
	KindTimeout FaultKind = "timeout"
	// KindReset hijacks the connection and closes it with SO_LINGER 0, so
	// the client sees a TCP RST (connection reset by peer) instead of a
	// response.
	KindReset FaultKind = "reset"
	// KindMalformedJSON answers 200 with a complete HTTP response whose
	// JSON body is cut in half.
	KindMalformedJSON FaultKind = "malformed_json"
	// KindExpiredToken answers 401 with the fault's body (a generic one
	// when empty).
	KindExpiredToken FaultKind = "expired_token"
)

// String returns the kind name.
func (k FaultKind) String() string { return string(k) }

// Fault is one scripted failure. Build it with Status, Timeout, Reset,
// MalformedJSON or ExpiredToken, optionally followed by AfterServe.
type Fault struct {
	Kind   FaultKind
	Status int         // KindStatus, KindExpiredToken
	Body   []byte      // KindStatus, KindExpiredToken; KindMalformedJSON: the JSON to truncate (default: the handler's body or a canned one)
	Header http.Header // extra response headers (KindStatus, KindExpiredToken, KindMalformedJSON)
	// Served makes the wrapped handler process the request first; the
	// fault then replaces the response the client gets. With KindReset
	// this is the "lost response": the record exists at the vendor but
	// the client sees a connection reset.
	Served bool
}

// Status returns a fault that answers code with body and headers (which
// may be nil), e.g. Status(429, body, http.Header{"Retry-After": {"3"}}).
func Status(code int, body string, headers http.Header) Fault {
	return Fault{Kind: KindStatus, Status: code, Body: []byte(body), Header: headers}
}

// Timeout returns a fault that never answers; see KindTimeout.
func Timeout() Fault { return Fault{Kind: KindTimeout} }

// Reset returns a fault that resets the TCP connection; see KindReset.
func Reset() Fault { return Fault{Kind: KindReset} }

// MalformedJSON returns a fault that answers 200 with a truncated JSON
// body; see KindMalformedJSON.
func MalformedJSON() Fault { return Fault{Kind: KindMalformedJSON} }

// ExpiredToken returns a fault that answers 401 with body (a generic JSON
// error when empty). Vendor fakes pass their own error shape.
func ExpiredToken(body string) Fault {
	return Fault{Kind: KindExpiredToken, Status: http.StatusUnauthorized, Body: []byte(body)}
}

// AfterServe returns a copy of f that lets the wrapped handler process the
// request before the fault is applied to the response.
func (f Fault) AfterServe() Fault {
	f.Served = true
	return f
}

func (f Fault) validate() error {
	switch f.Kind {
	case KindStatus:
		if f.Status < 100 || f.Status > 599 {
			return fmt.Errorf("%w: status %d", ErrInvalidFault, f.Status)
		}
	case KindExpiredToken:
		if f.Status != 0 && f.Status != http.StatusUnauthorized && f.Status != http.StatusForbidden {
			return fmt.Errorf("%w: expired token with status %d", ErrInvalidFault, f.Status)
		}
	case KindTimeout, KindReset, KindMalformedJSON:
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrInvalidFault, f.Kind)
	}
	return nil
}

// rule is a queued fault: it applies to requests matching method and
// pattern ("" matches anything) until its count runs out (count < 0:
// forever).
type rule struct {
	method  string
	pattern string
	count   int
	fault   Fault
}

func (r *rule) matches(req *http.Request) bool {
	if r.method != "" && r.method != req.Method {
		return false
	}
	if r.pattern == "" {
		return true
	}
	ok, _ := path.Match(r.pattern, req.URL.Path) // pattern validated on insert
	return ok
}

package app

import (
	"context"
	"errors"
)

// Error codes sent to the frontend in ErrorPayload.Code. The frontend switches
// on these strings, never on the message text.
const (
	// CodeInternal is used for any error that has no more specific code.
	CodeInternal = "internal"
	// CodeInvalidArgument means the frontend sent a bad argument.
	CodeInvalidArgument = "invalid_argument"
	// CodeNotStarted means the application was not fully started yet.
	CodeNotStarted = "not_started"
	// CodeCanceled means the operation was canceled.
	CodeCanceled = "canceled"
	// CodeTimeout means the operation ran out of time.
	CodeTimeout = "timeout"
)

// ErrorPayload is the JSON value a rejected bound call delivers to the
// frontend: a stable machine-readable Code and a human-readable Message.
type ErrorPayload struct {
	// Code is one of the Code* constants or a code registered with
	// WithErrorCode.
	Code string `json:"code"`
	// Message is the error text, suitable for showing to the user.
	Message string `json:"message"`
}

// Error makes ErrorPayload usable as an error value in Go code and tests.
func (p ErrorPayload) Error() string { return p.Code + ": " + p.Message }

// Coder is implemented by errors that carry their own frontend error code.
// FormatError prefers it over the sentinel table.
type Coder interface {
	// ErrorCode returns the code to send to the frontend.
	ErrorCode() string
}

// errorCode pairs a sentinel error with its frontend code.
type errorCode struct {
	err  error
	code string
}

// defaultErrorCodes lists the sentinels known to this package, checked in
// order with errors.Is.
var defaultErrorCodes = []errorCode{
	{ErrInvalidArgument, CodeInvalidArgument},
	{ErrNotStarted, CodeNotStarted},
	{context.Canceled, CodeCanceled},
	{context.DeadlineExceeded, CodeTimeout},
}

// ErrorFormatter maps errors returned by bound methods to ErrorPayload
// values. The zero value knows only this package's sentinels.
type ErrorFormatter struct {
	codes []errorCode
}

// NewErrorFormatter returns an ErrorFormatter that knows this package's
// sentinels plus the extra sentinel→code pairs, which take precedence.
func NewErrorFormatter(extra map[error]string) *ErrorFormatter {
	f := &ErrorFormatter{}
	for err, code := range extra {
		f.codes = append(f.codes, errorCode{err, code})
	}
	f.codes = append(f.codes, defaultErrorCodes...)
	return f
}

// Format converts err into an ErrorPayload. A nil error yields nil so that
// Format can be handed to Wails as options.App.ErrorFormatter directly.
func (f *ErrorFormatter) Format(err error) any {
	if err == nil {
		return nil
	}
	return f.Payload(err)
}

// Payload converts a non-nil err into an ErrorPayload. Errors implementing
// Coder win; then the sentinel table is checked with errors.Is; anything else
// is CodeInternal.
func (f *ErrorFormatter) Payload(err error) ErrorPayload {
	var p ErrorPayload
	if errors.As(err, &p) {
		return p
	}
	var c Coder
	if errors.As(err, &c) {
		if code := c.ErrorCode(); code != "" {
			return ErrorPayload{Code: code, Message: err.Error()}
		}
	}
	codes := f.codes
	if codes == nil {
		codes = defaultErrorCodes
	}
	for _, ec := range codes {
		if errors.Is(err, ec.err) {
			return ErrorPayload{Code: ec.code, Message: err.Error()}
		}
	}
	return ErrorPayload{Code: CodeInternal, Message: err.Error()}
}

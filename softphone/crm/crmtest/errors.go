package crmtest

import "errors"

// Sentinel errors returned (wrapped with %w) by this package.
var (
	// ErrInvalidFault means a Fault or a fault rule is malformed (unknown
	// kind, status outside 100..599, bad path pattern, negative count).
	ErrInvalidFault = errors.New("crmtest: invalid fault")
	// ErrInvalidLimit means a Limiter was configured with a non-positive
	// limit or window.
	ErrInvalidLimit = errors.New("crmtest: invalid rate limit")
	// ErrClosed means the Injector was closed.
	ErrClosed = errors.New("crmtest: injector closed")
)

package tone

import "errors"

// Errors returned by this package, wrapped with %w.
var (
	// ErrRate is returned for a sample rate not usable for 20 ms frames.
	ErrRate = errors.New("tone: unsupported sample rate")
	// ErrRegion is returned for a region with no known tone plan.
	ErrRegion = errors.New("tone: unknown region")
	// ErrDigit is returned for a character that is not a DTMF digit.
	ErrDigit = errors.New("tone: not a DTMF digit")
	// ErrParam is returned for an out-of-range frequency, amplitude or
	// duration.
	ErrParam = errors.New("tone: parameter out of range")
)

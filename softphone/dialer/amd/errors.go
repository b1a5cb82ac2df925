package amd

import "errors"

// Sentinel errors. Every error this package returns wraps one of these
// with %w.
var (
	// ErrBadRate means a sample rate other than 8000, 16000 or 48000 Hz.
	ErrBadRate = errors.New("amd: unsupported sample rate")
	// ErrBadOption means an option's value is out of range.
	ErrBadOption = errors.New("amd: invalid option")
)

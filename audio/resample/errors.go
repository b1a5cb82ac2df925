package resample

import "errors"

// Errors returned by this package, wrapped with %w.
var (
	// ErrRate is returned for a sample rate that is not a positive multiple
	// of 50 Hz up to 384 kHz.
	ErrRate = errors.New("resample: unsupported sample rate")
	// ErrRatio is returned when the reduced ratio L/M is too large to build
	// a polyphase filter for (L or M above 1000).
	ErrRatio = errors.New("resample: rate ratio too complex")
	// ErrFrameSize is returned by ProcessFrame when src is not one input
	// frame or dst cannot hold one output frame.
	ErrFrameSize = errors.New("resample: wrong frame size")
	// ErrOption is returned for an out-of-range option value.
	ErrOption = errors.New("resample: bad option")
)

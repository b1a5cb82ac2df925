package audio

import "errors"

// Errors returned by the audio root package. They are wrapped with %w, so
// test with errors.Is.
var (
	// ErrClosed is returned by an Endpoint, Output or Backend used after Close.
	ErrClosed = errors.New("audio: closed")
	// ErrUnknownDevice is returned when a device ID is not offered by a Backend.
	ErrUnknownDevice = errors.New("audio: unknown device")
	// ErrBadRate is returned for a sample rate that is not positive or is not
	// a whole number of samples per 20 ms frame.
	ErrBadRate = errors.New("audio: unsupported sample rate")
	// ErrFrameSize is returned when a frame does not hold FrameSamples(rate)
	// samples.
	ErrFrameSize = errors.New("audio: wrong frame size")
)

// CheckRate reports whether rate is usable for 20 ms frames: positive, at
// most 384 kHz and a multiple of FramesPerSecond, so that every frame holds a
// whole number of samples. The error wraps ErrBadRate.
func CheckRate(rate int) error {
	if rate <= 0 || rate > 384000 || rate%FramesPerSecond != 0 {
		return &rateError{rate}
	}
	return nil
}

type rateError struct{ rate int }

func (e *rateError) Error() string {
	return "audio: unsupported sample rate " + itoa(e.rate) + " Hz (need a positive multiple of 50 Hz up to 384000 Hz)"
}

func (e *rateError) Unwrap() error { return ErrBadRate }

func itoa(v int) string {
	if v == 0 {
		return "0"
	}
	neg := v < 0
	if neg {
		v = -v
	}
	var b [24]byte
	i := len(b)
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

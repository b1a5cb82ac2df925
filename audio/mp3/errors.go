package mp3

import "errors"

// Errors returned by this package, wrapped with %w together with the file
// name and details.
var (
	// ErrNoFrames is returned when no run of valid MPEG audio frames is
	// found (not an MP3 file, or an empty one).
	ErrNoFrames = errors.New("mp3: no MPEG audio frames found")
	// ErrMPEG25 is returned for MPEG-2.5 streams, which go-mp3 cannot decode.
	ErrMPEG25 = errors.New("mp3: MPEG-2.5 is not supported")
	// ErrLowBitrate is returned for MPEG-2 22.05 kHz streams at 32 kbit/s
	// or less, which go-mp3 decodes into noise.
	ErrLowBitrate = errors.New("mp3: MPEG-2 22.05 kHz at 32 kbit/s or less is not supported")
	// ErrLayer is returned for Layer I and Layer II streams.
	ErrLayer = errors.New("mp3: only Layer III is supported")
	// ErrFreeFormat is returned for free-format (bit rate index 0) streams.
	ErrFreeFormat = errors.New("mp3: free-format bit rate is not supported")
	// ErrTooLarge is returned for files above MaxFileBytes or MaxDuration.
	ErrTooLarge = errors.New("mp3: file too large")
	// ErrDecode is returned when the decoder fails on a file that passed
	// validation.
	ErrDecode = errors.New("mp3: decoding failed")
)

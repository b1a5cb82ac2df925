package wav

import "errors"

// Errors returned by this package, wrapped with %w together with the file
// name and details.
var (
	// ErrNotWAV is returned when the data does not start with a RIFF/WAVE
	// header.
	ErrNotWAV = errors.New("wav: not a RIFF/WAVE file")
	// ErrHeader is returned for a malformed or inconsistent header: missing
	// or short fmt chunk, missing data chunk, wrong block alignment or byte
	// rate, truncated chunks.
	ErrHeader = errors.New("wav: malformed header")
	// ErrFloat is returned for IEEE float sample data.
	ErrFloat = errors.New("wav: float samples are not supported")
	// ErrCompressed is returned for compressed formats (A-law, µ-law, ADPCM,
	// MP3 in WAV and others).
	ErrCompressed = errors.New("wav: compressed formats are not supported")
	// ErrBits is returned for sample sizes other than 8 and 16 bits.
	ErrBits = errors.New("wav: unsupported bits per sample")
	// ErrChannels is returned for more than two channels or none.
	ErrChannels = errors.New("wav: unsupported channel count")
	// ErrRate is returned for a rate that is not a positive multiple of
	// 50 Hz (every 20 ms frame must hold whole samples).
	ErrRate = errors.New("wav: unsupported sample rate")
	// ErrTooLarge is returned for files above the size limit.
	ErrTooLarge = errors.New("wav: file too large")
	// ErrClosed is returned by a Writer used after Close.
	ErrClosed = errors.New("wav: writer closed")
)

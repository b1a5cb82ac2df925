package file

import "errors"

// Errors returned by this package, wrapped with %w together with the file
// name. Errors from packages wav and mp3 (such as mp3.ErrMPEG25) and from
// the operating system (such as os.ErrNotExist) are wrapped too and can be
// tested with errors.Is.
var (
	// ErrUnsupportedFormat is returned for content that is neither WAV nor
	// MP3.
	ErrUnsupportedFormat = errors.New("file: unsupported audio format")
	// ErrRate is returned for a target rate the resampler does not support.
	ErrRate = errors.New("file: unsupported target rate")
)

package opus

import "errors"

// ErrInvalid is returned for malformed arguments: an option out of range, a
// PCM frame that is not 20 ms, a destination buffer that is too small.
var ErrInvalid = errors.New("opus: invalid argument")

// ErrCorrupt is returned by the decoder for a payload libopus cannot parse
// (OPUS_INVALID_PACKET).
var ErrCorrupt = errors.New("opus: corrupt packet")

// ErrBufferTooSmall is returned when the packet or PCM buffer handed to
// libopus cannot hold the result (OPUS_BUFFER_TOO_SMALL).
var ErrBufferTooSmall = errors.New("opus: buffer too small")

// ErrLibopus is returned for any other libopus failure (internal error,
// allocation failure, unimplemented request); the message carries
// opus_strerror's text.
var ErrLibopus = errors.New("opus: libopus error")

// ErrClosed is returned by an Encoder or Decoder used after Close.
var ErrClosed = errors.New("opus: closed")

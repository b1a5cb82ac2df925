package media

import "errors"

var (
	// ErrIncompatible means the peer's SDP has no usable audio stream: no
	// common codec, no audio m= line, an unsupported transport or a rejected
	// stream. The SIP layer answers 488 Not Acceptable Here.
	ErrIncompatible = errors.New("media: incompatible session description")
	// ErrBadSDP means the session description could not be parsed or is
	// missing mandatory fields.
	ErrBadSDP = errors.New("media: malformed session description")
	// ErrNoOffer means SetRemoteAnswer was called before CreateOffer.
	ErrNoOffer = errors.New("media: no offer outstanding")
	// ErrInvalidDigit means SendDTMF got a character outside 0-9 * # A-D.
	ErrInvalidDigit = errors.New("media: invalid DTMF digit")
	// ErrDTMFNotNegotiated means the peer did not accept telephone-event.
	ErrDTMFNotNegotiated = errors.New("media: telephone-event not negotiated")
	// ErrDTMFQueueFull means too many digits are waiting to be sent.
	ErrDTMFQueueFull = errors.New("media: DTMF queue full")
	// ErrClosed means the session has been closed.
	ErrClosed = errors.New("media: session closed")
	// ErrInvalidConfig means NewSession got a bad Config or Option.
	ErrInvalidConfig = errors.New("media: invalid configuration")
	// ErrNoPort means no free RTP/RTCP port pair was found in the range.
	ErrNoPort = errors.New("media: no free port pair")

	// errUnsupportedRate: a source whose rate cannot be converted to the
	// codec's (sent as silence; SetInput logged it).
	errUnsupportedRate = errors.New("media: unsupported source rate")
)

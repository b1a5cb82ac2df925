package webrtc

import "errors"

var (
	// ErrBadOffer means the offer could not be used: too large, not SDP,
	// without an audio stream, or rejected by pion.
	ErrBadOffer = errors.New("webrtc: unusable offer")
	// ErrNoOpus means no Opus codec is registered in audio/codec (the
	// program was built without the cgo package audio/codec/opus).
	ErrNoOpus = errors.New("webrtc: no Opus codec registered")
	// ErrInvalidConfig means an Option got a bad value.
	ErrInvalidConfig = errors.New("webrtc: invalid configuration")
	// ErrClosed means the Peer has been closed.
	ErrClosed = errors.New("webrtc: peer closed")
	// ErrICE means ICE gathering did not finish.
	ErrICE = errors.New("webrtc: ICE gathering failed")
)

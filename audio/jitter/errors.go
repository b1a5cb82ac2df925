package jitter

import "errors"

// Push returns these sentinels unwrapped (the push path must not allocate);
// the condition is also counted in Stats.
var (
	// ErrLate means the packet arrived after its playout time and was dropped.
	ErrLate = errors.New("jitter: packet arrived too late")
	// ErrDuplicate means a packet with the same sequence number is buffered.
	ErrDuplicate = errors.New("jitter: duplicate packet")
	// ErrTooLarge means the payload exceeds the configured MaxPayload.
	ErrTooLarge = errors.New("jitter: payload larger than slot")
	// ErrInvalidOption is returned (wrapped) by New for bad options.
	ErrInvalidOption = errors.New("jitter: invalid option")
)

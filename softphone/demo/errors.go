package demo

import "errors"

var (
	// ErrNotLoopback is returned by New when asked to listen on an address
	// that is not loopback: the demo line never leaves the machine.
	ErrNotLoopback = errors.New("demo: the demo line listens on loopback only")
	// ErrStarted is returned by Start on a line that was already started.
	ErrStarted = errors.New("demo: already started")
	// ErrClosed is returned by operations on a closed line.
	ErrClosed = errors.New("demo: closed")
	// ErrBadOption is returned by New for an invalid option value.
	ErrBadOption = errors.New("demo: invalid option")
	// ErrPrompt is returned when an embedded prompt cannot be decoded.
	ErrPrompt = errors.New("demo: prompt")
)

package mixer

import "errors"

// Errors returned by this package, wrapped with %w.
var (
	// ErrClosed is returned by a Mixer used after Close and by a Port used
	// after RemovePort or Close.
	ErrClosed = errors.New("mixer: closed")
	// ErrRate is returned for a port or endpoint rate the mixer cannot
	// resample.
	ErrRate = errors.New("mixer: unsupported sample rate")
	// ErrFrameSize is returned when a frame does not hold
	// audio.FrameSamples(port rate) samples.
	ErrFrameSize = errors.New("mixer: wrong frame size")
	// ErrNoEndpoint is returned by New for a nil endpoint.
	ErrNoEndpoint = errors.New("mixer: nil endpoint")
	// ErrUnknownNode is returned for a Node that is not Local and names
	// no port of the mixer (never added, or removed).
	ErrUnknownNode = errors.New("mixer: unknown node")
	// ErrSelfRoute is returned for a route by which a node would hear
	// itself.
	ErrSelfRoute = errors.New("mixer: a node cannot hear itself")
	// ErrUnknownPort is returned by RemovePort for a port of another mixer
	// or one already removed.
	ErrUnknownPort = errors.New("mixer: unknown port")
)

package sync

import "errors"

// Sentinel errors returned (wrapped with %w) by the worker.
var (
	// ErrBadOption means New was given a nil store or adapter, or an
	// invalid option value.
	ErrBadOption = errors.New("sync: invalid option")
	// ErrPaused means the CRM's daily quota is exhausted: the worker does
	// not send until Status().Until, and the items stay pending.
	ErrPaused = errors.New("sync: paused by the CRM's daily limit")
	// ErrClosed means the worker was used after Close.
	ErrClosed = errors.New("sync: worker closed")
)

package hubspotfake

import "errors"

// Sentinel errors returned (wrapped with %w) by the fake's Go API.
var (
	// ErrUnknownObject means a seeded or queried object type or id does
	// not exist.
	ErrUnknownObject = errors.New("hubspotfake: unknown object")
	// ErrBadOption means an Option was given an invalid value.
	ErrBadOption = errors.New("hubspotfake: invalid option")
	// ErrClosed means the server was already closed.
	ErrClosed = errors.New("hubspotfake: server closed")
)

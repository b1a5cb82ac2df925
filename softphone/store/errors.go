package store

import "errors"

// Sentinel errors. Every error the store returns wraps one of these (or a
// context error) with %w and a message saying what was being done.
var (
	// ErrNotFound means the contact, call, outcome, task, script or outbox
	// item does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrInvalidNumber means a phone number could not be parsed, or is a
	// local number without an area code.
	ErrInvalidNumber = errors.New("store: invalid phone number")
	// ErrInvalid means a record failed validation (empty label, bad
	// amount, bad currency, bad time zone, ...).
	ErrInvalid = errors.New("store: invalid value")
	// ErrDuplicate means a unique value is already taken (an outcome
	// label, a script name).
	ErrDuplicate = errors.New("store: already exists")
	// ErrTooLarge means a text field exceeds its limit (notes are limited
	// to MaxNotesBytes, 4 MiB); the store never truncates.
	ErrTooLarge = errors.New("store: too large")
	// ErrClosed means the store was used after Close.
	ErrClosed = errors.New("store: closed")
	// ErrSchemaTooNew means the file was written by a newer Pitchline
	// whose schema this version does not know.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this Pitchline")
	// ErrBadCSV means a CSV file cannot be imported at all (no recognised
	// header). Problems with single rows are reported per row instead.
	ErrBadCSV = errors.New("store: unusable CSV file")
	// ErrBadState means an outbox transition is not allowed from the
	// item's current state (for example MarkSynced on a failed item).
	ErrBadState = errors.New("store: invalid outbox transition")
	// ErrNotConnected means the vendor is not connected (CallForSync for a
	// vendor that gets no outbox rows).
	ErrNotConnected = errors.New("store: CRM not connected")
)

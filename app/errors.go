package app

import "errors"

// ErrNoAssets is returned by New when no frontend asset file system was given.
var ErrNoAssets = errors.New("app: frontend assets are required")

// ErrInvalidOption is returned by New when an Option carries an invalid value
// (for example a non-positive window size).
var ErrInvalidOption = errors.New("app: invalid option")

// ErrNotStarted is returned by bound methods that need the Wails runtime
// context before OnStartup has run.
var ErrNotStarted = errors.New("app: not started")

// ErrInvalidArgument marks an error caused by a bad argument from the
// frontend; FormatError maps it to the code "invalid_argument".
var ErrInvalidArgument = errors.New("app: invalid argument")

// ErrNoDisplay is returned by Run on Linux/BSD when neither DISPLAY nor
// WAYLAND_DISPLAY is set, instead of letting GTK panic.
var ErrNoDisplay = errors.New("app: no graphical display")

// ErrNotRegistered is returned by Dial when the account to call from is
// not registered with its server: the call is refused before any INVITE.
var ErrNotRegistered = errors.New("app: account not registered")

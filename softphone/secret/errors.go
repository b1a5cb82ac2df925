package secret

import (
	"errors"
	"fmt"
)

// Sentinel errors of package secret. Operations return them wrapped in an
// *Error (test with errors.Is); FromEnv wraps ErrEmptyEnv with %w.
var (
	// ErrNoKeychain means no OS keychain can be reached: no D-Bus session
	// bus, or no Secret Service (gnome-keyring, KWallet) on it.
	ErrNoKeychain = errors.New("no OS keychain available")
	// ErrKeychainLocked means the keychain exists but is locked and could
	// not be unlocked (no unlock prompt could be shown, or it was dismissed).
	ErrKeychainLocked = errors.New("OS keychain is locked")
	// ErrNotFound means no secret is stored for the account.
	ErrNotFound = errors.New("secret not found")
	// ErrTooLarge means the secret is larger than the keychain accepts.
	ErrTooLarge = errors.New("secret too large for the OS keychain")
	// ErrKeychain is any other failure reported by the keychain.
	ErrKeychain = errors.New("OS keychain error")
	// ErrInvalid is returned for an empty service, account or secret.
	ErrInvalid = errors.New("invalid argument")
	// ErrEmptyEnv is returned by FromEnv when the environment variable is
	// unset or empty; the message names the variable, never a value.
	ErrEmptyEnv = errors.New("password environment variable is unset or empty")
)

// Error describes a failed keychain operation. Its message names the
// operation, the service, the account and the problem, and never contains
// the secret. Unwrap returns the sentinel (Kind).
type Error struct {
	// Op is "get", "set" or "delete".
	Op string
	// Service is the Store's service name.
	Service string
	// Account is the account the operation was for.
	Account string
	// Kind is one of the package's sentinel errors.
	Kind error
	// Detail explains the problem and what to do about it.
	Detail string
}

// Error implements error.
func (e *Error) Error() string {
	msg := fmt.Sprintf("secret: %s %q (service %q): %v", e.Op, e.Account, e.Service, e.Kind)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg
}

// Unwrap returns Kind, so errors.Is(err, ErrNoKeychain) etc. work.
func (e *Error) Unwrap() error { return e.Kind }

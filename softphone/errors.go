package softphone

import (
	"errors"
	"fmt"
)

// Sentinel errors returned by the engine. They are wrapped with %w and
// context (call ID, status code) so callers test them with errors.Is.
var (
	// ErrClosed is returned by any operation on a closed Phone.
	ErrClosed = errors.New("softphone: phone is closed")
	// ErrNoSuchCall is returned when a call ID is unknown or already ended.
	ErrNoSuchCall = errors.New("softphone: no such call")
	// ErrInvalidState is returned when an operation does not fit the
	// current call state, such as answering an outbound call.
	ErrInvalidState = errors.New("softphone: operation not valid in this call state")
	// ErrInvalidTransition is returned by a state machine asked to make a
	// transition its table does not allow.
	ErrInvalidTransition = errors.New("softphone: invalid state transition")
	// ErrInvalidTarget is returned when a dial or transfer target cannot be
	// turned into a SIP URI.
	ErrInvalidTarget = errors.New("softphone: invalid target")
	// ErrRegistrationFailed is returned when the registrar refuses us.
	ErrRegistrationFailed = errors.New("softphone: registration failed")
	// ErrAuthFailed means the credentials were rejected (wrong password or
	// user).
	ErrAuthFailed = errors.New("softphone: authentication failed: check the user name and password")
	// ErrCallFailed is the base of CallFailedError.
	ErrCallFailed = errors.New("softphone: call failed")
	// ErrBadConfig is returned for an unusable configuration.
	ErrBadConfig = errors.New("softphone: bad configuration")
	// ErrTransferFailed is returned when the transferee reports failure.
	ErrTransferFailed = errors.New("softphone: transfer failed")
	// ErrNoSuchLeg is returned when a leg ID is not in the call.
	ErrNoSuchLeg = errors.New("softphone: no such participant")
	// ErrTooManyLegs is returned when a call would mix more than MaxLegs.
	ErrTooManyLegs = errors.New("softphone: too many participants")
	// ErrNotSupported is returned for an operation this build cannot do.
	ErrNotSupported = errors.New("softphone: not supported")
	// ErrNoSuchLine is returned by a Switchboard asked for an account it
	// has no line for.
	ErrNoSuchLine = errors.New("softphone: no such account")
	// ErrNotRegistered is returned by Switchboard.Dial when the account
	// to call from is not registered with its server (failed, still
	// registering, unregistered): the call is refused before any INVITE.
	ErrNotRegistered = errors.New("softphone: account not registered")
)

// CallFailedError carries the SIP final response that ended a call attempt.
type CallFailedError struct {
	Status int
	Reason string
}

// Error implements error.
func (e *CallFailedError) Error() string {
	return fmt.Sprintf("softphone: call failed: %d %s", e.Status, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCallFailed) true.
func (e *CallFailedError) Unwrap() error { return ErrCallFailed }

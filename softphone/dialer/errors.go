package dialer

import "errors"

// Sentinel errors. Every error this package returns wraps one of these (or
// an error of softphone/store, or a context error) with %w.
var (
	// ErrBadCSV means a CSV file cannot be read as a call list at all (no
	// header, or a header without a name and a phone column). Problems of
	// single rows are reported per row instead.
	ErrBadCSV = errors.New("dialer: unusable CSV file")
	// ErrEmptyNumber means a phone number is empty.
	ErrEmptyNumber = errors.New("dialer: empty phone number")
	// ErrInvalidNumber means a phone number is not a valid number for its
	// region, or a SIP URI is malformed.
	ErrInvalidNumber = errors.New("dialer: invalid phone number")
	// ErrInvalidSettings means list settings are out of range (mode, lines,
	// wrap-up, calling hours, retry policy, time zone).
	ErrInvalidSettings = errors.New("dialer: invalid list settings")
	// ErrTooLarge means an import exceeds MaxContacts rows or a cell
	// exceeds MaxCell bytes.
	ErrTooLarge = errors.New("dialer: too large")
	// ErrNotFound means a call list or a DNC number does not exist.
	ErrNotFound = errors.New("dialer: not found")
	// ErrInvalidState means a session control does not apply in the
	// session's current state (Dial while a call is up, SaveOutcome with
	// no call to save it for, a control after the session ended).
	ErrInvalidState = errors.New("dialer: not possible in this session state")
	// ErrCallEnded means the far end hung up before a voicemail drop
	// finished.
	ErrCallEnded = errors.New("dialer: the call ended")
	// ErrNoAudio means a call gives no access to its audio (an Engine
	// whose calls do not implement AudioCall or PlaybackCall).
	ErrNoAudio = errors.New("dialer: the call's audio is not available")
	// ErrBadVoicemail means a voicemail file cannot be played (not WAV or
	// MP3, undecodable, empty or too long); it comes with
	// ErrInvalidSettings.
	ErrBadVoicemail = errors.New("dialer: the voicemail file cannot be played")
	// ErrBadApology means an apology prompt file cannot be played (not WAV
	// or MP3, undecodable, empty or longer than MaxApology).
	ErrBadApology = errors.New("dialer: the apology prompt file cannot be played")
)

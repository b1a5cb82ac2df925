package device

import "errors"

// Errors returned by package device. They are wrapped with %w; test with
// errors.Is. Closed backends and streams return audio.ErrClosed, and frames
// of the wrong length audio.ErrFrameSize.
var (
	// ErrNoSoundServer is returned when PortAudio sees no devices at all:
	// no sound server (PulseAudio/PipeWire) and no sound card is reachable.
	ErrNoSoundServer = errors.New("no audio devices found: no sound server (PulseAudio/PipeWire) or sound card is reachable; use --audio null to run without audio hardware")
	// ErrNoSuchDevice is returned when a device name or ID matches no
	// device with the needed direction; the message lists the candidates.
	ErrNoSuchDevice = errors.New("no such audio device")
	// ErrRefreshDeferred is returned by Refresh while streams are open: the
	// device list is re-enumerated when the last stream closes.
	ErrRefreshDeferred = errors.New("device refresh deferred until all audio streams are closed")
	// ErrStalled is returned by Capture when the device delivered no audio
	// for the stall timeout (see WithStallTimeout).
	ErrStalled = errors.New("audio device stalled: no audio delivered")
	// ErrPortAudio wraps failures reported by the PortAudio library.
	ErrPortAudio = errors.New("portaudio")
)

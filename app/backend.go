package app

import (
	"errors"
	"log/slog"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/device"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/secret"
	"github.com/pitchline/pitchline/softphone/store"
)

// openBackend opens the audio backend named by dev: "null" is the
// real-time null device; "", "default" or a device id is PortAudio. When
// PortAudio finds no sound server, the null device is used instead and the
// notice says so (the app stays usable, silently).
func openBackend(dev string, log *slog.Logger) (audio.Backend, string, error) {
	if dev == "null" {
		b, err := audio.NewNullBackend()
		return b, "", err
	}
	b, err := device.New(device.WithLogger(log))
	if err == nil {
		if _, derr := b.Devices(); derr == nil {
			return b, "", nil
		} else if !errors.Is(derr, device.ErrNoSoundServer) {
			return b, "", nil
		}
		_ = b.Close()
	}
	nb, nerr := audio.NewNullBackend()
	if nerr != nil {
		return nil, "", nerr
	}
	return nb, "no sound server: using the silent null audio device (start PulseAudio/PipeWire for sound)", nil
}

// coreErrorCodes maps the calling core's sentinels to frontend codes, in
// the order they are checked (an error can wrap several: an invalid
// argument that is a duplicate name is a duplicate).
func coreErrorCodes() []errorCode {
	return append(append(dialerErrorCodes(), joinErrorCodes()...), []errorCode{
		{ErrNotRegistered, CodeNotRegistered},
		{softphone.ErrAuthFailed, CodeAuthFailed},
		{crm.ErrAuth, CodeCRMAuth},
		{crm.ErrForbidden, CodeCRMForbidden},
		{store.ErrDuplicate, CodeDuplicate},
		{store.ErrTooLarge, CodeTooLarge},
		{store.ErrInvalidNumber, CodeInvalidNumber},
		{softphone.ErrNoSuchCall, "no_such_call"},
		{softphone.ErrInvalidState, "invalid_state"},
		{softphone.ErrNoSuchLeg, "no_such_participant"},
		{softphone.ErrTooManyLegs, "too_many_participants"},
		{softphone.ErrTransferFailed, "transfer_failed"},
		{errJoinLinkGone, "join_link_gone"},
		{errBadLead, "invalid_lead"},
		{softphone.ErrInvalidTarget, "invalid_target"},
		{softphone.ErrCallFailed, "call_failed"},
		{softphone.ErrRegistrationFailed, "registration_failed"},
		{softphone.ErrBadConfig, CodeInvalidArgument},
		{softphone.ErrUnknownTestTone, CodeInvalidArgument},
		{secret.ErrNoKeychain, "no_keychain"},
		{secret.ErrKeychainLocked, "keychain_locked"},
		{store.ErrNotFound, "not_found"},
		{device.ErrNoSoundServer, "no_sound_server"},
		{audio.ErrUnknownDevice, CodeInvalidArgument},
		{softphone.ErrClosed, CodeNotStarted},
	}...)
}

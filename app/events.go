package app

import (
	"reflect"
	"time"
)

// TickInterval is how often high-rate data (levels, call timers, RTP
// quality) is coalesced into one EvTick event.
const TickInterval = 200 * time.Millisecond

// Event is one entry of the event catalogue: a wire name bound to exactly one
// payload type T. Emitting goes through emit, which only accepts a T for an
// Event[T], so a payload can never drift from its name.
type Event[T any] struct{ name string }

// Name returns the event's wire name (what EventsOn and the SSE stream use).
func (e Event[T]) Name() string { return e.name }

// The event catalogue. frontend/src/lib/contract.ts mirrors it in EventMap;
// TestContractMirrorsCatalogue keeps the two in step.
var (
	// EvSnapshot carries the full state after a wholesale change (account
	// switched, demo line started); the UI replaces everything it holds.
	EvSnapshot = Event[Snapshot]{"snapshot"}
	// EvCall carries a call whenever its state or flags change, including
	// the final "ended" state, after which the call is gone.
	EvCall = Event[CallView]{"call"}
	// EvAccount carries the active account when its registration state or
	// do-not-disturb changes.
	EvAccount = Event[AccountView]{"account"}
	// EvAccounts carries the account list after an add, edit or remove.
	EvAccounts = Event[[]AccountView]{"accounts"}
	// EvDevices carries the device list and selection after a change.
	EvDevices = Event[DevicesView]{"devices"}
	// EvSettings carries the settings after they were saved.
	EvSettings = Event[SettingsView]{"settings"}
	// EvHistory carries a call history entry just logged.
	EvHistory = Event[HistoryEntry]{"history"}
	// EvTick carries levels, timers and quality, every TickInterval while
	// a call is active or the meter is on.
	EvTick = Event[Tick]{"tick"}
	// EvDTMF carries a digit received from the peer.
	EvDTMF = Event[DTMFView]{"dtmf"}
	// EvTransfer carries blind-transfer progress.
	EvTransfer = Event[TransferView]{"transfer"}
	// EvDial carries a click-to-call URL handed to this instance and the
	// call it started.
	EvDial = Event[DialRequest]{"dial"}
	// EvNotice carries a background message (info, warning, error).
	EvNotice = Event[Notice]{"notice"}
	// EvForm carries a post-call outcome form: "pending" when a call ended
	// and needs one, "saved" or "dismissed" when it closed.
	EvForm = Event[FormView]{"form"}
	// EvSync carries the CRM sync status whenever it changes.
	EvSync = Event[CRMStatus]{"sync"}
	// EvOutcomes carries every outcome that is not deleted (enabled or
	// not, with its CRM mapping) after the list changed; open outcome
	// forms offer the enabled ones from then on.
	EvOutcomes = Event[[]OutcomeView]{"outcomes"}
	// EvDialer carries the dialer session's status (with the preview card
	// of its current contact) after every session event.
	EvDialer = Event[DialerSessionView]{"dialer"}
	// EvDialerPull carries the progress of a CRM list being pulled into a
	// call list (DialerService.PullCRMList).
	EvDialerPull = Event[DialerPullView]{"dialer_pull"}
	// EvConference carries a call's participants whenever one joins,
	// leaves, or changes state, hold, mute or role, and when the rep
	// leaves the conference. Levels and quality follow on EvTick.
	EvConference = Event[ConferenceView]{"conference"}
	// EvVoicemailPlay carries a voicemail (or prompt) file played on the
	// rep's speaker (DialerService.PlayVoicemail): when it starts and when
	// it ends, with why.
	EvVoicemailPlay = Event[VoicemailPlayView]{"voicemail_play"}
	// EvVoicemailRecording carries a voicemail recording's progress
	// (elapsed time and level) every TickInterval while it records, and
	// once more when it ended.
	EvVoicemailRecording = Event[VoicemailRecordingView]{"voicemail_recording"}
)

// catalogue lists every event with its payload type, for tests and for the
// served /api/events description.
var catalogue = map[string]reflect.Type{
	EvSnapshot.name:           reflect.TypeFor[Snapshot](),
	EvCall.name:               reflect.TypeFor[CallView](),
	EvAccount.name:            reflect.TypeFor[AccountView](),
	EvAccounts.name:           reflect.TypeFor[[]AccountView](),
	EvDevices.name:            reflect.TypeFor[DevicesView](),
	EvSettings.name:           reflect.TypeFor[SettingsView](),
	EvHistory.name:            reflect.TypeFor[HistoryEntry](),
	EvTick.name:               reflect.TypeFor[Tick](),
	EvDTMF.name:               reflect.TypeFor[DTMFView](),
	EvTransfer.name:           reflect.TypeFor[TransferView](),
	EvDial.name:               reflect.TypeFor[DialRequest](),
	EvNotice.name:             reflect.TypeFor[Notice](),
	EvForm.name:               reflect.TypeFor[FormView](),
	EvSync.name:               reflect.TypeFor[CRMStatus](),
	EvOutcomes.name:           reflect.TypeFor[[]OutcomeView](),
	EvDialer.name:             reflect.TypeFor[DialerSessionView](),
	EvDialerPull.name:         reflect.TypeFor[DialerPullView](),
	EvConference.name:         reflect.TypeFor[ConferenceView](),
	EvVoicemailPlay.name:      reflect.TypeFor[VoicemailPlayView](),
	EvVoicemailRecording.name: reflect.TypeFor[VoicemailRecordingView](),
}

// emitter is where events go: the Wails runtime, the SSE clients of
// browser mode, or a test recorder.
type emitter interface {
	emit(name string, payload any)
}

// emit sends payload under ev's name; the type parameter ties the payload
// to the catalogue entry.
func emit[T any](to emitter, ev Event[T], payload T) {
	if to != nil {
		to.emit(ev.name, payload)
	}
}

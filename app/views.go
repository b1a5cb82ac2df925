package app

// This file holds the view types: the JSON shapes the bound services return
// and the events carry. frontend/src/lib/contract.ts mirrors them field by
// field (json tags are the wire names). Times are RFC 3339 strings, durations
// are integer milliseconds, so the frontend never parses Go's formats.

// CallView is one call as the UI shows it.
type CallView struct {
	// ID is the engine's stable call identifier.
	ID string `json:"id"`
	// Account is the ID of the account the call is on (AccountView.ID).
	Account string `json:"account"`
	// Direction is "inbound" or "outbound".
	Direction string `json:"direction"`
	// State is the engine call state: dialing, ringing, incoming, answering,
	// connected, held, remote_held or ended.
	State string `json:"state"`
	// Remote is the remote SIP URI.
	Remote string `json:"remote"`
	// Number is the user part of Remote (what the rep dialled or sees).
	Number string `json:"number"`
	// Display is the remote display name from the SIP From/To header.
	Display string `json:"display"`
	// CallerID is the directory match (contact, company, deal) or the
	// formatted number when unknown.
	CallerID CallerIDView `json:"callerId"`
	// Muted, Held and RemoteHeld mirror the engine flags.
	Muted bool `json:"muted"`
	// Held is true when we put the peer on hold.
	Held bool `json:"held"`
	// RemoteHeld is true when the peer put us on hold.
	RemoteHeld bool `json:"remoteHeld"`
	// Created is when the call started (RFC 3339).
	Created string `json:"created"`
	// Answered is when the call was answered ("" before).
	Answered string `json:"answered"`
	// DurationMs is the talk time so far (0 before the answer).
	DurationMs int64 `json:"durationMs"`
	// Codec is the negotiated codec (PCMU, PCMA) once media runs.
	Codec string `json:"codec"`
	// Notes is the rep's note kept with the call.
	Notes string `json:"notes"`
	// Cause, Status and Reason say why the call ended (state "ended").
	Cause string `json:"cause"`
	// Status is the SIP status code that ended the call, if any.
	Status int `json:"status"`
	// Reason is the SIP reason phrase that ended the call, if any.
	Reason string `json:"reason"`
	// Quality is the latest call quality from RTP/RTCP statistics.
	Quality Quality `json:"quality"`
	// Forwardable is true for a ringing inbound call while a forward
	// number is configured.
	Forwardable bool `json:"forwardable"`
	// Participants are the call's parties (one for a two-party call);
	// EvConference carries changes.
	Participants []ParticipantView `json:"participants"`
	// Left is true once the rep left the conference.
	Left bool `json:"left"`
}

// CallerIDView is what the incoming-call pop and the in-call card show
// about the remote party.
type CallerIDView struct {
	// Known is true when the number matched a contact.
	Known bool `json:"known"`
	// ContactID is the matched contact ("" when unknown).
	ContactID string `json:"contactId"`
	// Name is the contact's full name ("" when unknown).
	Name string `json:"name"`
	// Company is the contact's company name.
	Company string `json:"company"`
	// DealName, DealAmount and DealCurrency describe the contact's open deal.
	DealName string `json:"dealName"`
	// DealAmount is the deal amount as a decimal string.
	DealAmount string `json:"dealAmount"`
	// DealCurrency is the ISO 4217 currency of DealAmount.
	DealCurrency string `json:"dealCurrency"`
	// E164 is the normalised number ("" if not parseable).
	E164 string `json:"e164"`
	// Formatted is the number formatted for display (national format for
	// the default country, international otherwise; raw when unparseable).
	Formatted string `json:"formatted"`
}

// Quality is a call-quality indicator computed from RTP loss and jitter.
type Quality struct {
	// Level is "good", "fair", "poor" or "unknown" (no media yet).
	Level string `json:"level"`
	// LossPct is the packet loss in percent of expected packets.
	LossPct float64 `json:"lossPct"`
	// JitterMs is the RFC 3550 interarrival jitter in milliseconds.
	JitterMs float64 `json:"jitterMs"`
	// RTTMs is the round-trip time from RTCP (0 until known).
	RTTMs float64 `json:"rttMs"`
}

// Levels are the live microphone and speaker peak levels.
type Levels struct {
	// Active is false when no audio device is open (levels are -96).
	Active bool `json:"active"`
	// MicDb is the microphone peak in dBFS (-96 = silence).
	MicDb float64 `json:"micDb"`
	// SpeakerDb is the speaker peak in dBFS (-96 = silence).
	SpeakerDb float64 `json:"speakerDb"`
}

// AccountView is one SIP account (or the built-in demo line) with its
// live registration state.
type AccountView struct {
	// ID identifies the account (its AOR); "demo" for the demo line.
	ID string `json:"id"`
	// Label is what the UI shows: the display name, the AOR, or "Demo line".
	Label string `json:"label"`
	// Demo is true for the built-in loopback demo line.
	Demo bool `json:"demo"`
	// Active is true for the default account: the one Dial calls from
	// (every account registers and takes calls).
	Active bool `json:"active"`
	// AOR is the address of record, sip:user@host[:port].
	AOR string `json:"aor"`
	// AuthUser is the digest user name ("" = the AOR user).
	AuthUser string `json:"authUser"`
	// DisplayName is put in From headers.
	DisplayName string `json:"displayName"`
	// Registrar overrides the registrar URI.
	Registrar string `json:"registrar"`
	// OutboundProxy, if set, takes every call ("" = the registrar for the
	// account's own domain, the target's host for anything else).
	OutboundProxy string `json:"outboundProxy"`
	// Transport is udp, tcp or tls.
	Transport string `json:"transport"`
	// HasPassword is true when a password is stored in the OS keychain.
	HasPassword bool `json:"hasPassword"`
	// State is the registration state: unregistered, registering,
	// registered, failed, reconnecting or disabled.
	State string `json:"state"`
	// Reason explains a failed or reconnecting state in one sentence.
	Reason string `json:"reason"`
	// Error is the classified failure behind Reason (code, detail, host),
	// nil when there is none.
	Error *ErrorPayload `json:"error"`
	// DND is true when do-not-disturb rejects inbound calls with 486.
	DND bool `json:"dnd"`
}

// AccountInput is what the account editor saves.
type AccountInput struct {
	// AOR is the address of record, sip:user@host[:port] (required).
	AOR string `json:"aor"`
	// AuthUser is the digest user name ("" = the AOR user).
	AuthUser string `json:"authUser"`
	// DisplayName is put in From headers.
	DisplayName string `json:"displayName"`
	// Registrar overrides the registrar URI.
	Registrar string `json:"registrar"`
	// OutboundProxy, if set, takes every call ("" = the registrar for the
	// account's own domain, the target's host for anything else).
	OutboundProxy string `json:"outboundProxy"`
	// Transport is udp, tcp or tls ("" = udp).
	Transport string `json:"transport"`
	// Password goes to the OS keychain; "" keeps the stored one.
	Password string `json:"password"`
}

// RegistrationTest is the outcome of AccountsService.Test.
type RegistrationTest struct {
	// OK is true when the registrar accepted the REGISTER.
	OK bool `json:"ok"`
	// State is the final registration state reached.
	State string `json:"state"`
	// Reason explains a failure in one sentence.
	Reason string `json:"reason"`
	// Error is the classified failure (code, detail, host), nil on success.
	Error *ErrorPayload `json:"error"`
}

// DeviceView is one audio device.
type DeviceView struct {
	// ID is what Select* take.
	ID string `json:"id"`
	// Name is the human-readable device name.
	Name string `json:"name"`
	// Input and Output say what the device can do.
	Input bool `json:"input"`
	// Output is true when the device can play.
	Output bool `json:"output"`
	// DefaultInput and DefaultOutput mark the system defaults.
	DefaultInput bool `json:"defaultInput"`
	// DefaultOutput marks the system default output.
	DefaultOutput bool `json:"defaultOutput"`
}

// DevicesView is the device list plus the current selection ("" = the
// system default).
type DevicesView struct {
	// Backend names the audio backend (portaudio, null).
	Backend string `json:"backend"`
	// Devices lists every device the backend offers.
	Devices []DeviceView `json:"devices"`
	// Input is the selected microphone.
	Input string `json:"input"`
	// Output is the selected speaker.
	Output string `json:"output"`
	// Ringer is the selected ringer device.
	Ringer string `json:"ringer"`
	// Meter is true while the settings microphone meter keeps the device
	// open outside calls.
	Meter bool `json:"meter"`
	// Error is set when the device list could not be read (e.g. no sound
	// server); the selection is still shown.
	Error string `json:"error"`
	// Problem is Error classified (sentence, detail), nil when Error is "".
	Problem *ErrorPayload `json:"problem,omitempty"`
}

// PhoneView is one phone number of a contact.
type PhoneView struct {
	// Label is e.g. "work", "mobile".
	Label string `json:"label"`
	// Raw is the number as stored.
	Raw string `json:"raw"`
	// E164 is the normalised number ("" if not parseable).
	E164 string `json:"e164"`
	// Formatted is the number for display.
	Formatted string `json:"formatted"`
}

// DealView is one deal of a contact.
type DealView struct {
	// ID identifies the deal.
	ID string `json:"id"`
	// Name is the deal name.
	Name string `json:"name"`
	// Amount is a decimal string.
	Amount string `json:"amount"`
	// Currency is ISO 4217.
	Currency string `json:"currency"`
	// Stage is the pipeline stage.
	Stage string `json:"stage"`
}

// ContactView is one contact with everything the contact card shows.
type ContactView struct {
	// ID identifies the contact.
	ID string `json:"id"`
	// Name is the full name.
	Name string `json:"name"`
	// FirstName is used by call scripts ({{contact.first_name}}).
	FirstName string `json:"firstName"`
	// LastName is used by call scripts ({{contact.last_name}}).
	LastName string `json:"lastName"`
	// Title is the job title.
	Title string `json:"title"`
	// Email is the e-mail address.
	Email string `json:"email"`
	// Company is the company name.
	Company string `json:"company"`
	// Address is the postal address.
	Address string `json:"address"`
	// Phones lists every number; the UI shows each one separately.
	Phones []PhoneView `json:"phones"`
	// Deals lists the contact's deals.
	Deals []DealView `json:"deals"`
}

// ContactHit is one type-ahead search result.
type ContactHit struct {
	// Contact is the matched contact.
	Contact ContactView `json:"contact"`
	// Field says what matched: name, company, phone or address.
	Field string `json:"field"`
}

// HistoryFilter selects call history entries.
type HistoryFilter struct {
	// Direction is "inbound", "outbound" or "" for both.
	Direction string `json:"direction"`
	// Missed keeps only missed inbound calls.
	Missed bool `json:"missed"`
	// Since and Until bound the start time (RFC 3339 or YYYY-MM-DD; "" =
	// unbounded). Until is exclusive; a bare date means the end of that day.
	Since string `json:"since"`
	// Until is the upper bound, see Since.
	Until string `json:"until"`
	// Limit caps the result (0 = 100).
	Limit int `json:"limit"`
}

// HistoryEntry is one logged call.
type HistoryEntry struct {
	// ID identifies the call record.
	ID string `json:"id"`
	// Direction is "inbound" or "outbound".
	Direction string `json:"direction"`
	// Missed is true for an inbound call nobody answered.
	Missed bool `json:"missed"`
	// Number is the remote number (what CallBack dials).
	Number string `json:"number"`
	// CallerID describes the remote party.
	CallerID CallerIDView `json:"callerId"`
	// Started is when the call started (RFC 3339).
	Started string `json:"started"`
	// DurationMs is the talk time.
	DurationMs int64 `json:"durationMs"`
	// Status is the crm call status (completed, missed, busy, ...).
	Status string `json:"status"`
	// Cause is the engine end cause.
	Cause string `json:"cause"`
	// Notes is the note kept with the call.
	Notes string `json:"notes"`
	// OutcomeID is the outcome chosen in the form (0 = none).
	OutcomeID int64 `json:"outcomeId"`
	// FormDone is true once the outcome form was saved or dismissed (or
	// none was needed: a missed call).
	FormDone bool `json:"formDone"`
	// Sync is the call's sync state per connected CRM.
	Sync []SyncView `json:"sync"`
}

// HistoryDetail is one logged call as its detail view shows it.
type HistoryDetail struct {
	// Entry is the call as the history list shows it.
	Entry HistoryEntry `json:"entry"`
	// OutcomeLabel is the chosen outcome's label ("" = none chosen).
	OutcomeLabel string `json:"outcomeLabel"`
	// DealName and DealStage describe the deal the call was about.
	DealName  string `json:"dealName"`
	DealStage string `json:"dealStage"`
	// Tasks are the follow-up tasks created with the call's form.
	Tasks []TaskView `json:"tasks"`
	// Recording is the local path of the call's recording ("" = none).
	Recording string `json:"recording"`
}

// TaskView is a follow-up task (times RFC 3339, "" when unset).
type TaskView struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Due      string `json:"due"`
	Reminder string `json:"reminder"`
	Done     bool   `json:"done"`
}

// ScriptView is one call script.
type ScriptView struct {
	// ID identifies the script (0 = new).
	ID int64 `json:"id"`
	// Name is the script's title.
	Name string `json:"name"`
	// Body is the script text with {{contact.first_name}}-style variables.
	Body string `json:"body"`
	// Default marks the script shown when nothing more specific applies.
	Default bool `json:"default"`
}

// SettingsView is the user's settings, persisted in the store.
type SettingsView struct {
	// Language is "en" or "ja".
	Language string `json:"language"`
	// DefaultCountry is an ISO 3166 alpha-2 code ("US", "JP", ...).
	DefaultCountry string `json:"defaultCountry"`
	// Ringtone names the ringtone ("classic", "soft", "digital").
	Ringtone string `json:"ringtone"`
	// ForwardTo is the number ringing calls are forwarded to ("" = none).
	ForwardTo string `json:"forwardTo"`
	// Scripts are the call scripts.
	Scripts []ScriptView `json:"scripts"`
}

// DemoNumber is one number of the built-in demo line.
type DemoNumber struct {
	// Number is what to dial.
	Number string `json:"number"`
	// Behaviour says what happens: answer, busy, no_answer, callback.
	Behaviour string `json:"behaviour"`
	// Description is a one-line English explanation.
	Description string `json:"description"`
}

// DemoView describes the demo line when it is in use.
type DemoView struct {
	// Active is true when the phone is on the demo line.
	Active bool `json:"active"`
	// Numbers lists the demo numbers.
	Numbers []DemoNumber `json:"numbers"`
}

// Snapshot is the full state the UI loads on DOM ready; events then carry
// deltas.
type Snapshot struct {
	// Version is the application version.
	Version string `json:"version"`
	// Accounts lists the accounts (the demo line when none is configured).
	Accounts []AccountView `json:"accounts"`
	// Calls lists the active calls.
	Calls []CallView `json:"calls"`
	// Devices is the audio device list and selection.
	Devices DevicesView `json:"devices"`
	// Settings are the user's settings.
	Settings SettingsView `json:"settings"`
	// Demo describes the demo line.
	Demo DemoView `json:"demo"`
	// Levels are the current audio levels.
	Levels Levels `json:"levels"`
	// LastDialed is what Redial dials ("" = nothing yet).
	LastDialed string `json:"lastDialed"`
	// Forms are the pending post-call outcome forms (they survive a reload).
	Forms FormsView `json:"forms"`
	// CRM is the connected CRM's sync status.
	CRM CRMStatus `json:"crm"`
}

// TickCall is the per-call part of a tick.
type TickCall struct {
	// ID is the call.
	ID string `json:"id"`
	// DurationMs is the talk time so far.
	DurationMs int64 `json:"durationMs"`
	// Quality is the call quality.
	Quality Quality `json:"quality"`
	// Participants carries each participant's level and quality while
	// the call is a conference (omitted for a two-party call).
	Participants []TickParticipant `json:"participants,omitempty"`
}

// Tick is the coalesced high-rate update sent every TickInterval while
// anything changes (a call is active or the meter is on).
type Tick struct {
	// Levels are the audio levels.
	Levels Levels `json:"levels"`
	// Calls carries timers and quality of every active call.
	Calls []TickCall `json:"calls"`
}

// DialRequest reports a click-to-call URL (from the command line or a
// second launch) and the call it started.
type DialRequest struct {
	// URL is the tel:, sip: or callto: URL received.
	URL string `json:"url"`
	// Target is what was dialled.
	Target string `json:"target"`
	// CallID is the started call ("" if dialling failed).
	CallID string `json:"callId"`
	// Error is set when dialling failed.
	Error *ErrorPayload `json:"error"`
}

// DTMFView is a digit received from the peer.
type DTMFView struct {
	// CallID is the call.
	CallID string `json:"callId"`
	// Digit is one of 0-9 * # A-D.
	Digit string `json:"digit"`
}

// TransferView reports the progress of a blind transfer.
type TransferView struct {
	// CallID is the call being transferred.
	CallID string `json:"callId"`
	// Target is the transfer target.
	Target string `json:"target"`
	// Status is the SIP status reported by the transferee.
	Status int `json:"status"`
	// Reason is the reason phrase.
	Reason string `json:"reason"`
	// Final is true once the outcome is known.
	Final bool `json:"final"`
	// OK is true for a final 2xx.
	OK bool `json:"ok"`
}

// Notice is a background message for the UI (for example a failure that
// has no pending promise to reject).
type Notice struct {
	// Level is "info", "warning" or "error".
	Level string `json:"level"`
	// Code is a stable machine-readable code (see Code* constants).
	Code string `json:"code"`
	// Message is human-readable text, in English (the log's).
	Message string `json:"message"`
	// Params fill the code's sentence in the window's language (vendor,
	// labels, from, reason ...), for a notice without Error.
	Params map[string]string `json:"params,omitempty"`
	// Error is the classified failure a warning is about (nil if none):
	// the UI shows its sentence with the detail behind a toggle.
	Error *ErrorPayload `json:"error,omitempty"`
}

// Package dialer is Pitchline's power dialer plug-in: call lists, their
// import from CSV, and the compliance checks made before every dial.
//
// It plugs into the engine through the engine's public API only; the engine
// never imports it (internal/archtest enforces both). Lists and the local
// do-not-call (DNC) list are kept in the local store (softphone/store,
// tables added by its schema version 5).
//
// # Call lists
//
// A List is an ordered set of Contacts, each with one or more Numbers, and
// the list's Settings: the mode (preview, power or parallel), the number of
// lines (1 to 5, more than one only in parallel mode), the wrap-up time, the
// caller ID, the calling-hours Window (default 09:00-20:00) and the
// RetryPolicy. ParseCSV reads a list from a CSV file whose header has at
// least a name and a phone column; other columns are mapped by a
// ColumnMapping. It reports every data row: imported, or rejected with a
// reason a rep can act on (no phone, an invalid number, a duplicate).
//
// # Numbers
//
// A Number's Key is its E.164 form, parsed with libphonenumber's rules for
// the list's default region, or a SIP URI ("sip:alice@example.com", with a
// lower-cased host) for tests and SIP-only peers. DNC matching uses the Key,
// so "(212) 555-0100" and "+1 212-555-0100" are the same number.
//
// # Compliance
//
// Decide is a pure function of the clock, the rep's time zone and a Request
// (contact, number, list settings, past attempts, DNC set); Checker wraps
// it with an injectable clock. A refusal carries a typed Reason: dnc,
// calling_hours (with the contact's local time), retry_cap or
// invalid_number. Calling hours are checked in the contact's own time zone:
// the zone on the contact's record when it has a valid one, else the zones
// libphonenumber gives for the number (when the number spans several zones,
// the window must hold in every one of them: the strictest rule), else the
// rep's own zone (a SIP address, a number with no known region).
//
// # Sessions
//
// A Session works through a list in preview, power or parallel mode
// (NewSession, ResumeSession, ResumeSessionByName). Its State moves
// through idle, ready (preview card), dialing, connected, wrap_up,
// paused, and ends done or stopped; Session.transition is the one place
// it changes. The rep's controls are Dial, Skip, Hangup, SaveOutcome,
// Pause, Resume and Stop; Subscribe delivers Events (named as the
// headless contract's --json events) and Snapshot a Status (counters,
// progress, the current card, skips with reasons).
//
// A session is written to the store (schema version 6) after every step.
// Every dial is an attempt row committed as "dialing" before the engine
// is asked to send the INVITE; a session reopened after a crash finishes
// such an attempt as "interrupted", counts it as dialled and never dials
// that contact again. Compliance (Checker) is checked before every dial;
// a refused contact is skipped with its Reason, except a retry that is
// only too early, which waits. No answer and busy contacts are retried
// per the list's RetryPolicy, counted over every session.
//
// A line we cancel before any answer (another line won, or Stop) did not
// reach its contact: the attempt is finished as "cancelled" (the INVITE
// did leave, so it stays in the log and in Dialled) and the contact is
// dialled again first, without counting a retry (retry caps and spacing
// ignore cancelled attempts). This keeps resume safe: the attempt only
// becomes "cancelled" once the engine reported the call ended unanswered;
// a crash before that leaves it "dialing", which is never redialled. So
// a contact is dialled again only when we know nobody answered. A 2xx
// that crossed our CANCEL is not a cancel: the engine ACKs and hangs it
// up (cause answered_after_cancel) and it counts as abandoned.
//
// Calls go through the small Engine interface; PhoneEngine adapts a
// *softphone.Phone (the engine never imports this package). Answering
// machine detection plugs in as a Classifier, the voicemail drop as a
// VoicemailDropper; AMD provides both on amd.Detector (Classify,
// Drop), sharing each call's detector so that the drop starts when the
// beep the classifier heard ends. PhoneEngine calls are AudioCalls and
// PlaybackCalls through the engine's Call.TapReceived and
// Call.PlayToRemote. In parallel mode the first human answer goes to the
// rep and the other lines are cancelled at once (their contexts end:
// CANCEL); a human who answers while the rep is on a call hears the
// apology prompt (WithApologyPrompt, by default an embedded espeak-ng
// phrase, assets/make-apology.sh; SourceCall plays it), is hung up and
// counted abandoned (with a Classifier, every answer is classified first:
// a machine goes to the voicemail path, never counted abandoned). The
// governor lowers the lines by one as soon as the abandon rate is above
// its cap (3 % by default) and raises them again by one, up to the list's
// Lines, once enough human answers were measured (WithGovernorSample) and
// the rate is back at or under two thirds of the cap (hysteresis). Its
// lines are stored with the session's counters, so a resumed session
// keeps them.
//
// # Local presence
//
// With WithCallerIDs (the account's owned numbers, E.164), every dial's
// DialOptions.CallerID is chosen by LocalPresence: the first owned number
// in the contact's area (North America: the same NPA; elsewhere the same
// national destination code by libphonenumber), else the first of the
// contact's country (region: the US and Canada differ), else the list's
// caller ID or the account's default. A SIP address matches only when its
// user part is a "+" number. The dial Event carries the choice.
package dialer

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
package dialer

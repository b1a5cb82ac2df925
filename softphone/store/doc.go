// Package store is Pitchline's embedded local CRM: contacts (with several
// phone numbers each), companies, deals, the call log, call outcomes, notes,
// follow-up tasks, call scripts, settings, and the outbox that the CRM sync
// worker drains. Everything lives in one SQLite file (DefaultPath) opened in
// WAL mode with foreign keys on and a busy timeout, so the desktop app and a
// `pitchline` command can use the same file at once.
//
// # Schema
//
// The schema is versioned with SQLite's user_version pragma. Migrations are
// forward-only; each runs in its own transaction together with the version
// bump, so a crash leaves the file at the previous version. Open refuses a
// file written by a newer Pitchline (ErrSchemaTooNew).
//
// # Phone numbers
//
// Every number is kept twice: the text as the user or the CRM wrote it (Raw)
// and its E.164 form, parsed with the store's default region (WithRegion,
// SetRegion). Numbers that cannot be parsed keep an empty E164 and are not
// used for caller ID. Local-only numbers without an area code ("555-0199" in
// the US) are not accepted as E.164: they could never match an incoming
// caller ID.
//
// # Caller ID
//
// LookupNumber answers from an in-memory index (E.164 as a uint64 → the
// contact's name, company and most relevant open deal) that every write
// updates after its transaction commits. It is built when the store opens.
//
// # Search
//
// Search is a type-ahead prefix search over an FTS5 index of names,
// companies, addresses and number digits (the E.164 digits and the national
// digits, so "5551" and "0312" find numbers). User input is never passed to
// MATCH as syntax: it is split into terms and each term is quoted. FTS5's
// unicode61 tokenizer does not segment Chinese or Japanese, so Han, kana and
// Hangul characters are indexed (and queried) one character per token and a
// CJK query becomes a phrase: "田中" finds 田中 太郎. Name matches are
// listed before company, number and address matches.
//
// # Calls, forms and the outbox
//
// At the end of a call the app calls LogCall; when the rep saves the
// outcome form it calls SaveForm, which writes the outcome, notes, deal, the
// follow-up task and one outbox row per connected CRM (the call, and the
// task) in a single transaction. The rule for what is queued:
//
//   - A call is queued for every connected CRM exactly once (a unique index
//     on vendor, kind and call id), when its form is saved.
//   - A missed inbound call needs no form: LogCall stores it with
//     FormDone=true and queues it at once, because CRMs keep missed calls
//     too (Zoho Call_Type "Missed", HubSpot status "NO_ANSWER").
//   - LogCall with FormDone=true queues the call as well (calls logged after
//     the fact, `pitchline calls log`).
//   - A task is queued with the form that created it.
//
// Outbox items move pending → inflight → synced, or → pending again with a
// later NextAt (MarkFailed, temporary), or → failed with a reason
// (MarkFailed, permanent) until Retry. MarkInFlight is written before a
// request is sent: an item that is still inflight when the store is opened
// again by another process (a crash mid-request) comes back from Due with
// Uncertain=true, and the worker asks the CRM (Adapter.FindCalls) before
// creating it again.
//
// CallForSync and TaskForSync build the vendor-neutral records the sync
// worker pushes. They take the vendor as an optional last argument
// (`CallForSync(ctx, id, "hubspot")`): the outcome value and the
// contact, company and deal ids differ per CRM. The store has its own
// vocabulary (Vendor, Direction, CallStatus, SyncCall, SyncTask) and does
// not import the CRM plug-in: softphone/crm/sync converts between them.
//
// # CSV import
//
// ImportContactsCSV streams the file. See ImportContactsCSV for the header
// names, the row numbering in reports, and the duplicate rule.
package store

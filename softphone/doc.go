// Package softphone is Pitchline's calling engine: accounts, calls, legs
// and the event stream. It knows nothing of any user interface; the Wails
// window, the browser mode and the headless command line are all plain
// subscribers to Phone.Subscribe and callers of its public methods.
//
// The model:
//
//	Phone ─┬─ Account (registration state machine, REGISTER with digest auth)
//	       └─ Call* ── Leg+ (one SIP dialog + one media.Session each)
//
// A Call has one or more Legs, so a conference is one Call with several
// legs, and several Calls run at once (call waiting, parallel dialing).
//
// Concurrency: every change of Phone, Account, Call and Leg state runs on a
// single serial queue (see queue.go). Blocking SIP transactions run on
// goroutines owned by the leg or account that started them and post their
// results back to the queue. Media runs on the media.Session goroutines and
// never takes signalling locks.
//
// In-dialog requests (BYE, re-INVITE, REFER, NOTIFY, ...) all go through
// sendInDialog (dialogauth.go): a 401/407 is answered once with
// credentials and the next dialog CSeq (RFC 3261 §22.2), as proxies that
// challenge every request from their domain require.
//
// Incoming bytes pass the read filter (filter.go) before sipgo parses
// them: TCP and TLS reads are framed into whole messages (stream.go),
// header white space is normalised (normalize.go), and a request that is
// malformed or lacks what a UAS relies on (ValidateRequest) gets a
// stateless 400 naming the problem and never reaches a handler. The
// torture corpus in testdata/torture (RFC 4475) pins this down.
//
// Routing: an explicit outbound proxy takes every out-of-dialog request;
// without one a registered account sends its own domain's calls to the
// registrar and everything else follows the Request-URI (RFC 3263).
//
// Protocol references: RFC 3261 (SIP), RFC 3264 (offer/answer), RFC 3515
// and RFC 3892 (REFER), RFC 4733 (DTMF events), RFC 6086 (INFO), RFC 4475
// (torture tests).
package softphone

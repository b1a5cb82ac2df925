// Package softphone is Pitchline's calling engine: accounts, calls, legs
// and the event stream. It knows nothing of any user interface; the Wails
// window and the browser mode (through a Switchboard of several accounts)
// and the headless command line (one Phone) are all plain subscribers to
// the event stream and callers of the public methods.
//
// The model:
//
//	Switchboard ── Line* (one Phone per account; call table, call waiting)
//
//	Phone ─┬─ Account (registration state machine, REGISTER with digest auth)
//	       └─ Call* ─┬─ Leg+ (interface: sipLeg = one SIP dialog + one
//	                 │        media.Session; peerLeg = a MediaPeer such
//	                 │        as a browser's WebRTC Peer, webleg.go)
//	                 └─ mix  (routes of the mixer's who-hears-whom matrix)
//
// A Call is a set of legs plus a mix (call.go, conference.go), so a
// conference is one Call with several legs, and several Calls run at once
// (call waiting, parallel dialing with Dial options, dialopts.go). Each
// leg has its own state, mute, hold, statistics and lifetime (leg.go);
// the call's state derives from its legs and the call ends with its last
// leg. Legs move between calls (Merge, Split); a leg's context is its own,
// not its call's. A browser joins a call through a join link
// (softphone/webjoin served with Phone.BrowserJoins as its Handler):
// Call.JoinBrowser answers its offer with a softphone/media/webrtc Peer
// ticked by the mix's frame clock and adds it as a LegWebRTC participant.
//
// Several accounts: a Switchboard (switchboard.go) owns one Phone per
// account (a line) and holds the call policy the desktop window needs:
// the line a dial leaves from (WithAccount, else the default line; never
// a line that is not registered), the call table across lines in the
// order calls appeared, and call waiting, applied once: Dial, Answer,
// Resume and SwitchTo put the other live calls on hold, on every line. A
// conference is one Call, so its legs are never "others"; WithParallel
// dials (a parallel dialer's lines) hold nothing. A Phone on its own
// never holds one call for another.
//
// From a dialpad click to the RTP packet (five Go files):
//
//  1. app/services.go: the bound Dial method (dialFrom) calls
//     Switchboard.Dial and translates the result into a CallView.
//  2. softphone/sipleg.go: Switchboard.Dial picks the line and holds the
//     other calls, then Phone.Dial builds the Call and its first leg
//     (dialLeg), sends the INVITE on the leg's goroutine (runOutbound) and,
//     on the 200, starts media (startMedia → connectAudio).
//  3. softphone/audio.go: connectAudio attaches the leg to a mixer port
//     at its codec's rate (audioRouter.attachAt; when a re-INVITE changes
//     the codec's rate, the leg's followRate moves the port in place,
//     routes kept) and hooks the session's Tick to it; the
//     mixer (audio/mixer) then calls that hook once per 20 ms frame, a
//     callback rather than a step the reader follows.
//  4. softphone/media/session.go: Tick drains received RTP, sends one
//     frame (sendTick) and plays out one frame.
//  5. softphone/media/send.go: sendAudio encodes the frame read from the
//     port and writes the RTP packet (writeRTP).
//
// Calls go one way: the call asks its legs (hangupLeg, setHold,
// refreshInput) and the mixer (remix → audioRouter.route); a leg tells its
// call only that something changed (updateState, legEnded, remix), and
// the call never calls back into the leg that told it within that step,
// other than to read its fields. The mixer calls nobody but the legs'
// media Tick hooks.
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
// Team lead monitoring (monitor.go): a lead's INVITE with the header
// X-Pitchline-Monitor: listen|whisper|barge is accepted only from
// Config.Leads and only while a call is up; it is answered at once and
// the lead's leg joins that call with the role (a row of the who-hears-
// whom matrix, see Call.remix). An INFO with the same header switches the
// role; anything else gets 403, as an unknown caller does.
//
// Attended transfer (attended.go): Consult holds the customer and dials
// the colleague; CompleteTransfer sends a REFER whose Refer-To embeds a
// Replaces header (RFC 5589 §7); an incoming INVITE with Replaces (RFC
// 3891) matching a confirmed dialog swaps that dialog's leg in its call.
//
// Protocol references: RFC 3261 (SIP), RFC 3264 (offer/answer), RFC 3515
// and RFC 3892 (REFER), RFC 3891 (Replaces), RFC 5589 (transfer), RFC
// 4733 (DTMF events), RFC 6086 (INFO), RFC 4475 (torture tests).
package softphone

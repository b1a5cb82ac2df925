package softphone

import "fmt"

// RegState is the registration state of an account. Values are strings
// because they cross into JavaScript, JSON and SQLite.
type RegState string

// Registration states.
const (
	RegUnregistered RegState = "unregistered"
	RegRegistering  RegState = "registering"
	RegRegistered   RegState = "registered"
	RegFailed       RegState = "failed"
	RegReconnecting RegState = "reconnecting"
	RegDisabled     RegState = "disabled"
)

// String implements fmt.Stringer.
func (s RegState) String() string { return string(s) }

// CallState is the state of a call as the user sees it.
type CallState string

// Call states.
const (
	CallIdle       CallState = "idle"
	CallDialing    CallState = "dialing"     // INVITE sent, no answer yet
	CallRinging    CallState = "ringing"     // 180/183 received (outbound)
	CallIncoming   CallState = "incoming"    // inbound INVITE ringing here
	CallAnswering  CallState = "answering"   // 200 sent, waiting for ACK
	CallConnected  CallState = "connected"   // media flowing
	CallHeld       CallState = "held"        // we put the peer on hold
	CallRemoteHeld CallState = "remote_held" // the peer put us on hold
	CallEnded      CallState = "ended"
)

// String implements fmt.Stringer.
func (s CallState) String() string { return string(s) }

// Terminal reports whether no further transition is possible.
func (s CallState) Terminal() bool { return s == CallEnded }

// callTransitions is the table of legal call state transitions. Every
// change goes through Call.transition, which consults it.
var callTransitions = map[CallState][]CallState{
	// A call split out of a conference (Call.Split) starts answered.
	CallIdle:       {CallDialing, CallIncoming, CallConnected, CallEnded},
	CallDialing:    {CallRinging, CallConnected, CallEnded},
	CallRinging:    {CallRinging, CallConnected, CallEnded},
	CallIncoming:   {CallAnswering, CallConnected, CallEnded},
	CallAnswering:  {CallConnected, CallEnded},
	CallConnected:  {CallHeld, CallRemoteHeld, CallEnded},
	CallHeld:       {CallConnected, CallRemoteHeld, CallEnded},
	CallRemoteHeld: {CallConnected, CallHeld, CallEnded},
}

func checkCallTransition(from, to CallState) error {
	for _, s := range callTransitions[from] {
		if s == to {
			return nil
		}
	}
	return fmt.Errorf("%w: call %s -> %s", ErrInvalidTransition, from, to)
}

// Direction says who placed a call.
type Direction string

// Call directions.
const (
	Outbound Direction = "outbound"
	Inbound  Direction = "inbound"
)

// String implements fmt.Stringer.
func (d Direction) String() string { return string(d) }

// EndCause says why a call ended.
type EndCause string

// End causes.
const (
	CauseLocalHangup  EndCause = "local_hangup"
	CauseRemoteHangup EndCause = "remote_hangup"
	CauseCanceled     EndCause = "canceled"      // we hung up before the answer (CANCEL)
	CauseRemoteCancel EndCause = "remote_cancel" // the caller gave up (missed call)
	CauseBusy         EndCause = "busy"
	CauseDeclined     EndCause = "declined"
	CauseRejected     EndCause = "rejected" // we rejected an inbound call
	CauseNoAnswer     EndCause = "no_answer"
	CauseFailed       EndCause = "failed"
	CauseTransferred  EndCause = "transferred"
	CauseShutdown     EndCause = "shutdown"
	CauseMediaError   EndCause = "media_error"
	CauseMerged       EndCause = "merged" // its legs moved into another call (Call.Merge)
)

// CauseAnsweredAfterCancel: the far end answered (2xx) as our CANCEL
// crossed it; the engine ACKed the 2xx and sent BYE (RFC 3261 §15). The
// callee picked up and heard nothing: a dialer counts it as an abandoned
// call.
const CauseAnsweredAfterCancel EndCause = "answered_after_cancel"

// String implements fmt.Stringer.
func (c EndCause) String() string { return string(c) }

// causeFromStatus maps a final SIP response to an end cause.
func causeFromStatus(status int) EndCause {
	switch {
	case status == 486 || status == 600:
		return CauseBusy
	case status == 603:
		return CauseDeclined
	case status == 480 || status == 408:
		return CauseNoAnswer
	case status == 487:
		return CauseCanceled
	default:
		return CauseFailed
	}
}

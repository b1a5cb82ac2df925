package softphone

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/softphone/media"
)

// Call is one conversation as the user sees it: a set of legs plus a
// mix. A two-party call has one leg; a conference has several (AddLeg,
// Merge), mixed so that each participant hears the others and the rep
// (conference.go). Call-level operations act on every leg; Leg methods
// act on one participant.
//
// All fields below the first block are owned by the phone's serial queue.
type Call struct {
	p       *Phone
	id      string
	dir     Direction
	remote  sip.Uri
	display string
	created time.Time

	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}

	// queue-owned
	state    CallState
	legs     []Leg // live legs, in the order they joined
	origin   Leg   // the leg the call was placed or answered with
	answered time.Time
	ended    time.Time
	muted    bool
	left     bool // the rep left: the legs stay bridged without us
	cause    EndCause
	status   int
	reason   string
	early    bool
}

// CallInfo is a snapshot of a call for user interfaces.
type CallInfo struct {
	ID         string      `json:"id"`
	Direction  Direction   `json:"direction"`
	State      CallState   `json:"state"`
	Remote     string      `json:"remote"`
	Display    string      `json:"display"`
	Muted      bool        `json:"muted"`
	Held       bool        `json:"held"`
	RemoteHeld bool        `json:"remoteHeld"`
	Created    time.Time   `json:"created"`
	Answered   time.Time   `json:"answered"`
	Codec      string      `json:"codec"`
	Stats      media.Stats `json:"stats"`
	Left       bool        `json:"left,omitempty"`
	Legs       []LegInfo   `json:"legs"`
}

func newCall(p *Phone, parent context.Context, dir Direction, remote sip.Uri, display string) *Call {
	c := &Call{
		p: p, id: newID(), dir: dir, remote: remote, display: display,
		created: time.Now(), state: CallIdle, done: make(chan struct{}),
	}
	c.ctx, c.cancel = context.WithCancelCause(parent)
	return c
}

// ID returns the call's stable identifier.
func (c *Call) ID() string { return c.id }

// Direction returns who placed the call.
func (c *Call) Direction() Direction { return c.dir }

// Remote returns the remote party's URI (the first participant's).
func (c *Call) Remote() string { return c.remote.String() }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Context is the call's lifetime: it is cancelled when the call ends.
func (c *Call) Context() context.Context { return c.ctx }

// Info returns a snapshot of the call.
func (c *Call) Info() CallInfo {
	var ci CallInfo
	if !c.p.q.do(func() { ci = c.info() }) {
		ci = c.info()
	}
	return ci
}

func (c *Call) info() CallInfo {
	ci := CallInfo{
		ID: c.id, Direction: c.dir, State: c.state, Remote: c.remote.String(), Display: c.display,
		Muted: c.muted, Held: c.state == CallHeld, RemoteHeld: c.remoteHeld(), Created: c.created,
		Answered: c.answered, Left: c.left, Legs: make([]LegInfo, 0, len(c.legs)),
	}
	for _, l := range c.legs {
		ci.Legs = append(ci.Legs, l.base().info())
	}
	if l := c.reportLeg(); l != nil {
		if m := l.mediaInfo(); m != nil {
			ci.Codec, ci.Stats = m.Codec(), m.Stats()
		}
	}
	return ci
}

// Legs returns the call's live legs, in the order they joined.
func (c *Call) Legs() []Leg {
	var out []Leg
	c.p.q.do(func() { out = append(out, c.legs...) })
	return out
}

// Leg returns the live leg with this ID.
func (c *Call) Leg(id string) (Leg, error) {
	var out Leg
	c.p.q.do(func() { out = c.legByID(id) })
	if out == nil {
		return nil, fmt.Errorf("%w: no leg %s in call %s", ErrNoSuchLeg, id, c.id)
	}
	return out, nil
}

func (c *Call) legByID(id string) Leg {
	for _, l := range c.legs {
		if l.ID() == id {
			return l
		}
	}
	return nil
}

// reportLeg is the leg whose codec and statistics the call reports: the
// leg the call started with while it lasts, else the first answered leg
// (queue only).
func (c *Call) reportLeg() Leg {
	if c.origin != nil && c.origin.base().state != LegEnded {
		return c.origin
	}
	for _, l := range c.legs {
		if l.base().state.Talking() {
			return l
		}
	}
	return nil
}

// addLeg appends l to the call's legs (queue only).
func (c *Call) addLeg(l Leg) {
	if c.origin == nil {
		c.origin = l
	}
	c.legs = append(c.legs, l)
	l.base().call = c
	if len(c.legs) > 1 {
		c.regroup()
	}
}

// removeLeg drops l from the call's legs (queue only).
func (c *Call) removeLeg(l Leg) {
	for i, x := range c.legs {
		if x == l {
			c.legs = append(c.legs[:i:i], c.legs[i+1:]...)
			return
		}
	}
}

// legEnded is told by a leg that it has ended (queue only). The call
// ends with its last leg, or, once the rep has left, when fewer than two
// participants remain bridged.
func (c *Call) legEnded(l Leg) {
	c.removeLeg(l)
	if c.state == CallEnded {
		return
	}
	b := l.base()
	switch {
	case len(c.legs) == 0:
		c.end(b.cause, b.status, b.reason)
	case c.left && len(c.legs) < 2:
		c.cause = CauseLocalHangup
		for _, x := range c.legs {
			x.base().cause = CauseLocalHangup
			x.hangupLeg()
		}
	case c.onlyMonitors():
		// The customer and every participant left: a team lead is not
		// left listening to an empty call (monitor.go).
		for _, x := range c.legs {
			x.base().cause = CauseRemoteHangup
			x.hangupLeg()
		}
	default:
		c.updateState()
		c.regroup()
	}
}

// remoteHeld reports whether every answered leg holds us (queue only).
func (c *Call) remoteHeld() bool {
	n := 0
	for _, l := range c.legs {
		b := l.base()
		if !b.state.Talking() {
			continue
		}
		if !b.heldRemote {
			return false
		}
		n++
	}
	return n > 0
}

// updateState derives the call's state from its legs (queue only): the
// call is connected once any leg is answered, held when we hold every
// answered leg, remote-held when every answered leg holds us; before
// that it follows the leg it started with.
func (c *Call) updateState() {
	if c.state == CallEnded {
		return
	}
	talking, held, remote := 0, 0, 0
	c.early = false
	for _, l := range c.legs {
		b := l.base()
		c.early = c.early || b.early
		if !b.state.Talking() {
			continue
		}
		talking++
		switch {
		case b.heldLocal:
			held++
		case b.heldRemote:
			remote++
		}
	}
	var to CallState
	switch {
	case talking > 0 && held == talking:
		to = CallHeld
	case talking > 0 && remote > 0 && held+remote == talking:
		to = CallRemoteHeld
	case talking > 0:
		to = CallConnected
	case c.origin != nil:
		switch c.origin.base().state {
		case LegDialing:
			to = CallDialing
		case LegRinging:
			to = CallRinging
		case LegIncoming:
			to = CallIncoming
		case LegAnswering:
			to = CallAnswering
		}
	}
	if to == "" || (to == c.state && to != CallRinging) {
		return
	}
	if to != CallConnected && talking > 0 && c.answered.IsZero() {
		_ = c.transition(CallConnected) // answered and held at once
	}
	_ = c.transition(to)
}

// transition is the single place call state changes (queue only). It
// checks the table, records the state, on the terminal state cancels the
// call's context with the cause and hangs up any leg left, then
// publishes.
func (c *Call) transition(to CallState) error {
	if c.state == to && to != CallRinging {
		return nil
	}
	if err := checkCallTransition(c.state, to); err != nil {
		c.p.log.Warn("refused call transition", "call", c.id, "err", err)
		return err
	}
	c.state = to
	ev := CallEvent{CallID: c.id, State: to, Direction: c.dir, Remote: c.remote.String(), Display: c.display, EarlyMedia: c.early, At: time.Now()}
	switch to {
	case CallConnected:
		if c.answered.IsZero() {
			c.answered = time.Now()
		}
	case CallEnded:
		c.ended = time.Now()
		ev.Cause, ev.Status, ev.Reason = c.cause, c.status, c.reason
		if !c.answered.IsZero() {
			ev.Duration = c.ended.Sub(c.answered)
		}
		c.cancel(fmt.Errorf("call ended: %s", c.cause))
		for _, l := range append([]Leg(nil), c.legs...) {
			if l.base().cause == "" {
				l.base().cause = c.cause
			}
			l.hangupLeg()
		}
		delete(c.p.calls, c.id)
		c.p.audio.stopTone("dtmf:" + c.id)
		if c.dir == Inbound {
			c.p.updateRinger()
		}
		defer close(c.done)
	}
	c.p.log.Info("call", "call", c.id, "state", to, "cause", ev.Cause, "status", ev.Status)
	c.p.publish(ev)
	return nil
}

// end finishes the call with a cause (queue only).
func (c *Call) end(cause EndCause, status int, reason string) {
	if c.state == CallEnded {
		return
	}
	if c.cause == "" {
		c.cause = cause
	}
	if c.status == 0 {
		c.status = status
	}
	if c.reason == "" {
		c.reason = reason
	}
	_ = c.transition(CallEnded)
}

// Hangup ends the call, every leg at once: CANCEL for a leg ringing out,
// a 603 rejection for a leg ringing in, BYE for answered legs.
func (c *Call) Hangup() error { return c.hangup(CauseLocalHangup) }

// EndAll ends the conference for everyone: every leg is hung up.
func (c *Call) EndAll() error { return c.hangup(CauseLocalHangup) }

func (c *Call) hangup(cause EndCause) error {
	var err error
	ok := c.p.q.do(func() {
		if c.state == CallEnded {
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
			return
		}
		if len(c.legs) == 0 {
			c.end(cause, 0, "")
			return
		}
		for _, l := range append([]Leg(nil), c.legs...) {
			b := l.base()
			if b.cause == "" || cause == CauseShutdown && b.state != LegIncoming {
				b.cause = cause
			}
			l.hangupLeg()
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// incomingLeg is the inbound leg ringing here, if any (queue only).
func (c *Call) incomingLeg() *sipLeg {
	for _, l := range c.legs {
		if sl, ok := l.(*sipLeg); ok && sl.state == LegIncoming {
			return sl
		}
	}
	return nil
}

// Answer accepts a ringing inbound call. Other calls are left as they
// are: Switchboard.Answer applies call waiting.
func (c *Call) Answer() error {
	var err error
	if !c.p.q.do(func() { err = c.answer() }) {
		return ErrClosed
	}
	return err
}

func (c *Call) answer() error {
	if c.state != CallIncoming {
		return fmt.Errorf("%w: answer in state %s", ErrInvalidState, c.state)
	}
	l := c.incomingLeg()
	if l == nil {
		return fmt.Errorf("%w: no ringing leg", ErrInvalidState)
	}
	if err := l.transition(LegAnswering); err != nil {
		return err
	}
	c.updateState()
	return l.answer()
}

// Reject refuses a ringing inbound call with 486 Busy Here (busy=true) or
// 603 Decline.
func (c *Call) Reject(busy bool) error {
	var err error
	ok := c.p.q.do(func() {
		l := c.incomingLeg()
		if c.state != CallIncoming || l == nil {
			err = fmt.Errorf("%w: reject in state %s", ErrInvalidState, c.state)
			return
		}
		l.cause = CauseRejected
		if busy {
			l.reject(486, "Busy Here")
		} else {
			l.reject(603, "Decline")
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// SetMute mutes the rep's microphone in this call while RTP keeps
// flowing: no participant hears the rep. (Leg.SetMute mutes one
// participant instead.)
func (c *Call) SetMute(on bool) error {
	var err error
	ok := c.p.q.do(func() {
		if c.state == CallEnded || c.reportLeg() == nil {
			err = fmt.Errorf("%w: mute in state %s", ErrInvalidState, c.state)
			return
		}
		if c.muted == on {
			return
		}
		c.muted = on
		c.remix()
		c.p.publish(MuteEvent{CallID: c.id, Muted: on})
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// Hold puts every participant on hold with a re-INVITE (a=sendonly) and
// plays hold music to them.
func (c *Call) Hold() error { return c.holdOp(true) }

// Resume takes every participant off hold (a=sendrecv). Other calls are
// left as they are: Switchboard.Resume applies call waiting.
func (c *Call) Resume() error { return c.holdOp(false) }

func (c *Call) holdOp(on bool) error {
	var err error
	ok := c.p.q.do(func() {
		switch c.state {
		case CallConnected, CallHeld, CallRemoteHeld:
		default:
			err = fmt.Errorf("%w: hold in state %s", ErrInvalidState, c.state)
			return
		}
		c.setHold(on)
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// setHold applies local hold to every answered leg (queue only).
func (c *Call) setHold(on bool) {
	for _, l := range c.legs {
		l.base().setHold(on)
	}
	c.updateState()
}

// SendDTMF sends digits with RFC 4733 to every answered participant and
// plays local feedback tones.
func (c *Call) SendDTMF(digits string) error {
	var legs []Leg
	var err error
	ok := c.p.q.do(func() {
		if c.state != CallConnected && c.state != CallRemoteHeld && c.state != CallHeld {
			err = fmt.Errorf("%w: DTMF in state %s", ErrInvalidState, c.state)
			return
		}
		for _, l := range c.legs {
			if l.base().state.Talking() {
				legs = append(legs, l)
			}
		}
	})
	if !ok {
		return ErrClosed
	}
	if err != nil {
		return err
	}
	for _, l := range legs {
		if err := l.sendDTMF(digits); err != nil {
			return err
		}
	}
	// Local feedback: every key, one after the other at about the pace the
	// events go out (100 ms of event and 60 ms of audio each, media/dtmf.go).
	// One tone per digit under the same name would replace the one before,
	// leaving only the last key audible.
	const on, off = 120 * time.Millisecond, 40 * time.Millisecond
	if src, err := tone.NewDTMFSequence(digits, busRate, on, off); err == nil {
		n := time.Duration(utf8.RuneCountInString(digits))
		_, _ = c.p.audio.playTone("dtmf:"+c.id, src, n*(on+off))
	}
	return nil
}

// Stats returns the RTP statistics of the leg the call reports (the one
// it started with while it lasts); Leg.Stats has every participant's.
func (c *Call) Stats() media.Stats {
	var st media.Stats
	c.p.q.do(func() {
		if l := c.reportLeg(); l != nil {
			if m := l.mediaInfo(); m != nil {
				st = m.Stats()
			}
		}
	})
	return st
}

// Transfer performs a blind transfer of the peer to target with REFER
// (RFC 3515). It needs a two-party call: split a participant out of a
// conference first. Progress arrives as TransferEvents; on success the
// call ends with CauseTransferred.
func (c *Call) Transfer(target string) error {
	var l *sipLeg
	var err error
	ok := c.p.q.do(func() {
		switch c.state {
		case CallConnected, CallHeld, CallRemoteHeld:
		default:
			err = fmt.Errorf("%w: transfer in state %s", ErrInvalidState, c.state)
			return
		}
		if len(c.legs) != 1 {
			err = fmt.Errorf("%w: transfer needs a two-party call, this one has %d participants", ErrInvalidState, len(c.legs))
			return
		}
		sl, isSIP := c.legs[0].(*sipLeg)
		if !isSIP {
			err = fmt.Errorf("%w: transfer needs a SIP participant", ErrInvalidState)
			return
		}
		l = sl
	})
	if !ok {
		return ErrClosed
	}
	if err != nil {
		return err
	}
	to, err := ParseTarget(target, c.p.acct.domain())
	if err != nil {
		return err
	}
	return l.refer(to)
}

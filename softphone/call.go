package softphone

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/softphone/media"
)

// Call is one conversation as the user sees it. It has one or more legs;
// today every call drives one leg, and conferences add more.
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
	state      CallState
	legs       []*Leg
	answered   time.Time
	ended      time.Time
	muted      bool
	heldLocal  bool
	heldRemote bool
	cause      EndCause
	status     int
	reason     string
	early      bool
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

// Remote returns the remote party's URI.
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
		Muted: c.muted, Held: c.heldLocal, RemoteHeld: c.heldRemote, Created: c.created, Answered: c.answered,
	}
	if l := c.mainLeg(); l != nil && l.media != nil {
		ci.Codec = l.media.Codec()
		ci.Stats = l.media.Stats()
	}
	return ci
}

func (c *Call) mainLeg() *Leg {
	if len(c.legs) == 0 {
		return nil
	}
	return c.legs[0]
}

// transition is the single place call state changes (queue only). It
// checks the table, records the state, on the terminal state cancels the
// call's context with the cause and tears legs down, then publishes.
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
		for _, l := range c.legs {
			l.teardown()
		}
		delete(c.p.calls, c.id)
		c.p.audio.stopTone("ringback:" + c.id)
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

// Hangup ends the call: CANCEL while an outbound call rings, a 603
// rejection for a ringing inbound call, BYE once connected.
func (c *Call) Hangup() error { return c.hangup(CauseLocalHangup) }

func (c *Call) hangup(cause EndCause) error {
	var err error
	ok := c.p.q.do(func() {
		if c.state == CallEnded {
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
			return
		}
		l := c.mainLeg()
		switch c.state {
		case CallIdle, CallDialing, CallRinging:
			if c.cause == "" {
				c.cause = CauseCanceled
				if cause == CauseShutdown {
					c.cause = cause
				}
			}
			c.cancel(context.Canceled) // WaitAnswer sends CANCEL
		case CallIncoming:
			if l != nil {
				c.cause = CauseRejected
				l.reject(603, "Decline")
			}
		default:
			c.cause = cause
			if l != nil {
				l.bye()
			} else {
				c.end(cause, 0, "")
			}
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// Answer accepts a ringing inbound call. Any other connected call is put
// on hold first (call waiting).
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
	if !c.p.cfg.IndependentCalls {
		c.p.holdOthers(c)
	}
	l := c.mainLeg()
	if l == nil {
		return fmt.Errorf("%w: no leg", ErrInvalidState)
	}
	if err := c.transition(CallAnswering); err != nil {
		return err
	}
	return l.answer()
}

// Reject refuses a ringing inbound call with 486 Busy Here (busy=true) or
// 603 Decline.
func (c *Call) Reject(busy bool) error {
	var err error
	ok := c.p.q.do(func() {
		if c.state != CallIncoming {
			err = fmt.Errorf("%w: reject in state %s", ErrInvalidState, c.state)
			return
		}
		c.cause = CauseRejected
		if busy {
			c.mainLeg().reject(486, "Busy Here")
		} else {
			c.mainLeg().reject(603, "Decline")
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// SetMute silences the microphone while RTP keeps flowing.
func (c *Call) SetMute(on bool) error {
	var err error
	ok := c.p.q.do(func() {
		l := c.mainLeg()
		if l == nil || l.media == nil || c.state == CallEnded {
			err = fmt.Errorf("%w: mute in state %s", ErrInvalidState, c.state)
			return
		}
		if c.muted == on {
			return
		}
		c.muted = on
		l.media.SetMute(on)
		c.p.publish(MuteEvent{CallID: c.id, Muted: on})
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// Hold puts the peer on hold with a re-INVITE (a=sendonly) and plays hold
// music to them.
func (c *Call) Hold() error { return c.holdOp(true) }

// Resume takes the peer off hold (a=sendrecv).
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
		// Resuming a call holds the others, so only one call has the
		// microphone (unless calls are independent).
		if !on && !c.p.cfg.IndependentCalls {
			c.p.holdOthers(c)
		}
		c.setHold(on)
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// holdOthers puts every other talking call on hold (queue only).
func (p *Phone) holdOthers(keep *Call) {
	for _, other := range p.calls {
		if other != keep && !other.heldLocal && (other.state == CallConnected || other.state == CallRemoteHeld) {
			other.setHold(true)
		}
	}
}

// setHold applies local hold (queue only).
func (c *Call) setHold(on bool) {
	if c.heldLocal == on {
		return
	}
	l := c.mainLeg()
	if l == nil {
		return
	}
	c.heldLocal = on
	l.applyHold(on)
	c.p.publish(HoldEvent{CallID: c.id, Held: on})
	c.updateHoldState()
}

// updateHoldState derives the call state from the two hold flags.
func (c *Call) updateHoldState() {
	switch {
	case c.state == CallEnded:
	case c.heldLocal:
		_ = c.transition(CallHeld)
	case c.heldRemote:
		_ = c.transition(CallRemoteHeld)
	default:
		_ = c.transition(CallConnected)
	}
}

// SendDTMF sends digits with RFC 4733 and plays local feedback tones.
func (c *Call) SendDTMF(digits string) error {
	var l *Leg
	var err error
	ok := c.p.q.do(func() {
		if c.state != CallConnected && c.state != CallRemoteHeld && c.state != CallHeld {
			err = fmt.Errorf("%w: DTMF in state %s", ErrInvalidState, c.state)
			return
		}
		l = c.mainLeg()
	})
	if !ok {
		return ErrClosed
	}
	if err != nil {
		return err
	}
	if err := l.media.SendDTMF(digits); err != nil {
		return err
	}
	for _, d := range digits {
		if src, err := tone.NewDTMF(d, busRate, 120*time.Millisecond); err == nil {
			_ = c.p.audio.playTone("dtmf:"+c.id, src, 120*time.Millisecond)
		}
	}
	return nil
}

// Stats returns the main leg's RTP statistics.
func (c *Call) Stats() media.Stats {
	var st media.Stats
	c.p.q.do(func() {
		if l := c.mainLeg(); l != nil && l.media != nil {
			st = l.media.Stats()
		}
	})
	return st
}

// Transfer performs a blind transfer of the peer to target with REFER
// (RFC 3515). Progress arrives as TransferEvents; on success the call
// ends with CauseTransferred.
func (c *Call) Transfer(target string) error {
	var l *Leg
	var err error
	ok := c.p.q.do(func() {
		switch c.state {
		case CallConnected, CallHeld, CallRemoteHeld:
			l = c.mainLeg()
		default:
			err = fmt.Errorf("%w: transfer in state %s", ErrInvalidState, c.state)
		}
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

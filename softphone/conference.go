package softphone

import (
	"context"
	"fmt"
)

// MaxLegs is how many legs one call mixes locally.
const MaxLegs = 8

// conference reports whether the call bridges more than one participant
// (queue only).
func (c *Call) conference() bool { return len(c.legs) > 1 }

// remix applies the call's mix to its legs' mixer ports (queue only):
// every leg of the call is in the call's conference group, so that it
// hears the rep and the other legs but not itself (mix-minus), and the
// rep hears every leg. A held leg's port is disconnected: it neither
// hears nor is heard. Mute of the rep, and leave, apply here too.
func (c *Call) remix() {
	for _, l := range c.legs {
		b := l.base()
		if b.port == nil {
			continue
		}
		b.port.SetConference(c.id)
		m := l.mediaInfo()
		if m == nil {
			continue
		}
		// The rep's microphone: muted for the whole call, or gone once
		// the rep has left.
		m.SetMute(c.muted)
		if !b.heldLocal && b.state.Talking() {
			m.SetInput(l.input())
		}
	}
}

// AddLeg dials target into this call as a new participant with role (""
// means RoleParticipant). It returns at once with the new leg ringing;
// its LegEvents tell when it answers or fails. The leg's lifetime is ctx
// (cancelling it hangs up that participant only). Dial options apply as
// for Phone.Dial; a new participant's early media never reaches the
// speaker unless asked for.
func (c *Call) AddLeg(ctx context.Context, target string, role Role, opts ...DialOption) (Leg, error) {
	if role == "" {
		role = RoleParticipant
	}
	if !role.valid() {
		return nil, fmt.Errorf("%w: role %q", ErrBadConfig, role)
	}
	p := c.p
	o, err := p.applyDialOptions(append([]DialOption{WithEarlyMedia(EarlyMediaNone), WithLocalRingback(false)}, opts...))
	if err != nil {
		return nil, err
	}
	to, err := ParseTarget(target, p.acct.domain())
	if err != nil {
		return nil, err
	}
	if ctx == nil {
		ctx = p.ctx
	}
	var l *sipLeg
	ok := p.q.do(func() {
		switch {
		case c.state == CallEnded:
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
			return
		case len(c.legs) >= MaxLegs:
			err = fmt.Errorf("%w: a call mixes at most %d legs", ErrTooManyLegs, MaxLegs)
			return
		}
		l, err = p.dialLeg(c, ctx, to, o)
		if err != nil {
			return
		}
		l.role = role
		c.updateState()
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// RemoveLeg hangs up one participant (BYE once answered, CANCEL while
// ringing); the others stay in the call.
func (c *Call) RemoveLeg(id string) error {
	l, err := c.Leg(id)
	if err != nil {
		return err
	}
	return l.Hangup()
}

// SetRole changes how a leg is mixed (listen, whisper, barge or
// participant). Roles other than participant need the mixer's
// who-hears-whom matrix.
func (c *Call) SetRole(id string, role Role) error {
	if !role.valid() {
		return fmt.Errorf("%w: role %q", ErrBadConfig, role)
	}
	var err error
	ok := c.p.q.do(func() {
		l := c.legByID(id)
		if l == nil {
			err = fmt.Errorf("%w: no leg %s in call %s", ErrNoSuchLeg, id, c.id)
			return
		}
		if role != RoleParticipant && role != RoleBarge {
			err = fmt.Errorf("%w: role %s needs the who-hears-whom mix", ErrNotSupported, role)
			return
		}
		b := l.base()
		if b.role == role {
			return
		}
		b.role = role
		c.remix()
		b.publish()
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// Merge moves every leg of other into this call, making a conference;
// other ends (with CauseMerged) without hanging anyone up. Both calls
// must be answered. Legs we held stay held until resumed.
func (c *Call) Merge(other *Call) error {
	if other == nil || other == c {
		return fmt.Errorf("%w: merge a call with another call", ErrInvalidState)
	}
	var err error
	ok := c.p.q.do(func() {
		switch {
		case c.state == CallEnded || other.state == CallEnded:
			err = fmt.Errorf("%w: merge of an ended call", ErrNoSuchCall)
			return
		case c.answered.IsZero() || other.answered.IsZero():
			err = fmt.Errorf("%w: merge needs two answered calls", ErrInvalidState)
			return
		case len(c.legs)+len(other.legs) > MaxLegs:
			err = fmt.Errorf("%w: a call mixes at most %d legs", ErrTooManyLegs, MaxLegs)
			return
		}
		moved := append([]Leg(nil), other.legs...)
		other.legs = nil
		for _, l := range moved {
			c.addLeg(l)
		}
		other.end(CauseMerged, 0, "")
		c.updateState()
		c.remix()
		for _, l := range moved {
			l.base().publish()
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// Split moves one leg out of this call into a new call of its own, which
// it returns; the others stay together. The new call starts connected
// (or held, as the leg is).
func (c *Call) Split(legID string) (*Call, error) {
	var nc *Call
	var err error
	ok := c.p.q.do(func() {
		l := c.legByID(legID)
		switch {
		case l == nil:
			err = fmt.Errorf("%w: no leg %s in call %s", ErrNoSuchLeg, legID, c.id)
			return
		case len(c.legs) < 2:
			err = fmt.Errorf("%w: split needs a call with two participants or more", ErrInvalidState)
			return
		case !l.base().state.Talking():
			err = fmt.Errorf("%w: split a leg in state %s", ErrInvalidState, l.base().state)
			return
		}
		b := l.base()
		c.removeLeg(l)
		if c.origin == l {
			c.origin = nil
		}
		nc = newCall(c.p, c.p.ctx, b.dir, b.remote, b.display)
		nc.addLeg(l)
		c.p.calls[nc.id] = nc
		nc.updateState()
		nc.remix()
		c.updateState()
		c.remix()
		b.publish()
	})
	if !ok {
		return nil, ErrClosed
	}
	return nc, err
}

// Leave takes the rep out of the conference: the rep's microphone and
// speaker leave the mix while the other participants stay bridged on
// this machine, until EndAll or until fewer than two remain.
func (c *Call) Leave() error {
	var err error
	ok := c.p.q.do(func() {
		switch {
		case c.state == CallEnded:
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
		case len(c.legs) < 2:
			err = fmt.Errorf("%w: leave needs a conference of two participants or more", ErrInvalidState)
		default:
			err = fmt.Errorf("%w: leave needs the who-hears-whom mix", ErrNotSupported)
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

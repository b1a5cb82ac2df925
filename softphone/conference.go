package softphone

import (
	"context"
	"fmt"

	"github.com/pitchline/pitchline/audio/mixer"
)

// MaxLegs is how many legs one call mixes locally by default (the issue's
// floor for a conference). Config.MaxLegs raises or lowers it per phone.
const MaxLegs = 8

// maxLegs is this phone's limit of legs per call: Config.MaxLegs, or
// MaxLegs when that is zero.
func (p *Phone) maxLegs() int {
	if p.cfg.MaxLegs > 0 {
		return p.cfg.MaxLegs
	}
	return MaxLegs
}

// conference reports whether the call bridges more than one participant
// (queue only).
func (c *Call) conference() bool { return len(c.legs) > 1 }

// regroup is told that the call's set of legs changed (queue only): a
// leg that sent the play file of a two-party call now sends the mix, and
// back; then the routes follow.
func (c *Call) regroup() {
	for _, l := range c.legs {
		l.refreshInput()
	}
	c.remix()
}

// remix applies the call's mix to the who-hears-whom matrix (queue
// only), in one mixer update so that no frame is mixed half-way:
//
//   - every participant hears the rep and every other participant but not
//     themselves (mix-minus); the rep hears every participant;
//   - a muted participant is heard by nobody; the rep's mute (Call.SetMute)
//     means nobody hears the rep; after Leave the rep neither hears nor
//     is heard while the others stay bridged;
//   - a listen lead hears everyone and is heard by nobody; a whisper lead
//     is heard by the rep only; a barge lead is a participant;
//   - a held leg's port is disconnected (hold music goes to it instead):
//     it neither hears nor is heard, whatever its routes.
//
// Every route to and from the call's legs is first cleared, so legs that
// left the call (Split) stop hearing it.
func (c *Call) remix() {
	type node struct {
		n mixer.Node
		b *legBase
	}
	var ns []node
	conf := c.conference()
	for _, l := range c.legs {
		b := l.base()
		if b.port == nil {
			continue
		}
		ns = append(ns, node{b.port.Node(), b})
		if m := l.mediaInfo(); m != nil {
			// A two-party call may send a play file instead of the
			// port: mute silences the session. A conference mutes the
			// rep's route instead, so the others stay bridged.
			m.SetMute(c.muted && !conf)
		}
	}
	if len(ns) == 0 {
		return
	}
	err := c.p.audio.route(func(r *mixer.Routes) {
		for _, a := range ns {
			_ = r.Isolate(a.n)
		}
		for _, a := range ns {
			_ = r.SetHears(a.n, mixer.Local, !c.left && !c.muted)
			_ = r.SetHears(mixer.Local, a.n, !c.left && heard(a.b, true))
			for _, t := range ns {
				if t != a {
					_ = r.SetHears(a.n, t.n, heard(t.b, false))
				}
			}
		}
	})
	if err != nil {
		c.p.log.Warn("mix update failed", "call", c.id, "err", err)
	}
}

// heard reports whether talker is heard by the rep (rep) or by another
// participant.
func heard(talker *legBase, rep bool) bool {
	if talker.muted {
		return false
	}
	switch talker.role {
	case RoleListen:
		return false
	case RoleWhisper:
		return rep
	}
	return true
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
		case len(c.legs) >= p.maxLegs():
			err = fmt.Errorf("%w: a call mixes at most %d legs", ErrTooManyLegs, p.maxLegs())
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
// participant), from the next frame.
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
		case len(c.legs)+len(other.legs) > c.p.maxLegs():
			err = fmt.Errorf("%w: a call mixes at most %d legs", ErrTooManyLegs, c.p.maxLegs())
			return
		}
		moved := append([]Leg(nil), other.legs...)
		other.legs = nil
		for _, l := range moved {
			c.addLeg(l)
		}
		other.end(CauseMerged, 0, "")
		c.updateState()
		c.regroup()
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
		nc.regroup()
		c.updateState()
		c.regroup()
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
		case c.left:
		default:
			c.left = true
			c.remix()
			c.p.publish(ConferenceEvent{CallID: c.id, Left: true, Legs: len(c.legs)})
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

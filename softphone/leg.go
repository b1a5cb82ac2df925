package softphone

import (
	"context"
	"fmt"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/mixer"
	"github.com/pitchline/pitchline/softphone/media"
)

// Leg is one party of a call: a SIP dialog with its RTP session today, a
// WebRTC peer connection with one audio track as well. Each leg has its
// own state, mute, hold, statistics and lifetime; one leg ending does not
// end the others (the call ends with its last leg). A leg belongs to one
// call at a time and moves between calls with Call.Merge and Call.Split.
//
// Legs are engine types: the unexported methods keep other packages from
// implementing the interface, so every leg obeys the serial queue.
type Leg interface {
	// ID is the leg's stable identifier.
	ID() string
	// Kind names the transport ("sip" or "webrtc").
	Kind() LegKind
	// Call returns the call the leg is in now.
	Call() *Call
	// Remote is the participant's address (a SIP URI for SIP legs).
	Remote() string
	// State is the leg's own state.
	State() LegState
	// Role is how the leg is mixed in its call.
	Role() Role
	// Muted reports whether the participant is muted (not heard).
	Muted() bool
	// SetMute mutes the participant: nobody in the call hears them; they
	// keep hearing the call.
	SetMute(on bool) error
	// Held reports whether we hold the participant.
	Held() bool
	// Hold puts this participant on hold: they hear hold music (or
	// silence) and are not heard. The other legs are not touched.
	Hold() error
	// Resume takes this participant off hold.
	Resume() error
	// Stats returns the leg's media statistics.
	Stats() media.Stats
	// Info returns a snapshot of the leg.
	Info() LegInfo
	// Done is closed when the leg has ended.
	Done() <-chan struct{}
	// Hangup ends this leg only: CANCEL while it rings out, a 603 while
	// it rings in, BYE once connected.
	Hangup() error

	base() *legBase
	// The transport's part (queue only).
	hangupLeg()            // CANCEL, reject or BYE as the state requires
	applyHold(on bool)     // re-INVITE (or renegotiation) for hold/resume
	teardown()             // stop media, release the port; idempotent
	mediaInfo() legMedia   // nil before media exists
	sendDTMF(string) error // RFC 4733 (SIP) or the track's DTMF sender
	refreshInput()         // send input() again (the call's legs changed)
	input() audio.Source   // what the leg sends when not held
}

// legMedia is what the engine needs of a leg's media, whatever the
// transport: media.Session for SIP, the WebRTC wrapper for WebRTC legs.
type legMedia interface {
	SetInput(src audio.Source)
	SetOutput(sink audio.Sink)
	SetMute(on bool)
	Tick()
	Codec() string
	Stats() media.Stats
}

// LegKind names a leg's transport.
type LegKind string

// Leg kinds.
const (
	LegSIP    LegKind = "sip"
	LegWebRTC LegKind = "webrtc"
)

// String implements fmt.Stringer.
func (k LegKind) String() string { return string(k) }

// LegState is the state of one leg.
type LegState string

// Leg states.
const (
	LegDialing    LegState = "dialing"   // INVITE sent, no answer yet
	LegRinging    LegState = "ringing"   // 180/183 received
	LegIncoming   LegState = "incoming"  // inbound INVITE ringing here
	LegAnswering  LegState = "answering" // 200 sent, waiting for ACK
	LegConnected  LegState = "connected"
	LegHeld       LegState = "held"        // we hold the participant
	LegRemoteHeld LegState = "remote_held" // the participant holds us
	LegEnded      LegState = "ended"
)

// String implements fmt.Stringer.
func (s LegState) String() string { return string(s) }

// Talking reports whether the leg is answered and not ended.
func (s LegState) Talking() bool {
	return s == LegConnected || s == LegHeld || s == LegRemoteHeld
}

// legTransitions is the table of legal leg state transitions, consulted
// by legBase.transition.
var legTransitions = map[LegState][]LegState{
	LegDialing:    {LegRinging, LegConnected, LegEnded},
	LegRinging:    {LegRinging, LegConnected, LegEnded},
	LegIncoming:   {LegAnswering, LegConnected, LegEnded},
	LegAnswering:  {LegConnected, LegEnded},
	LegConnected:  {LegHeld, LegRemoteHeld, LegEnded},
	LegHeld:       {LegConnected, LegRemoteHeld, LegEnded},
	LegRemoteHeld: {LegConnected, LegHeld, LegEnded},
}

// Role is how a leg is mixed in its call (the who-hears-whom matrix).
type Role string

// Roles.
const (
	// RoleParticipant hears everyone but themselves and is heard by all.
	RoleParticipant Role = "participant"
	// RoleListen (a team lead) hears everyone; nobody hears them.
	RoleListen Role = "listen"
	// RoleWhisper (a team lead) hears everyone; only the rep hears them.
	RoleWhisper Role = "whisper"
	// RoleBarge (a team lead) hears everyone and everyone hears them.
	RoleBarge Role = "barge"
)

// String implements fmt.Stringer.
func (r Role) String() string { return string(r) }

func (r Role) valid() bool {
	switch r {
	case RoleParticipant, RoleListen, RoleWhisper, RoleBarge:
		return true
	}
	return false
}

// LegInfo is a snapshot of a leg for user interfaces.
type LegInfo struct {
	ID         string      `json:"id"`
	CallID     string      `json:"callId"`
	Kind       LegKind     `json:"kind"`
	Direction  Direction   `json:"direction"`
	State      LegState    `json:"state"`
	Role       Role        `json:"role"`
	Remote     string      `json:"remote"`
	Display    string      `json:"display"`
	Muted      bool        `json:"muted"`
	Held       bool        `json:"held"`
	RemoteHeld bool        `json:"remoteHeld"`
	Answered   time.Time   `json:"answered"`
	Codec      string      `json:"codec"`
	Stats      media.Stats `json:"stats"`
	Cause      EndCause    `json:"cause,omitempty"`
	// LevelDB is the peak level in dBFS of what the participant last said
	// into the mix (-96 without media); Talking is the mixer's talk
	// indicator (above the talk level within the hold time, muted or not).
	LevelDB float64 `json:"levelDb"`
	Talking bool    `json:"talking"`
}

// LegEvent reports a change of one leg: its state, hold, mute or role,
// or the call it belongs to (Merge, Split).
type LegEvent struct {
	LegInfo
	At time.Time `json:"at"`
}

// EventName implements Event.
func (LegEvent) EventName() string { return "leg" }

// legBase is what every leg kind shares: identity, the call it is in,
// its state machine, mute, hold, role and mixer port. The serial queue
// owns the fields below the first block.
type legBase struct {
	id      string
	kind    LegKind
	p       *Phone
	dir     Direction
	remote  sip.Uri
	display string

	// ctx is the leg's lifetime: cancelling it before the answer sends
	// CANCEL, after the answer BYE. It does not derive from any call's
	// context, so a leg survives the call it leaves (Merge, Split).
	ctx    context.Context
	cancel context.CancelCauseFunc
	done   chan struct{}

	// queue-owned
	call       *Call
	state      LegState
	role       Role
	muted      bool
	heldLocal  bool
	heldRemote bool
	answered   time.Time
	cause      EndCause
	status     int
	reason     string
	port       *mixer.Port
	early      bool // early media answer applied (outbound)
	self       Leg  // the concrete leg, for callbacks
}

func newLegBase(p *Phone, kind LegKind, c *Call, parent context.Context, dir Direction, remote sip.Uri, display string) legBase {
	b := legBase{
		id: newID(), kind: kind, p: p, dir: dir, remote: remote, display: display,
		done: make(chan struct{}), call: c, role: RoleParticipant,
	}
	b.ctx, b.cancel = context.WithCancelCause(parent)
	return b
}

func (b *legBase) base() *legBase { return b }

// ID implements Leg.
func (b *legBase) ID() string { return b.id }

// Kind implements Leg.
func (b *legBase) Kind() LegKind { return b.kind }

// Remote implements Leg.
func (b *legBase) Remote() string { return b.remote.String() }

// Done implements Leg.
func (b *legBase) Done() <-chan struct{} { return b.done }

// Call implements Leg.
func (b *legBase) Call() *Call {
	var c *Call
	if !b.p.q.do(func() { c = b.call }) {
		c = b.call
	}
	return c
}

// State implements Leg.
func (b *legBase) State() LegState { return b.Info().State }

// Role implements Leg.
func (b *legBase) Role() Role { return b.Info().Role }

// Muted implements Leg.
func (b *legBase) Muted() bool { return b.Info().Muted }

// Held implements Leg.
func (b *legBase) Held() bool { return b.Info().Held }

// Stats implements Leg.
func (b *legBase) Stats() media.Stats { return b.Info().Stats }

// Info implements Leg.
func (b *legBase) Info() LegInfo {
	var li LegInfo
	if !b.p.q.do(func() { li = b.info() }) {
		li = b.info()
	}
	return li
}

func (b *legBase) info() LegInfo {
	li := LegInfo{
		ID: b.id, Kind: b.kind, Direction: b.dir, State: b.state, Role: b.role,
		Remote: b.remote.String(), Display: b.display, Muted: b.muted, Held: b.heldLocal,
		RemoteHeld: b.heldRemote, Answered: b.answered, Cause: b.cause, LevelDB: -96,
	}
	if b.port != nil {
		li.LevelDB, _ = b.port.Levels()
		li.Talking = b.port.Talking()
	}
	if b.kind != LegSIP {
		li.Remote = b.display
	}
	if b.call != nil {
		li.CallID = b.call.id
	}
	if m := b.self.mediaInfo(); m != nil {
		li.Codec, li.Stats = m.Codec(), m.Stats()
	}
	return li
}

func (b *legBase) publish() {
	b.p.publish(LegEvent{LegInfo: b.info(), At: time.Now()})
}

// transition is the single place a leg's state changes (queue only). It
// checks the table and publishes; the call then derives its own state.
func (b *legBase) transition(to LegState) error {
	if b.state == to && to != LegRinging {
		return nil
	}
	if b.state != "" {
		ok := false
		for _, s := range legTransitions[b.state] {
			ok = ok || s == to
		}
		if !ok {
			err := fmt.Errorf("%w: leg %s -> %s", ErrInvalidTransition, b.state, to)
			b.p.log.Warn("refused leg transition", "leg", b.id, "err", err)
			return err
		}
	}
	b.state = to
	if to == LegConnected && b.answered.IsZero() {
		b.answered = time.Now()
	}
	b.publish()
	return nil
}

// holdState derives the talking state from the two hold flags.
func (b *legBase) holdState() LegState {
	switch {
	case b.heldLocal:
		return LegHeld
	case b.heldRemote:
		return LegRemoteHeld
	}
	return LegConnected
}

// end finishes the leg (queue only): state ended, media torn down, the
// context cancelled, then the call learns it lost a leg. The first cause
// set wins.
func (b *legBase) end(cause EndCause, status int, reason string) {
	if b.state == LegEnded {
		return
	}
	if b.cause == "" {
		b.cause = cause
	}
	if b.status == 0 {
		b.status = status
	}
	if b.reason == "" {
		b.reason = reason
	}
	b.cancel(fmt.Errorf("leg ended: %s", b.cause))
	b.self.teardown()
	_ = b.transition(LegEnded)
	close(b.done)
	if c := b.call; c != nil {
		c.legEnded(b.self)
	}
}

// SetMute implements Leg: nobody in the call hears the participant (the
// mix routes from them are off), while they keep hearing the call.
func (b *legBase) SetMute(on bool) error {
	var err error
	ok := b.p.q.do(func() {
		if b.state == LegEnded {
			err = fmt.Errorf("%w: mute leg in state %s", ErrInvalidState, b.state)
			return
		}
		if b.muted == on {
			return
		}
		b.muted = on
		if b.call != nil {
			b.call.remix()
		}
		b.publish()
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// applyOutput points the leg's received audio at its port (queue only).
func (b *legBase) applyOutput() {
	if m := b.self.mediaInfo(); m != nil && b.port != nil {
		m.SetOutput(b.port)
	}
}

// Hold implements Leg.
func (b *legBase) Hold() error { return b.holdOp(true) }

// Resume implements Leg.
func (b *legBase) Resume() error { return b.holdOp(false) }

func (b *legBase) holdOp(on bool) error {
	var err error
	ok := b.p.q.do(func() {
		if !b.state.Talking() {
			err = fmt.Errorf("%w: hold leg in state %s", ErrInvalidState, b.state)
			return
		}
		b.setHold(on)
		if b.call != nil {
			b.call.updateState()
		}
	})
	if !ok {
		return ErrClosed
	}
	return err
}

// setHold applies local hold to this leg only (queue only).
func (b *legBase) setHold(on bool) {
	if b.heldLocal == on || !b.state.Talking() {
		return
	}
	b.heldLocal = on
	b.self.applyHold(on)
	_ = b.transition(b.holdState())
	if c := b.call; c != nil {
		c.p.publish(HoldEvent{CallID: c.id, LegID: b.id, Held: on})
	}
}

// Hangup implements Leg.
func (b *legBase) Hangup() error {
	var err error
	ok := b.p.q.do(func() {
		if b.state == LegEnded {
			err = fmt.Errorf("%w: leg %s has ended", ErrNoSuchCall, b.id)
			return
		}
		if b.cause == "" {
			b.cause = CauseLocalHangup
		}
		b.self.hangupLeg()
	})
	if !ok {
		return ErrClosed
	}
	return err
}

package softphone

import (
	"fmt"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone/media"
)

// MediaPeer is a connected audio peer that is not a SIP dialog: a WebRTC
// peer connection with one audio track (softphone/media/webrtc.Peer) is
// one. The engine drives it from the mix's frame clock (Tick), feeds it
// the mix (SetInput) and takes what it receives (SetOutput), like a SIP
// leg's media.Session. Done is closed when the peer goes away on its own;
// Close hangs it up and waits.
type MediaPeer interface {
	SetInput(src audio.Source)
	SetOutput(sink audio.Sink)
	SetMute(on bool)
	Tick()
	Codec() string
	Stats() media.Stats
	Done() <-chan struct{}
	Close() error
}

// peerLeg is a Leg over a MediaPeer (kind LegWebRTC for a browser).
type peerLeg struct {
	legBase
	m        MediaPeer
	wg       sync.WaitGroup
	stop     chan struct{}
	tornDown bool
}

// AddPeerLeg adds an already connected media peer (a browser joining over
// WebRTC) to the call as a participant with role, named remote (what the
// rep sees, e.g. "browser: Dana"). The leg is connected at once; it ends
// when the peer goes away (Done) or is hung up, which closes the peer.
// Its StatsEvents come every second, as a SIP leg's.
func (c *Call) AddPeerLeg(kind LegKind, remote string, m MediaPeer, role Role) (Leg, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: nil media peer", ErrBadConfig)
	}
	if role == "" {
		role = RoleParticipant
	}
	if !role.valid() {
		return nil, fmt.Errorf("%w: role %q", ErrBadConfig, role)
	}
	p := c.p
	var l *peerLeg
	var err error
	ok := p.q.do(func() {
		switch {
		case c.state == CallEnded:
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
			return
		case len(c.legs) >= p.maxLegs():
			err = fmt.Errorf("%w: a call mixes at most %d legs", ErrTooManyLegs, p.maxLegs())
			return
		}
		port, aerr := p.audio.attach()
		if aerr != nil {
			err = aerr
			return
		}
		l = &peerLeg{legBase: newLegBase(p, kind, c, p.ctx, Inbound, sip.Uri{}, remote), m: m, stop: make(chan struct{})}
		l.self, l.role, l.port = l, role, port
		port.SetOnTick(m.Tick)
		port.SetConnected(true)
		m.SetInput(port)
		m.SetOutput(port)
		c.addLeg(l)
		_ = l.transition(LegConnected)
		c.updateState()
		c.regroup()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			// Statistics every second, as a SIP leg publishes them.
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-m.Done():
					p.q.enqueue(func() { l.end(CauseRemoteHangup, 0, "") })
					return
				case <-l.stop:
					return
				case <-t.C:
					st := m.Stats()
					p.q.enqueue(func() {
						if l.call != nil && l.state != LegEnded {
							p.publish(StatsEvent{CallID: l.call.id, LegID: l.id, Stats: st})
						}
					})
				}
			}
		}()
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Remote implements Leg: the name given to AddPeerLeg.
func (l *peerLeg) Remote() string { return l.display }

func (l *peerLeg) mediaInfo() legMedia { return l.m }

func (l *peerLeg) sendDTMF(string) error {
	return fmt.Errorf("%w: DTMF to a %s participant", ErrNotSupported, l.kind)
}

func (l *peerLeg) input() audio.Source {
	if l.port == nil {
		return nil
	}
	return l.port
}

func (l *peerLeg) refreshInput() {
	if !l.heldLocal {
		if in := l.input(); in != nil {
			l.m.SetInput(in)
		}
	}
}

// hangupLeg implements Leg: the peer is closed and the leg ends.
func (l *peerLeg) hangupLeg() {
	if l.cause == "" {
		l.cause = CauseLocalHangup
	}
	l.end(l.cause, 0, "")
}

// applyHold implements Leg: a held peer gets silence and is cut from the
// mix (its port is disconnected); there is no renegotiation.
func (l *peerLeg) applyHold(on bool) {
	if on {
		l.m.SetInput(nil)
	} else if in := l.input(); in != nil {
		l.m.SetInput(in)
	}
	if l.port != nil {
		l.port.SetConnected(!on)
	}
}

// teardown implements Leg: stop watching, close the peer off the queue,
// release the port.
func (l *peerLeg) teardown() {
	if l.tornDown {
		return
	}
	l.tornDown = true
	close(l.stop)
	m, port := l.m, l.port
	l.p.wg.Add(1)
	go func() {
		defer l.p.wg.Done()
		l.wg.Wait()
		_ = m.Close()
		l.p.audio.detach(port)
	}()
}

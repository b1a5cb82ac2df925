package softphone

import (
	"context"
	"fmt"
	"io"

	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
	"github.com/pitchline/pitchline/softphone/webjoin"
)

// DefaultBrowserName is what a browser participant is called when its
// join link carries no name.
const DefaultBrowserName = "Browser"

// JoinBrowser answers a browser's WebRTC offer (softphone/media/webrtc)
// and adds it to the call as a leg of kind LegWebRTC named name, with
// role. The Peer runs on the engine's frame clock (it is ticked with the
// other legs, pwebrtc.WithExternalClock), so it is mixed like any
// participant: mix-minus, hold, mute, SetRole and RemoveLeg work on it and
// it publishes the same LegEvents. Its leg ends when the Peer goes away
// (the tab closes, ICE fails) or is hung up, which closes the Peer.
//
// ctx bounds the negotiation only. opts are added to the Peer's (ICE
// addresses for a LAN link, for example). Opus comes from the audio/codec
// registry: a program that does not link audio/codec/opus gets an error
// wrapping pwebrtc.ErrNoOpus.
func (c *Call) JoinBrowser(ctx context.Context, offerSDP, name string, role Role, opts ...pwebrtc.Option) (Leg, string, error) {
	if name == "" {
		name = DefaultBrowserName
	}
	if role == "" {
		role = RoleParticipant
	}
	if !role.valid() {
		return nil, "", fmt.Errorf("%w: role %q", ErrBadConfig, role)
	}
	base := []pwebrtc.Option{pwebrtc.WithExternalClock(),
		pwebrtc.WithLogger(c.p.log.With("call", c.id, "participant", name))}
	peer, answer, err := pwebrtc.NewPeer(ctx, offerSDP, append(base, opts...)...)
	if err != nil {
		return nil, "", fmt.Errorf("browser %s: %w", name, err)
	}
	l, err := c.AddPeerLeg(LegWebRTC, name, peer, role)
	if err != nil {
		_ = peer.Close()
		return nil, "", err
	}
	return l, answer, nil
}

// BrowserJoins is a webjoin.Handler that joins each browser into the call
// its link names (webjoin.Link.Call is a call ID), as a participant named
// after the link (webjoin.Link.Name, or DefaultBrowserName).
type BrowserJoins struct {
	p    *Phone
	opts []pwebrtc.Option
}

// BrowserJoins returns the webjoin.Handler for this phone's calls. opts
// are given to every Peer (for a link served on a LAN address, its
// pwebrtc.WithICEAddresses).
func (p *Phone) BrowserJoins(opts ...pwebrtc.Option) *BrowserJoins {
	return &BrowserJoins{p: p, opts: opts}
}

// Join implements webjoin.Handler: the call must still be up; leaving
// through the page ends the leg (CauseRemoteHangup).
func (h *BrowserJoins) Join(ctx context.Context, j webjoin.Join) (string, io.Closer, error) {
	call, err := h.p.Call(j.Link.Call)
	if err != nil {
		return "", nil, err
	}
	l, answer, err := call.JoinBrowser(ctx, j.OfferSDP, j.Link.Name, RoleParticipant, h.opts...)
	if err != nil {
		return "", nil, err
	}
	h.p.log.Info("browser joined", "call", call.ID(), "leg", l.ID(), "participant", l.Remote(), "remote", j.RemoteAddr)
	return answer, browserLeave{l.base()}, nil
}

// browserLeave is what the page's Leave (DELETE) closes: the participant
// hung up, so the leg ends as CauseRemoteHangup (as when the Peer goes
// away on its own).
type browserLeave struct{ b *legBase }

func (c browserLeave) Close() error {
	if !c.b.p.q.do(func() { c.b.end(CauseRemoteHangup, 0, "") }) {
		return ErrClosed
	}
	return nil
}

package softphone_test

import (
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/media"
)

// sessionPeer is a MediaPeer made of a real RTP session (the shape a
// WebRTC peer connection has for the engine): Done closes when the far
// end goes away.
type sessionPeer struct {
	*media.Session
	done chan struct{}
	once sync.Once
}

func (s *sessionPeer) Done() <-chan struct{} { return s.done }

func (s *sessionPeer) Close() error {
	s.once.Do(func() { close(s.done) })
	return s.Session.Close()
}

// TestPeerLegInConference: a non-SIP participant (an RTP peer standing in
// for a browser's WebRTC connection) joins a call with bob (baresip,
// 400 Hz). The far peer plays 800 Hz and hears the rep (1000 Hz) and bob,
// not itself; the rep hears bob and the peer; holding the peer cuts it
// from the mix; when the peer goes away its leg ends and bob stays.
func TestPeerLegInConference(t *testing.T) {
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400))
	rate := softphone.BusRate()
	mic, err := tone.NewSine(1000, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	spk := newSpeakerTap(rate)
	p, ev := newPhone(t, k, "carol", phoneOpt{extra: []softphone.Option{softphone.WithLocalAudio(mic, spk)}})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	m := ev.mark()
	call, err := p.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)

	// The browser side: a session with its own clock playing 800 Hz and
	// keeping what it hears.
	lo := netip.MustParseAddr("127.0.0.1")
	near, err := media.NewSession(media.Config{LocalIP: lo, Codecs: []string{"PCMU"}}, media.WithExternalClock())
	if err != nil {
		t.Fatal(err)
	}
	far, err := media.NewSession(media.Config{LocalIP: lo, Codecs: []string{"PCMU"}})
	if err != nil {
		t.Fatal(err)
	}
	defer far.Close()
	offer, err := near.CreateOffer()
	if err != nil {
		t.Fatal(err)
	}
	answer, err := far.ProcessOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := near.SetRemoteAnswer(answer); err != nil {
		t.Fatal(err)
	}
	farTone, _ := tone.NewSine(800, 0.3, 8000)
	farHeard := newSpeakerTap(8000)
	far.SetInput(farTone)
	far.SetOutput(farHeard)
	if err := far.Start(); err != nil {
		t.Fatal(err)
	}
	if err := near.Start(); err != nil {
		t.Fatal(err)
	}
	peer := &sessionPeer{Session: near, done: make(chan struct{})}

	pl, err := call.AddPeerLeg(softphone.LegWebRTC, "browser: Dana", peer, softphone.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	if pl.State() != softphone.LegConnected || pl.Kind() != softphone.LegWebRTC || pl.Remote() != "browser: Dana" {
		t.Fatalf("peer leg %+v", pl.Info())
	}
	checkHears(t, "rep (with the browser)", spk.window(t, spk.mark()+rate, 2*rate), rate, []float64{400, 800}, []float64{1000})
	checkHears(t, "browser", farHeard.window(t, farHeard.mark()+8000, 2*8000), 8000, []float64{1000, 400}, []float64{800})

	if err := pl.Hold(); err != nil {
		t.Fatal(err)
	}
	checkHears(t, "rep (browser held)", spk.window(t, spk.mark()+rate, 2*rate), rate, []float64{400}, []float64{800, 1000})
	if err := pl.Resume(); err != nil {
		t.Fatal(err)
	}
	checkHears(t, "rep (browser back)", spk.window(t, spk.mark()+rate, 2*rate), rate, []float64{400, 800}, []float64{1000})

	// The browser goes away: its leg ends, bob stays.
	m = ev.mark()
	peer.once.Do(func() { close(peer.done) })
	if end := legState(ev, t, m, pl.ID(), softphone.LegEnded); end.Cause != softphone.CauseRemoteHangup {
		t.Errorf("browser leg ended with %s", end.Cause)
	}
	if info := call.Info(); info.State != softphone.CallConnected || len(info.Legs) != 1 {
		t.Fatalf("after the browser left the call is %s with %d legs", info.State, len(info.Legs))
	}
	m = ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	p.Close()
	far.Close()
	checkNoLeaks(t)
}

package softphone_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/media"
)

// earlyUAS is a SIP peer that answers every INVITE with 183 Session
// Progress carrying SDP and a 700 Hz tone as early media, never answers,
// and reports the INVITE it got.
type earlyUAS struct {
	addr     string
	invites  chan *sip.Request
	sessions chan *media.Session // each call's media, once it sends
}

func startEarlyUAS(t *testing.T) *earlyUAS {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("early-uas"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &earlyUAS{addr: pc.LocalAddr().String(), invites: make(chan *sip.Request, 4), sessions: make(chan *media.Session, 4)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	srv.OnInvite(func(req *sip.Request, tx sip.ServerTransaction) {
		u.invites <- req.Clone()
		sess, err := media.NewSession(media.Config{LocalIP: netipLoopback(), Codecs: []string{"PCMU"}})
		if err != nil {
			t.Error(err)
			return
		}
		defer sess.Close()
		answer, err := sess.ProcessOffer(req.Body())
		if err != nil {
			t.Error(err)
			return
		}
		src, _ := tone.NewSine(700, 0.4, 8000)
		sess.SetInput(src)
		if err := sess.Start(); err != nil {
			t.Error(err)
			return
		}
		res := sip.NewSDPResponseFromRequest(req, answer)
		res.StatusCode, res.Reason = 183, "Session Progress"
		_ = tx.Respond(res)
		u.sessions <- sess
		select {
		case <-tx.Done():
		case <-ctx.Done():
		}
	})
	srv.OnCancel(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 200, "OK", nil))
	})
	go func() { defer close(done); _ = srv.ServeUDP(pc) }()
	t.Cleanup(func() { cancel(); pc.Close(); ua.Close(); <-done })
	return u
}

// TestDialOptionsEarlyMediaToCallback: a leg dialed with WithCallerID,
// EarlyMediaFunc and no local ringback presents the caller ID, hands the
// peer's early media (a 700 Hz tone in a 183) to the callback, and puts
// nothing in the speaker; cancelling the context sends CANCEL.
func TestDialOptionsEarlyMediaToCallback(t *testing.T) {
	uas := startEarlyUAS(t)
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	p, err := softphone.NewPhone(softphone.Config{
		Account: softphone.AccountConfig{AOR: "sip:carol@127.0.0.1"},
		Listen:  "127.0.0.1:0",
	}, softphone.WithAudio(nb, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	ev := record(t, p)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); nb.Close() })

	if _, err := p.Dial(context.Background(), "sip:x@"+uas.addr, softphone.WithAccount("sip:dave@example.com")); !errors.Is(err, softphone.ErrBadConfig) {
		t.Fatalf("dial from another account: %v, want ErrBadConfig", err)
	}

	var frames, loud atomic.Int64
	heard := make(chan struct{})
	dctx, hang := context.WithCancel(context.Background())
	defer hang()
	call, err := p.Dial(dctx, "sip:x@"+uas.addr,
		softphone.WithAccount("sip:carol@127.0.0.1"),
		softphone.WithCallerID("Acme Sales", "+15550100"),
		softphone.WithLocalRingback(false),
		softphone.WithEarlyMedia(softphone.EarlyMediaFunc(func(pcm []int16, rate int) {
			frames.Add(1)
			peak := 0
			for _, s := range pcm {
				if int(s) > peak {
					peak = int(s)
				}
			}
			if peak > 3000 && loud.Add(1) == 25 {
				close(heard)
			}
		})))
	if err != nil {
		t.Fatal(err)
	}
	var inv *sip.Request
	select {
	case inv = <-uas.invites:
	case <-time.After(10 * time.Second):
		t.Fatal("the peer got no INVITE")
	}
	if from := inv.From(); from == nil || from.DisplayName != "Acme Sales" {
		t.Errorf("From %v, want display name Acme Sales", inv.From())
	}
	if h := inv.GetHeader("P-Preferred-Identity"); h == nil || h.Value() != `"Acme Sales" <sip:+15550100@127.0.0.1>` {
		t.Errorf("P-Preferred-Identity %v", h)
	}
	ev.callState(t, 0, call.ID(), softphone.CallRinging, 10*time.Second)
	select {
	case <-heard:
	case <-time.After(20 * time.Second):
		t.Fatalf("callback got %d frames, %d loud; want the peer's early tone", frames.Load(), loud.Load())
	}
	if _, spk, _ := p.Levels(); spk > -60 {
		t.Errorf("speaker at %.1f dBFS during callback-routed early media, want silence", spk)
	}
	m := ev.mark()
	hang()
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if end.Cause != softphone.CauseCanceled {
		t.Errorf("cause %s, want canceled", end.Cause)
	}
}

func netipLoopback() netip.Addr { return netip.MustParseAddr("127.0.0.1") }

// startPhone starts a direct (unregistered) phone whose speaker is tap.
func startDirectPhone(t *testing.T, tap *speakerTap) (*softphone.Phone, *events) {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	p, err := softphone.NewPhone(softphone.Config{
		Account: softphone.AccountConfig{AOR: "sip:carol@127.0.0.1"},
		Listen:  "127.0.0.1:0",
	}, softphone.WithAudio(nb, "", "", ""), softphone.WithLocalAudio(nil, tap))
	if err != nil {
		t.Fatal(err)
	}
	ev := record(t, p)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); nb.Close() })
	return p, ev
}

// TestDialOptionsEarlyMediaSpeakerAndNone: by default the peer's early
// media plays in the speaker; with EarlyMediaNone no RTP is taken before
// the answer and the audio device is not even opened.
func TestDialOptionsEarlyMediaSpeakerAndNone(t *testing.T) {
	uas := startEarlyUAS(t)
	rate := softphone.BusRate()
	tap := newSpeakerTap(rate)
	p, ev := startDirectPhone(t, tap)

	dctx, hang := context.WithCancel(context.Background())
	call, err := p.Dial(dctx, "sip:x@"+uas.addr)
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, 0, call.ID(), softphone.CallRinging, 10*time.Second)
	<-uas.invites
	<-uas.sessions // this call's; the next one is the second call's
	w := tap.window(t, tap.mark()+rate/2, rate)
	if pw := dsp.Goertzel(w, rate, 700); pw < 1e-3 {
		t.Errorf("speaker: early media tone power %.2g, want the peer's 700 Hz", pw)
	}
	m := ev.mark()
	hang()
	ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)

	m = ev.mark()
	dctx, hang = context.WithCancel(context.Background())
	defer hang()
	call, err = p.Dial(dctx, "sip:x@"+uas.addr, softphone.WithEarlyMedia(softphone.EarlyMediaNone))
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallRinging, 10*time.Second)
	<-uas.invites
	var far *media.Session
	select {
	case far = <-uas.sessions:
	case <-time.After(10 * time.Second):
		t.Fatal("the peer never started its early media")
	}
	deadline := time.Now().Add(30 * time.Second)
	for far.Stats().PacketsSent < 50 { // no event for the peer's packets: poll its counter
		if time.Now().After(deadline) {
			t.Fatalf("the peer sent only %d packets", far.Stats().PacketsSent)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := call.Stats().PacketsReceived; got != 0 {
		t.Errorf("EarlyMediaNone: %d RTP packets taken before the answer, want 0", got)
	}
	if _, _, active := p.Levels(); active {
		t.Error("EarlyMediaNone: the audio device is open while the call only rings")
	}
}

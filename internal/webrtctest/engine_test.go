//go:build linux

package webrtctest

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/webjoin"
)

// speaker keeps what the rep hears.
type speaker struct {
	rate    int
	mu      sync.Mutex
	cond    *sync.Cond
	samples []int16
	closed  bool
}

func newSpeaker(rate int) *speaker {
	s := &speaker{rate: rate}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *speaker) Rate() int { return s.rate }

func (s *speaker) WriteFrame(src []int16) error {
	s.mu.Lock()
	s.samples = append(s.samples, src...)
	s.cond.Broadcast()
	s.mu.Unlock()
	return nil
}

func (s *speaker) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.samples)
}

// window waits until n samples were played after from and returns them
// (ctx only bounds the wait: the mix plays 50 frames a second).
func (s *speaker) window(ctx context.Context, t *testing.T, from, n int) []int16 {
	t.Helper()
	stop := context.AfterFunc(ctx, func() { s.mu.Lock(); s.closed = true; s.cond.Broadcast(); s.mu.Unlock() })
	defer stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.samples) < from+n && !s.closed {
		s.cond.Wait()
	}
	if len(s.samples) < from+n {
		t.Fatalf("the speaker played %d samples, want %d", len(s.samples), from+n)
	}
	return append([]int16(nil), s.samples[from:from+n]...)
}

// legEvents follows the phone's LegEvents.
type legEvents struct {
	ch <-chan softphone.Event
}

func (e legEvents) wait(ctx context.Context, t *testing.T, what string, pred func(softphone.LegEvent) bool) softphone.LegEvent {
	t.Helper()
	for {
		select {
		case ev, ok := <-e.ch:
			if !ok {
				t.Fatalf("events ended before %s", what)
			}
			if le, ok := ev.(softphone.LegEvent); ok && pred(le) {
				return le
			}
		case <-ctx.Done():
			t.Fatalf("no %s before the deadline", what)
		}
	}
}

// repCall is carol, the rep, registered at a Kamailio on null audio
// devices, whose microphone says repTone and whose speaker is tapped
// (spk), in a call with bob that bob has answered.
type repCall struct {
	p           *softphone.Phone
	nb          *audio.NullBackend
	spk         *speaker
	ev          legEvents
	unsubscribe func()
	call        *softphone.Call
}

// startRepCall starts carol at k and has her dial bob (registered at k,
// answering) and waits until bob's leg talks; ctx bounds the waits.
func startRepCall(ctx context.Context, t *testing.T, k *testlab.Kamailio) *repCall {
	t.Helper()
	rate := softphone.BusRate()
	mic, err := tone.NewSine(repTone, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	r := &repCall{spk: newSpeaker(rate)}
	if r.nb, err = audio.NewNullBackend(); err != nil {
		t.Fatal(err)
	}
	r.p, err = softphone.NewPhone(softphone.Config{
		Account: softphone.AccountConfig{AOR: "sip:carol@" + k.Addr(), Password: k.Password("carol"), Transport: "udp"},
		Listen:  "127.0.0.1:0",
	}, softphone.WithAudio(r.nb, "", "", ""), softphone.WithLocalAudio(mic, r.spk))
	if err != nil {
		t.Fatal(err)
	}
	var ch <-chan softphone.Event
	ch, r.unsubscribe = r.p.Subscribe()
	r.ev = legEvents{ch}
	if err := r.p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if r.call, err = r.p.Dial(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	r.ev.wait(ctx, t, "bob answered", func(e softphone.LegEvent) bool { return e.Kind == softphone.LegSIP && e.State.Talking() })
	return r
}

// close unsubscribes from the phone's events and closes the phone and its
// devices (the call is over by then).
func (r *repCall) close(t *testing.T) {
	t.Helper()
	r.unsubscribe()
	if err := r.p.Close(); err != nil {
		t.Errorf("phone Close: %v", err)
	}
	r.nb.Close()
}

// TestEngineBrowserLeg: the engine itself (Phone.BrowserJoins behind a
// webjoin.Server) joins Chromium (fake mic 660 Hz) into a call with bob
// (baresip, 400 Hz) as a LegWebRTC participant named after the link. The
// rep (1000 Hz) hears the browser and bob; holding the browser's leg cuts
// its tone from the mix and resuming brings the leg back; removing it
// ends that leg only (bob's call goes on); and once everything is closed
// no goroutine is left.
func TestEngineBrowserLeg(t *testing.T) {
	requireBrowser(t)
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(bobTone))
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	wavPath := filepath.Join(t.TempDir(), "browser.wav")
	writeToneWAV(t, wavPath, browserTone, 120)

	before := runtime.NumGoroutine()
	rc := startRepCall(ctx, t, k)
	rate, spk, ev, call := softphone.BusRate(), rc.spk, rc.ev, rc.call

	srv, err := webjoin.New("127.0.0.1:0", rc.p.BrowserJoins())
	if err != nil {
		t.Fatal(err)
	}
	link, err := srv.CreateLink(call.ID(), 0, webjoin.WithName("Dana"))
	if err != nil {
		t.Fatal(err)
	}
	br := startDriver(t, ctx, link, wavPath)
	in := ev.wait(ctx, t, "the browser's leg", func(e softphone.LegEvent) bool {
		return e.Kind == softphone.LegWebRTC && e.State.Talking()
	})
	if in.Remote != "Dana" || in.CallID != call.ID() || in.Role != softphone.RoleParticipant {
		t.Errorf("browser leg %+v: want participant Dana in call %s", in.LegInfo, call.ID())
	}
	t.Logf("page: %s", br.expect("CONNECTED "))
	checkInboundOpus(t, br.expect("STATS "))

	// The rep hears the browser (in some half second: Chromium's noise
	// suppression fades a steady tone) and bob, not the rep's own tone.
	half := rate / 2
	var heard []int16
	for from := spk.mark(); ; from += half {
		w := spk.window(ctx, t, from, half)
		if dsp.Goertzel(w, rate, browserTone) >= 1e-3 {
			heard = w
			break
		}
	}
	hears(t, "rep (browser in)", heard, rate, []float64{browserTone, bobTone}, []float64{repTone})

	leg, err := call.Leg(in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := leg.Hold(); err != nil {
		t.Fatal(err)
	}
	ev.wait(ctx, t, "browser held", func(e softphone.LegEvent) bool { return e.ID == in.ID && e.Held })
	from := spk.mark() + rate/5 // frames already mixed before the hold
	w := spk.window(ctx, t, from, rate)
	if p := dsp.Goertzel(w, rate, browserTone); p > 1e-5 {
		t.Errorf("rep hears the held browser: 660 Hz power %.2g", p)
	}
	hears(t, "rep (browser held)", w, rate, []float64{bobTone}, []float64{repTone})
	if err := leg.Resume(); err != nil {
		t.Fatal(err)
	}
	ev.wait(ctx, t, "browser resumed", func(e softphone.LegEvent) bool { return e.ID == in.ID && !e.Held })
	if err := leg.SetMute(true); err != nil {
		t.Fatal(err)
	}
	ev.wait(ctx, t, "browser muted", func(e softphone.LegEvent) bool { return e.ID == in.ID && e.Muted })

	if err := call.RemoveLeg(in.ID); err != nil {
		t.Fatal(err)
	}
	gone := ev.wait(ctx, t, "browser leg ended", func(e softphone.LegEvent) bool { return e.ID == in.ID && e.State == softphone.LegEnded })
	if gone.Cause != softphone.CauseLocalHangup {
		t.Errorf("browser leg ended with %q, want %q", gone.Cause, softphone.CauseLocalHangup)
	}
	if legs := call.Legs(); len(legs) != 1 || legs[0].Kind() != softphone.LegSIP {
		t.Errorf("after the browser left, call legs %d, want bob's only", len(legs))
	}
	br.send("CLOSE")
	br.expect("CLOSED")
	br.send("QUIT")
	br.wait()

	if err := call.EndAll(); err != nil {
		t.Fatal(err)
	}
	<-call.Done()
	if err := srv.Close(); err != nil {
		t.Errorf("server Close: %v", err)
	}
	rc.close(t)
	testlab.CheckNoGoroutineLeak(t, before)
}

package demo_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/demo"
)

// recorder keeps a phone's events so tests wait on them instead of sleeping.
type recorder struct {
	mu   sync.Mutex
	cond *sync.Cond
	list []softphone.Event
}

func record(t *testing.T, p *softphone.Phone) *recorder {
	r := &recorder{}
	r.cond = sync.NewCond(&r.mu)
	ch, cancel := p.Subscribe()
	t.Cleanup(cancel)
	go func() {
		for ev := range ch {
			r.mu.Lock()
			r.list = append(r.list, ev)
			r.cond.Broadcast()
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *recorder) wait(t *testing.T, d time.Duration, what string, pred func(softphone.Event) bool) softphone.Event {
	t.Helper()
	deadline := time.Now().Add(d)
	tm := time.AfterFunc(d, func() { r.mu.Lock(); r.cond.Broadcast(); r.mu.Unlock() })
	defer tm.Stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; ; {
		for ; i < len(r.list); i++ {
			if pred(r.list[i]) {
				return r.list[i]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; events: %v", what, r.list)
		}
		r.cond.Wait()
	}
}

func (r *recorder) state(t *testing.T, id string, st softphone.CallState) softphone.CallEvent {
	t.Helper()
	return r.wait(t, 15*time.Second, string(st), func(ev softphone.Event) bool {
		ce, ok := ev.(softphone.CallEvent)
		return ok && (id == "" || ce.CallID == id) && ce.State == st
	}).(softphone.CallEvent)
}

// startLine starts a demo line and a phone registered to it.
func startLine(t *testing.T, lineOpts []demo.Option, phoneOpts ...softphone.Option) (*demo.Line, *softphone.Phone, *recorder) {
	t.Helper()
	line, err := demo.New(lineOpts...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := line.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { line.Close() })
	p, err := softphone.NewPhone(softphone.Config{Account: line.Account(), Listen: "127.0.0.1:0"}, phoneOpts...)
	if err != nil {
		t.Fatal(err)
	}
	rec := record(t, p)
	if err := p.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	rec.wait(t, 10*time.Second, "registered", func(ev softphone.Event) bool {
		re, ok := ev.(softphone.RegistrationEvent)
		return ok && re.State == softphone.RegRegistered
	})
	if !line.Registered(demo.User) {
		t.Fatal("line has no binding for the demo user after the phone registered")
	}
	return line, p, rec
}

func TestAnswerPlaysGreetingThenEchoes(t *testing.T) {
	dir := t.TempDir()
	mic, heard := filepath.Join(dir, "mic.wav"), filepath.Join(dir, "heard.wav")
	if err := testlab.WriteWAV(mic, 8000, testlab.ToneSamples(1000, 8000, 8000*20, 0.3)); err != nil {
		t.Fatal(err)
	}
	line, p, rec := startLine(t, []demo.Option{demo.WithRingFor(0)},
		softphone.WithPlayFile(mic), softphone.WithRecordFile(heard))
	greeting := time.Duration(len(line.Greeting())) * time.Second / 8000
	if greeting < time.Second {
		t.Fatalf("greeting is %v long", greeting)
	}
	c, err := p.Dial(context.Background(), "100")
	if err != nil {
		t.Fatal(err)
	}
	rec.state(t, c.ID(), softphone.CallConnected)
	// Let the greeting play and the echo run: wait until that much audio
	// (one RTP packet per 20 ms) has arrived. The recording is written per
	// playout tick, and a starved machine drops ticks (a null device, like
	// a sound card, drops a backlog of more than 100 ms), so it can be
	// shorter than the call: the echo is looked for at its end, after
	// seconds of echo that leave room for such losses.
	const echoFor = 5 * time.Second
	want := int64((greeting + echoFor) / (20 * time.Millisecond))
	rec.wait(t, greeting+15*time.Second, "greeting and echo received", func(ev softphone.Event) bool {
		se, ok := ev.(softphone.StatsEvent)
		return ok && se.CallID == c.ID() && se.Stats.PacketsReceived >= want
	})
	if err := c.Hangup(); err != nil {
		t.Fatal(err)
	}
	rec.state(t, c.ID(), softphone.CallEnded)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := wav.Open(heard)
	if err != nil {
		t.Fatal(err)
	}
	// The recording is at the phone's audio bus rate, not the call's 8 kHz.
	s, rate := r.Samples(), r.Rate()
	at := func(d time.Duration) int { return min(len(s), int(d*time.Duration(rate)/time.Second)) }
	// The greeting's first half: ticks dropped during the greeting move
	// its end earlier in the recording, never its start.
	speech := s[at(300*time.Millisecond):at(greeting/2)]
	if rms := dsp.RMS(speech); rms < 0.01 {
		t.Fatalf("greeting segment RMS %.4f: no speech heard", rms)
	}
	if g := dsp.Goertzel(speech, rate, 1000); g > 0.01 {
		t.Fatalf("greeting segment carries our 1 kHz tone (power %.3f): echo during the greeting", g)
	}
	// The last second before the hang-up (minus its final 200 ms) is
	// echo, unless more than echoFor-1.2 s of ticks were dropped.
	if need := at(greeting + 1200*time.Millisecond); len(s) < need {
		t.Fatalf("recording too short: %.1f s, want at least %.1f s (the greeting and a second of echo)",
			float64(len(s))/float64(rate), float64(need)/float64(rate))
	}
	echo := s[len(s)-rate*6/5 : len(s)-rate/5]
	if g := dsp.Goertzel(echo, rate, 1000); g < 0.02 {
		t.Fatalf("echo segment 1 kHz power %.4f (RMS %.4f): our tone was not echoed", g, dsp.RMS(echo))
	}
}

func TestBusyNumber(t *testing.T) {
	_, p, rec := startLine(t, nil)
	c, err := p.Dial(context.Background(), "486")
	if err != nil {
		t.Fatal(err)
	}
	ev := rec.state(t, c.ID(), softphone.CallEnded)
	if ev.Cause != softphone.CauseBusy || ev.Status != 486 {
		t.Fatalf("ended %s/%d, want busy/486", ev.Cause, ev.Status)
	}
}

func TestNoAnswerRingsUntilCancel(t *testing.T) {
	_, p, rec := startLine(t, []demo.Option{demo.WithRingFor(50 * time.Millisecond)})
	c, err := p.Dial(context.Background(), "408")
	if err != nil {
		t.Fatal(err)
	}
	rec.state(t, c.ID(), softphone.CallRinging)
	// An answering number would have answered after 50 ms; this one must not.
	select {
	case <-c.Done():
		t.Fatalf("no-answer number ended the call: %+v", c.Info())
	case <-time.After(time.Second):
	}
	if st := c.Info().State; st != softphone.CallRinging {
		t.Fatalf("state %s after 1 s, want ringing", st)
	}
	if err := c.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev := rec.state(t, c.ID(), softphone.CallEnded)
	if ev.Cause != softphone.CauseCanceled {
		t.Fatalf("cause %s, want canceled", ev.Cause)
	}
}

func TestCallbackArrivesAsInboundCall(t *testing.T) {
	_, p, rec := startLine(t, []demo.Option{demo.WithRingFor(0), demo.WithCallbackDelay(200 * time.Millisecond),
		demo.WithCallbackFrom("+81312345678", "Demo Caller")})
	c, err := p.Dial(context.Background(), "300")
	if err != nil {
		t.Fatal(err)
	}
	rec.state(t, c.ID(), softphone.CallConnected)
	ended := rec.state(t, c.ID(), softphone.CallEnded)
	if ended.Cause != softphone.CauseRemoteHangup {
		t.Fatalf("300 ended with %s, want remote_hangup", ended.Cause)
	}
	in := rec.state(t, "", softphone.CallIncoming)
	if !strings.Contains(in.Remote, "+81312345678") || in.Direction != softphone.Inbound {
		t.Fatalf("incoming %+v, want a call from +81312345678", in)
	}
	cb, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := cb.Answer(); err != nil {
		t.Fatal(err)
	}
	rec.state(t, in.CallID, softphone.CallConnected)
	if err := cb.Hangup(); err != nil {
		t.Fatal(err)
	}
	rec.state(t, in.CallID, softphone.CallEnded)
}

func TestOptionsAndNumbers(t *testing.T) {
	if _, err := demo.New(demo.WithListen("0.0.0.0:0")); !errors.Is(err, demo.ErrNotLoopback) {
		t.Fatalf("0.0.0.0: %v, want ErrNotLoopback", err)
	}
	for _, o := range []demo.Option{demo.WithListen("nonsense"), demo.WithRingFor(-1), demo.WithCallbackDelay(-1),
		demo.WithCallbackFrom("", ""), demo.WithLogger(nil)} {
		if _, err := demo.New(o); !errors.Is(err, demo.ErrBadOption) {
			t.Errorf("bad option: %v, want ErrBadOption", err)
		}
	}
	seen := map[demo.Behaviour]bool{}
	for _, n := range demo.Numbers {
		seen[n.Behaviour] = true
	}
	for _, b := range []demo.Behaviour{demo.Answer, demo.Busy, demo.NoAnswer, demo.Callback} {
		if !seen[b] {
			t.Errorf("no demo number for %s", b)
		}
	}
	l, err := demo.New()
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Start(context.Background()); !errors.Is(err, demo.ErrClosed) {
		t.Fatalf("Start after Close: %v", err)
	}
}

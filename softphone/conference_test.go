package softphone_test

import (
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// speakerTap is the rep's speaker in a test: it keeps every frame the mix
// plays, so a test can look at a window of frames played after an event.
type speakerTap struct {
	rate    int
	mu      sync.Mutex
	cond    *sync.Cond
	samples []int16
}

func newSpeakerTap(rate int) *speakerTap {
	s := &speakerTap{rate: rate}
	s.cond = sync.NewCond(&s.mu)
	return s
}

func (s *speakerTap) Rate() int { return s.rate }

func (s *speakerTap) WriteFrame(src []int16) error {
	s.mu.Lock()
	s.samples = append(s.samples, src...)
	s.cond.Broadcast()
	s.mu.Unlock()
	return nil
}

func (s *speakerTap) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.samples)
}

// window waits until n samples were played after from and returns them.
// The deadline only bounds the wait for frames (the mix plays 50 a
// second).
func (s *speakerTap) window(t *testing.T, from, n int) []int16 {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	timer := time.AfterFunc(60*time.Second, func() { s.mu.Lock(); s.cond.Broadcast(); s.mu.Unlock() })
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.samples) < from+n {
		if time.Now().After(deadline) {
			t.Fatalf("the speaker played %d samples after the mark, want %d", len(s.samples)-from, n)
		}
		s.cond.Wait()
	}
	return append([]int16(nil), s.samples[from:from+n]...)
}

// checkHears fails unless every frequency in present carries at least
// 1e-3 of power and every one in absent less than 1/100 of the weakest
// present one.
func checkHears(t *testing.T, who string, samples []int16, rate int, present, absent []float64) {
	t.Helper()
	pw := testlab.Tones(samples, rate, append(append([]float64(nil), present...), absent...)...)
	if p := heardProblem(pw, present, absent); p != "" {
		t.Errorf("%s: %s", who, p)
	}
}

func legState(e *events, t *testing.T, from int, legID string, st softphone.LegState) softphone.LegEvent {
	t.Helper()
	return e.wait(t, from, 30*time.Second, "leg "+string(st), func(ev softphone.Event) bool {
		le, ok := ev.(softphone.LegEvent)
		return ok && le.ID == legID && le.State == st
	}).(softphone.LegEvent)
}

// checkNoLeaks waits until no goroutine runs engine, mixer or SIP stack
// code any more, and fails naming the ones left.
func checkNoLeaks(t *testing.T) {
	t.Helper()
	watched := []string{"pitchline/pitchline/softphone.", "pitchline/pitchline/softphone/media.", "pitchline/pitchline/audio/mixer.", "emiago/sipgo"}
	// A SIP transaction legitimately outlives its final response for up to
	// 64·T1 = 32 s (RFC 3261 §17.2.1 Timer H, §17.2.2 Timer J), to
	// absorb retransmissions; sipgo ends its goroutine then. So wait past
	// that before calling a goroutine leaked (20 s failed once under load).
	deadline := time.Now().Add(40 * time.Second)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "checkNoLeaks") {
				continue
			}
			for _, w := range watched {
				if strings.Contains(g, w) {
					left = append(left, g)
					break
				}
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left after Close:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(50 * time.Millisecond) // polling runtime state: no event exists
	}
}

// TestConferenceThreeWayHoldRemove: the rep (a 1000 Hz microphone) calls
// bob (baresip, 400 Hz) and adds dave (baresip, 600 Hz). Each party hears
// the two others and not itself; holding dave stops the others hearing
// him (and re-INVITEs him sendonly) until resume; removing dave sends BYE
// to dave only; hanging up ends bob's call. No goroutine is left.
func TestConferenceThreeWayHoldRemove(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording())
	dave := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithTone(600), testlab.WithRecording(), testlab.WithSIPTrace())
	rate := softphone.BusRate()
	mic, err := tone.NewSine(1000, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	spk := newSpeakerTap(rate)
	p, ev := newPhone(t, k, "carol", phoneOpt{extra: []softphone.Option{softphone.WithLocalAudio(mic, spk)}})
	waitRegistered(t, ev)
	for _, u := range []string{"bob", "dave"} {
		if _, err := k.WaitRegistered(ctx(t, 10*time.Second), u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
	}

	m := ev.mark()
	call, err := p.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}

	m = ev.mark()
	dl, err := call.AddLeg(ctx(t, 120*time.Second), "dave", softphone.RoleParticipant)
	if err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegConnected)
	if _, err := dave.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("dave: %v", err)
	}
	if n := len(call.Info().Legs); n != 2 {
		t.Fatalf("call has %d legs, want 2", n)
	}
	ev.wait(t, m, 20*time.Second, "dave's RTP", func(e softphone.Event) bool {
		s, ok := e.(softphone.StatsEvent)
		return ok && s.LegID == dl.ID() && s.Stats.PacketsReceived >= 100 && s.Stats.PacketsSent >= 100
	})

	// The rep hears bob and dave, not the rep's own microphone.
	spk.await(t, "rep (conference)", spk.mark(), []float64{400, 600}, []float64{1000})

	// Hold dave: the rep (and bob, checked below) stop hearing him.
	m = ev.mark()
	if err := dl.Hold(); err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegHeld)
	ev.wait(t, m, 10*time.Second, "sendonly in dave's log", func(softphone.Event) bool {
		return strings.Contains(dave.Log(), "a=sendonly")
	})
	if st := call.Info().State; st != softphone.CallConnected {
		t.Errorf("call %s with one of two legs held, want connected", st)
	}
	spk.await(t, "rep (dave held)", spk.mark(), []float64{400}, []float64{600, 1000})

	m = ev.mark()
	if err := dl.Resume(); err != nil {
		t.Fatal(err)
	}
	legState(ev, t, m, dl.ID(), softphone.LegConnected)
	spk.await(t, "rep (dave resumed)", spk.mark(), []float64{400, 600}, []float64{1000})

	// Remove dave: BYE to dave only.
	bm, dm := bob.Mark(), dave.Mark()
	m = ev.mark()
	if err := call.RemoveLeg(dl.ID()); err != nil {
		t.Fatal(err)
	}
	if _, err := dave.WaitEventAfter(ctx(t, 10*time.Second), dm, "CALL_CLOSED"); err != nil {
		t.Fatalf("dave did not see BYE: %v", err)
	}
	if end := legState(ev, t, m, dl.ID(), softphone.LegEnded); end.Cause != softphone.CauseLocalHangup {
		t.Errorf("dave's leg ended with %s", end.Cause)
	}
	if info := call.Info(); info.State != softphone.CallConnected || len(info.Legs) != 1 {
		t.Fatalf("after removing dave the call is %s with %d legs, want connected with 1", info.State, len(info.Legs))
	}
	for _, e := range bob.Events()[bm:] {
		if e.Type == "CALL_CLOSED" {
			t.Fatalf("bob saw BYE when dave was removed")
		}
	}
	spk.await(t, "rep (dave removed)", spk.mark(), []float64{400}, []float64{600, 1000})

	m = ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see BYE: %v", err)
	}
	p.Close()
	checkNoLeaks(t)

	// What the peers heard, in order (their recordings are written as
	// packets are decoded, so their timelines do not follow the wall
	// clock on a busy machine). bob, from his answer: maybe the rep alone
	// before dave joins, then the rep and dave, the rep alone while dave
	// is held, both again after the resume, the rep alone after dave's
	// removal; never himself. dave's recording stops at the hold
	// re-INVITE (baresip 1.0.0), so it holds the three-way part only:
	// the rep and bob, never himself.
	brate, bs, err := readRecording(t, bob)
	if err != nil {
		t.Fatal(err)
	}
	testlab.CheckToneOrder(t, "bob", bs, brate, []float64{400, 600, 1000}, 400, "?1000", "600+1000", "1000", "600+1000", "1000")
	drate, ds, err := readRecording(t, dave)
	if err != nil {
		t.Fatal(err)
	}
	testlab.CheckToneOrder(t, "dave", ds, drate, []float64{400, 600, 1000}, 600, "400+1000")
}

func readRecording(t *testing.T, b *testlab.Baresip) (int, []int16, error) {
	t.Helper()
	recs, err := b.Recordings("dec")
	if err != nil || len(recs) == 0 {
		t.Fatalf("%s recordings: %v %v", b.Name(), recs, err)
	}
	return testlab.ReadWAV(recs[0])
}

// TestConferenceMergeRolesSplitLeave: the rep (1000 Hz) calls bob
// (400 Hz) and dave (600 Hz) as two calls and merges them; dave is muted,
// then the rep is; dave then whispers (only the rep hears him), listens (nobody hears him), is split
// out into a call of his own and merged back; then the rep leaves: bob
// and dave stay bridged without the rep until bob hangs up, which ends
// dave's leg too. Checked on the rep's speaker and in bob's recording.
func TestConferenceMergeRolesSplitLeave(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording())
	dave := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithTone(600))
	rate := softphone.BusRate()
	mic, err := tone.NewSine(1000, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	spk := newSpeakerTap(rate)
	p, ev := newPhone(t, k, "carol", phoneOpt{extra: []softphone.Option{softphone.WithLocalAudio(mic, spk)}})
	waitRegistered(t, ev)
	for _, u := range []string{"bob", "dave"} {
		if _, err := k.WaitRegistered(ctx(t, 10*time.Second), u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
	}
	dial := func(who string) *softphone.Call {
		m := ev.mark()
		c, err := p.Dial(ctx(t, 180*time.Second), who)
		if err != nil {
			t.Fatal(err)
		}
		ev.callState(t, m, c.ID(), softphone.CallConnected, 15*time.Second)
		return c
	}
	c1 := dial("bob")
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	c2 := dial("dave")
	dl := c2.Legs()[0]

	m := ev.mark()
	if err := c1.Merge(c2); err != nil {
		t.Fatal(err)
	}
	if end := ev.callState(t, m, c2.ID(), softphone.CallEnded, 10*time.Second); end.Cause != softphone.CauseMerged {
		t.Errorf("merged call ended with %s", end.Cause)
	}
	if dl.Call() != c1 || len(c1.Legs()) != 2 || dl.State() != softphone.LegConnected {
		t.Fatalf("after merge dave's leg is in %v (%s), c1 has %d legs", dl.Call().ID(), dl.State(), len(c1.Legs()))
	}
	// run waits until the rep hears the phase's mix and checks it. bob's
	// side is checked at the end on the order of what he heard.
	run := func(name string, repHears, repMissing []float64) {
		t.Helper()
		spk.await(t, "rep ("+name+")", spk.mark(), repHears, repMissing)
	}
	run("merged", []float64{400, 600}, []float64{1000})

	// Mute dave (a participant): nobody hears him. Mute the rep: nobody
	// hears the rep, bob and dave still hear each other.
	if err := dl.SetMute(true); err != nil {
		t.Fatal(err)
	}
	run("dave muted", []float64{400}, []float64{600, 1000})
	if err := dl.SetMute(false); err != nil {
		t.Fatal(err)
	}
	if err := c1.SetMute(true); err != nil {
		t.Fatal(err)
	}
	run("rep muted", []float64{400, 600}, []float64{1000})
	if err := c1.SetMute(false); err != nil {
		t.Fatal(err)
	}

	if err := c1.SetRole(dl.ID(), softphone.RoleWhisper); err != nil {
		t.Fatal(err)
	}
	run("dave whispers", []float64{400, 600}, []float64{1000})
	if err := c1.SetRole(dl.ID(), softphone.RoleListen); err != nil {
		t.Fatal(err)
	}
	run("dave listens", []float64{400}, []float64{600, 1000})
	if err := c1.SetRole(dl.ID(), softphone.RoleParticipant); err != nil {
		t.Fatal(err)
	}

	c3, err := c1.Split(dl.ID())
	if err != nil {
		t.Fatal(err)
	}
	if dl.Call() != c3 || len(c1.Legs()) != 1 || c3.Info().State != softphone.CallConnected {
		t.Fatalf("after split: dave in %s, c1 has %d legs, c3 is %s", dl.Call().ID(), len(c1.Legs()), c3.Info().State)
	}
	// Two separate calls, both with the rep: the rep hears both, bob only
	// the rep.
	run("split", []float64{400, 600}, []float64{1000})
	if err := c1.Merge(c3); err != nil {
		t.Fatal(err)
	}
	if err := c1.Leave(); err != nil {
		t.Fatal(err)
	}
	if !c1.Info().Left {
		t.Error("call not marked left")
	}
	run("rep left", nil, []float64{400, 600, 1000})

	// bob hangs up: with the rep gone, dave is not left alone in the
	// bridge; his leg gets a BYE and the call ends.
	dm := dave.Mark()
	m = ev.mark()
	if _, err := bob.Command(ctx(t, 5*time.Second), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := dave.WaitEventAfter(ctx(t, 10*time.Second), dm, "CALL_CLOSED"); err != nil {
		t.Fatalf("dave was not hung up after bob left the rep-less bridge: %v", err)
	}
	ev.callState(t, m, c1.ID(), softphone.CallEnded, 10*time.Second)
	p.Close()
	checkNoLeaks(t)

	// bob, in order: maybe the rep alone before the merge; the rep and
	// dave (merged); the rep (dave muted); dave (rep muted); the rep
	// (dave whispers, listens, is split out); dave (the rep left). Never
	// himself.
	brate, bs, err := readRecording(t, bob)
	if err != nil {
		t.Fatal(err)
	}
	testlab.CheckToneOrder(t, "bob", bs, brate, []float64{400, 600, 1000}, 400, "?1000", "600+1000", "1000", "600", "1000", "600")
}

package dialer

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
)

// fakeEngine is an injected Engine for state-machine tests (the contract
// tests in cli/ dial real peers). The target's user part says how the far
// end behaves: human* answers and waits for the hangup, busy* is busy,
// cross* answers as our CANCEL crosses it (ends answered_after_cancel),
// hangup* answers and hangs up at once,
// noanswer* rings until cancelled, late* answers when the test says so.
type fakeEngine struct {
	mu    sync.Mutex
	dials []string
	opts  []DialOptions
	n     int
	hold  map[string]chan struct{} // late*: closed to answer
}

type fakeCall struct {
	id, target string
	ch         chan CallUpdate
}

func (c *fakeCall) ID() string                 { return c.id }
func (c *fakeCall) Updates() <-chan CallUpdate { return c.ch }

func (e *fakeEngine) Dial(ctx context.Context, target string, opts DialOptions) (EngineCall, error) {
	e.mu.Lock()
	e.dials = append(e.dials, target)
	e.opts = append(e.opts, opts)
	e.n++
	c := &fakeCall{id: fmt.Sprintf("call-%d", e.n), target: target, ch: make(chan CallUpdate, 2)}
	gate := e.hold[target]
	e.mu.Unlock()
	user := strings.TrimPrefix(target, "sip:")
	go func() {
		defer close(c.ch)
		switch {
		case strings.HasPrefix(user, "busy"):
			c.ch <- CallUpdate{Ended: true, Cause: "busy", Status: 486}
		case strings.HasPrefix(user, "cross"):
			// Answers as our CANCEL crosses it: the engine ACKs and BYEs.
			<-ctx.Done()
			c.ch <- CallUpdate{Ended: true, Cause: "answered_after_cancel", Status: 200}
		case strings.HasPrefix(user, "hangup"):
			// Answers and hangs up at once (before any classifier decides).
			c.ch <- CallUpdate{Answered: true}
			c.ch <- CallUpdate{Ended: true, Cause: "remote_hangup"}
		case strings.HasPrefix(user, "noanswer"):
			<-ctx.Done()
			c.ch <- CallUpdate{Ended: true, Cause: "canceled", Status: 487}
		case strings.HasPrefix(user, "late"):
			select {
			case <-gate:
			case <-ctx.Done():
				c.ch <- CallUpdate{Ended: true, Cause: "canceled", Status: 487}
				return
			}
			c.ch <- CallUpdate{Answered: true}
			<-ctx.Done()
			c.ch <- CallUpdate{Ended: true, Cause: "local_hangup"}
		default:
			c.ch <- CallUpdate{Answered: true}
			<-ctx.Done()
			c.ch <- CallUpdate{Ended: true, Cause: "local_hangup"}
		}
	}()
	return c, nil
}

func (e *fakeEngine) dialled() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.dials...)
}

// noLeak fails the test when goroutines started during it are still
// running after its cleanups (the session's loop, line forwarders,
// classifier and event bus goroutines). Call it first, so its check runs
// after every other cleanup.
func noLeak(t *testing.T) {
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			runtime.Gosched()
			time.Sleep(10 * time.Millisecond) // polling for goroutines to exit: no event tells
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%d goroutines leaked:\n%s", n-before, buf[:runtime.Stack(buf, true)])
		}
	})
}

func testList(names ...string) *List {
	l := &List{Name: "t", Settings: DefaultSettings()}
	for _, n := range names {
		num, err := ParseNumber("sip:"+n+"@127.0.0.1", "US")
		if err != nil {
			panic(err)
		}
		l.Contacts = append(l.Contacts, Contact{Name: n, Numbers: []Number{num}})
	}
	return l
}

// rep drives a session like the headless rep: dial every card, hang up
// each human at once, save "Connected".
func rep(t *testing.T, s *Session) []Event {
	t.Helper()
	events, unsub := s.Subscribe()
	defer unsub()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	var got []Event
	timeout := time.After(60 * time.Second)
	for {
		select {
		case ev := <-events:
			got = append(got, ev)
			switch {
			case ev.Kind == EventState && ev.State == StateReady:
				if err := s.Dial(); err != nil {
					t.Errorf("Dial: %v", err)
				}
			case ev.Kind == EventState && ev.State == StateConnected:
				if err := s.Hangup(); err != nil {
					t.Errorf("Hangup: %v", err)
				}
			case ev.Kind == EventEnded && ev.Result == ResultConnected:
				if err := s.SaveOutcome("Connected", ""); err != nil {
					t.Errorf("SaveOutcome: %v", err)
				}
			case ev.Kind == EventSessionEnded:
				return got
			}
		case <-timeout:
			t.Fatalf("session did not end; events %v", kinds(got))
		}
	}
}

func kinds(evs []Event) []string {
	var out []string
	for _, e := range evs {
		s := string(e.Kind)
		if e.Kind == EventState {
			s += ":" + string(e.State)
		}
		out = append(out, s)
	}
	return out
}

func TestSessionPreviewAndPowerWorkTheList(t *testing.T) {
	noLeak(t)
	for _, mode := range []Mode{ModePreview, ModePower} {
		t.Run(string(mode), func(t *testing.T) {
			noLeak(t)
			st, _ := openStore(t)
			eng := &fakeEngine{}
			l := testList("human1", "busy1", "noanswer1", "dnc1", "human2")
			l.Settings.Mode = mode
			l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
			if _, err := st.AddDNC(context.Background(), store.DNCEntry{Number: "sip:dnc1@127.0.0.1"}); err != nil {
				t.Fatal(err)
			}
			noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			s, err := NewSession(context.Background(), st, eng, l, WithSessionClock(func() time.Time { return noon }),
				WithRepZone(time.UTC), WithRingTimeout(200*time.Millisecond))
			if err != nil {
				t.Fatal(err)
			}
			evs := rep(t, s)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			want := []string{"sip:human1@127.0.0.1", "sip:busy1@127.0.0.1", "sip:noanswer1@127.0.0.1", "sip:human2@127.0.0.1"}
			if got := eng.dialled(); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("dialled %v, want %v", got, want)
			}
			snap := s.Snapshot()
			wantC := Counters{Dialled: 4, Connected: 2, NoAnswer: 1, Busy: 1, Skipped: 1}
			if snap.Counters != wantC || snap.State != StateDone || snap.Done != 5 || snap.Total != 5 {
				t.Errorf("status %+v, want counters %+v, done 5 of 5", snap, wantC)
			}
			if len(snap.Skips) != 1 || snap.Skips[0].Reason != ReasonDNC || snap.Skips[0].Contact != "dnc1" {
				t.Errorf("skips %+v", snap.Skips)
			}
			// The store has the same story.
			as, err := st.DialerAttempts(context.Background(), s.ID())
			if err != nil {
				t.Fatal(err)
			}
			results := map[string]string{}
			for _, a := range as {
				results[l.Contacts[a.Position].Name] = a.Status + "/" + a.Result + a.Reason + "/" + a.Outcome
			}
			wantR := map[string]string{"human1": "done/connected/Connected", "busy1": "done/busy/Busy",
				"noanswer1": "done/no_answer/No answer", "dnc1": "skipped/dnc/", "human2": "done/connected/Connected"}
			for k, v := range wantR {
				if results[k] != v {
					t.Errorf("%s: stored %q, want %q", k, results[k], v)
				}
			}
			_ = evs
		})
	}
}

// TestSessionResumeNeverRedialsAnInterruptedAttempt: an attempt left
// "dialing" (a crash after the write, before or after the INVITE) counts
// as dialled: the reopened session goes on with the next contact.
func TestSessionResumeNeverRedialsAnInterruptedAttempt(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "human2", "human3")
	eng := &fakeEngine{}
	s, err := NewSession(ctx, st, eng, l, WithName("monday"))
	if err != nil {
		t.Fatal(err)
	}
	// As if the first run wrote human1's and human2's dials, then died.
	for i := 0; i < 2; i++ {
		if _, err := st.AddDialerAttempt(ctx, store.DialerAttempt{SessionID: s.ID(), Position: i, Number: l.Contacts[i].Numbers[0].Key,
			Status: store.AttemptDialing}, "dialing", `{"dialled":`+fmt.Sprint(i+1)+`}`); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.FinishDialerAttempt(ctx, store.DialerAttempt{ID: 1, Status: store.AttemptDone, Result: "connected", Outcome: "Connected"}, "", ""); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2, err := ResumeSessionByName(ctx, st, eng, "monday", WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	if snap := s2.Snapshot(); snap.Done != 2 || snap.Counters.Dialled != 2 {
		t.Fatalf("resumed status %+v, want 2 done, 2 dialled", snap)
	}
	rep(t, s2)
	s2.Close()
	if got := eng.dialled(); len(got) != 1 || got[0] != "sip:human3@127.0.0.1" {
		t.Errorf("resume dialled %v, want only human3", got)
	}
	as, _ := st.DialerAttempts(ctx, s2.ID())
	if len(as) != 3 || as[1].Result != string(ResultInterrupted) {
		t.Errorf("attempts %+v; want human2's finished as interrupted", as)
	}
}

// TestSessionParallelConnectsOneAndCancelsTheRest: three lines ring; the
// first answer goes to the rep, the others are cancelled at once; a second
// answer while the rep talks is dropped and counted abandoned, and the
// governor lowers the lines.
func TestSessionParallelConnectsOneAndCancelsTheRest(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("late1", "noanswer1", "noanswer2", "human9")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 3
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	gate := make(chan struct{})
	eng := &fakeEngine{hold: map[string]chan struct{}{"sip:late1@127.0.0.1": gate}}
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC), WithRingTimeout(300*time.Millisecond),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	events, unsub := s.Subscribe()
	defer unsub()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	dials, connects := 0, 0
	var ended []Event
	for ev := range events {
		switch {
		case ev.Kind == EventDial:
			dials++
			if dials == 3 {
				close(gate) // late1 answers while both noanswer lines ring
			}
		case ev.Kind == EventState && ev.State == StateConnected:
			connects++
			if want := map[int]string{1: "late1", 2: "human9"}[connects]; ev.Contact != want {
				t.Errorf("connect %d is %s, want %s", connects, ev.Contact, want)
			}
			if err := s.Hangup(); err != nil {
				t.Error(err)
			}
		case ev.Kind == EventEnded:
			ended = append(ended, ev)
			if ev.Result == ResultConnected {
				if err := s.SaveOutcome("Connected", ""); err != nil {
					t.Error(err)
				}
			}
		}
		if ev.Kind == EventSessionEnded {
			break
		}
	}
	s.Close()
	var res []string
	for _, e := range ended {
		res = append(res, e.Contact+":"+string(e.Result))
	}
	// The lines cancelled because another line won were not reached: they
	// come back first, without counting a retry (the cap is 1 dial), and
	// are dialled again with human9; cancelled again when human9 answers,
	// they come back once more and ring out (no answer).
	wantRes := []string{"noanswer1:canceled", "noanswer2:canceled", "late1:connected",
		"noanswer1:canceled", "noanswer2:canceled", "human9:connected", "noanswer1:no_answer", "noanswer2:no_answer"}
	sortedEq := func(a, b []string) bool {
		a, b = append([]string(nil), a...), append([]string(nil), b...)
		slices.Sort(a)
		slices.Sort(b)
		return slices.Equal(a, b)
	}
	if !sortedEq(res, wantRes) {
		t.Errorf("ended %v, want (any order) %v", res, wantRes)
	}
	want := []string{"late1", "noanswer1", "noanswer2", "noanswer1", "noanswer2", "human9", "noanswer1", "noanswer2"}
	var got []string
	for _, d := range eng.dialled() {
		got = append(got, strings.TrimSuffix(strings.TrimPrefix(d, "sip:"), "@127.0.0.1"))
	}
	if len(got) != len(want) || !slices.Equal(got[:3], want[:3]) || !sortedEq(got[3:6], want[3:6]) || !sortedEq(got[6:], want[6:]) {
		t.Errorf("dialled %v, want %v (rounds in any order)", got, want)
	}
	snap := s.Snapshot()
	if c := snap.Counters; c.Dialled != 8 || c.Connected != 2 || c.NoAnswer != 2 || c.Abandoned != 0 || snap.Done != 4 {
		t.Errorf("status %+v", snap)
	}
	// Every INVITE is in the attempt log; the cancelled ones as such.
	as, err := st.DialerAttempts(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	var statuses []string
	for _, a := range as {
		statuses = append(statuses, l.Contacts[a.Position].Name+":"+a.Status)
	}
	wantSt := []string{"late1:done", "noanswer1:cancelled", "noanswer2:cancelled", "noanswer1:cancelled", "noanswer2:cancelled",
		"human9:done", "noanswer1:done", "noanswer2:done"}
	if !sortedEq(statuses, wantSt) {
		t.Errorf("attempts %v, want %v", statuses, wantSt)
	}
	// Reopened, the session has nothing left to dial: the cancelled
	// attempts were followed by the final ones.
	s2, err := ResumeSession(ctx, st, eng, s.ID(), WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s2)
	s2.Close()
	if n := len(eng.dialled()); n != 8 {
		t.Errorf("resumed session dialled again: %v", eng.dialled())
	}
}

func TestSessionControlsRefusedOutOfState(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	s, err := NewSession(context.Background(), st, &fakeEngine{}, testList("human1"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Dial(); !errors.Is(err, ErrInvalidState) {
		t.Errorf("Dial before Start: %v", err)
	}
	if _, err := NewSession(context.Background(), st, &fakeEngine{}, testList("x"), WithName("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSession(context.Background(), st, &fakeEngine{}, testList("x"), WithName("a")); !errors.Is(err, store.ErrDuplicate) {
		t.Errorf("second session named a: %v", err)
	}
}

// TestSessionParallelDoubleAnswerIsAbandonedAndGovernorLowersLines: two
// humans answer together; the second is hung up and counted abandoned,
// and the abandon rate (1 of 2) makes the governor drop a line.
func TestSessionParallelDoubleAnswerIsAbandonedAndGovernorLowersLines(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "human2", "noanswer1", "human3", "human4")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 3
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	eng := &fakeEngine{}
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	s.Close()
	snap := s.Snapshot()
	if snap.Counters.Abandoned < 1 || snap.Counters.Connected < 1 {
		t.Errorf("counters %+v, want an abandoned call", snap.Counters)
	}
	if snap.Lines >= 3 {
		t.Errorf("lines %d; the governor should have lowered them", snap.Lines)
	}
	connected := 0
	for _, e := range evs {
		if e.Kind == EventLines && e.Lines != 2 && e.Lines != 1 {
			t.Errorf("lines event %+v", e)
		}
		if e.Kind == EventState && e.State == StateConnected {
			connected++
		}
		if e.Kind == EventState && e.State == StateConnected && e.Contact == "" {
			t.Errorf("connected without a contact: %+v", e)
		}
	}
	if connected != snap.Counters.Connected {
		t.Errorf("%d connects, counters say %d", connected, snap.Counters.Connected)
	}
}

// TestSessionOutcomeGatesNextDial: in power mode nothing is dialled after
// a human call until the outcome is saved.
func TestSessionOutcomeGatesNextDial(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "human2")
	l.Settings.Mode = ModePower
	l.Settings.WrapUp = 20 * time.Millisecond // the wrap-up runs after the outcome
	eng := &fakeEngine{}
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events, unsub := s.Subscribe()
	defer unsub()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		if ev.Kind == EventState && ev.State == StateConnected {
			if err := s.Hangup(); err != nil {
				t.Fatal(err)
			}
		}
		if ev.Kind == EventState && ev.State == StateWrapUp {
			break
		}
	}
	snap := s.Snapshot()
	if !snap.NeedOutcome || len(eng.dialled()) != 1 {
		t.Fatalf("after the call: need outcome %v, dialled %v; want waiting, 1 dial", snap.NeedOutcome, eng.dialled())
	}
	if err := s.SaveOutcome("Not interested", "call back in May"); err != nil {
		t.Fatal(err)
	}
	wrapped := false
	for ev := range events {
		if ev.Kind == EventState && ev.State == StateWrapUp {
			wrapped = true
		}
		if ev.Kind == EventDial {
			if !wrapped {
				t.Errorf("dialled before the wrap-up")
			}
			if ev.Contact != "human2" {
				t.Errorf("dialled %s after the outcome, want human2", ev.Contact)
			}
			break
		}
	}
	as, _ := st.DialerAttempts(ctx, s.ID())
	if len(as) < 1 || as[0].Outcome != "Not interested" {
		t.Errorf("attempts %+v", as)
	}
}

// TestSessionRetryPolicy: a busy contact waits for the retry spacing,
// is dialled again when a later run finds it due, and once the cap is
// reached a new session skips it with reason retry_cap.
func TestSessionRetryPolicy(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("busy1", "human1")
	l.Settings.Mode = ModePower
	l.Settings.Retry = RetryPolicy{MaxAttempts: 2, MaxPerDay: 2, Spacing: time.Hour}
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	eng := &fakeEngine{}
	opts := []SessionOption{WithRepZone(time.UTC), WithSessionClock(clock)}
	s, err := NewSession(ctx, st, eng, l, append(opts, WithName("mon"))...)
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s)
	s.Close()
	snap := s.Snapshot()
	if snap.State != StateDone || snap.RetriesPending != 1 || !snap.NextRetry.Equal(now.Add(time.Hour)) || snap.Done != 2 {
		t.Fatalf("after the first pass: %+v; want done with busy1's retry due at 13:00", snap)
	}
	// Reopened before the retry is due: nothing to dial.
	s, err = ResumeSessionByName(ctx, st, eng, "mon", opts...)
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s)
	s.Close()
	if got := eng.dialled(); len(got) != 2 {
		t.Fatalf("dialled %v before the retry was due", got)
	}
	mu.Lock()
	now = now.Add(61 * time.Minute)
	mu.Unlock()
	s, err = ResumeSessionByName(ctx, st, eng, "mon", opts...)
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s)
	s.Close()
	if got := eng.dialled(); len(got) != 3 || got[2] != "sip:busy1@127.0.0.1" {
		t.Fatalf("dialled %v, want busy1 retried once", got)
	}
	if snap := s.Snapshot(); snap.RetriesPending != 0 || snap.Counters.Busy != 2 || snap.Counters.Dialled != 3 {
		t.Fatalf("after the retry: %+v; want the cap reached", snap)
	}
	// A new session on the same list: busy1 has had its 2 dials.
	mu.Lock()
	now = now.Add(3 * time.Hour)
	mu.Unlock()
	s, err = NewSession(ctx, st, eng, l, opts...)
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s)
	s.Close()
	snap = s.Snapshot()
	if len(snap.Skips) != 1 || snap.Skips[0].Contact != "busy1" || snap.Skips[0].Reason != ReasonRetryCap {
		t.Fatalf("skips %+v, want busy1 skipped for retry_cap", snap.Skips)
	}
}

// TestSessionControls: pause holds the next dial, resume goes on, skip
// passes the preview card with reason "rep", stop ends the run.
func TestSessionControls(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "human2", "human3")
	eng := &fakeEngine{}
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events, unsub := s.Subscribe()
	defer unsub()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitState := func(want State) Event {
		t.Helper()
		for ev := range events {
			if ev.Kind == EventState && ev.State == want {
				return ev
			}
		}
		t.Fatalf("no state %s", want)
		return Event{}
	}
	if ev := waitState(StateReady); ev.Contact != "human1" {
		t.Fatalf("first card %+v", ev)
	}
	if err := s.Pause(); err != nil {
		t.Fatal(err)
	}
	waitState(StatePaused)
	if err := s.Dial(); !errors.Is(err, ErrInvalidState) {
		t.Fatalf("Dial while paused: %v", err)
	}
	if err := s.Resume(); err != nil {
		t.Fatal(err)
	}
	if ev := waitState(StateReady); ev.Contact != "human1" {
		t.Fatalf("card after resume %+v", ev)
	}
	if err := s.Skip(); err != nil {
		t.Fatal(err)
	}
	if ev := waitState(StateReady); ev.Contact != "human2" {
		t.Fatalf("card after skip %+v", ev)
	}
	if err := s.Dial(); err != nil {
		t.Fatal(err)
	}
	waitState(StateConnected)
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	waitState(StateStopped)
	<-s.Done()
	snap := s.Snapshot()
	if snap.Counters.Skipped != 1 || snap.Skips[0].Reason != ReasonRep || snap.Counters.Dialled != 1 || snap.State != StateStopped {
		t.Fatalf("status %+v", snap)
	}
	if got := eng.dialled(); len(got) != 1 || got[0] != "sip:human2@127.0.0.1" {
		t.Fatalf("dialled %v", got)
	}
}

func TestSessionsListsStoredSessions(t *testing.T) {
	st, _ := openStore(t)
	ctx := context.Background()
	s, err := NewSession(ctx, st, &fakeEngine{}, testList("human1", "human2"), WithName("mon"))
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	got, err := Sessions(ctx, st)
	if err != nil || len(got) != 1 || got[0].Name != "mon" || got[0].Total != 2 || got[0].State != StateIdle || got[0].ID != s.ID() {
		t.Fatalf("Sessions = %+v, %v", got, err)
	}
}

// TestSessionParallelGovernorRaisesLinesAgain: three humans answer the
// first round together (1 connected, 2 abandoned): the governor lowers
// the lines to 1 at once. Then single-line humans bring the rate back
// under the cap; once the minimum sample is measured and the rate is
// under the hysteresis mark, the lines come back up (not before).
func TestSessionParallelGovernorRaisesLinesAgain(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	names := []string{}
	for i := 1; i <= 14; i++ {
		names = append(names, fmt.Sprintf("human%d", i))
	}
	l := testList(names...)
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 3
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	const capRate, minSample, step = 0.25, 10, 4
	s, err := NewSession(ctx, st, &fakeEngine{}, l, WithRepZone(time.UTC), WithMaxAbandonRate(capRate),
		WithGovernorSample(minSample, step),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	s.Close()
	var lines []int
	prev, lowest, raisedAfterLowest := 3, 3, false
	for _, e := range evs {
		if e.Kind != EventLines {
			continue
		}
		lines = append(lines, e.Lines)
		humans := e.Counters.Connected + e.Counters.Abandoned
		switch {
		case e.Lines == prev-1:
			if e.Counters.AbandonRate() <= capRate {
				t.Errorf("lowered to %d at rate %v (cap %v)", e.Lines, e.Counters.AbandonRate(), capRate)
			}
		case e.Lines == prev+1:
			if humans < minSample || e.Counters.AbandonRate() > capRate*govRaiseBelow {
				t.Errorf("raised to %d with %d humans measured at rate %v", e.Lines, humans, e.Counters.AbandonRate())
			}
			if lowest == 1 {
				raisedAfterLowest = true
			}
		default:
			t.Errorf("lines went from %d to %d in one step", prev, e.Lines)
		}
		prev, lowest = e.Lines, min(lowest, e.Lines)
	}
	if lowest != 1 || !raisedAfterLowest {
		t.Errorf("lines went %v: want down to 1 and back up", lines)
	}
}

// TestSessionParallelMachineAnsweringWithHumanIsNotAbandoned: a human and
// a machine answer together; both are classified before anyone is
// connected (the human's classification waits until the machine's has
// started), the human goes to the rep and the machine to the voicemail
// path: one connected, one voicemail, none abandoned. (An answer that
// arrives after the rep was connected can only be one that crossed our
// CANCEL: that call is already being torn down, cannot be classified, and
// counts as abandoned, unknown treated as human.)
func TestSessionParallelMachineAnsweringWithHumanIsNotAbandoned(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "vm1")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 2
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	machineSeen := make(chan struct{})
	classify := func(ctx context.Context, call EngineCall) (AMDResult, error) {
		if strings.Contains(call.(*fakeCall).target, "vm") {
			close(machineSeen)
			return AMDMachine, nil
		}
		select {
		case <-machineSeen:
		case <-ctx.Done():
		}
		return AMDHuman, nil
	}
	s, err := NewSession(ctx, st, &fakeEngine{}, l, WithRepZone(time.UTC), WithClassifier(classify), WithAMDTimeout(time.Minute),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	s.Close()
	res := map[string]Result{}
	for _, ev := range evs {
		if ev.Kind == EventEnded {
			res[ev.Contact] = ev.Result
		}
	}
	if res["human1"] != ResultConnected || res["vm1"] != ResultVoicemail {
		t.Errorf("results %v, want human1 connected, vm1 voicemail", res)
	}
	if c := s.Snapshot().Counters; c.Abandoned != 0 || c.Voicemail != 1 || c.Connected != 1 {
		t.Errorf("counters %+v, want 1 connected, 1 voicemail, 0 abandoned", c)
	}
}

// TestSessionStoppedWhileRingingRedialsOnResume: lines cancelled by Stop
// before any answer were not reached: they are logged "cancelled" and the
// reopened session dials them (a retry cap of 1 does not lose them).
func TestSessionStoppedWhileRingingRedialsOnResume(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("noanswer1", "noanswer2")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 2
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	eng := &fakeEngine{}
	clock := WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) })
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC), clock)
	if err != nil {
		t.Fatal(err)
	}
	events, unsub := s.Subscribe()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for ev := range events {
		if ev.Kind == EventState && ev.State == StateDialing {
			if err := s.Stop(); err != nil {
				t.Fatal(err)
			}
		}
		if ev.Kind == EventSessionEnded {
			break
		}
	}
	unsub()
	s.Close()
	as, err := st.DialerAttempts(ctx, s.ID())
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Status != store.AttemptCancelled || as[1].Status != store.AttemptCancelled {
		t.Fatalf("attempts %+v, want two cancelled", as)
	}
	s2, err := ResumeSession(ctx, st, eng, s.ID(), WithRepZone(time.UTC), clock, WithRingTimeout(200*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s2)
	s2.Close()
	if got := eng.dialled(); len(got) != 4 {
		t.Errorf("dialled %v, want both contacts again after the resume", got)
	}
	if c := s2.Snapshot().Counters; c.NoAnswer != 2 {
		t.Errorf("counters %+v, want 2 no answer", c)
	}
}

// TestSessionAnswerCrossingCancelIsAbandoned: a line cancelled because
// another line won was answered as the CANCEL crossed the 200 (the engine
// ACKs and hangs up, cause answered_after_cancel): the callee picked up
// and was dropped, so it counts as abandoned, is not requeued, and the
// governor sees it.
func TestSessionAnswerCrossingCancelIsAbandoned(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("late1", "cross1")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 2
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	gate := make(chan struct{})
	close(gate)
	eng := &fakeEngine{hold: map[string]chan struct{}{"sip:late1@127.0.0.1": gate}}
	s, err := NewSession(ctx, st, eng, l, WithRepZone(time.UTC),
		WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	s.Close()
	var res []string
	for _, e := range evs {
		if e.Kind == EventEnded {
			res = append(res, e.Contact+":"+string(e.Result))
		}
	}
	slices.Sort(res)
	if want := []string{"cross1:abandoned", "late1:connected"}; !slices.Equal(res, want) {
		t.Errorf("ended %v, want %v", res, want)
	}
	snap := s.Snapshot()
	if c := snap.Counters; c.Abandoned != 1 || c.Connected != 1 || c.Dialled != 2 || snap.Lines != 1 {
		t.Errorf("status %+v, want 1 connected, 1 abandoned, 2 dialled, lines lowered to 1", snap)
	}
}

// TestSessionHangupWhileClassifyingIsNotAConnect: a contact who answers
// and hangs up while the classifier is still listening never reached the
// rep: the result is hung_up, counted as no answer (not connected, so the
// abandon rate's denominator is not inflated), the outcome "Hung up", and
// the contact is retried per policy (also after a resume).
func TestSessionHangupWhileClassifyingIsNotAConnect(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("hangup1", "human1")
	l.Settings.Mode = ModePower
	l.Settings.Retry = RetryPolicy{MaxAttempts: 2, MaxPerDay: 2, Spacing: time.Hour}
	classify := func(ctx context.Context, call EngineCall) (AMDResult, error) {
		if strings.Contains(call.(*fakeCall).target, "hangup") {
			<-ctx.Done() // still listening when the contact hangs up (until the session closes)
			return AMDUnknown, nil
		}
		return AMDHuman, nil
	}
	clock := WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) })
	s, err := NewSession(ctx, st, &fakeEngine{}, l, WithRepZone(time.UTC), WithClassifier(classify), WithAMDTimeout(time.Minute),
		clock, WithName("hangup"))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	s.Close()
	res, outcomes := map[string]Result{}, map[string]string{}
	for _, ev := range evs {
		switch ev.Kind {
		case EventEnded:
			res[ev.Contact] = ev.Result
		case EventOutcomeSaved:
			outcomes[ev.Contact] = ev.Outcome
		}
	}
	if res["hangup1"] != ResultHungUp || res["human1"] != ResultConnected || outcomes["hangup1"] != "Hung up" {
		t.Errorf("results %v outcomes %v, want hangup1 hung_up (Hung up), human1 connected", res, outcomes)
	}
	snap := s.Snapshot()
	if c := snap.Counters; c.Connected != 1 || c.NoAnswer != 1 || c.Dialled != 2 {
		t.Errorf("counters %+v, want 2 dialled, 1 connected, 1 no answer", c)
	}
	if snap.RetriesPending != 1 {
		t.Errorf("retries pending %d, want hangup1 waiting for a retry", snap.RetriesPending)
	}
	// Resumed later, the contact is due again and dialled.
	later := WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC) })
	eng := &fakeEngine{}
	s2, err := ResumeSessionByName(ctx, st, eng, "hangup", WithRepZone(time.UTC), later, WithClassifier(classify),
		WithAMDTimeout(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	rep(t, s2)
	s2.Close()
	if got := eng.dialled(); !slices.Equal(got, []string{"sip:hangup1@127.0.0.1"}) {
		t.Errorf("resumed session dialled %v, want hangup1 retried", got)
	}
}

// TestSessionResumeKeepsGovernorLines: the governor lowered a parallel
// session's lines (three humans answered together: 1 connected, 2
// abandoned); the session is paused and closed; the resumed session keeps
// the lowered lines instead of going back to the list's 3, and its next
// round dials that many lines.
func TestSessionResumeKeepsGovernorLines(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	ctx := context.Background()
	l := testList("human1", "human2", "human3", "human4", "human5", "human6")
	l.Settings.Mode, l.Settings.Lines = ModeParallel, 3
	l.Settings.Retry = RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
	clock := WithSessionClock(func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) })
	s, err := NewSession(ctx, st, &fakeEngine{}, l, WithRepZone(time.UTC), clock, WithName("gov"))
	if err != nil {
		t.Fatal(err)
	}
	events, unsub := s.Subscribe()
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(60 * time.Second)
	for paused := false; !paused; {
		select {
		case ev := <-events:
			switch {
			case ev.Kind == EventState && ev.State == StateConnected:
				if err := s.Pause(); err != nil {
					t.Fatal(err)
				}
				if err := s.Hangup(); err != nil {
					t.Fatal(err)
				}
			case ev.Kind == EventEnded && ev.Result == ResultConnected:
				if err := s.SaveOutcome("Connected", ""); err != nil {
					t.Fatal(err)
				}
			case ev.Kind == EventState && ev.State == StatePaused:
				paused = true
			}
		case <-timeout:
			t.Fatal("the session never paused")
		}
	}
	unsub()
	lowered := s.Snapshot().Lines
	s.Close()
	if lowered >= 3 {
		t.Fatalf("lines %d after two abandoned calls; the governor should have lowered them", lowered)
	}
	eng := &fakeEngine{}
	s2, err := ResumeSessionByName(ctx, st, eng, "gov", WithRepZone(time.UTC), clock)
	if err != nil {
		t.Fatal(err)
	}
	if got := s2.Snapshot().Lines; got != lowered {
		t.Errorf("resumed with %d lines, want the governor's %d", got, lowered)
	}
	evs := rep(t, s2)
	s2.Close()
	first := 0
	for _, e := range evs {
		if e.Kind == EventDial {
			first++
		}
		if e.Kind == EventState && e.State == StateConnected {
			break
		}
	}
	if first != lowered {
		t.Errorf("the resumed session's first round dialled %d lines, want %d", first, lowered)
	}
}

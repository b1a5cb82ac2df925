package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// leadPhone is another Pitchline's engine (a team lead's, or anyone's)
// registered at Kamailio as user, with its events recorded.
type leadPhone struct {
	p    *softphone.Phone
	mu   sync.Mutex
	cond *sync.Cond
	list []softphone.Event
}

func newLeadPhone(t *testing.T, k *testlab.Kamailio, user string) *leadPhone {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	p, err := softphone.NewPhone(softphone.Config{
		Account: softphone.AccountConfig{AOR: k.URI(user), Password: k.Password(user), Transport: "udp", Register: true},
		Listen:  "127.0.0.1:0",
	}, softphone.WithAudio(nb, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	lp := &leadPhone{p: p}
	lp.cond = sync.NewCond(&lp.mu)
	ch, cancel := p.Subscribe()
	go func() {
		for ev := range ch {
			lp.mu.Lock()
			lp.list = append(lp.list, ev)
			lp.cond.Broadcast()
			lp.mu.Unlock()
		}
	}()
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); p.Close(); nb.Close() })
	return lp
}

// call waits for the CallEvent of call id in state st.
func (lp *leadPhone) call(t *testing.T, id string, st softphone.CallState) softphone.CallEvent {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tm := time.AfterFunc(20*time.Second, func() { lp.mu.Lock(); lp.cond.Broadcast(); lp.mu.Unlock() })
	defer tm.Stop()
	lp.mu.Lock()
	defer lp.mu.Unlock()
	for i := 0; ; {
		for ; i < len(lp.list); i++ {
			if e, ok := lp.list[i].(softphone.CallEvent); ok && e.CallID == id && e.State == st {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for the lead's call %s to be %s", id, st)
		}
		lp.cond.Wait()
	}
}

// TestInboundMonitorShowsLeadOnRepWindow: the rep's Pitchline (the app's
// core, registered at Kamailio as alice) talks with bob (baresip); dave's
// Pitchline, a team lead in the rep's settings, calls in with a listen
// monitor request: the rep's window gets the lead as a participant with
// role listen (what the lead banner shows), never an incoming call; dave
// switches to whisper and the window shows whisper; dave hangs up and the
// rep's call goes on. carol, not a lead, is refused with 403: no
// ringing, no participant, no toast (a note in the app's log only).
func TestInboundMonitorShowsLeadOnRepWindow(t *testing.T) {
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	logs := &logBuf{}
	logs.cond = sync.NewCond(&logs.mu)
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	a, _ := newTestApp(t, WithDataDir(t.TempDir()), WithAudioBackend(nb),
		WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))))
	log := watch(t, a.hub)
	rel, err := a.startBackend(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rel)
	s := a.svcs
	if _, err := s.Conference.SetLeads([]string{"sip:dave@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	alice := k.URI("alice")
	if _, err := s.Accounts.Save(AccountInput{AOR: alice, Password: k.Password("alice")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvAccount, "alice registered", func(v AccountView) bool { return v.ID == alice && v.State == "registered" })
	dave, carol := newLeadPhone(t, k, "dave"), newLeadPhone(t, k, "carol")
	cx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, u := range []string{"alice", "bob", "carol", "dave"} {
		if _, err := k.WaitRegistered(cx, u); err != nil {
			t.Fatalf("%s not registered at Kamailio: %v", u, err)
		}
	}

	v, err := s.Calls.Dial("bob")
	if err != nil {
		t.Fatal(err)
	}
	if v.Account != alice {
		t.Fatalf("call placed on %q, want %s", v.Account, alice)
	}
	callState(t, log, v.ID, "connected")

	// carol is not a lead: refused, and the rep's phone never rings.
	m := log.mark()
	rc, err := carol.p.Dial(cx, alice, softphone.WithMonitor(softphone.RoleListen))
	if err != nil {
		t.Fatal(err)
	}
	if end := carol.call(t, rc.ID(), softphone.CallEnded); end.Status != 403 {
		t.Fatalf("carol's monitor request ended %d %s, want 403", end.Status, end.Reason)
	}
	// The rep, mid-call, gets no toast: a note in the log only. The note
	// comes from the event pump after anything else the refusal caused.
	logs.wait(t, "refused a monitor request", "from=sip:carol@127.0.0.1")
	for _, e := range log.since(m) {
		switch e.name {
		case EvNotice.Name():
			t.Errorf("carol's refused monitor request interrupted the rep: %s", e.data)
		case EvCall.Name():
			if c := decode[CallView](t, e); c.ID != v.ID || c.State != "connected" {
				t.Errorf("carol's refused monitor request reached the rep's calls: %+v", c)
			}
		case EvConference.Name():
			t.Errorf("carol's refused monitor request changed the participants: %s", e.data)
		}
	}

	// dave listens: the window shows him as a listening participant.
	mc, err := dave.p.Dial(cx, alice, softphone.WithMonitor(softphone.RoleListen))
	if err != nil {
		t.Fatal(err)
	}
	dave.call(t, mc.ID(), softphone.CallConnected)
	cv := waitFor(t, log, EvConference, "dave listening", func(cv ConferenceView) bool {
		return cv.CallID == v.ID && len(cv.Participants) == 2 && cv.Participants[1].Role == "listen" && cv.Participants[1].State == "connected"
	})
	lead := cv.Participants[1]
	if numberOf(lead.Remote) != "dave" || cv.Participants[0].Role != "participant" {
		t.Errorf("participants while dave listens: %+v", cv.Participants)
	}
	snap := snapshotCall(t, a, v.ID)
	if len(snap.Participants) != 2 || snap.Participants[1].ID != lead.ID || snap.Participants[1].Role != "listen" {
		t.Errorf("snapshot while dave listens: %+v", snap.Participants)
	}
	if list, _ := s.Calls.List(); len(list) != 1 {
		t.Errorf("the lead's monitor leg shows as a call of its own: %+v", list)
	}

	// dave whispers.
	if err := mc.SetMonitorRole(softphone.RoleWhisper); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "dave whispering", func(cv ConferenceView) bool {
		return cv.CallID == v.ID && len(cv.Participants) == 2 && cv.Participants[1].ID == lead.ID && cv.Participants[1].Role == "whisper"
	})

	// dave leaves; the rep's call with bob goes on.
	m = log.mark()
	if err := mc.Hangup(); err != nil {
		t.Fatal(err)
	}
	dave.call(t, mc.ID(), softphone.CallEnded)
	cv = waitFor(t, log, EvConference, "dave gone", func(cv ConferenceView) bool { return cv.CallID == v.ID && len(cv.Participants) == 1 })
	if cv.Participants[0].Role != "participant" || numberOf(cv.Participants[0].Remote) != "bob" {
		t.Errorf("participants after dave left: %+v", cv.Participants)
	}
	for _, e := range log.since(m) {
		if e.name == EvCall.Name() {
			if c := decode[CallView](t, e); c.ID == v.ID && c.State == "ended" {
				t.Fatal("the rep's call ended with the lead's leg")
			}
		}
	}
	if list, _ := s.Calls.List(); len(list) != 1 || list[0].ID != v.ID || list[0].State != "connected" {
		t.Fatalf("rep's calls after dave left: %+v", list)
	}
	if _, err := s.Calls.Hangup(v.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "ended")
}

// since returns the events from index from on.
func (l *evlog) since(from int) []wireEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]wireEvent(nil), l.list[from:]...)
}

// decode reads an event's payload.
func decode[T any](t *testing.T, e wireEvent) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(e.data, &v); err != nil {
		t.Fatalf("%s: %v", e.name, err)
	}
	return v
}

// snapshotCall returns call id as SystemService.Snapshot shows it (what
// a window opened now would draw).
func snapshotCall(t *testing.T, a *App, id string) CallView {
	t.Helper()
	snap, err := a.svcs.System.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range snap.Calls {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("call %s not in the snapshot", id)
	return CallView{}
}

// logBuf records the app's log lines so a test can wait for one.
type logBuf struct {
	mu    sync.Mutex
	cond  *sync.Cond
	lines []string
}

func (b *logBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	b.lines = append(b.lines, string(p))
	b.cond.Broadcast()
	b.mu.Unlock()
	return len(p), nil
}

// wait returns once a log line holds every one of parts.
func (b *logBuf) wait(t *testing.T, parts ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tm := time.AfterFunc(20*time.Second, func() { b.mu.Lock(); b.cond.Broadcast(); b.mu.Unlock() })
	defer tm.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := 0; ; {
	next:
		for ; i < len(b.lines); i++ {
			for _, p := range parts {
				if !strings.Contains(b.lines[i], p) {
					continue next
				}
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for a log line with %q", parts)
		}
		b.cond.Wait()
	}
}

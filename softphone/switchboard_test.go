package softphone_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// boardLine describes one account of a test switchboard.
type boardLine struct {
	user     string
	password string // "" = the registrar's
}

// newBoard builds one phone per line registered at k (not started),
// hands them to a Switchboard, records its events and starts it.
func newBoard(t *testing.T, k *testlab.Kamailio, lines []boardLine, opts ...softphone.BoardOption) (*softphone.Switchboard, *events) {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	var ls []softphone.Line
	for _, l := range lines {
		pw := k.Password(l.user)
		if l.password != "" {
			pw = l.password
		}
		p, err := softphone.NewPhone(softphone.Config{
			Account: softphone.AccountConfig{AOR: k.URI(l.user), Password: pw, Transport: "udp", Register: true},
			Listen:  "127.0.0.1:0",
		}, softphone.WithAudio(nb, "", "", ""))
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, softphone.Line{ID: l.user, Phone: p})
	}
	b, err := softphone.NewSwitchboard(ls, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ev := recordFrom(t, b.Subscribe)
	t.Cleanup(func() { b.Close() })
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return b, ev
}

// recordFrom records an event stream (as record does a phone's).
func recordFrom(t *testing.T, subscribe func() (<-chan softphone.Event, func())) *events {
	t.Helper()
	e := &events{}
	e.cond = sync.NewCond(&e.mu)
	ch, cancel := subscribe()
	go func() {
		for ev := range ch {
			e.mu.Lock()
			e.list = append(e.list, ev)
			e.cond.Broadcast()
			e.mu.Unlock()
		}
		e.mu.Lock()
		e.done = true
		e.cond.Broadcast()
		e.mu.Unlock()
	}()
	t.Cleanup(cancel)
	return e
}

// lineState waits for a registration state of line on a board's stream.
func (e *events) lineState(t *testing.T, line string, st softphone.RegState) softphone.RegistrationEvent {
	t.Helper()
	return e.wait(t, 0, 15*time.Second, line+" "+string(st), func(ev softphone.Event) bool {
		le, ok := ev.(softphone.LineEvent)
		r, isReg := le.Event.(softphone.RegistrationEvent)
		return ok && isReg && le.Line == line && r.State == st
	}).(softphone.LineEvent).Event.(softphone.RegistrationEvent)
}

// lineCall waits for a call state on a board's stream ("" = any call) and
// returns the event and its line.
func (e *events) lineCall(t *testing.T, from int, callID string, st softphone.CallState) (softphone.CallEvent, string) {
	t.Helper()
	le := e.wait(t, from, 15*time.Second, "call "+callID+" "+string(st), func(ev softphone.Event) bool {
		le, ok := ev.(softphone.LineEvent)
		ce, isCall := le.Event.(softphone.CallEvent)
		return ok && isCall && (callID == "" || ce.CallID == callID) && ce.State == st
	}).(softphone.LineEvent)
	return le.Event.(softphone.CallEvent), le.Line
}

// sendonly waits until peer's SIP trace holds more than n re-INVITE
// offers with a=sendonly (a hold, RFC 3264 §8.4) and returns the count.
func sendonly(t *testing.T, e *events, peer *testlab.Baresip, n int) int {
	t.Helper()
	var got int
	e.wait(t, e.mark(), 10*time.Second, peer.Name()+" sees a=sendonly", func(softphone.Event) bool {
		got = strings.Count(peer.Log(), "a=sendonly")
		return got > n
	})
	return got
}

// waitPeers waits until the registrar knows every user.
func waitPeers(t *testing.T, k *testlab.Kamailio, users ...string) {
	t.Helper()
	for _, u := range users {
		if _, err := k.WaitRegistered(ctx(t, 15*time.Second), u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
	}
}

// tableIDs lists the call table as "line:callID".
func tableIDs(b *softphone.Switchboard) []string {
	var out []string
	for _, c := range b.Calls() {
		out = append(out, c.Line+":"+c.ID)
	}
	return out
}

// TestSwitchboardCallWaiting: with two accounts (carol, alice; alice the
// default), a dial without an account leaves from alice, an explicit
// account wins, a second dial holds the first call (bob sees a=sendonly),
// SwitchTo resumes the first and holds the second, and answering an
// incoming call holds the live one. The call table lists every call with
// its line, oldest first.
func TestSwitchboardCallWaiting(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithSIPTrace())
	dave := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithTone(700), testlab.WithSIPTrace())
	b, ev := newBoard(t, k, []boardLine{{user: "carol"}, {user: "alice"}}, softphone.WithDefaultLine("alice"))
	ev.lineState(t, "carol", softphone.RegRegistered)
	ev.lineState(t, "alice", softphone.RegRegistered)
	waitPeers(t, k, "bob", "dave")
	if got := b.Default(); got != "alice" {
		t.Fatalf("default line %q, want alice", got)
	}

	// No account: the default line.
	bm := bob.Mark()
	m := ev.mark()
	c1, line, err := b.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if line != "alice" {
		t.Errorf("dial without an account left from %q, want the default alice", line)
	}
	ev.lineCall(t, m, c1.ID(), softphone.CallConnected)
	if in, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_ESTABLISHED"); err != nil || !strings.Contains(in.PeerURI, "alice") {
		t.Fatalf("bob's call %+v %v: want it from alice", in, err)
	}
	if held := strings.Count(bob.Log(), "a=sendonly"); held != 0 {
		t.Fatalf("bob saw %d holds before any", held)
	}

	// An explicit account wins over the default; the new call holds the
	// live one.
	dm := dave.Mark()
	m = ev.mark()
	c2, line, err := b.Dial(ctx(t, 120*time.Second), "dave", softphone.WithAccount(k.URI("carol")))
	if err != nil {
		t.Fatal(err)
	}
	if line != "carol" {
		t.Errorf("dial from carol left from %q", line)
	}
	if !c1.Info().Held {
		t.Errorf("the first call is not held once the second is dialled: %+v", c1.Info())
	}
	ev.lineCall(t, m, c1.ID(), softphone.CallHeld)
	bobHolds := sendonly(t, ev, bob, 0)
	ev.lineCall(t, m, c2.ID(), softphone.CallConnected)
	if in, err := dave.WaitEventAfter(ctx(t, 10*time.Second), dm, "CALL_ESTABLISHED"); err != nil || !strings.Contains(in.PeerURI, "carol") {
		t.Fatalf("dave's call %+v %v: want it from carol", in, err)
	}
	want := []string{"alice:" + c1.ID(), "carol:" + c2.ID()}
	if got := tableIDs(b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call table %v, want %v", got, want)
	}

	// SwitchTo the first call: it resumes, the second goes on hold.
	m = ev.mark()
	if _, err := b.SwitchTo(c1.ID()); err != nil {
		t.Fatal(err)
	}
	ev.lineCall(t, m, c2.ID(), softphone.CallHeld)
	ev.lineCall(t, m, c1.ID(), softphone.CallConnected)
	sendonly(t, ev, dave, 0)
	if c1.Info().Held || !c2.Info().Held {
		t.Errorf("after SwitchTo: first %+v, second %+v", c1.Info(), c2.Info())
	}

	// Hang up the second call; dave calls carol back. Answering holds
	// the live first call.
	m = ev.mark()
	if err := c2.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.lineCall(t, m, c2.ID(), softphone.CallEnded)
	if _, err := dave.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
		t.Fatal(err)
	}
	in, line := ev.lineCall(t, m, "", softphone.CallIncoming)
	if line != "carol" || !strings.Contains(in.Remote, "dave") {
		t.Fatalf("incoming %+v on %q, want dave's call on carol", in, line)
	}
	want = []string{"alice:" + c1.ID(), "carol:" + in.CallID}
	if got := tableIDs(b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call table %v, want %v", got, want)
	}
	if _, err := b.Answer(c1.ID()); !errors.Is(err, softphone.ErrInvalidState) {
		t.Errorf("answering a connected call: %v, want ErrInvalidState", err)
	}
	if c1.Info().Held {
		t.Fatalf("a refused answer held the live call")
	}
	c3, err := b.Answer(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	ev.lineCall(t, m, c1.ID(), softphone.CallHeld)
	ev.lineCall(t, m, c3.ID(), softphone.CallConnected)
	sendonly(t, ev, bob, bobHolds)

	// Resume goes through the rule too.
	m = ev.mark()
	if _, err := b.Resume(c1.ID()); err != nil {
		t.Fatal(err)
	}
	ev.lineCall(t, m, c3.ID(), softphone.CallHeld)
	ev.lineCall(t, m, c1.ID(), softphone.CallConnected)

	b.Close()
	checkNoLeaks(t)
}

// TestSwitchboardParallelAndRefusals: calls dialled WithParallel do not
// hold each other; a line whose registration failed refuses to dial
// before any INVITE with ErrNotRegistered wrapping the failure; an
// unknown account is ErrNoSuchLine; a bad target holds nothing.
func TestSwitchboardParallelAndRefusals(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithSIPTrace())
	dave := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithTone(700), testlab.WithSIPTrace())
	b, ev := newBoard(t, k, []boardLine{{user: "carol"}, {user: "alice", password: "wrong-password"}})
	ev.lineState(t, "carol", softphone.RegRegistered)
	ev.lineState(t, "alice", softphone.RegFailed)
	waitPeers(t, k, "bob", "dave")

	m := ev.mark()
	c1, line, err := b.Dial(ctx(t, 120*time.Second), "bob", softphone.WithParallel())
	if err != nil {
		t.Fatal(err)
	}
	if line != "carol" {
		t.Errorf("no default named: the first line dials, got %q", line)
	}
	ev.lineCall(t, m, c1.ID(), softphone.CallConnected)
	c2, _, err := b.Dial(ctx(t, 120*time.Second), "dave", softphone.WithParallel())
	if err != nil {
		t.Fatal(err)
	}
	if c1.Info().Held {
		t.Fatalf("a parallel dial held the other call")
	}
	ev.lineCall(t, m, c2.ID(), softphone.CallConnected)
	if c1.Info().Held || c2.Info().Held {
		t.Errorf("parallel calls held: %+v %+v", c1.Info(), c2.Info())
	}

	// Refusals hold nothing and send nothing.
	before := strings.Count(bob.Log(), "INVITE sip:")
	if _, _, err := b.Dial(ctx(t, 5*time.Second), "bob", softphone.WithAccount("alice")); !errors.Is(err, softphone.ErrNotRegistered) || !errors.Is(err, softphone.ErrAuthFailed) {
		t.Errorf("dial on a failed line: %v, want ErrNotRegistered wrapping ErrAuthFailed", err)
	}
	if _, _, err := b.Dial(ctx(t, 5*time.Second), "bob", softphone.WithAccount("sip:nobody@example.invalid")); !errors.Is(err, softphone.ErrNoSuchLine) {
		t.Errorf("dial on an unknown account: %v, want ErrNoSuchLine", err)
	}
	if _, _, err := b.Dial(ctx(t, 5*time.Second), "bad <target>"); !errors.Is(err, softphone.ErrInvalidTarget) {
		t.Errorf("dial of a bad target: %v, want ErrInvalidTarget", err)
	}
	if c1.Info().Held || c2.Info().Held {
		t.Errorf("a refused dial held a call: %+v %+v", c1.Info(), c2.Info())
	}
	if n := strings.Count(bob.Log(), "INVITE sip:"); n != before {
		t.Errorf("bob saw %d new INVITEs after refused dials", n-before)
	}
	for _, p := range []*testlab.Baresip{bob, dave} {
		if n := strings.Count(p.Log(), "a=sendonly"); n != 0 {
			t.Errorf("%s saw %d holds", p.Name(), n)
		}
	}
	infos := b.Lines()
	if len(infos) != 2 || !infos[0].Default || infos[1].State != softphone.RegFailed || infos[1].Err == nil {
		t.Errorf("lines %+v: want carol default, alice failed with its error", infos)
	}
	if err := b.SetDefault("nobody"); !errors.Is(err, softphone.ErrNoSuchLine) {
		t.Errorf("SetDefault(nobody): %v", err)
	}
	b.Close()
	checkNoLeaks(t)
}

// TestSwitchboardConfig: bad lines are refused.
func TestSwitchboardConfig(t *testing.T) {
	p, err := softphone.NewPhone(softphone.Config{Account: softphone.AccountConfig{AOR: "sip:a@127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for name, lines := range map[string][]softphone.Line{
		"none":      nil,
		"no id":     {{Phone: p}},
		"no phone":  {{ID: "a"}},
		"duplicate": {{ID: "a", Phone: p}, {ID: "a", Phone: p}},
	} {
		if _, err := softphone.NewSwitchboard(lines); !errors.Is(err, softphone.ErrBadConfig) {
			t.Errorf("%s: %v, want ErrBadConfig", name, err)
		}
	}
}

// TestSwitchboardConference: merging two calls leaves one row in the
// call table; a conference the rep is in is held as a whole by a new
// dial (its own legs never hold each other), and one the rep has left
// runs on and is not held when the rep switches to another call.
func TestSwitchboardConference(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithSIPTrace())
	dave := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithTone(700), testlab.WithSIPTrace())
	testlab.StartBaresip(t, "alice", testlab.WithAccount("alice", k.Password("alice"), k.Addr(), "udp"), testlab.WithTone(900))
	b, ev := newBoard(t, k, []boardLine{{user: "carol"}})
	ev.lineState(t, "carol", softphone.RegRegistered)
	waitPeers(t, k, "bob", "dave", "alice")

	dial := func(who string) *softphone.Call {
		t.Helper()
		m := ev.mark()
		c, _, err := b.Dial(ctx(t, 120*time.Second), who)
		if err != nil {
			t.Fatal(err)
		}
		ev.lineCall(t, m, c.ID(), softphone.CallConnected)
		return c
	}
	c1 := dial("bob")
	c2 := dial("dave") // holds bob
	if !c1.Info().Held {
		t.Fatalf("bob's call not held by the second dial")
	}
	m := ev.mark()
	if err := c1.Merge(c2); err != nil {
		t.Fatal(err)
	}
	ev.lineCall(t, m, c2.ID(), softphone.CallEnded)
	if got := tableIDs(b); len(got) != 1 || got[0] != "carol:"+c1.ID() {
		t.Fatalf("call table after the merge %v, want only the conference", got)
	}
	// The rep resumes the conference: bob's leg comes back, dave's stays.
	if _, err := b.Resume(c1.ID()); err != nil {
		t.Fatal(err)
	}
	for _, l := range c1.Legs() {
		if l.Info().Held {
			t.Fatalf("after Resume %s is still held", l.Info().Remote)
		}
	}

	// A new dial holds the conference as a whole.
	daveHolds := strings.Count(dave.Log(), "a=sendonly")
	c3 := dial("alice")
	if info := c1.Info(); !info.Held {
		t.Fatalf("the conference is not held by a new dial: %+v", info)
	}
	sendonly(t, ev, dave, daveHolds)
	want := []string{"carol:" + c1.ID(), "carol:" + c3.ID()}
	if got := tableIDs(b); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("call table %v, want %v", got, want)
	}

	// Back to the conference (alice held), the rep leaves it: it runs on
	// without the rep, and switching to alice does not hold it.
	if _, err := b.SwitchTo(c1.ID()); err != nil {
		t.Fatal(err)
	}
	if !c3.Info().Held || c1.Info().Held {
		t.Fatalf("after SwitchTo the conference: conference %+v, alice %+v", c1.Info(), c3.Info())
	}
	if err := c1.Leave(); err != nil {
		t.Fatal(err)
	}
	bobHolds := strings.Count(bob.Log(), "a=sendonly")
	if _, err := b.SwitchTo(c3.ID()); err != nil {
		t.Fatal(err)
	}
	if info := c1.Info(); info.Held || !info.Left {
		t.Errorf("the conference the rep left was held: %+v", info)
	}
	for _, l := range c1.Legs() {
		if l.Info().Held {
			t.Errorf("a participant of the left conference is held: %+v", l.Info())
		}
	}
	if n := strings.Count(bob.Log(), "a=sendonly"); n != bobHolds {
		t.Errorf("bob saw %d more holds after the rep left", n-bobHolds)
	}
	b.Close()
	checkNoLeaks(t)
}

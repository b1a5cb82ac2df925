package app

import (
	"encoding/json"
	"testing"
	"time"
)

// mark returns the index of the next event in l.
func (l *evlog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.list)
}

// callAfter waits for an EvCall at or after index from for which pred
// holds.
func callAfter(t *testing.T, l *evlog, from int, what string, pred func(CallView) bool) CallView {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tm := time.AfterFunc(20*time.Second, func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer tm.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; ; {
		for ; i < len(l.list); i++ {
			var v CallView
			if l.list[i].name != EvCall.Name() || json.Unmarshal(l.list[i].data, &v) != nil {
				continue
			}
			if pred(v) {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		l.cond.Wait()
	}
}

// TestDialHoldsTheLiveCall: the window no longer holds calls itself: a
// second Dial holds the live call in the engine, the call list keeps the
// engine's order, and SwitchTo and Resume hold the other call.
func TestDialHoldsTheLiveCall(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs

	first, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, first.ID, "connected")
	second, err := s.Calls.Dial("101")
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "first held by the second dial", func(c CallView) bool { return c.ID == first.ID && c.Held })
	callState(t, log, second.ID, "connected")
	list, _ := s.Calls.List()
	if len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID || list[0].Account != demoAccountID {
		t.Fatalf("calls %+v: want the first then the second, on the demo line", list)
	}

	m := log.mark()
	if _, err := s.Calls.SwitchTo(first.ID); err != nil {
		t.Fatal(err)
	}
	callAfter(t, log, m, "second held by SwitchTo", func(c CallView) bool { return c.ID == second.ID && c.Held })
	callAfter(t, log, m, "first resumed", func(c CallView) bool { return c.ID == first.ID && !c.Held && c.State == "connected" })

	m = log.mark()
	if _, err := s.Calls.Resume(second.ID); err != nil {
		t.Fatal(err)
	}
	callAfter(t, log, m, "first held by Resume", func(c CallView) bool { return c.ID == first.ID && c.Held })
	callAfter(t, log, m, "second resumed", func(c CallView) bool { return c.ID == second.ID && !c.Held && c.State == "connected" })
}

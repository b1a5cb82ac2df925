package softphone_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

func regState(st softphone.RegState, reason string) func(softphone.Event) bool {
	return func(e softphone.Event) bool {
		r, ok := e.(softphone.RegistrationEvent)
		return ok && r.State == st && strings.Contains(r.Reason, reason)
	}
}

// TestReregisterAfterRegistrarRestart restarts Kamailio (its location
// table is in memory, so the restart forgets every binding) and requires
// the account, with default timing, to be registered again within 5 s of
// the registrar answering again: both for a quick restart that no probe
// saw as downtime, and for an outage long enough to be noticed.
func TestReregisterAfterRegistrarRestart(t *testing.T) {
	k := testlab.StartKamailio(t)
	_, ev := newPhone(t, k, "carol", phoneOpt{})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol"); err != nil {
		t.Fatal(err)
	}

	t.Run("quick restart", func(t *testing.T) {
		m := ev.mark()
		if err := k.Restart(); err != nil { // returns once Kamailio answers OPTIONS
			t.Fatal(err)
		}
		if _, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol"); err != nil {
			t.Fatalf("not registered again within 5 s of the restart: %v", err)
		}
		ev.wait(t, m, 5*time.Second, "reconnecting (binding lost)", regState(softphone.RegReconnecting, "lost our registration"))
		ev.wait(t, m, 5*time.Second, "registered", regState(softphone.RegRegistered, ""))
	})

	t.Run("outage", func(t *testing.T) {
		m := ev.mark()
		if err := k.Stop(); err != nil {
			t.Fatal(err)
		}
		ev.wait(t, m, 15*time.Second, "reconnecting (registrar silent)", regState(softphone.RegReconnecting, "not answering"))
		m = ev.mark()
		if err := k.Restart(); err != nil {
			t.Fatal(err)
		}
		if _, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol"); err != nil {
			t.Fatalf("not registered again within 5 s of the registrar's return: %v", err)
		}
		ev.wait(t, m, 5*time.Second, "registered", regState(softphone.RegRegistered, ""))
	})
}

// TestReregisterOnNetworkChange swaps the host addresses the network
// watch sees and expects an immediate re-registration, long before the
// refresh (300 s) would have sent one.
func TestReregisterOnNetworkChange(t *testing.T) {
	k := testlab.StartKamailio(t)
	var mu sync.Mutex
	addrs := []string{"127.0.0.1/8", "192.0.2.10/24"}
	source := func() ([]string, error) {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), addrs...), nil
	}
	_, ev := newPhone(t, k, "carol", phoneOpt{extra: []softphone.Option{softphone.WithNetwork(source, 50*time.Millisecond)}})
	waitRegistered(t, ev)

	m := ev.mark()
	mu.Lock()
	addrs = []string{"127.0.0.1/8", "198.51.100.7/24"} // moved to another network
	mu.Unlock()
	ev.wait(t, m, 5*time.Second, "reconnecting (network changed)", regState(softphone.RegReconnecting, "network changed"))
	ev.wait(t, m, 5*time.Second, "registered again", regState(softphone.RegRegistered, ""))
	if _, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol"); err != nil {
		t.Fatal(err)
	}
}

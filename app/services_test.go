package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/demo"
	"github.com/pitchline/pitchline/softphone/media"
)

// evlog records the hub's events (decoded) so tests wait on them.
type evlog struct {
	mu   sync.Mutex
	cond *sync.Cond
	list []wireEvent
}

func watch(t *testing.T, h *hub) *evlog {
	l := &evlog{}
	l.cond = sync.NewCond(&l.mu)
	ch, cancel := h.subscribe()
	t.Cleanup(cancel)
	go func() {
		for ev := range ch {
			l.mu.Lock()
			l.list = append(l.list, ev)
			l.cond.Broadcast()
			l.mu.Unlock()
		}
	}()
	return l
}

// waitFor returns the payload of the first event named name (from index
// from on) for which pred holds.
func waitFor[T any](t *testing.T, l *evlog, ev Event[T], what string, pred func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	tm := time.AfterFunc(20*time.Second, func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer tm.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; ; {
		for ; i < len(l.list); i++ {
			if l.list[i].name != ev.Name() {
				continue
			}
			var v T
			if err := json.Unmarshal(l.list[i].data, &v); err != nil {
				t.Fatalf("%s payload: %v", ev.Name(), err)
			}
			if pred(v) {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s); %d events", ev.Name(), what, len(l.list))
		}
		l.cond.Wait()
	}
}

// startApp starts an App's backend on the demo line with a real engine, a
// real store in dir, the null audio device and the OS keychain of the
// tests (kc; see keychain_test.go).
func startApp(t *testing.T, dir string, kc *testKeychain) (*App, *evlog) {
	a, l, _ := startAppRelease(t, dir, kc)
	return a, l
}

// startAppRelease is startApp that also returns the (idempotent) release.
func startAppRelease(t *testing.T, dir string, kc *testKeychain) (*App, *evlog, func()) {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	a, _ := newTestApp(t, WithDataDir(dir), WithAudioBackend(nb),
		WithDemoOptions(demo.WithRingFor(100*time.Millisecond), demo.WithCallbackDelay(200*time.Millisecond)))
	log := watch(t, a.hub)
	rel, err := a.startBackend(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	release := sync.OnceFunc(rel)
	t.Cleanup(release)
	waitFor(t, log, EvAccount, "registered", func(v AccountView) bool { return v.Demo && v.State == "registered" })
	return a, log, release
}

func callState(t *testing.T, l *evlog, id, state string) CallView {
	t.Helper()
	return waitFor(t, l, EvCall, state, func(v CallView) bool { return (id == "" || v.ID == id) && v.State == state })
}

func TestServicesOnDemoLine(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs

	snap, err := s.System.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Demo.Active || len(snap.Demo.Numbers) < 4 || len(snap.Accounts) != 1 || snap.Accounts[0].Label != "Demo line" {
		t.Fatalf("snapshot demo/accounts: %+v %+v", snap.Demo, snap.Accounts)
	}

	// Contacts come from the seeded store.
	hits, err := s.Contacts.Search("Mar", 20)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, h := range hits {
		names[h.Contact.Name] = true
	}
	if !names["Margaret Lee"] || !names["Simon Martin"] {
		t.Fatalf("search Mar: %v", names)
	}

	// A call through the engine to the demo line.
	v, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "ringing")
	callState(t, log, v.ID, "connected")
	tick := waitFor(t, log, EvTick, "timer running", func(tk Tick) bool {
		return len(tk.Calls) == 1 && tk.Calls[0].ID == v.ID && tk.Calls[0].DurationMs > 0 && tk.Levels.Active
	})
	_ = tick
	if _, err := s.Calls.Mute(v.ID, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "muted", func(c CallView) bool { return c.ID == v.ID && c.Muted })
	if _, err := s.Calls.Hold(v.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "held", func(c CallView) bool { return c.ID == v.ID && c.Held })
	if _, err := s.Calls.Resume(v.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "resumed", func(c CallView) bool { return c.ID == v.ID && !c.Held && c.State == "connected" })
	if _, err := s.Calls.SendDTMF(v.ID, "12#"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Calls.SetNotes(v.ID, "asked for a quote"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Devices.SelectOutput(audio.NullDeviceID); err != nil {
		t.Fatalf("switch output mid-call: %v", err)
	}
	if _, err := s.Calls.Hangup(v.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "ended")
	h := waitFor(t, log, EvHistory, "logged", func(e HistoryEntry) bool { return e.ID == v.ID })
	if h.Direction != "outbound" || h.Notes != "asked for a quote" || h.Status != "completed" {
		t.Fatalf("history entry %+v", h)
	}
	list, err := s.History.List(HistoryFilter{Direction: "outbound"})
	if err != nil || len(list) != 1 || list[0].ID != v.ID {
		t.Fatalf("history list: %v %+v", err, list)
	}

	// Busy.
	b, err := s.Calls.Dial("486")
	if err != nil {
		t.Fatal(err)
	}
	if e := callState(t, log, b.ID, "ended"); e.Cause != "busy" || e.Status != 486 {
		t.Fatalf("486 ended %+v", e)
	}

	// Callback: an inbound call with caller ID from the demo contacts.
	cb, err := s.Calls.Dial("300")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, cb.ID, "ended")
	in := waitFor(t, log, EvCall, "incoming", func(c CallView) bool { return c.Direction == "inbound" && c.State == "incoming" })
	if !in.CallerID.Known || in.CallerID.Name != "Margaret Lee" || in.CallerID.Company != "Marcom" {
		t.Fatalf("caller ID %+v", in.CallerID)
	}
	if _, err := s.Calls.Answer(in.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, in.ID, "connected")
	if _, err := s.Calls.Hangup(in.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, in.ID, "ended")

	// Redial dials the last number.
	r, err := s.Calls.Redial()
	if err != nil || r.Number != "300" {
		t.Fatalf("redial: %v %+v", err, r)
	}
	if _, err := s.Calls.Hangup(r.ID); err != nil && !errors.Is(err, softphone.ErrNoSuchCall) {
		t.Fatal(err)
	}

	// Errors carry codes.
	for _, tc := range []struct {
		err  error
		code string
	}{
		{second(s.Calls.Dial("")), CodeInvalidArgument},
		{second(s.Calls.Hangup("nope")), "no_such_call"},
		{second(s.Settings.Save(SettingsView{Language: "fr", DefaultCountry: "US"})), CodeInvalidArgument},
		{second(s.History.List(HistoryFilter{Since: "yesterday"})), CodeInvalidArgument},
		{second(s.Accounts.Remove("demo")), CodeInvalidArgument},
		{second(s.Devices.TestTone("nowhere")), CodeInvalidArgument},
	} {
		if got := a.errfmt.Payload(tc.err); got.Code != tc.code {
			t.Errorf("%v: code %q, want %q", tc.err, got.Code, tc.code)
		}
	}
}

// second returns the error of a (T, error) pair.
func second[T any](_ T, err error) error {
	if err == nil {
		return fmt.Errorf("no error")
	}
	return err
}

func TestSettingsAndAccountsPersist(t *testing.T) {
	dir := t.TempDir()
	kc := newKeychain(t)
	a, log, release := startAppRelease(t, dir, kc)
	saved, err := a.svcs.Settings.Save(SettingsView{Language: "ja", DefaultCountry: "jp", Ringtone: "soft",
		ForwardTo: "+81312345678", Scripts: []ScriptView{{Name: "Intro", Body: "Hi {{contact.first_name}}", Default: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if saved.DefaultCountry != "JP" || len(saved.Scripts) != 1 || saved.Scripts[0].ID == 0 {
		t.Fatalf("saved %+v", saved)
	}
	waitFor(t, log, EvSettings, "settings", func(s SettingsView) bool { return s.Language == "ja" })
	if _, err := a.svcs.Accounts.SetDND(true); err != nil {
		t.Fatal(err)
	}
	// An account pointing at a registrar nobody runs: saved, password in
	// the keychain, calls go out from it (the demo line stays, last).
	av, err := a.svcs.Accounts.Save(AccountInput{AOR: "sip:carol@127.0.0.1:9", OutboundProxy: "sip:127.0.0.1:19", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if av.Demo || !av.Active || !av.HasPassword {
		t.Fatalf("saved account %+v", av)
	}
	if pw, _ := kc.Get(KeychainService, "sip:carol@127.0.0.1:9"); pw != "s3cret" {
		t.Fatalf("keychain holds %q", pw)
	}
	if raw, _, _ := a.core.st.GetSetting(context.Background(), keyAccounts); raw == "" || strings.Contains(raw, "s3cret") {
		t.Fatalf("stored accounts %q (must exist and never hold the password)", raw)
	}
	if _, err := a.svcs.Accounts.Save(AccountInput{AOR: "not a uri at all"}); err == nil {
		t.Fatal("bad AOR accepted")
	}
	// Restart on the same data directory.
	release()
	b, _ := startAppNoWait(t, dir, kc)
	got, err := b.svcs.Settings.Get()
	if err != nil {
		t.Fatal(err)
	}
	if got.Language != "ja" || got.DefaultCountry != "JP" || got.Ringtone != "soft" || got.ForwardTo != "+81312345678" ||
		len(got.Scripts) != 1 || got.Scripts[0].Body != "Hi {{contact.first_name}}" {
		t.Fatalf("after restart: %+v", got)
	}
	accts, _ := b.svcs.Accounts.List()
	if len(accts) != 2 || accts[0].AOR != "sip:carol@127.0.0.1:9" || !accts[0].DND || accts[0].OutboundProxy != "sip:127.0.0.1:19" || !accts[1].Demo {
		t.Fatalf("accounts after restart: %+v", accts)
	}
	left, err := b.svcs.Accounts.Remove("sip:carol@127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || !left[0].Demo {
		t.Fatalf("after removing the only account the demo line returns: %+v", left)
	}
	if _, err := kc.Get(KeychainService, "sip:carol@127.0.0.1:9"); err == nil {
		t.Fatal("password left in the keychain")
	}
}

// mediaStats builds RTP statistics for qualityOf.
func mediaStats(recv, lost int64, jitter float64) media.Stats {
	return media.Stats{PacketsReceived: recv, Lost: lost, JitterMs: jitter}
}

// startAppNoWait starts an App without waiting for a registration.
func startAppNoWait(t *testing.T, dir string, kc *testKeychain) (*App, *evlog) {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nb.Close() })
	a, _ := newTestApp(t, WithDataDir(dir), WithAudioBackend(nb))
	log := watch(t, a.hub)
	release, err := a.startBackend(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(release)
	return a, log
}

func TestQuality(t *testing.T) {
	if q := qualityOf(mediaStats(0, 0, 0)); q.Level != "unknown" {
		t.Fatalf("no packets: %s", q.Level)
	}
	for _, tc := range []struct {
		recv, lost int64
		jitter     float64
		want       string
	}{{1000, 0, 5, "good"}, {1000, 20, 5, "fair"}, {1000, 0, 40, "fair"}, {900, 100, 5, "poor"}, {1000, 0, 80, "poor"}} {
		if q := qualityOf(mediaStats(tc.recv, tc.lost, tc.jitter)); q.Level != tc.want {
			t.Errorf("%d/%d/%.0f: %s, want %s", tc.recv, tc.lost, tc.jitter, q.Level, tc.want)
		}
	}
}

package dialer

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// peerWAV copies an AMD corpus file followed by 30 s of silence (baresip's
// aufile hangs up at the end of its file).
func peerWAV(t *testing.T, name string) string {
	t.Helper()
	rate, s, err := testlab.ReadWAV(filepath.Join("amd", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s = append(s, make([]int16, 30*rate)...)
	out := filepath.Join(t.TempDir(), name)
	if err := testlab.WriteWAV(out, rate, s); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPhoneEngineAMDAndVoicemailDrop: a power session on a real
// softphone.Phone (PhoneEngine: the engine's audio tap and PlayToRemote)
// calls a human and a machine baresip peer through Kamailio. The human is
// classified human and connected; the machine is classified machine,
// never connected, gets the voicemail after its beep and ends "Left
// voicemail". Every goroutine (session, tap readers, AMD, engine, phone)
// has stopped once they are closed.
func TestPhoneEngineAMDAndVoicemailDrop(t *testing.T) {
	noLeak(t)
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithSourceWAV(peerWAV(t, "human-tune-02.wav")))
	testlab.StartBaresip(t, "carol", testlab.WithAccount("carol", k.Password("carol"), k.Addr(), "udp"),
		testlab.WithSourceWAV(peerWAV(t, "machine-tune-01.wav")))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, u := range []string{"bob", "carol"} {
		if _, err := k.WaitRegistered(ctx, u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
	}
	vm := filepath.Join(t.TempDir(), "vm.wav")
	if err := testlab.WriteToneWAV(vm, 700, 2); err != nil {
		t.Fatal(err)
	}

	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	phone, err := softphone.NewPhone(softphone.Config{
		Account: softphone.AccountConfig{AOR: "sip:alice@" + k.Addr(), Password: k.Password("alice"), Transport: "udp", Register: true},
		Listen:  "127.0.0.1:0",
	}, softphone.WithAudio(nb, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer phone.Close()
	pev, unsub := phone.Subscribe()
	if err := phone.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for registered := false; !registered; {
		select {
		case ev := <-pev:
			if r, ok := ev.(softphone.RegistrationEvent); ok {
				if r.State == softphone.RegFailed {
					t.Fatalf("registration failed: %s", r.Reason)
				}
				registered = r.State == softphone.RegRegistered
			}
		case <-ctx.Done():
			t.Fatal("alice not registered")
		}
	}
	unsub()

	eng, err := NewPhoneEngine(phone)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	det, err := NewAMD(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer det.Close()
	st, _ := openStore(t)
	l := &List{Name: "amd", Settings: DefaultSettings()}
	l.Settings.Mode = ModePower
	for _, u := range []string{"bob", "carol"} {
		n, err := ParseNumber("sip:"+u+"@"+k.Addr(), "US")
		if err != nil {
			t.Fatal(err)
		}
		l.Contacts = append(l.Contacts, Contact{Name: u, Numbers: []Number{n}})
	}
	noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	s, err := NewSession(ctx, st, eng, l, WithSessionClock(func() time.Time { return noon }), WithRepZone(time.UTC),
		WithRingTimeout(30*time.Second), WithClassifier(det.Classify), WithVoicemailDrop(vm, det.Drop))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	amdRes, dropped, outcomes := map[string]AMDResult{}, map[string]bool{}, map[string]string{}
	for _, ev := range evs {
		switch ev.Kind {
		case EventAMD:
			amdRes[ev.Contact] = ev.AMD
		case EventVoicemailDropped:
			dropped[ev.Contact] = true
		case EventOutcomeSaved:
			outcomes[ev.Contact] = ev.Outcome
		}
	}
	if amdRes["bob"] != AMDHuman || amdRes["carol"] != AMDMachine {
		t.Errorf("amd %v, want bob human, carol machine", amdRes)
	}
	if !dropped["carol"] || dropped["bob"] {
		t.Errorf("voicemail dropped for %v, want carol only", dropped)
	}
	if outcomes["bob"] != "Connected" || outcomes["carol"] != "Left voicemail" {
		t.Errorf("outcomes %v, want bob Connected, carol Left voicemail", outcomes)
	}
	if c := s.Snapshot().Counters; c.Connected != 1 || c.Voicemail != 1 {
		t.Errorf("counters %+v, want 1 connected, 1 voicemail", c)
	}
}

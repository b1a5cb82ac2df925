package dialer

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testenv"
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
// never connected, gets the voicemail (an MP3) after its beep (its own
// recording holds the MP3's tone) and ends "Left voicemail". Every goroutine (session, tap readers, AMD, engine, phone)
// has stopped once they are closed.
func TestPhoneEngineAMDAndVoicemailDrop(t *testing.T) {
	noLeak(t)
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithSourceWAV(peerWAV(t, "human-tune-02.wav")))
	machine := testlab.StartBaresip(t, "carol", testlab.WithAccount("carol", k.Password("carol"), k.Addr(), "udp"),
		testlab.WithSourceWAV(peerWAV(t, "machine-tune-01.wav")), testlab.WithRecording())
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, u := range []string{"bob", "carol"} {
		if _, err := k.WaitRegistered(ctx, u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
	}
	// The voicemail is an MP3 (a rep's upload): 2 s of 700 Hz.
	testenv.RequireTool(t, "lame", "apt-get install lame; it encodes the voicemail MP3")
	vmWAV, vm := filepath.Join(t.TempDir(), "vm.wav"), filepath.Join(t.TempDir(), "vm.mp3")
	if err := testlab.WriteWAV(vmWAV, 48000, testlab.ToneSamples(700, 48000, 2*48000, 0.5)); err != nil {
		t.Fatal(err)
	}
	if b, err := exec.Command("lame", "--quiet", "-b", "96", vmWAV, vm).CombinedOutput(); err != nil {
		t.Fatalf("lame: %v %s", err, b)
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
	// What the machine peer received after its beep (4.445 s + 500 ms):
	// the MP3's 700 Hz.
	machine.Stop()
	recs, err := machine.Recordings("dec")
	if err != nil || len(recs) != 1 {
		t.Fatalf("machine recordings %v, %v", recs, err)
	}
	rate, rx, err := testlab.ReadWAV(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	// dec (what the peer receives) starts with our first packet, a little
	// after enc (its greeting from the start of the file); both end with
	// the call: aligned at their ends, the onset is on the greeting's
	// clock.
	encs, err := machine.Recordings("enc")
	if err != nil || len(encs) != 1 {
		t.Fatalf("machine recordings (enc) %v, %v", encs, err)
	}
	encRate, enc, err := testlab.ReadWAV(encs[0])
	if err != nil {
		t.Fatal(err)
	}
	secs := func(n, r int) time.Duration { return time.Duration(n) * time.Second / time.Duration(r) }
	at := toneOnset(rx, rate, 700)
	if at >= 0 {
		at += secs(len(enc), encRate) - secs(len(rx), rate)
	}
	t.Logf("the machine peer heard the voicemail from %v of its greeting (the beep ends at 4.945 s)", at)
	if at < 4945*time.Millisecond-100*time.Millisecond {
		t.Errorf("voicemail heard from %v of the greeting, want it after the beep ends at 4.945 s (-1: never)", at)
	}
}

// toneOnset returns where freq first holds in s (100 ms windows, power
// above 0.02: the voicemail tone's is about 0.2), or -1.
func toneOnset(s []int16, rate int, freq float64) time.Duration {
	w := rate / 10
	for i := 0; i+w <= len(s); i += w / 2 {
		if dsp.Goertzel(s[i:i+w], rate, freq) > 0.02 {
			return time.Duration(i) * time.Second / time.Duration(rate)
		}
	}
	return -1
}

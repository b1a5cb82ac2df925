package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

// corpusPeerWAV copies a file of the AMD corpus (softphone/dialer/amd/
// testdata, 8 kHz) followed by pad of silence, so that baresip's aufile,
// which hangs up at the end of its file, stays on the line after it has
// "spoken": a human waits for an answer, a machine records.
func corpusPeerWAV(t *testing.T, dir, name string, pad time.Duration) string {
	t.Helper()
	rate, s, err := testlab.ReadWAV(filepath.Join("..", "softphone", "dialer", "amd", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	s = append(s, make([]int16, int(pad.Seconds()*float64(rate)))...)
	out := filepath.Join(dir, "peer-"+name)
	if err := testlab.WriteWAV(out, rate, s); err != nil {
		t.Fatal(err)
	}
	return out
}

// humanVoice makes a baresip peer answer like a person (every answer is
// classified, and baresip's default tone is a machine's beep): a short
// corpus "Hello, who's calling?", then silence while it listens.
func humanVoice(t *testing.T) testlab.BaresipOption {
	return testlab.WithSourceWAV(corpusPeerWAV(t, t.TempDir(), "human-tune-02.wav", 60*time.Second))
}

// TestDialerRunDropsVoicemailAfterTheBeep (ISSUE11 §3, §6): power mode,
// and parallel mode with both lines ringing at once, work a list of a human (a baresip peer answering with a short corpus
// "Hello, who's calling?" and then waiting) and a machine (a baresip peer
// answering with a corpus greeting that ends with a 500 ms beep at
// 4.445 s). The human is classified human and connected to the rep
// (outcome Connected); the machine is classified machine, is never
// connected, and gets the --voicemail file (a 4 s 700 Hz tone) after its
// beep: the machine peer's own recording of what it received holds no
// 700 Hz before the beep and the tone after it. The outcome is "Left
// voicemail", counted as a voicemail.
func TestDialerRunDropsVoicemailAfterTheBeep(t *testing.T) {
	for _, mode := range []string{"power", "parallel"} {
		t.Run(mode, func(t *testing.T) { testVoicemailDrop(t, mode) })
	}
}

func testVoicemailDrop(t *testing.T, mode string) {
	const (
		vmHz    = 700
		beepEnd = (4445 + 500) * time.Millisecond // machine-tune-01.wav, manifest.csv
	)
	dir := t.TempDir()
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	human := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		humanVoice(t))
	machine := testlab.StartBaresip(t, "carol", testlab.WithAccount("carol", k.Password("carol"), k.Addr(), "udp"),
		testlab.WithSourceWAV(corpusPeerWAV(t, dir, "machine-tune-01.wav", 30*time.Second)), testlab.WithRecording())
	voicemail := filepath.Join(dir, "voicemail.wav")
	if err := testlab.WriteToneWAV(voicemail, vmHz, 4); err != nil {
		t.Fatal(err)
	}
	uri := func(u string) string { return "sip:" + u + "@" + k.Addr() }
	list := writeFile(t, dir, "amd.csv", "name,phone\n"+
		"Bob Human,"+uri("bob")+"\n"+
		"Carol Machine,"+uri("carol")+"\n")
	lines := "1"
	if mode == "parallel" {
		lines = "2"
	}
	p := startDialer(t, []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")},
		"--sip-uri", uri("alice"), "--password-env", "ALICE_PW", "--audio", "null",
		"--list", list, "--mode", mode, "--lines", lines, "--calling-hours", "00:00-23:59", "--now", "2026-03-02T15:00:00Z",
		"--talk", "1s", "--voicemail", voicemail, "--ring-timeout", "20s",
		"--data-dir", filepath.Join(dir, "data"), "--json")
	if code := p.finish(t, 3*time.Minute); code != 0 {
		t.Fatalf("exit %d\nstdout %v\nstderr %s", code, p.all, p.stderr.String())
	}

	if mode == "parallel" {
		used := map[any]bool{}
		for _, m := range p.events("dial") {
			used[m["line"]] = true
		}
		if !used[float64(1)] || !used[float64(2)] {
			t.Errorf("parallel mode used lines %v, want the two contacts on lines 1 and 2", used)
		}
	}
	results := map[string]string{}
	for _, m := range p.events("amd") {
		results[fmt.Sprint(m["contact"])] = fmt.Sprint(m["result"])
		if ms, ok := m["decision_ms"].(float64); !ok || ms <= 0 {
			t.Errorf("amd event %v: decision_ms must be a positive number", m)
		}
	}
	if results["Bob Human"] != "human" || results["Carol Machine"] != "machine" || len(results) != 2 {
		t.Errorf("amd %v, want Bob human and Carol machine\nstderr %s", results, p.stderr.String())
	}
	if d := p.events("voicemail_dropped"); len(d) != 1 || d[0]["contact"] != "Carol Machine" {
		t.Errorf("voicemail_dropped %v, want Carol Machine once", d)
	}
	outcomes := map[string]string{}
	for _, m := range p.events("outcome_saved") {
		outcomes[fmt.Sprint(m["contact"])] = fmt.Sprint(m["outcome"])
	}
	if outcomes["Bob Human"] != "Connected" || outcomes["Carol Machine"] != "Left voicemail" {
		t.Errorf("outcomes %v, want Bob Connected and Carol Left voicemail", outcomes)
	}
	end := p.events("session_ended")
	if len(end) != 1 || end[0]["connected"] != float64(1) || end[0]["voicemail"] != float64(1) || end[0]["dialled"] != float64(2) {
		t.Errorf("session_ended %v, want 2 dialled, 1 connected, 1 voicemail", end)
	}

	machine.Stop() // closes its recordings
	recs, err := machine.Recordings("dec")
	if err != nil || len(recs) != 1 {
		t.Fatalf("machine peer recordings: %v %v", recs, err)
	}
	rate, s, err := testlab.ReadWAV(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	// The peer's recording of what it receives (dec) starts with our
	// first packet, a little after the one of what it sends (enc: its
	// greeting from the start of the file); both end when the call does.
	// Aligned at their ends, the voicemail's onset in dec is put on the
	// greeting's clock. 100 ms windows; the tone's power is about 0.2.
	encs, err := machine.Recordings("enc")
	if err != nil || len(encs) != 1 {
		t.Fatalf("machine peer recordings (enc): %v %v", encs, err)
	}
	encRate, enc, err := testlab.ReadWAV(encs[0])
	if err != nil {
		t.Fatal(err)
	}
	secs := func(n, r int) time.Duration { return time.Duration(n) * time.Second / time.Duration(r) }
	shift := secs(len(enc), encRate) - secs(len(s), rate)
	onset := time.Duration(-1)
	for i, w := 0, rate/10; i+w <= len(s); i += w / 2 {
		if dsp.Goertzel(s[i:i+w], rate, vmHz) > 0.02 {
			onset = secs(i, rate) + shift
			break
		}
	}
	t.Logf("the machine peer heard the voicemail from %v of its greeting (recordings %v and %v long; the beep ends at %v)",
		onset, secs(len(enc), encRate), secs(len(s), rate), beepEnd)
	if onset < beepEnd-100*time.Millisecond {
		t.Errorf("the machine peer heard the voicemail (%d Hz) from %v of its greeting, want it after the beep ends at %v (-1: never)", vmHz, onset, beepEnd)
	}
	if n := len(baresipCalls(human)); n != 1 {
		t.Errorf("the human peer saw %d calls, want 1", n)
	}
}

// TestDialerRunRefusesUnplayableVoicemail: a --voicemail file that is
// neither WAV nor MP3 is refused with a clear message before anything is
// dialled (no registrar is even contacted: the address is a closed port).
func TestDialerRunRefusesUnplayableVoicemail(t *testing.T) {
	dir := t.TempDir()
	list := writeFile(t, dir, "l.csv", "name,phone\nBob,sip:bob@127.0.0.1:9\n")
	notes := writeFile(t, dir, "notes.txt", "call me back\n")
	p := startDialer(t, []string{"ALICE_PW=x"}, "--sip-uri", "sip:alice@127.0.0.1:9", "--password-env", "ALICE_PW",
		"--audio", "null", "--list", list, "--voicemail", notes, "--data-dir", filepath.Join(dir, "data"), "--json")
	if code := p.finish(t, time.Minute); code == 0 {
		t.Fatalf("exit 0 with an unplayable voicemail; stdout %v", p.all)
	}
	if msg := p.stderr.String(); !strings.Contains(msg, "--voicemail "+notes+": cannot play the file (WAV or MP3)") {
		t.Errorf("stderr %q does not say the voicemail file cannot be played", msg)
	}
	if d := p.events("dial"); len(d) != 0 {
		t.Errorf("dialled %v", d)
	}
}

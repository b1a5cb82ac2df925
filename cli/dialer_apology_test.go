package cli_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

// TestDialerRunParallelDoubleAnswerHearsApology (ISSUE11 §2 parallel): two
// humans (baresip peers answering with a short "Hello, who's calling?")
// answer two parallel lines together. The first classified human is
// connected to the rep; the second is abandoned: it hears the apology
// prompt (the default one, speech made with espeak-ng) and is then hung
// up, counted abandoned. Each peer records what it received: the
// abandoned one's recording holds seconds of speech, the connected one's
// only the rep's silence (--audio null).
func TestDialerRunParallelDoubleAnswerHearsApology(t *testing.T) {
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	peers := map[string]*testlab.Baresip{
		"Bob Human":   testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), humanVoice(t), testlab.WithRecording()),
		"Carol Human": testlab.StartBaresip(t, "carol", testlab.WithAccount("carol", k.Password("carol"), k.Addr(), "udp"), humanVoice(t), testlab.WithRecording()),
	}
	dir := t.TempDir()
	uri := func(u string) string { return "sip:" + u + "@" + k.Addr() }
	list := writeFile(t, dir, "list.csv", "name,phone\nBob Human,"+uri("bob")+"\nCarol Human,"+uri("carol")+"\n")
	// The rep talks long enough for the second line to be classified
	// (and abandoned) while the first is connected.
	p := startDialer(t, []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")},
		"--sip-uri", uri("alice"), "--password-env", "ALICE_PW", "--audio", "null",
		"--list", list, "--mode", "parallel", "--lines", "2", "--now", "2026-03-02T15:00:00Z", "--talk", "8s",
		"--calling-hours", "00:00-23:59", "--ring-timeout", "20s", "--data-dir", filepath.Join(dir, "data"), "--json")
	if code := p.finish(t, 3*time.Minute); code != 0 {
		t.Fatalf("exit %d\nstdout %v\nstderr %s", code, p.all, p.stderr.String())
	}
	results := map[string]string{}
	for _, m := range p.events("ended") {
		results[fmt.Sprint(m["contact"])] = fmt.Sprint(m["result"])
	}
	var connected, abandoned string
	for name, r := range results {
		switch r {
		case "connected":
			connected = name
		case "abandoned":
			abandoned = name
		}
	}
	if len(results) != 2 || connected == "" || abandoned == "" {
		t.Fatalf("results %v, want one connected and one abandoned\nstderr %s", results, p.stderr.String())
	}
	end := p.events("session_ended")
	if len(end) != 1 || end[0]["connected"] != float64(1) || end[0]["abandoned"] != float64(1) || end[0]["dialled"] != float64(2) {
		t.Errorf("session_ended %v, want 2 dialled, 1 connected, 1 abandoned", end)
	}

	// speech is how long a peer heard sound: 100 ms windows above -30 dBFS.
	speech := func(name string) time.Duration {
		b := peers[name]
		b.Stop() // closes its recordings
		recs, err := b.Recordings("dec")
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s: recordings %v %v", name, recs, err)
		}
		rate, s, err := testlab.ReadWAV(recs[0])
		if err != nil {
			t.Fatal(err)
		}
		var d time.Duration
		for i, w := 0, rate/10; i+w <= len(s); i += w {
			if dsp.RMS(s[i:i+w]) > 0.03 {
				d += 100 * time.Millisecond
			}
		}
		t.Logf("%s heard %v of sound in a %v recording", name, d, time.Duration(len(s))*time.Second/time.Duration(rate))
		return d
	}
	// The prompt is 4.2 s with pauses between words; its sounding part is
	// well over 1.5 s.
	if d := speech(abandoned); d < 1500*time.Millisecond {
		t.Errorf("the abandoned contact %s heard %v of sound, want the apology prompt", abandoned, d)
	}
	if d := speech(connected); d > 500*time.Millisecond {
		t.Errorf("the connected contact %s heard %v of sound, want the rep's silence (no prompt)", connected, d)
	}
}

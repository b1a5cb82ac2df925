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

// TestDialerRunParallelDoubleAnswerHearsApology (ISSUE11 §2 parallel): two
// humans (baresip peers answering with a short "Hello, who's calling?")
// answer two parallel lines together. The first classified human is
// connected to the rep; the second is abandoned: it hears the apology
// prompt (the default one, speech made with espeak-ng) and is then hung
// up, counted abandoned. Each peer records what it received: the
// abandoned one's recording holds seconds of speech, the connected one's
// only the rep's silence (--audio null).
func TestDialerRunParallelDoubleAnswerHearsApology(t *testing.T) {
	runDoubleAnswer(t, "")
}

// TestDialerRunApologyFlag: with --apology FILE (a 3 s 1100 Hz tone) the
// abandoned contact of a double answer hears that file, not the bundled
// prompt: its recording holds the tone (Goertzel at 1100 Hz far above a
// nearby frequency) for seconds.
func TestDialerRunApologyFlag(t *testing.T) {
	dir := t.TempDir()
	prompt := filepath.Join(dir, "sorry.wav")
	if err := testlab.WriteToneWAV(prompt, apologyHz, 3); err != nil {
		t.Fatal(err)
	}
	runDoubleAnswer(t, prompt)
}

// apologyHz is the tone of TestDialerRunApologyFlag's prompt.
const apologyHz = 1100

// runDoubleAnswer is the double-answer run with the bundled prompt
// (apology "") or --apology apology.
func runDoubleAnswer(t *testing.T, apology string) {
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
	args := []string{"--sip-uri", uri("alice"), "--password-env", "ALICE_PW", "--audio", "null",
		"--list", list, "--mode", "parallel", "--lines", "2", "--now", "2026-03-02T15:00:00Z", "--talk", "8s",
		"--calling-hours", "00:00-23:59", "--ring-timeout", "20s", "--data-dir", filepath.Join(dir, "data"), "--json"}
	if apology != "" {
		args = append(args, "--apology", apology)
	}
	p := startDialer(t, []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")}, args...)
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

	// heard returns a peer's recording (its rate and samples).
	heard := func(name string) (int, []int16) {
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
		return rate, s
	}
	// speech is how long a peer heard sound: 100 ms windows above -30 dBFS;
	// tone, of those, how long the --apology tone (apologyHz) dominated.
	speech := func(name string) (d, tone time.Duration) {
		rate, s := heard(name)
		for i, w := 0, rate/10; i+w <= len(s); i += w {
			if dsp.RMS(s[i:i+w]) > 0.03 {
				d += 100 * time.Millisecond
				if on, off := dsp.Goertzel(s[i:i+w], rate, apologyHz), dsp.Goertzel(s[i:i+w], rate, apologyHz*1.05); on > 100*off {
					tone += 100 * time.Millisecond
				}
			}
		}
		t.Logf("%s heard %v of sound (%v of it the %d Hz tone) in a %v recording", name, d, tone, apologyHz, time.Duration(len(s))*time.Second/time.Duration(rate))
		return d, tone
	}
	// The prompt is 4.2 s with pauses between words; its sounding part is
	// well over 1.5 s.
	d, tone := speech(abandoned)
	if d < 1500*time.Millisecond {
		t.Errorf("the abandoned contact %s heard %v of sound, want the apology prompt", abandoned, d)
	}
	// The bundled prompt is speech: the tone dominates little of it; the
	// --apology file is 3 s of nothing else.
	if apology == "" && tone > d/2 {
		t.Errorf("the abandoned contact heard %v of a %d Hz tone in %v of sound with the bundled prompt", tone, apologyHz, d)
	}
	if apology != "" && (tone < 1500*time.Millisecond || tone < d*8/10) {
		t.Errorf("the abandoned contact %s heard %v of the --apology file's %d Hz tone (of %v sound), want its 3 s", abandoned, tone, apologyHz, d)
	}
	if d, _ := speech(connected); d > 500*time.Millisecond {
		t.Errorf("the connected contact %s heard %v of sound, want the rep's silence (no prompt)", connected, d)
	}
}

// TestDialerRunRefusesBadApology: an --apology file that cannot be played
// (text), or is longer than the prompt may be, is refused with a clear
// message and exit status 1 before anything is dialled (no registrar is
// even contacted: the address is a closed port).
func TestDialerRunRefusesBadApology(t *testing.T) {
	dir := t.TempDir()
	list := writeFile(t, dir, "l.csv", "name,phone\nBob,sip:bob@127.0.0.1:9\n")
	notes := writeFile(t, dir, "notes.txt", "sorry\n")
	long := filepath.Join(dir, "long.wav")
	if err := testlab.WriteToneWAV(long, 440, 20); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, why string }{{notes, "cannot be played (WAV or MP3)"}, {long, "is longer than 15s"}} {
		p := startDialer(t, []string{"ALICE_PW=x"}, "--sip-uri", "sip:alice@127.0.0.1:9", "--password-env", "ALICE_PW",
			"--audio", "null", "--list", list, "--mode", "parallel", "--lines", "2", "--apology", c.file,
			"--data-dir", filepath.Join(dir, "data"), "--json")
		if code := p.finish(t, time.Minute); code != 1 {
			t.Errorf("--apology %s: exit %d, want 1; stdout %v", filepath.Base(c.file), code, p.all)
		}
		msg := p.stderr.String()
		if !strings.Contains(msg, "--apology "+c.file+": cannot use the file as the apology prompt") || !strings.Contains(msg, c.why) {
			t.Errorf("stderr %q does not say why --apology %s cannot be used (%s)", msg, filepath.Base(c.file), c.why)
		}
		if d := p.events("dial"); len(d) != 0 {
			t.Errorf("dialled %v", d)
		}
	}
}

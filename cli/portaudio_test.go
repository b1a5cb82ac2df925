package cli_test

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

// TestPortAudioCallThroughCLI drives the real PortAudio path end to end:
// `pitchline call --audio default` against a private PulseAudio server with
// null sinks. A 1 kHz tone played into the virtual microphone must reach
// baresip (checked by frequency in its recording), and baresip's 400 Hz
// tone must come out of Pitchline's speaker (checked on the sink monitor).
func TestPortAudioCallThroughCLI(t *testing.T) {
	pulse := testlab.StartPulse(t)
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording())
	if _, err := k.WaitRegistered(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tone, err := pulse.PlayTone(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer tone.Stop()

	cmd := exec.CommandContext(ctx, bin, "call", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW",
		"--audio", "default", "--codecs", "PCMU", "--hangup-after", "6s", "--json", "bob")
	cmd.Env = append(append(os.Environ(), pulse.Env()...), "CAROL_PW="+k.Password("carol"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	answered := false
	var lines []string
	for !answered && sc.Scan() {
		lines = append(lines, sc.Text())
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["event"] == "answered" {
			answered = true
		}
	}
	if !answered {
		cmd.Wait()
		t.Fatalf("no answered event; stdout %v\nstderr %s", lines, stderr.String())
	}
	// What Pitchline plays to its speaker: the default sink's monitor.
	played, err := pulse.RecordSink(ctx, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pitchline: %v\nstdout %v\nstderr %s", err, lines, stderr.String())
	}

	played = played[len(played)/4:] // skip the jitter buffer's start-up
	if f, _ := dsp.DominantFrequency(played, testlab.PulseRate, 100, 3500, 5); math.Abs(f-400) > 15 {
		t.Errorf("speaker played %.0f Hz, want baresip's 400 Hz (rms %.0f)", f, dsp.RMS(played))
	}

	if _, err := bob.WaitEventType(ctx, "CALL_CLOSED"); err != nil {
		t.Fatal(err)
	}
	recs, err := bob.Recordings("dec")
	if err != nil || len(recs) == 0 {
		t.Fatalf("baresip recordings: %v %v", recs, err)
	}
	rate, heard, err := testlab.ReadWAV(recs[len(recs)-1])
	if err != nil {
		t.Fatal(err)
	}
	if len(heard) < 3*rate {
		t.Fatalf("baresip recorded only %d samples", len(heard))
	}
	heard = heard[rate : 3*rate]
	if f, _ := dsp.DominantFrequency(heard, rate, 100, 3500, 5); math.Abs(f-1000) > 15 {
		t.Errorf("baresip heard %.0f Hz from our microphone, want 1000 Hz (rms %.0f)", f, dsp.RMS(heard))
	}
}

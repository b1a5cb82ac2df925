//go:build linux

package webrtctest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

const (
	repTone = 1000.0 // the rep's --play
	bobTone = 400.0  // the SIP participant's microphone
)

// pitchlineBin is $PITCHLINE_BIN (make test sets it), else a headless
// build of this checkout.
func pitchlineBin(t *testing.T, root string) string {
	t.Helper()
	if b := os.Getenv("PITCHLINE_BIN"); b != "" {
		return b
	}
	b := filepath.Join(t.TempDir(), "pitchline")
	if out, err := exec.Command("go", "build", "-o", b, root).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return b
}

// confEvent is one --json line of `pitchline conference`.
type confEvent struct {
	Event           string `json:"event"`
	Time            string `json:"time"`
	Participant     string `json:"participant"`
	Cause           string `json:"cause"`
	URL             string `json:"url"`
	Remote          string `json:"remote"`
	PacketsReceived int64  `json:"packets_received"`
	at              time.Time
}

// TestConferenceWebJoin: `pitchline conference` (the rep, playing
// 1000 Hz) invites bob (baresip, 400 Hz) and serves a join link
// (--web-join 127.0.0.1:0). Headless Chromium, its fake microphone playing
// 660 Hz, opens the link: it shows up as participant "web", its page
// receives Opus at a speech level (getStats inbound-rtp), bob and the rep
// hear its 660 Hz, and pressing Leave ends its leg only
// (participant_left) while bob stays until he hangs up, which ends the
// conference (exit 0).
func TestConferenceWebJoin(t *testing.T) {
	requireBrowser(t)
	bin := pitchlineBin(t, repoRoot(t))

	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(bobTone), testlab.WithRecording())
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	play, rec, wavPath := filepath.Join(dir, "rep-mic.wav"), filepath.Join(dir, "rep-heard.wav"), filepath.Join(dir, "browser.wav")
	if err := testlab.WriteToneWAV(play, repTone, 120); err != nil {
		t.Fatal(err)
	}
	writeToneWAV(t, wavPath, browserTone, 120)

	conf := exec.CommandContext(ctx, bin, "conference", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW",
		"--audio", "null", "--play", play, "--record", rec, "--invite", "bob", "--web-join", "127.0.0.1:0", "--json")
	conf.Env = append(os.Environ(), "CAROL_PW="+k.Password("carol"))
	var confErr strings.Builder
	conf.Stderr = &confErr
	confOut, err := conf.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := conf.Start(); err != nil {
		t.Fatal(err)
	}
	confWaited := false
	var all []confEvent
	events := make(chan confEvent)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(confOut)
		for sc.Scan() {
			var e confEvent
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				e.Event = "not-json: " + sc.Text()
			}
			e.at, _ = time.Parse(time.RFC3339Nano, e.Time)
			events <- e
		}
	}()
	defer func() {
		if !confWaited {
			cancel()
			_ = conf.Wait()
		}
		if t.Failed() {
			t.Logf("pitchline stderr:\n%s", confErr.String())
		}
	}()
	// next returns the first event (from now on) that matches.
	next := func(what string, match func(confEvent) bool) confEvent {
		t.Helper()
		for {
			select {
			case e, ok := <-events:
				if !ok {
					t.Fatalf("pitchline exited before %s; events %+v", what, all)
				}
				all = append(all, e)
				if strings.HasPrefix(e.Event, "not-json") {
					t.Fatalf("pitchline --json printed %s", e.Event)
				}
				if match(e) {
					return e
				}
			case <-ctx.Done():
				t.Fatalf("no %s before the deadline; events %+v", what, all)
			}
		}
	}
	is := func(name, who string) func(confEvent) bool {
		return func(e confEvent) bool { return e.Event == name && e.Participant == who }
	}
	wj := next("web_join", is("web_join", "web"))
	if !strings.HasPrefix(wj.URL, "http://127.0.0.1:") || !strings.Contains(wj.URL, "/join/") {
		t.Fatalf("web_join url %q", wj.URL)
	}
	next("bob joined", is("participant_joined", "bob"))

	// The browser joins by the link.
	br := startDriver(t, ctx, wj.URL, wavPath)
	next("web joined", is("participant_joined", "web"))
	t.Logf("page: %s", br.expect("CONNECTED "))
	checkInboundOpus(t, br.expect("STATS "))
	// Pitchline has had three seconds of the browser's audio (150 packets
	// of 20 ms), so bob's recording holds enough of it.
	next("150 packets from the browser", func(e confEvent) bool {
		return e.Event == "rtp_stats" && e.Participant == "web" && e.PacketsReceived >= 150
	})

	br.send("LEAVE")
	br.expect("LEFT")
	left := next("web left", is("participant_left", "web"))
	if left.Cause != "remote_hangup" {
		t.Errorf("participant_left web: cause %q, want remote_hangup (the participant left)", left.Cause)
	}
	br.expect("REVISIT ")
	br.wait()

	// bob is still in the conference; his hang-up ends it.
	for _, e := range all {
		if e.Event == "participant_left" && e.Participant == "bob" || e.Event == "ended" {
			t.Fatalf("the browser leaving ended more than its leg: %+v", e)
		}
	}
	// Three more of bob's per-second statistics: his recording then holds
	// two seconds without the browser.
	for i := 0; i < 3; i++ {
		next("bob's statistics", is("rtp_stats", "bob"))
	}
	if _, err := bob.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	next("bob left", is("participant_left", "bob"))
	next("ended", func(e confEvent) bool { return e.Event == "ended" })
	for range events {
	}
	confWaited = true
	if err := conf.Wait(); err != nil {
		t.Fatalf("pitchline conference: %v", err)
	}

	// bob heard the browser (and the rep) while it was in, not himself.
	recs, err := bob.Recordings("dec")
	if err != nil || len(recs) == 0 {
		t.Fatalf("bob's recordings: %v %v", recs, err)
	}
	brate, bs, err := testlab.ReadWAV(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	// bob's recording is not lined up with wall-clock event times: on a
	// busy machine baresip's player falls behind and its jitter buffer
	// drops what it cannot play, so the recording is shorter than the call
	// but its end stays close to the hang-up. The browser's stay is its
	// strongest half second (Chromium's noise suppression fades a steady
	// tone within seconds; a voice is not faded); the browser is gone in
	// the recording's last second (bob hung up after three more seconds
	// of statistics, so at least two seconds without the browser).
	if len(bs) < 3*brate {
		t.Fatalf("bob's recording has %d samples at %d Hz, want at least three seconds", len(bs), brate)
	}
	hears(t, "bob (browser in)", strongest(bs, brate, browserTone), brate, []float64{browserTone, repTone}, []float64{bobTone})
	tail := bs[len(bs)-brate-brate/4 : len(bs)-brate/4]
	hears(t, "bob (browser gone)", tail, brate, []float64{repTone}, []float64{browserTone, bobTone})
	rrate, rs, err := testlab.ReadWAV(rec)
	if err != nil {
		t.Fatal(err)
	}
	// The rep's recording starts with the rep's audio, at no event time
	// this test sees: the browser's stay is its strongest half second.
	hears(t, "rep", rs, rrate, []float64{bobTone}, []float64{repTone})
	hears(t, "rep (browser in)", strongest(rs, rrate, browserTone), rrate, []float64{browserTone, bobTone}, []float64{repTone})
}

// strongest returns the half second of samples (stepping by a quarter
// second) where freq has the most Goertzel power.
func strongest(samples []int16, rate int, freq float64) []int16 {
	win := rate / 2
	if len(samples) < win {
		return samples
	}
	best, bp := 0, -1.0
	for i := 0; i+win <= len(samples); i += win / 2 {
		if p := dsp.Goertzel(samples[i:i+win], rate, freq); p > bp {
			bp, best = p, i
		}
	}
	return samples[best : best+win]
}

// hears is testlab.Hears (as cli's conference test), with the powers in
// the log.
func hears(t *testing.T, who string, samples []int16, rate int, present, absent []float64) {
	t.Helper()
	t.Logf("%s: powers %v", who, testlab.Hears(t, who, samples, rate, present, absent))
}

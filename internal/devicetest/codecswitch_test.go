package devicetest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// toneShare returns the share of the 100 ms windows of s (at rate) in
// which freq Hz has at least power min (dsp.Goertzel).
func toneShare(s []int16, rate int, freq, min float64) float64 {
	win := rate / 10
	n, hits := 0, 0
	for i := 0; i+win <= len(s); i += win {
		n++
		if dsp.Goertzel(s[i:i+win], rate, freq) >= min {
			hits++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(hits) / float64(n)
}

// TestCodecSwitchMidCallWithBaresip calls baresip (Opus first, PCMU
// beside it) with Opus, each side sending a tone (we 1 kHz, bob 1.5 kHz),
// then switches the call to G.711 with a re-INVITE offering PCMU only
// (Call.SetCodecs). Both sides move to PCMU (our send codec changes with
// the answer, bob's with our offer), and bob's 1.5 kHz keeps arriving in
// our 48 kHz recording after the switch, with no packet dropped for its
// payload type. baresip's recorder stops at a re-INVITE, so bob's side
// is checked by its recording before the switch (our 1 kHz and 6 kHz over
// Opus) and by its log after it (PCMU decoder and encoder set).
func TestCodecSwitchMidCallWithBaresip(t *testing.T) {
	const ours, theirs = 1000.0, 1500.0
	dir := t.TempDir()
	play := filepath.Join(dir, "carol.wav")
	// Beside our 1 kHz, a 6 kHz tone: a lone steady sine is taken for
	// background by Opus's DTX, which then sends almost nothing.
	twoTones(t, play, ours, 6000, 60)
	bobSrc := filepath.Join(dir, "bob.wav")
	if err := testlab.WriteWAV(bobSrc, 48000, testlab.ToneSamples(theirs, 48000, 48000*60, 0.3)); err != nil {
		t.Fatal(err)
	}
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithRecording(), testlab.WithOpus(),
		testlab.WithCodecs("opus/48000/1,PCMU/8000/1"), testlab.WithSourceRate(48000), testlab.WithSourceWAV(bobSrc))
	rec := filepath.Join(dir, "carol-rx.wav")
	p, ev := startCarol(t, false, softphone.WithPlayFile(play), softphone.WithRecordFile(rec))
	call, m := callBob(t, p, ev, bob)
	stats := func(from int, what string, pred func(softphone.StatsEvent) bool) softphone.StatsEvent {
		return ev.wait(t, from, 30*time.Second, what, func(e softphone.Event) bool {
			s, ok := e.(softphone.StatsEvent)
			return ok && s.CallID == call.ID() && pred(s)
		}).(softphone.StatsEvent)
	}
	before := stats(m, "3 s of Opus each way", func(s softphone.StatsEvent) bool {
		return s.Stats.PacketsReceived >= 150 && s.Stats.PacketsSent >= 150
	})
	if got := call.Info().Codec; got != "opus" {
		t.Fatalf("codec %q before the switch, want opus", got)
	}

	if err := call.SetCodecs(ctx(t, 20*time.Second), "PCMU"); err != nil {
		t.Fatalf("switch to PCMU: %v", err)
	}
	if got := call.Info().Codec; got != "PCMU" {
		t.Fatalf("codec %q after the G.711 re-INVITE, want PCMU", got)
	}
	// baresip's recording stops at a re-INVITE (testlab.WithRecording),
	// so its side of the switch shows in its log: both its decoder and
	// its encoder moved to PCMU.
	for _, line := range []string{"Set audio decoder: PCMU 8000Hz", "Set audio encoder: PCMU 8000Hz"} {
		if !strings.Contains(bob.Log(), line) {
			t.Errorf("bob's log lacks %q after our G.711 re-INVITE", line)
		}
	}
	m2 := ev.mark()
	// A StatsEvent taken after the switch, then 4 s more of PCMU each way.
	mid := stats(m2, "stats after the switch", func(softphone.StatsEvent) bool { return true })
	after := stats(m2, "4 s of PCMU each way", func(s softphone.StatsEvent) bool {
		return s.Stats.PacketsReceived >= mid.Stats.PacketsReceived+200 && s.Stats.PacketsSent >= mid.Stats.PacketsSent+200
	})
	if d := after.Stats.DroppedPayloadType - mid.Stats.DroppedPayloadType; d != 0 {
		t.Errorf("%d packets from bob dropped by payload type after the switch (before: %d)", d, before.Stats.DroppedPayloadType)
	}

	hangUpOnBob(t, p, ev, call, bob)

	// Our recording: the last 3 s were received over PCMU (4 s of it
	// arrived before the hangup), the first second of the steady part
	// over Opus.
	rate, s := readRecording(t, rec, 8)
	opusPart, pcmuPart := s[rate:2*rate], s[len(s)-3*rate-rate/2:len(s)-rate/2]
	shOpus, shPCMU := toneShare(opusPart, rate, theirs, 0.01), toneShare(pcmuPart, rate, theirs, 0.01)
	t.Logf("bob's %.0f Hz in our recording: %.0f%% of windows over Opus, %.0f%% over PCMU (%d Hz, %.1f s)",
		theirs, 100*shOpus, 100*shPCMU, rate, float64(len(s))/float64(rate))
	// Most windows, not all: an underrun on a busy machine may leave a
	// gap; without the switch working the share after it is 0.
	if shOpus < 0.6 || shPCMU < 0.6 {
		t.Errorf("bob's tone missing: in %.0f%% of 100 ms windows over Opus, %.0f%% over PCMU", 100*shOpus, 100*shPCMU)
	}
	brate, bs := readBobRecording(t, bob)
	// It covers the Opus part of the call: our 1 kHz, and our 6 kHz
	// which only a wideband codec carries.
	bobShare, bobWide := toneShare(bs, brate, ours, 0.01), toneShare(bs, brate, 6000, 0.01)
	t.Logf("bob's recording (%d Hz, %.1f s): our 1 kHz in %.0f%%, 6 kHz in %.0f%% of windows", brate,
		float64(len(bs))/float64(brate), 100*bobShare, 100*bobWide)
	if bobShare < 0.5 || bobWide < 0.5 {
		t.Errorf("bob heard our 1 kHz in %.0f%%, our 6 kHz in %.0f%% of 100 ms windows over Opus", 100*bobShare, 100*bobWide)
	}
}

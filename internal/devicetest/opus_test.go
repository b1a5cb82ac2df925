package devicetest

import (
	"path/filepath"
	"testing"
	"time"

	_ "github.com/pitchline/pitchline/audio/codec/opus" // registers Opus: the phone offers it first
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// wavTone returns the power of freq Hz in the steady part of the WAV at
// path (the first and last second dropped), its rate and its length in
// seconds.
func wavTone(t *testing.T, path string, freq float64) (power float64, rate int, secs float64) {
	t.Helper()
	rate, s, err := testlab.ReadWAV(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	secs = float64(len(s)) / float64(rate)
	if len(s) > 3*rate {
		s = s[rate : len(s)-rate]
	}
	if 2*freq >= float64(rate) {
		return 0, rate, secs // above this recording's Nyquist frequency
	}
	return dsp.Goertzel(s, rate, freq), rate, secs
}

// twoTones writes seconds of two sines (0.3 of full scale each) at 48 kHz.
func twoTones(t *testing.T, path string, f1, f2 float64, seconds int) {
	t.Helper()
	a := testlab.ToneSamples(f1, 48000, 48000*seconds, 0.3)
	b := testlab.ToneSamples(f2, 48000, 48000*seconds, 0.3)
	for i := range a {
		a[i] += b[i]
	}
	if err := testlab.WriteWAV(path, 48000, a); err != nil {
		t.Fatal(err)
	}
}

// TestOpusWidebandToneWithBaresip calls baresip directly (no registrar)
// with Opus, each side sending a tone above G.711's 4 kHz band (Pitchline
// 6 kHz, baresip 6.5 kHz, so each recording shows the other side) plus a
// narrowband one (1 kHz and 1.5 kHz), and checks both recordings by
// frequency: over Opus both tones arrive both ways. The same call over
// PCMU carries the narrowband tones but not the wideband ones (nor their
// aliases): G.711 cannot.
func TestOpusWidebandToneWithBaresip(t *testing.T) {
	const ours, theirs = 6000.0, 6500.0       // wideband
	const oursLow, theirsLow = 1000.0, 1500.0 // narrowband controls
	dir := t.TempDir()
	play := filepath.Join(dir, "carol.wav")
	twoTones(t, play, ours, oursLow, 60)
	bobSrc := filepath.Join(dir, "bob.wav")
	twoTones(t, bobSrc, theirs, theirsLow, 60)
	for _, tc := range []struct {
		name     string
		opts     []testlab.BaresipOption
		codec    string
		wideband bool
	}{
		{"opus", []testlab.BaresipOption{testlab.WithOpus(), testlab.WithSourceWAV(bobSrc)}, "opus", true},
		{"PCMU", []testlab.BaresipOption{testlab.WithSourceRate(48000), testlab.WithSourceWAV(bobSrc)}, "PCMU", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := append([]testlab.BaresipOption{testlab.WithNoRegister(), testlab.WithRecording()}, tc.opts...)
			bob := testlab.StartBaresip(t, "bob", opts...)
			rec := filepath.Join(t.TempDir(), "carol-rx.wav")
			p, ev := startCarol(t, false, softphone.WithPlayFile(play), softphone.WithRecordFile(rec))
			call, m := callBob(t, p, ev, bob)
			// About 4 s of audio both ways (DTX may skip silent frames,
			// but both sides send tones).
			ev.wait(t, m, 30*time.Second, "200 packets each way", func(e softphone.Event) bool {
				s, ok := e.(softphone.StatsEvent)
				return ok && s.CallID == call.ID() && s.Stats.PacketsReceived >= 200 && s.Stats.PacketsSent >= 200
			})
			if got := call.Info().Codec; got != tc.codec {
				t.Errorf("codec %q, want %q", got, tc.codec)
			}
			// DTMF both ways: baresip offers telephone-event only at
			// 8000 Hz, which we use beside Opus at 48000 Hz.
			dm := bob.Mark()
			if err := call.SendDTMF("5"); err != nil {
				t.Fatal(err)
			}
			if d, err := bob.WaitEventAfter(ctx(t, 10*time.Second), dm, "CALL_DTMF_START"); err != nil || d.Param != "5" {
				t.Fatalf("bob DTMF: %+v %v", d, err)
			}
			m1 := ev.mark()
			if _, err := bob.Command(ctx(t, 5*time.Second), "sndcode", "7"); err != nil {
				t.Fatal(err)
			}
			got := ev.wait(t, m1, 10*time.Second, "DTMF 7 from bob", func(e softphone.Event) bool {
				d, ok := e.(softphone.DTMFEvent)
				return ok && d.CallID == call.ID()
			}).(softphone.DTMFEvent)
			if got.Digit != "7" {
				t.Errorf("received DTMF %q, want 7", got.Digit)
			}

			hangUpOnBob(t, p, ev, call, bob)

			bobRec := bobRecording(t, bob)
			weHeard, weRate, weSecs := wavTone(t, rec, theirs)
			weLow, _, _ := wavTone(t, rec, theirsLow)
			bobHeard, bobRate, bobSecs := wavTone(t, bobRec, ours)
			bobLow, _, _ := wavTone(t, bobRec, oursLow)
			// Where 6 kHz lands if sampled at 8 kHz without a filter.
			bobAlias, _, _ := wavTone(t, bobRec, 8000-ours)
			t.Logf("%s: we heard %.0f/%.0f Hz at power %.4f/%.4f (%d Hz, %.1f s); bob heard %.0f/%.0f Hz at power %.4f/%.4f, alias %.0f Hz %.5f (%d Hz, %.1f s)",
				tc.name, theirs, theirsLow, weHeard, weLow, weRate, weSecs, ours, oursLow, bobHeard, bobLow, 8000-ours, bobAlias, bobRate, bobSecs)
			// Each tone at 0.3 of full scale has power 0.09.
			if weLow < 0.01 || bobLow < 0.01 {
				t.Errorf("narrowband tones missing over %s: we heard %.0f Hz at %.4f, bob %.0f Hz at %.4f", tc.name, theirsLow, weLow, oursLow, bobLow)
			}
			if tc.wideband {
				if weHeard < 0.01 {
					t.Errorf("we did not hear bob's %.0f Hz over Opus (power %.4f)", theirs, weHeard)
				}
				if bobHeard < 0.01 {
					t.Errorf("bob did not hear our %.0f Hz over Opus (power %.4f)", ours, bobHeard)
				}
				return
			}
			// G.711: 8 kHz sampling, nothing above 4 kHz passes; the
			// resamplers on both sides filter the tones out rather than
			// alias them into the band.
			if weHeard > 0.0005 {
				t.Errorf("we heard bob's %.0f Hz over PCMU (power %.4f): impossible for G.711", theirs, weHeard)
			}
			if bobRate != 8000 || bobAlias > 0.0005 {
				t.Errorf("bob's PCMU recording at %d Hz has %.5f at %.0f Hz, the alias of our %.0f Hz", bobRate, bobAlias, 8000-ours, ours)
			}
		})
	}
}

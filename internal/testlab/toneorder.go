package testlab

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/audio/dsp"
)

// Tone-order helpers for tests whose peers send tones and record what
// they hear. A recording written by a peer (baresip writes what it
// decodes, when it decodes it) does not follow the wall clock on a busy
// machine, and a mix needs a moment to settle after a change, so these
// helpers never place a phase by time: they look at what was heard,
// half-second window by window, and check the order of the stretches.

// Tones reports the Goertzel power (dsp.Goertzel: 0.5·A² for a sine of
// amplitude A in full scale) of each frequency in samples at rate Hz.
func Tones(samples []int16, rate int, freqs ...float64) map[float64]float64 {
	out := make(map[float64]float64, len(freqs))
	for _, f := range freqs {
		out[f] = dsp.Goertzel(samples, rate, f)
	}
	return out
}

// ToneSet names the tones of freqs heard in a window, for example
// "600+1000": a tone is heard when its power is at least 1e-3 and above
// 1/100 of the strongest. "" is silence.
func ToneSet(samples []int16, rate int, freqs []float64) string {
	pw := Tones(samples, rate, freqs...)
	strongest := 0.0
	for _, v := range pw {
		strongest = max(strongest, v)
	}
	var in []string
	for _, f := range freqs {
		if pw[f] >= 1e-3 && pw[f] > strongest/100 {
			in = append(in, fmt.Sprintf("%.0f", f))
		}
	}
	return strings.Join(in, "+")
}

// ToneOrder slides half-second windows over a recording and returns, in
// order, the tone sets (ToneSet) of the stretches that last at least
// minRun windows (equal neighbours merged), and every stretch as "set×n"
// for messages. Silent windows (before the answer, after the hang-up)
// are left out; shorter stretches are the moments of a change, where a
// window holds a little of both sides, and are left out too.
func ToneOrder(samples []int16, rate int, freqs []float64, minRun int) (stable, all []string) {
	type run struct {
		set string
		n   int
	}
	var runs []run
	for from := 0; from+rate/2 <= len(samples); from += rate / 2 {
		set := ToneSet(samples[from:from+rate/2], rate, freqs)
		if set == "" {
			continue
		}
		if len(runs) > 0 && runs[len(runs)-1].set == set {
			runs[len(runs)-1].n++
			continue
		}
		runs = append(runs, run{set, 1})
	}
	for _, r := range runs {
		all = append(all, fmt.Sprintf("%s×%d", r.set, r.n))
		if r.n >= minRun && (len(stable) == 0 || stable[len(stable)-1] != r.set) {
			stable = append(stable, r.set)
		}
	}
	return stable, all
}

// CheckToneOrder fails t unless the stretches a recording holds (see
// ToneOrder; a stretch counts from three windows: each phase of a test's
// schedule lasts at least 3 s, a change blurs one window) come in the
// order want, where a first element starting with "?" may be missing (a
// phase too short to show, such as the moment before the second party
// joins). It also fails if any window at all holds the tone self: the
// listener, who, never hears their own voice.
func CheckToneOrder(t testing.TB, who string, samples []int16, rate int, freqs []float64, self float64, want ...string) {
	t.Helper()
	for from := 0; from+rate/2 <= len(samples); from += rate / 2 {
		if slices.Contains(strings.Split(ToneSet(samples[from:from+rate/2], rate, freqs), "+"), fmt.Sprintf("%.0f", self)) {
			t.Errorf("%s hears their own %.0f Hz at %.1f s of the recording", who, self, float64(from)/float64(rate))
			break
		}
	}
	got, all := ToneOrder(samples, rate, freqs, 3)
	ok := slices.Equal(got, want)
	if len(want) > 0 && strings.HasPrefix(want[0], "?") {
		full := append([]string{strings.TrimPrefix(want[0], "?")}, want[1:]...)
		ok = slices.Equal(got, full) || slices.Equal(got, want[1:])
	}
	if !ok {
		t.Errorf("%s heard %v (stretches %v), want %v", who, got, all, want)
	}
}

// Hears fails the test (t.Errorf) unless every frequency in present
// carries at least 1e-3 of Goertzel power in samples and every one in
// absent less than 1/100 of the weakest present one: who, listening to a
// recording as a whole, hears the others and not the absent. It returns
// the powers (Tones) for the log.
func Hears(t testing.TB, who string, samples []int16, rate int, present, absent []float64) map[float64]float64 {
	t.Helper()
	pw := Tones(samples, rate, append(slices.Clone(present), absent...)...)
	weakest := 1.0
	for _, f := range present {
		if pw[f] < 1e-3 {
			t.Errorf("%s: %.0f Hz missing (power %.2g); powers %v", who, f, pw[f], pw)
		}
		weakest = min(weakest, pw[f])
	}
	for _, f := range absent {
		if pw[f] > weakest/100 {
			t.Errorf("%s: %.0f Hz present (power %.2g, weakest wanted %.2g); powers %v", who, f, pw[f], weakest, pw)
		}
	}
	return pw
}

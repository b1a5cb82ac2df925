package softphone_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A recording written by a peer (baresip writes what it decodes, when it
// decodes it) does not follow the wall clock on a busy machine, and the
// mix needs a moment to settle after a change. The helpers below never
// place a phase by time: they look at what was heard, window by window,
// and check the order of the stretches, or wait for the wanted mix to be
// heard before checking it.

// heardProblem says what is wrong with the tone powers pw for a listener
// who should hear every tone in present and none in absent ("" when
// nothing is): each present tone carries at least 1e-3 of power, each
// absent one less than 1/100 of the weakest present one. With no present
// tones, every tone must stay under 1e-4 (silence).
func heardProblem(pw map[float64]float64, present, absent []float64) string {
	var out []string
	if len(present) == 0 {
		for _, f := range absent {
			if pw[f] > 1e-4 {
				out = append(out, fmt.Sprintf("%.0f Hz present (power %.2g), want silence", f, pw[f]))
			}
		}
		return strings.Join(out, "; ")
	}
	weakest := 1.0
	for _, f := range present {
		if pw[f] < 1e-3 {
			out = append(out, fmt.Sprintf("%.0f Hz missing (power %.2g)", f, pw[f]))
		}
		weakest = min(weakest, pw[f])
	}
	for _, f := range absent {
		if pw[f] > weakest/100 {
			out = append(out, fmt.Sprintf("%.0f Hz present (power %.2g, weakest wanted tone %.2g)", f, pw[f], weakest))
		}
	}
	if len(out) > 0 {
		out = append(out, fmt.Sprintf("powers %v", pw))
	}
	return strings.Join(out, "; ")
}

// await waits until the speaker plays the wanted mix after sample from
// (half-second windows; the mix may need a moment to settle after a
// change, longer on a busy machine), then checks the three seconds
// after it (so that each phase lasts at least 3.5 s of audio, at least
// six whole half-second windows in a peer's recording). It fails if the
// mix is not heard within 30 s of played audio: a change that does not
// take effect never matches.
func (s *speakerTap) await(t *testing.T, who string, from int, present, absent []float64) {
	t.Helper()
	all := append(append([]float64(nil), present...), absent...)
	var last string
	for at := from; at-from < 30*s.rate; at += s.rate / 2 {
		last = heardProblem(tones(s.window(t, at, s.rate/2), s.rate, all...), present, absent)
		if last == "" {
			if p := heardProblem(tones(s.window(t, at+s.rate/2, 3*s.rate), s.rate, all...), present, absent); p != "" {
				t.Errorf("%s: the mix changed again after settling: %s", who, p)
			}
			return
		}
	}
	t.Fatalf("%s: never heard the wanted mix in 30 s of played audio; last half second: %s", who, last)
}

// toneSet names the tones of freqs heard in a window, for example
// "600+1000": a tone is heard when its power is at least 1e-3 and above
// 1/100 of the strongest. "" is silence.
func toneSet(samples []int16, rate int, freqs []float64) string {
	pw := tones(samples, rate, freqs...)
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

// toneOrder slides half-second windows over a recording and returns, in
// order, the tone sets of the stretches that last at least minRun
// windows (equal neighbours merged), and every stretch as "set×n" for
// messages. Silent windows (before the answer, after the hang-up) are
// left out; shorter stretches are the moments of a change, where a
// window holds a little of both sides, and are left out too.
func toneOrder(samples []int16, rate int, freqs []float64, minRun int) (stable, all []string) {
	type run struct {
		set string
		n   int
	}
	var runs []run
	for from := 0; from+rate/2 <= len(samples); from += rate / 2 {
		set := toneSet(samples[from:from+rate/2], rate, freqs)
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

// checkToneOrder fails unless the stretches a recording holds (see
// toneOrder; a stretch counts from three windows: each real phase
// lasts at least six, a change blurs one window) come in the order
// want, where a first element starting with "?" may be missing (a
// phase too short to show, such as the moment before the second party
// joins). It also fails if any window at all
// holds the tone self: the listener never hears their own voice.
func checkToneOrder(t *testing.T, who string, samples []int16, rate int, freqs []float64, self float64, want ...string) {
	t.Helper()
	for from := 0; from+rate/2 <= len(samples); from += rate / 2 {
		if slices.Contains(strings.Split(toneSet(samples[from:from+rate/2], rate, freqs), "+"), fmt.Sprintf("%.0f", self)) {
			t.Errorf("%s hears their own %.0f Hz at %.1f s of the recording", who, self, float64(from)/float64(rate))
			break
		}
	}
	got, all := toneOrder(samples, rate, freqs, 3)
	ok := slices.Equal(got, want)
	if len(want) > 0 && strings.HasPrefix(want[0], "?") {
		full := append([]string{strings.TrimPrefix(want[0], "?")}, want[1:]...)
		ok = slices.Equal(got, full) || slices.Equal(got, want[1:])
	}
	if !ok {
		t.Errorf("%s heard %v (stretches %v), want %v", who, got, all, want)
	}
}

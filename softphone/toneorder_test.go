package softphone_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/internal/testlab"
)

// A recording written by a peer (baresip writes what it decodes, when it
// decodes it) does not follow the wall clock on a busy machine, and the
// mix needs a moment to settle after a change. The helpers below never
// place a phase by time: they look at what was heard, window by window,
// and check the order of the stretches (testlab.CheckToneOrder), or
// wait for the wanted mix to be heard before checking it.

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
		last = heardProblem(testlab.Tones(s.window(t, at, s.rate/2), s.rate, all...), present, absent)
		if last == "" {
			if p := heardProblem(testlab.Tones(s.window(t, at+s.rate/2, 3*s.rate), s.rate, all...), present, absent); p != "" {
				t.Errorf("%s: the mix changed again after settling: %s", who, p)
			}
			return
		}
	}
	t.Fatalf("%s: never heard the wanted mix in 30 s of played audio; last half second: %s", who, last)
}

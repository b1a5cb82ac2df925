package testlab

import (
	"slices"
	"testing"
)

// TestToneOrder builds a recording of phases (silence, 600 Hz, 600+1000
// Hz with a short blip of 1000 alone, 1000 Hz, silence) and checks the
// stretches ToneOrder finds, and that CheckToneOrder accepts that order.
func TestToneOrder(t *testing.T) {
	const rate = 8000
	var rec []int16
	add := func(seconds float64, freqs ...float64) {
		n := int(seconds * rate)
		part := make([]int16, n)
		for _, f := range freqs {
			for i, v := range ToneSamples(f, rate, n, 0.2) {
				part[i] += v
			}
		}
		rec = append(rec, part...)
	}
	add(1)
	add(2, 600)
	add(2, 600, 1000)
	add(0.5, 1000) // one window: a change, not a phase
	add(1, 600, 1000)
	add(2, 1000)
	add(1)
	stable, all := ToneOrder(rec, rate, []float64{600, 1000, 1500}, 3)
	if want := []string{"600", "600+1000", "1000"}; !slices.Equal(stable, want) {
		t.Errorf("stable %v (all %v), want %v", stable, all, want)
	}
	if got := ToneSet(rec[:rate/2], rate, []float64{600, 1000}); got != "" {
		t.Errorf("silence heard as %q", got)
	}
	CheckToneOrder(t, "listener", rec, rate, []float64{600, 1000, 1500}, 1500, "?400", "600", "600+1000", "1000")
	if pw := Tones(rec[rate:2*rate], rate, 600, 1000); pw[600] < 0.01 || pw[1000] > 1e-4 {
		t.Errorf("powers %v in the 600 Hz phase", pw)
	}
}

package testlab

import (
	"fmt"
	"slices"
	"strings"
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

// errorsTB records Errorf instead of failing, to see what Hears reports.
type errorsTB struct {
	testing.TB
	errs []string
}

func (e *errorsTB) Helper() {}

func (e *errorsTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// TestHears: 600+1000 Hz is heard as such; a missing 400 Hz and a present
// 1000 Hz that should be absent are each reported once.
func TestHears(t *testing.T) {
	const rate = 8000
	rec := ToneSamples(600, rate, rate, 0.2)
	for i, v := range ToneSamples(1000, rate, rate, 0.2) {
		rec[i] += v
	}
	ok := &errorsTB{TB: t}
	if pw := Hears(ok, "both", rec, rate, []float64{600, 1000}, []float64{1500}); len(ok.errs) != 0 || pw[600] < 0.01 {
		t.Errorf("600+1000 Hz: %q, powers %v", ok.errs, pw)
	}
	bad := &errorsTB{TB: t}
	Hears(bad, "who", rec, rate, []float64{400, 600}, []float64{1000})
	if len(bad.errs) != 2 || !strings.Contains(bad.errs[0], "who: 400 Hz missing") || !strings.Contains(bad.errs[1], "who: 1000 Hz present") {
		t.Errorf("400 missing, 1000 present: %q", bad.errs)
	}
}

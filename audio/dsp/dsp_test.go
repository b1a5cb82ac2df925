package dsp

import (
	"math"
	"testing"
)

func sine(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

func TestGoertzelFindsTone(t *testing.T) {
	for _, f := range []float64{400, 1000, 1630} {
		s := sine(f, 8000, 800, 0.5) // 100 ms: 10 Hz bins, matching the scan step
		got, p := DominantFrequency(s, 8000, 100, 3900, 10)
		if math.Abs(got-f) > 10 {
			t.Errorf("tone %v Hz: dominant %v Hz", f, got)
		}
		if p < 0.2 || p > 0.3 {
			t.Errorf("tone %v Hz at 0.5 amplitude: power %v, want about 0.25", f, p)
		}
		if other := Goertzel(s, 8000, f+300); other > p/1000 {
			t.Errorf("leakage at %v Hz = %v", f+300, other)
		}
	}
}

func TestLevels(t *testing.T) {
	s := sine(1000, 8000, 800, 1.0)
	if r := RMS(s); math.Abs(r-1/math.Sqrt2) > 0.01 {
		t.Errorf("RMS of full-scale sine = %v", r)
	}
	if p := Peak(s); p < 0.99 {
		t.Errorf("Peak = %v", p)
	}
	if d := DBFS(0); d != SilenceDBFS {
		t.Errorf("DBFS(0) = %v", d)
	}
	if d := DBFS(0.5); math.Abs(d+6.02) > 0.01 {
		t.Errorf("DBFS(0.5) = %v", d)
	}
}

package resample

import (
	"math"
	"testing"
)

// speechLike returns frames of a loud two-tone signal at rate Hz.
func speechLike(rate, frames int) []int16 {
	n := frames * audio20ms(rate)
	out := make([]int16, n)
	for i := range out {
		x := float64(i) / float64(rate)
		out[i] = int16(math.Round(12000*math.Sin(2*math.Pi*233*x) + 9000*math.Sin(2*math.Pi*1870*x)))
	}
	return out
}

func audio20ms(rate int) int { return rate / 50 }

// TestSilenceSkipIsExact: a stream of sound, silence (long and short
// gaps, a gap shorter than the filter, lone samples in silence), then
// sound again converts bit for bit as when every frame is filtered (the
// skip of an all-zero frame with an all-zero history is disabled by
// clearing quiet before each frame), so no click where the sound comes
// back; and the skip is taken: after a silent frame longer than the filter
// the history is known zero. For Process (clipping, int16) and Frame32.
func TestSilenceSkipIsExact(t *testing.T) {
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {8000, 16000}, {16000, 8000}} {
		in, out := pair[0], pair[1]
		nin := audio20ms(in)
		x := speechLike(in, 30)
		// Frames 5-11 silent; 13 silent but for its last sample; 16 silent
		// but for its first; 20-22 silent; 23 starts loud at full scale.
		for _, f := range []int{5, 6, 7, 8, 9, 10, 11, 13, 16, 20, 21, 22} {
			clear(x[f*nin : (f+1)*nin])
		}
		x[14*nin-1] = 7
		x[16*nin] = -3
		for i := 23 * nin; i < 23*nin+20; i++ {
			x[i] = 32767
		}
		skip, full := mustNew(t, in, out), mustNew(t, in, out)
		skip32, full32 := mustNew(t, in, out), mustNew(t, in, out)
		nout := skip.OutFrame()
		got, want := make([]int16, nout), make([]int16, nout)
		src32, got32, want32 := make([]int32, nin), make([]int32, nout), make([]int32, nout)
		skipped := 0
		for f := range 30 {
			src := x[f*nin : (f+1)*nin]
			if skip.quiet && allZeroInt(src) {
				skipped++
			}
			full.quiet, full32.quiet = false, false
			skip.Process(got, src)
			full.Process(want, src)
			for i, s := range src {
				src32[i] = 3 * int32(s) // a sum beyond 16 bits
			}
			_ = skip32.Frame32(got32, src32)
			_ = full32.Frame32(want32, src32)
			for i := range got {
				if got[i] != want[i] || got32[i] != want32[i] {
					t.Fatalf("%d→%d Hz frame %d sample %d: %d/%d with the skip, %d/%d filtered", in, out, f, i, got[i], got32[i], want[i], want32[i])
				}
			}
			if f == 11 && !skip.quiet {
				t.Fatalf("%d→%d Hz: history not known zero after 7 silent frames", in, out)
			}
		}
		// Silent frames 6-11 (5 fills the history), 21-22.
		if skipped != 8 {
			t.Errorf("%d→%d Hz: %d frames skipped, want 8", in, out, skipped)
		}
	}
}

// TestQuietFollowsPrimeAndReset: Prime with sound makes the next silent
// frame filter the history's tail (not skip it), Prime with silence and
// Reset let it skip.
func TestQuietFollowsPrimeAndReset(t *testing.T) {
	r := mustNew(t, 8000, 48000)
	full := mustNew(t, 8000, 48000)
	prev := speechLike(8000, 1)
	r.Prime(prev)
	full.Prime(prev)
	full.quiet = false
	got, want := make([]int16, 960), make([]int16, 960)
	r.Process(got, make([]int16, 160))
	full.Process(want, make([]int16, 160))
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d after Prime: %d, want %d", i, got[i], want[i])
		}
	}
	if allZeroInt(got) {
		t.Fatal("the primed history's tail was not heard")
	}
	r.Prime32(make([]int32, 160))
	if !r.quiet {
		t.Error("Prime32 with silence: history not known zero")
	}
	r.Prime(prev)
	r.Reset()
	if !r.quiet {
		t.Error("Reset: history not known zero")
	}
}

func mustNew(t *testing.T, in, out int) *Resampler {
	t.Helper()
	r, err := New(in, out)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func allZeroInt(x []int16) bool {
	for _, v := range x {
		if v != 0 {
			return false
		}
	}
	return true
}

// TestRoundIsMathRound: round gives math.Round's result on halves, near
// halves, integers and random values of either sign up to 2³¹.
func TestRoundIsMathRound(t *testing.T) {
	check := func(v float32) {
		if got, want := round(v), int32(math.Round(float64(v))); got != want {
			t.Fatalf("round(%v) = %d, math.Round %d", v, got, want)
		}
	}
	for i := -70000; i <= 70000; i++ {
		for _, f := range []float32{0, 0.5, 0.25, 0.75} {
			v := float32(i) + f
			check(v)
			check(math.Nextafter32(v, 0))
			check(math.Nextafter32(v, float32(math.Inf(1))))
			check(math.Nextafter32(v, float32(math.Inf(-1))))
		}
	}
	for e := range 31 {
		for _, v := range []float32{float32(math.Ldexp(1, e)), float32(math.Ldexp(1, e)) - 0.5, float32(math.Ldexp(1, e)) * 0.75} {
			check(v)
			check(-v)
			check(math.Nextafter32(v, 0))
		}
	}
	for i := 0; i < 1_000_000; i++ {
		v := math.Float32frombits(uint32(i) * 2654435761)
		if math.IsNaN(float64(v)) || math.Abs(float64(v)) >= 1<<31 {
			continue
		}
		check(v)
	}
}

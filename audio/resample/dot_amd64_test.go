//go:build amd64 && !purego

package resample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// dotAVXOrder is dotAVX written in Go: the same products and sums in the
// same order, each rounded to float32 (the explicit conversions keep the
// compiler from fusing a multiply and an add).
func dotAVXOrder(c, w []float32) float32 {
	var a [32]float32
	j := 0
	for ; j+32 <= len(c); j += 32 {
		for k := range a {
			a[k] += float32(c[j+k] * w[j+k])
		}
	}
	for ; j+8 <= len(c); j += 8 {
		for k := range 8 {
			a[k] += float32(c[j+k] * w[j+k])
		}
	}
	var s [8]float32
	for k := range s {
		s[k] = float32(a[k]+a[8+k]) + float32(a[16+k]+a[24+k])
	}
	var t [4]float32
	for i := range t {
		t[i] = s[i] + s[i+4]
	}
	v := float32(t[0]+t[2]) + float32(t[1]+t[3])
	for ; j < len(c); j++ {
		v += float32(c[j] * w[j])
	}
	return v
}

// TestDotAVX: the assembly gives bit for bit what its order written in Go
// gives, for every length up to 590 (the filters here have 77 and 458
// taps per branch), on samples as the resampler holds them (integers up to
// a few times 16 bits, as sums of streams are) and on the filters' own
// coefficients; and it stays within float32 rounding of dotGeneric (a
// different order of the same sums): |difference| ≤ 2·n·2⁻²⁴·Σ|c·w|.
func TestDotAVX(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX on this CPU: dot is dotGeneric") // never on the CI machines (AVX since 2011)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	c := make([]float32, 600)
	w := make([]float32, 600)
	for i := range c {
		c[i] = float32(rng.NormFloat64() * 0.1)
		w[i] = float32(rng.IntN(4*65536) - 2*65536)
	}
	r, _ := New(48000, 8000)
	copy(c, r.f.coef) // 458 taps of a real branch
	for n := 0; n <= 590; n++ {
		for off := range 3 { // unaligned starts too
			cc, ww := c[off:off+n], w[2-off:][:n]
			got := dotAVX(ptr(cc), ptr(ww), len(cc))
			if want := dotAVXOrder(cc, ww); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("n=%d off=%d: dotAVX %v, same order in Go %v", len(cc), off, got, want)
			}
			if len(cc) >= 8 {
				if d := dot(cc, ww); d != got {
					t.Fatalf("n=%d: dot %v, dotAVX %v", len(cc), d, got)
				}
			}
			var mag float64
			for i := range cc {
				mag += math.Abs(float64(cc[i]) * float64(ww[i]))
			}
			g := dotGeneric(cc, ww)
			if d := math.Abs(float64(got) - float64(g)); d > 2*float64(len(cc))*0x1p-24*mag {
				t.Fatalf("n=%d: dotAVX %v, dotGeneric %v: %g apart, bound %g", len(cc), got, g, d, 2*float64(len(cc))*0x1p-24*mag)
			}
		}
	}
}

func ptr(s []float32) *float32 {
	if len(s) == 0 {
		var z float32
		return &z
	}
	return &s[0]
}

// TestDotAVXMatchesGenericOutput: with AVX and with the portable inner
// product, a whole converted stream differs by at most one LSB in a few
// samples (rounding of a float32 sum taken in another order), at every
// rate pair the mixer uses, for Process and for Frame32.
func TestDotAVXMatchesGenericOutput(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX on this CPU: dot is dotGeneric")
	}
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {8000, 16000}, {16000, 8000}} {
		in, out := pair[0], pair[1]
		x := speechLike(in, 50)
		a, _ := New(in, out)
		avx := run(t, a, x)
		useAVX = false
		b, _ := New(in, out)
		gen := run(t, b, x)
		useAVX = true
		diff := 0
		for i := range avx {
			if d := int(avx[i]) - int(gen[i]); d != 0 {
				if d > 1 || d < -1 {
					t.Fatalf("%d→%d Hz sample %d: AVX %d, generic %d", in, out, i, avx[i], gen[i])
				}
				diff++
			}
		}
		t.Logf("%d→%d Hz: %d of %d samples 1 LSB apart", in, out, diff, len(avx))
	}
}

// TestDotFrameAVX: the frame loop in assembly gives, output by output,
// the bits dotAVX gives for the same branch and window, at every rate
// pair the mixer uses (77 to 458 taps per branch).
func TestDotFrameAVX(t *testing.T) {
	if !useAVX {
		t.Skip("no AVX on this CPU: dotFrame is dotFrameGeneric")
	}
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {8000, 16000}, {16000, 8000}} {
		r := mustNew(t, pair[0], pair[1])
		rng := rand.New(rand.NewPCG(3, 4))
		for i := range r.hist {
			r.hist[i] = float32(rng.IntN(65536) - 32768)
		}
		taps := r.f.taps
		dotFrame(r.acc, r.f.coef, r.hist, taps, r.srcIdx, r.phase)
		for k, got := range r.acc {
			p := int(r.phase[k]) * taps
			want := dotAVX(&r.f.coef[p], &r.hist[r.srcIdx[k]], taps)
			if math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%d→%d Hz output %d: dotFrameAVX %v, dotAVX %v", pair[0], pair[1], k, got, want)
			}
		}
	}
}

package resample

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

// TestFrame32SumIsSumOfConversions: converting the sum of two streams
// beyond 16 bits with Frame32 gives the sum of their Process conversions
// (within the rounding of each), frame after frame, at every rate pair the
// mixer uses; Frame32 neither clips nor differs from Process on one stream.
func TestFrame32SumIsSumOfConversions(t *testing.T) {
	for _, in := range []int{8000, 16000, 48000} {
		for _, out := range []int{8000, 16000, 48000} {
			a, _ := New(in, out)
			b, _ := New(in, out)
			s, _ := New(in, out)
			nin, nout := a.InFrame(), a.OutFrame()
			x := sineSignal(440, 0.9, in, 10*nin)
			y := sineSignal(1330, 0.9, in, 10*nin)
			xa := run(t, a, x)
			yb := run(t, b, y)
			src, dst := make([]int32, nin), make([]int32, nout)
			for f := range 10 {
				for i := range src {
					src[i] = 2*int32(x[f*nin+i]) + 2*int32(y[f*nin+i]) // up to 3.6 × full scale
				}
				if err := s.Frame32(dst, src); err != nil {
					t.Fatal(err)
				}
				for i, v := range dst {
					want := 2*int32(xa[f*nout+i]) + 2*int32(yb[f*nout+i])
					if d := v - want; d > 3 || d < -3 {
						t.Fatalf("%d→%d Hz frame %d sample %d: %d, want %d", in, out, f, i, v, want)
					}
				}
			}
		}
	}
	r, _ := New(8000, 48000)
	if err := r.Frame32(make([]int32, 959), make([]int32, 160)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("wrong size: %v, want ErrFrameSize", err)
	}
}

// TestPrimeContinuesStream: a resampler that skipped a frame and was
// primed with the frame before the next one gives exactly what one
// converting the whole stream gives; unprimed, its first frame differs (a
// click at the frame boundary).
func TestPrimeContinuesStream(t *testing.T) {
	for _, pair := range [][2]int{{8000, 48000}, {48000, 8000}, {16000, 48000}, {48000, 16000}, {8000, 16000}, {16000, 8000}} {
		in, out := pair[0], pair[1]
		all, _ := New(in, out)
		nin, nout := all.InFrame(), all.OutFrame()
		x := sineSignal(700, 0.5, in, 4*nin)
		want := run(t, all, x)
		for _, prime := range []bool{false, true} {
			r, _ := New(in, out)
			run(t, r, sineSignal(300, 0.5, in, nin)) // stale history
			got := make([]int16, nout)
			if prime {
				r.Prime(x[nin : 2*nin])
			}
			r.Process(got, x[2*nin:3*nin])
			maxd := 0
			for i := range got {
				maxd = max(maxd, int(math.Abs(float64(got[i])-float64(want[2*nout+i]))))
			}
			if prime && maxd != 0 {
				t.Errorf("%d→%d Hz primed: differs from the whole stream by up to %d", in, out, maxd)
			}
			if !prime && maxd < 100 {
				t.Errorf("%d→%d Hz unprimed: differs by only %d; the test cannot see a stale history", in, out, maxd)
			}
			r32, _ := New(in, out)
			prev := make([]int32, nin)
			for i := range prev {
				prev[i] = int32(x[nin+i])
			}
			r32.Prime32(prev)
			src, dst := make([]int32, nin), make([]int32, nout)
			for i := range src {
				src[i] = int32(x[2*nin+i])
			}
			r32.Frame32(dst, src)
			for i := range dst {
				if dst[i] != int32(want[2*nout+i]) {
					t.Fatalf("%d→%d Hz Prime32: sample %d is %d, want %d", in, out, i, dst[i], want[2*nout+i])
				}
			}
		}
	}
}

// BenchmarkFrame32 is one frame of the mixer's conversions (a sum of
// streams, int32): sound, and silence after silence (skipped: the output
// is exactly zero). 0 allocs/op.
func BenchmarkFrame32(b *testing.B) {
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}} {
		for _, silent := range []bool{false, true} {
			name := fmt.Sprintf("%d-%d/sound", c[0], c[1])
			if silent {
				name = fmt.Sprintf("%d-%d/silence", c[0], c[1])
			}
			b.Run(name, func(b *testing.B) {
				r, err := New(c[0], c[1])
				if err != nil {
					b.Fatal(err)
				}
				in := make([]int32, r.InFrame())
				if !silent {
					for i, s := range sineSignal(1000, 0.5, c[0], r.InFrame()) {
						in[i] = 3 * int32(s)
					}
				}
				out := make([]int32, r.OutFrame())
				b.ReportAllocs()
				for b.Loop() {
					if err := r.Frame32(out, in); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

package resample

import (
	"errors"
	"fmt"
	"io"
	"math"
	"testing"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
)

var rates = []int{8000, 16000, 22050, 24000, 32000, 44100, 48000}

func sineSignal(freq, amp float64, rate, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return out
}

// run pushes a whole signal through r frame by frame.
func run(t testing.TB, r *Resampler, in []int16) []int16 {
	frames := len(in) / r.InFrame()
	out := make([]int16, frames*r.OutFrame())
	for i := 0; i < frames; i++ {
		n := r.Process(out[i*r.OutFrame():(i+1)*r.OutFrame()], in[i*r.InFrame():(i+1)*r.InFrame()])
		if n != r.OutFrame() {
			t.Fatalf("Process wrote %d, want %d", n, r.OutFrame())
		}
	}
	return out
}

// snr fits an ideal sine of freq (any amplitude and phase: this is the
// latency alignment) to x by least squares and returns the ratio of the
// fitted sine's power to the residual's power in dB, and the fitted
// amplitude (full scale = 1).
func snr(x []int16, rate int, freq float64) (db, amp float64) {
	var ss, sc, cc, xs, xc float64
	w := 2 * math.Pi * freq / float64(rate)
	for i, v := range x {
		s, c := math.Sincos(w * float64(i))
		f := float64(v) / 32767
		ss += s * s
		cc += c * c
		sc += s * c
		xs += f * s
		xc += f * c
	}
	det := ss*cc - sc*sc
	a := (xs*cc - xc*sc) / det
	b := (xc*ss - xs*sc) / det
	var sig, noise float64
	for i, v := range x {
		s, c := math.Sincos(w * float64(i))
		ideal := a*s + b*c
		e := float64(v)/32767 - ideal
		sig += ideal * ideal
		noise += e * e
	}
	return 10 * math.Log10(sig/noise), math.Hypot(a, b)
}

func TestSNR(t *testing.T) {
	cases := []struct {
		in, out int
		freq    float64
	}{
		{48000, 8000, 1000}, {8000, 48000, 1000}, {44100, 8000, 1000},
		{8000, 44100, 1000}, {48000, 16000, 1000}, {16000, 48000, 3000},
		{22050, 48000, 1000}, {48000, 44100, 1000}, {44100, 48000, 5000},
		{24000, 32000, 440}, {8000, 16000, 3000},
	}
	for _, c := range cases {
		r, err := New(c.in, c.out)
		if err != nil {
			t.Fatal(err)
		}
		in := sineSignal(c.freq, 0.5, c.in, c.in) // 1 s
		out := run(t, r, in)
		// Skip the start-up transient (filter latency plus margin).
		skip := int(r.Latency().Seconds()*float64(c.out))*2 + audio.FrameSamples(c.out)
		db, amp := snr(out[skip:], c.out, c.freq)
		t.Logf("%5d→%5d Hz, %4.0f Hz tone: SNR %.1f dB, gain %.4f dB, latency %v (%s)", c.in, c.out, c.freq, db, 20*math.Log10(amp/0.5), r.Latency(), r)
		if db < 60 {
			t.Errorf("%d→%d: SNR %.1f dB < 60 dB", c.in, c.out, db)
		}
		if g := 20 * math.Log10(amp/0.5); math.Abs(g) > 0.1 {
			t.Errorf("%d→%d: gain %.3f dB", c.in, c.out, g)
		}
	}
}

func TestAliasRejection(t *testing.T) {
	in := sineSignal(5000, 1.0, 48000, 48000)
	r, err := New(48000, 8000)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, r, in)
	tail := out[len(out)/2:]
	alias := dsp.DBFS(dsp.Peak(tail))
	// The 5 kHz tone would fold to 3 kHz; measure that bin too.
	bin := 10 * math.Log10(dsp.Goertzel(tail, 8000, 3000)+1e-30)
	naive := make([]int16, len(in)/6)
	for i := range naive {
		naive[i] = in[i*6]
	}
	naiveDB := dsp.DBFS(dsp.Peak(naive[len(naive)/2:]))
	t.Logf("5 kHz full scale at 48k→8k: peak %.1f dBFS, 3 kHz alias bin %.1f dB; naive decimation %.1f dBFS", alias, bin, naiveDB)
	if alias > -60 {
		t.Errorf("alias peak %.1f dBFS > -60", alias)
	}
	if naiveDB < -20 {
		t.Errorf("naive decimation unexpectedly clean (%.1f dBFS): test signal broken", naiveDB)
	}
	// Same for 44.1k → 8k with a 6 kHz tone.
	r2, _ := New(44100, 8000)
	out2 := run(t, r2, sineSignal(6000, 1.0, 44100, 44100))
	if a := dsp.DBFS(dsp.Peak(out2[len(out2)/2:])); a > -60 {
		t.Errorf("44.1k→8k 6 kHz alias %.1f dBFS", a)
	} else {
		t.Logf("6 kHz full scale at 44.1k→8k: peak %.1f dBFS", a)
	}
}

// TestFrameBoundaryContinuity checks that converting frame by frame gives
// the same samples as one filter run over the whole signal, by comparing
// against a direct (non-polyphase) convolution reference, and that there is
// no discontinuity at frame edges.
func TestFrameBoundaryContinuity(t *testing.T) {
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}, {44100, 16000}, {22050, 8000}} {
		r, _ := New(c[0], c[1])
		in := sineSignal(700, 0.7, c[0], c[0]/5)
		out := run(t, r, in)
		ref := reference(r, in)
		var maxDiff float64
		for i := range out {
			maxDiff = math.Max(maxDiff, math.Abs(float64(out[i])-ref[i]))
		}
		if maxDiff > 1.0 {
			t.Errorf("%v: frame-wise output differs from one-shot reference by %.2f LSB", c, maxDiff)
		}
		// Steady-state second difference at frame edges must look like the
		// rest of the signal (a 700 Hz sine: |Δ²| ≤ amp·ω² + rounding).
		w := 2 * math.Pi * 700 / float64(c[1])
		limit := 0.7*32767*w*w + 4
		nout := r.OutFrame()
		for e := 2 * nout; e+1 < len(out); e += nout {
			d2 := math.Abs(float64(out[e+1]) - 2*float64(out[e]) + float64(out[e-1]))
			if d2 > limit {
				t.Errorf("%v: discontinuity at frame edge %d: |Δ²|=%.0f > %.0f", c, e, d2, limit)
			}
		}
	}
}

// reference convolves the zero-stuffed signal with the full prototype,
// rebuilt from the branch table, in one pass.
func reference(r *Resampler, in []int16) []float64 {
	f := r.f
	l, m, taps := f.l, f.m, f.taps
	h := make([]float64, l*taps)
	for p := 0; p < l; p++ {
		for k := 0; k < taps; k++ {
			h[p+k*l] = float64(f.coef[p*taps+taps-1-k])
		}
	}
	nout := len(in) / r.InFrame() * r.OutFrame()
	out := make([]float64, nout)
	for n := range out {
		t := n * m
		var acc float64
		for s := t % l; s < len(h); s += l {
			i := (t - s) / l
			if i >= 0 && i < len(in) {
				acc += h[s] * float64(in[i])
			}
		}
		out[n] = math.Max(-32768, math.Min(32767, math.Round(acc)))
	}
	return out
}

func TestAllRatePairs(t *testing.T) {
	for _, a := range rates {
		for _, b := range rates {
			r, err := New(a, b)
			if err != nil {
				t.Fatalf("%d→%d: %v", a, b, err)
			}
			in := sineSignal(300, 0.5, a, a/2)
			out := run(t, r, in)
			if a == b {
				for i := range in {
					if in[i] != out[i] {
						t.Fatalf("identity %d differs", a)
					}
				}
				continue
			}
			p := dsp.Goertzel(out[len(out)/2:], b, 300)
			if p < 0.2 || p > 0.3 {
				t.Errorf("%d→%d: 300 Hz power %.3f, want ≈0.25", a, b, p)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := New(11025, 8000); !errors.Is(err, ErrRate) {
		t.Errorf("11025: %v", err)
	}
	if _, err := New(8000, 0); !errors.Is(err, ErrRate) {
		t.Errorf("0: %v", err)
	}
	if _, err := New(8000, 16000, WithAttenuation(5)); !errors.Is(err, ErrOption) {
		t.Errorf("attenuation: %v", err)
	}
	if _, err := New(8000, 16000, WithPassband(1.5)); !errors.Is(err, ErrOption) {
		t.Errorf("passband: %v", err)
	}
	if _, err := New(50, 383950); !errors.Is(err, ErrRatio) {
		t.Errorf("ratio: %v", err)
	}
	r, _ := New(8000, 16000)
	if n := r.Process(make([]int16, 320), make([]int16, 100)); n != 0 {
		t.Errorf("bad src size wrote %d", n)
	}
	if _, err := r.ProcessFrame(make([]int16, 10), make([]int16, 160)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("small dst: %v", err)
	}
	if n := r.Process(make([]int16, 640), make([]int16, 320)); n != 640 {
		t.Errorf("two frames wrote %d", n)
	}
}

func TestResetClearsHistory(t *testing.T) {
	r, _ := New(48000, 8000)
	loud := sineSignal(1000, 0.9, 48000, 960)
	out := make([]int16, 160)
	r.Process(out, loud)
	r.Reset()
	r.Process(out, make([]int16, 960))
	if p := dsp.Peak(out); p != 0 {
		t.Fatalf("after Reset silence came out with peak %v", p)
	}
}

type sliceSource struct {
	rate int
	data []int16
}

func (s *sliceSource) Rate() int { return s.rate }
func (s *sliceSource) ReadFrame(dst []int16) error {
	if len(s.data) < len(dst) {
		return io.EOF
	}
	copy(dst, s.data)
	s.data = s.data[len(dst):]
	return nil
}

type sliceSink struct {
	rate int
	data []int16
}

func (s *sliceSink) Rate() int                    { return s.rate }
func (s *sliceSink) WriteFrame(src []int16) error { s.data = append(s.data, src...); return nil }

func TestSourceAndSink(t *testing.T) {
	src, err := NewSource(&sliceSource{rate: 44100, data: sineSignal(1000, 0.5, 44100, 44100)}, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if src.Rate() != 8000 {
		t.Fatal(src.Rate())
	}
	sink := &sliceSink{rate: 48000}
	up, err := NewSink(sink, 8000)
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	frames := 0
	for {
		err := src.ReadFrame(frame)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := up.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
		frames++
	}
	if frames != 50 || len(sink.data) != 50*960 {
		t.Fatalf("frames %d, sink samples %d", frames, len(sink.data))
	}
	db, _ := snr(sink.data[4800:], 48000, 1000)
	t.Logf("44.1k→8k→48k chain: SNR %.1f dB", db)
	if db < 55 {
		t.Errorf("chain SNR %.1f dB", db)
	}
	same := &sliceSource{rate: 8000}
	if s, _ := NewSource(same, 8000); s != audio.Source(same) {
		t.Error("equal rate source not passed through")
	}
	if err := src.ReadFrame(make([]int16, 5)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("short dst: %v", err)
	}
}

func BenchmarkProcess(b *testing.B) {
	for _, c := range [][2]int{{48000, 8000}, {8000, 48000}, {44100, 8000}, {16000, 48000}, {48000, 48000}} {
		b.Run(fmt.Sprintf("%d-%d", c[0], c[1]), func(b *testing.B) {
			r, err := New(c[0], c[1])
			if err != nil {
				b.Fatal(err)
			}
			in := sineSignal(1000, 0.5, c[0], r.InFrame())
			out := make([]int16, r.OutFrame())
			b.ReportAllocs()
			for b.Loop() {
				r.Process(out, in)
			}
		})
	}
}

package resample

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/pitchline/pitchline/audio"
)

// Option configures a Resampler.
type Option func(*config)

type config struct {
	attenuation float64 // stopband attenuation in dB
	passband    float64 // passband edge as a fraction of the lower Nyquist
}

// WithAttenuation sets the stopband attenuation in dB (40..140, default 90).
// More attenuation means more taps.
func WithAttenuation(db float64) Option { return func(c *config) { c.attenuation = db } }

// WithPassband sets the passband edge as a fraction of the lower of the two
// Nyquist frequencies (0.5..0.98, default 0.85). A wider passband means a
// narrower transition band and more taps.
func WithPassband(frac float64) Option { return func(c *config) { c.passband = frac } }

// Resampler converts one 20 ms frame at a time from InRate to OutRate. It is
// not safe for concurrent use; give each stream its own Resampler.
type Resampler struct {
	in, out int
	nin     int // input samples per frame
	nout    int // output samples per frame
	f       *filter
	hist    []float32 // taps-1 history samples followed by one input frame
	srcIdx  []int32   // per output sample: start index into hist
	phase   []int32   // per output sample: polyphase branch
	acc     []float32 // one output frame before rounding
	quiet   bool      // the history (hist[:taps-1]) is all zero
}

// filter is an immutable polyphase filter, shared between Resamplers.
type filter struct {
	l, m   int
	taps   int       // taps per branch
	coef   []float32 // l branches of taps coefficients, time-reversed
	delay  float64   // group delay in input samples
	design string
}

type filterKey struct {
	in, out int
	att, pb float64
}

var filterCache sync.Map // filterKey -> *filter

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// New returns a Resampler from inRate to outRate Hz. Equal rates give a
// copying fast path.
func New(inRate, outRate int, opts ...Option) (*Resampler, error) {
	for _, r := range []int{inRate, outRate} {
		if err := audio.CheckRate(r); err != nil {
			return nil, fmt.Errorf("resample %d→%d Hz: %w (%v)", inRate, outRate, ErrRate, err)
		}
	}
	cfg := config{attenuation: 90, passband: 0.85}
	for _, o := range opts {
		o(&cfg)
	}
	if !(cfg.attenuation >= 40 && cfg.attenuation <= 140) {
		return nil, fmt.Errorf("resample: attenuation %v dB outside 40..140: %w", cfg.attenuation, ErrOption)
	}
	if !(cfg.passband >= 0.5 && cfg.passband <= 0.98) {
		return nil, fmt.Errorf("resample: passband %v outside 0.5..0.98: %w", cfg.passband, ErrOption)
	}
	r := &Resampler{in: inRate, out: outRate, nin: audio.FrameSamples(inRate), nout: audio.FrameSamples(outRate)}
	if inRate == outRate {
		return r, nil
	}
	g := gcd(inRate, outRate)
	l, m := outRate/g, inRate/g
	if l > 1000 || m > 1000 {
		return nil, fmt.Errorf("resample %d→%d Hz: L/M = %d/%d: %w", inRate, outRate, l, m, ErrRatio)
	}
	key := filterKey{inRate, outRate, cfg.attenuation, cfg.passband}
	fv, ok := filterCache.Load(key)
	if !ok {
		fv, _ = filterCache.LoadOrStore(key, design(inRate, outRate, l, m, cfg))
	}
	r.f = fv.(*filter)
	r.hist = make([]float32, r.f.taps-1+r.nin)
	r.srcIdx = make([]int32, r.nout)
	r.phase = make([]int32, r.nout)
	r.acc = make([]float32, r.nout)
	r.quiet = true
	for n := 0; n < r.nout; n++ {
		t := n * m // position in the L-times upsampled domain
		r.srcIdx[n] = int32(t / l)
		r.phase[n] = int32(t % l)
	}
	return r, nil
}

// besselI0 is the zeroth-order modified Bessel function of the first kind,
// by its power series.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 200; k++ {
		term *= q / float64(k*k)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

// design builds the Kaiser-windowed sinc low-pass at the upsampled rate
// inRate*l and splits it into l branches.
func design(inRate, outRate, l, m int, cfg config) *filter {
	nyq := float64(min(inRate, outRate)) / 2
	fs := nyq                // stopband edge (Hz)
	fp := nyq * cfg.passband // passband edge (Hz)
	fc := (fs + fp) / 2      // -6 dB cutoff (Hz)
	proto := float64(inRate) * float64(l)
	dw := 2 * math.Pi * (fs - fp) / proto // transition width, rad/sample
	a := cfg.attenuation
	// Kaiser's formulas for beta and order.
	var beta float64
	switch {
	case a > 50:
		beta = 0.1102 * (a - 8.7)
	case a >= 21:
		beta = 0.5842*math.Pow(a-21, 0.4) + 0.07886*(a-21)
	}
	order := int(math.Ceil((a - 8) / (2.285 * dw)))
	taps := (order + 1 + l - 1) / l // per branch
	if taps < 2 {
		taps = 2
	}
	n := taps * l
	h := make([]float64, n)
	centre := float64(n-1) / 2
	i0b := besselI0(beta)
	wc := 2 * fc / proto // normalised cutoff, 1 = Nyquist of the prototype
	for i := range h {
		x := float64(i) - centre
		var s float64
		if x == 0 {
			s = wc
		} else {
			s = math.Sin(math.Pi*wc*x) / (math.Pi * x)
		}
		r := 2 * x / float64(n-1)
		w := besselI0(beta*math.Sqrt(math.Max(0, 1-r*r))) / i0b
		h[i] = s * w * float64(l) // gain l restores level after zero-stuffing
	}
	f := &filter{l: l, m: m, taps: taps, coef: make([]float32, n), delay: centre / float64(l),
		design: fmt.Sprintf("L/M=%d/%d, %d taps (%d per branch), Kaiser β=%.2f, pass %.0f Hz, stop %.0f Hz, %.0f dB", l, m, n, taps, beta, fp, fs, a)}
	// Branch p holds h[p + k*l] for k = 0..taps-1, stored time-reversed so
	// that output = Σ_j coef[p][j] * hist[start+j] with hist oldest-first.
	for p := 0; p < l; p++ {
		for k := 0; k < taps; k++ {
			f.coef[p*taps+(taps-1-k)] = float32(h[p+k*l])
		}
	}
	return f
}

// InRate returns the input sample rate in Hz.
func (r *Resampler) InRate() int { return r.in }

// OutRate returns the output sample rate in Hz.
func (r *Resampler) OutRate() int { return r.out }

// InFrame returns the number of samples in one input frame.
func (r *Resampler) InFrame() int { return r.nin }

// OutFrame returns the number of samples in one output frame.
func (r *Resampler) OutFrame() int { return r.nout }

// Latency returns the group delay the filter adds (zero for equal rates).
func (r *Resampler) Latency() time.Duration {
	if r.f == nil {
		return 0
	}
	return time.Duration(r.f.delay / float64(r.in) * float64(time.Second))
}

// String describes the filter design.
func (r *Resampler) String() string {
	if r.f == nil {
		return fmt.Sprintf("resample %d→%d Hz: identity", r.in, r.out)
	}
	return fmt.Sprintf("resample %d→%d Hz: %s", r.in, r.out, r.f.design)
}

// Reset clears the filter history, as for a new stream.
func (r *Resampler) Reset() {
	clear(r.hist)
	r.quiet = true
}

// Process converts whole frames: len(src) must be a positive multiple of
// InFrame() and dst must hold the matching number of output samples. It
// returns the number of samples written, or 0 (writing nothing) when the
// sizes are wrong. It never allocates.
func (r *Resampler) Process(dst, src []int16) int {
	n, _ := r.ProcessFrame(dst, src)
	return n
}

// ProcessFrame is Process with an error that explains wrong sizes.
func (r *Resampler) ProcessFrame(dst, src []int16) (int, error) {
	if len(src) == 0 || len(src)%r.nin != 0 || len(dst) < len(src)/r.nin*r.nout {
		return 0, fmt.Errorf("resample %d→%d Hz: src %d samples, dst %d (frames are %d→%d): %w",
			r.in, r.out, len(src), len(dst), r.nin, r.nout, ErrFrameSize)
	}
	frames := len(src) / r.nin
	for i := 0; i < frames; i++ {
		r.frame(dst[i*r.nout:(i+1)*r.nout], src[i*r.nin:(i+1)*r.nin])
	}
	return frames * r.nout, nil
}

func (r *Resampler) frame(dst, src []int16) { convert(r, dst, src, true) }

// convert converts one frame, src (InFrame() samples) into dst
// (OutFrame() samples), rounding and, with clamp, clipping to 16 bits.
// When the frame and the history are all zero the output is exactly zero
// (every product is zero), so it writes zeros without filtering: a muted
// or silent stream costs a scan of its input. The history then stays all
// zero, as filtering would leave it, so the stream continues exactly as
// if the frame had been filtered.
func convert[S int16 | int32](r *Resampler, dst, src []S, clamp bool) {
	if r.f == nil {
		copy(dst, src)
		return
	}
	taps := r.f.taps
	h := r.hist
	x := h[taps-1:]
	x = x[:len(src)]
	var or S
	for i, s := range src {
		or |= s
		x[i] = float32(s)
	}
	if or == 0 && r.quiet {
		clear(dst)
		return
	}
	// Every window lies inside h (New's srcIdx grows with n): one check
	// here stands for the assembly's unchecked reads.
	_ = h[int(r.srcIdx[len(dst)-1])+taps-1]
	acc := r.acc[:len(dst)]
	dotFrame(acc, r.f.coef, h, taps, r.srcIdx, r.phase)
	for n, v := range acc {
		if clamp {
			if v >= 32767 {
				v = 32767
			} else if v <= -32768 {
				v = -32768
			}
		}
		dst[n] = S(round(v))
	}
	// Keep the last taps-1 input samples as history for the next frame.
	copy(h[:taps-1], h[len(h)-(taps-1):])
	r.quiet = allZero(h[:taps-1])
}

// round is math.Round(float64(v)) for |v| < 2³¹ (the samples and sums
// here), without a call: truncate, then step away from zero on a
// fraction of one half or more. v - float32(i) is exact (it is v's
// fraction, or 0 once |v| ≥ 2²³ where every float32 is an integer).
func round(v float32) int32 {
	i := int32(v)
	if d := v - float32(i); d >= 0.5 {
		i++
	} else if d <= -0.5 {
		i--
	}
	return i
}

// allZero reports whether every sample of h is zero.
func allZero(h []float32) bool {
	for _, v := range h {
		if v != 0 {
			return false
		}
	}
	return true
}

// Frame32 converts one frame of int32 samples (InFrame() of them into
// OutFrame() of them) without clipping: the input may be a sum of several
// streams beyond 16 bits, and the output is rounded but not clamped, so
// that converting a sum gives the sum of the conversions (the filter is
// linear). It shares the history of Process. It never allocates; it
// returns ErrFrameSize, writing nothing, when the sizes are wrong.
func (r *Resampler) Frame32(dst, src []int32) error {
	if len(src) != r.nin || len(dst) != r.nout {
		return fmt.Errorf("resample %d→%d Hz: src %d samples, dst %d (frames are %d→%d): %w",
			r.in, r.out, len(src), len(dst), r.nin, r.nout, ErrFrameSize)
	}
	convert(r, dst, src, false)
	return nil
}

// Prime sets the filter history as if prev, the input frame before the
// next one, had just been converted: a Resampler that skipped frames (or
// a new one) then continues a stream without the step a stale or empty
// history would put at the frame boundary. prev may be of any length;
// only its last samples matter (the filter's length, under one frame at
// the rates audio.CheckRate accepts from 8 kHz up); missing ones are
// zero.
func (r *Resampler) Prime(prev []int16) { prime(r, prev) }

// Prime32 is Prime for int32 samples (a sum of streams, as for Frame32).
func (r *Resampler) Prime32(prev []int32) { prime(r, prev) }

func prime[S int16 | int32](r *Resampler, prev []S) {
	if r.f == nil {
		return
	}
	h := r.hist[:r.f.taps-1]
	clear(h)
	if len(prev) > len(h) {
		prev = prev[len(prev)-len(h):]
	}
	off := len(h) - len(prev)
	for i, s := range prev {
		h[off+i] = float32(s)
	}
	r.quiet = allZero(h)
}

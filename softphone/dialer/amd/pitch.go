package amd

import "math"

// Pitch (F0) estimation with YIN (de Cheveigné and Kawahara, "YIN, a
// fundamental frequency estimator for speech and music", JASA 111(4),
// 2002): the cumulative-mean-normalised difference function of a 20 ms
// window of the 8 kHz signal, its first dip under yinThreshold between the
// lags of pitchMax and pitchMin, refined by parabolic interpolation.
//
// The search runs on the high-passed (200 Hz) signal decimated to 8 kHz,
// only on frames the caller asks about (voiced frames of the first
// utterance), in fixed arrays: no allocation.
const (
	pitchRate = 8000
	pitchMin  = 60  // Hz: the lowest voice looked for
	pitchMax  = 400 // Hz: the highest
	pitchWin  = 160 // samples (20 ms at 8 kHz) compared with their lagged copy
	// yinThreshold is the dip of the normalised difference under which a
	// lag is a period (YIN's absolute threshold; the paper uses 0.1-0.15
	// on clean speech, telephone band and noise need more).
	yinThreshold = 0.25
	minLag       = pitchRate / pitchMax // 20
	maxLag       = pitchRate / pitchMin // 133
	pitchBuf     = pitchWin + maxLag + 1
)

// pitchTracker holds the last pitchBuf samples at 8 kHz and estimates F0
// from them.
type pitchTracker struct {
	ring [pitchBuf]float64
	pos  int // next write index
	n    int // samples written, up to pitchBuf
	lin  [pitchBuf]float64
	diff [maxLag + 2]float64
}

// push adds one 8 kHz sample.
func (p *pitchTracker) push(x float64) {
	p.ring[p.pos] = x
	p.pos++
	if p.pos == pitchBuf {
		p.pos = 0
	}
	if p.n < pitchBuf {
		p.n++
	}
}

// estimate returns the F0 in Hz of the last pitchBuf samples and the
// normalised difference at its period (0: perfectly periodic; lower is
// surer), or ok=false when no lag dips under yinThreshold (noise, an
// unvoiced consonant) or too few samples are in.
func (p *pitchTracker) estimate() (f0, aperiodicity float64, ok bool) {
	if p.n < pitchBuf {
		return 0, 1, false
	}
	// Oldest first.
	k := copy(p.lin[:], p.ring[p.pos:])
	copy(p.lin[k:], p.ring[:p.pos])
	x := p.lin[:]
	// Difference function d(tau) for tau in 1..maxLag+1 (the +1 for the
	// parabola at maxLag), and its cumulative-mean normalisation in place.
	var cum float64
	p.diff[0] = 1
	for tau := 1; tau <= maxLag+1; tau++ {
		var s float64
		a, b := x[:pitchWin], x[tau:tau+pitchWin]
		for j := range a {
			e := a[j] - b[j]
			s += e * e
		}
		cum += s
		if cum > 0 {
			p.diff[tau] = s * float64(tau) / cum
		} else {
			p.diff[tau] = 1
		}
	}
	best := -1
	for tau := minLag; tau <= maxLag; tau++ {
		if p.diff[tau] < yinThreshold {
			for tau+1 <= maxLag && p.diff[tau+1] < p.diff[tau] {
				tau++
			}
			best = tau
			break
		}
	}
	// No dip, or one at the edge of the range (the difference was still
	// falling at the shortest lag: a transition or noise, not a period).
	if best <= minLag || best >= maxLag {
		return 0, 1, false
	}
	// Parabolic interpolation around the dip.
	t := float64(best)
	a, b, c := p.diff[best-1], p.diff[best], p.diff[best+1]
	if den := a - 2*b + c; den > 0 {
		t += 0.5 * (a - c) / den
	}
	return pitchRate / t, b, true
}

// semitones converts a frequency to semitones above 100 Hz.
func semitones(f float64) float64 { return 12 * math.Log2(f/100) }

package dsp

import "math"

// SilenceDBFS is the level reported for digital silence.
const SilenceDBFS = -96.0

// Goertzel returns the normalised power of frequency freq (Hz) in samples
// taken at rate (Hz). The result is the squared magnitude of the DFT bin
// divided by (len(samples)/2)², so a full-scale sine gives about 1.0.
//
// See https://en.wikipedia.org/wiki/Goertzel_algorithm.
func Goertzel(samples []int16, rate int, freq float64) float64 {
	n := len(samples)
	if n == 0 || rate <= 0 {
		return 0
	}
	w := 2 * math.Pi * freq / float64(rate)
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for _, x := range samples {
		s0 := float64(x)/32768.0 + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	half := float64(n) / 2
	return p / (half * half)
}

// DominantFrequency scans lo..hi Hz in steps of step Hz with Goertzel and
// returns the frequency with the most power and that power.
func DominantFrequency(samples []int16, rate int, lo, hi, step float64) (freq, power float64) {
	for f := lo; f <= hi; f += step {
		if p := Goertzel(samples, rate, f); p > power {
			freq, power = f, p
		}
	}
	return freq, power
}

// RMS returns the root-mean-square level of samples in the range 0..1.
func RMS(samples []int16) float64 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, x := range samples {
		v := float64(x) / 32768.0
		sum += v * v
	}
	return math.Sqrt(sum / float64(len(samples)))
}

// Peak returns the largest absolute sample value in the range 0..1.
func Peak(samples []int16) float64 {
	var m int32
	for _, x := range samples {
		v := int32(x)
		if v < 0 {
			v = -v
		}
		if v > m {
			m = v
		}
	}
	return float64(m) / 32768.0
}

// DBFS converts a linear level in 0..1 to dBFS, clamped at SilenceDBFS.
func DBFS(level float64) float64 {
	if level <= 0 {
		return SilenceDBFS
	}
	db := 20 * math.Log10(level)
	if db < SilenceDBFS {
		return SilenceDBFS
	}
	return db
}

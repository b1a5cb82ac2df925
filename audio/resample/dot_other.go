//go:build !amd64 || purego

package resample

// dot returns the inner product Σ c[j]·w[j] over len(c) terms
// (len(w) >= len(c)).
func dot(c, w []float32) float32 { return dotGeneric(c, w) }

// dotFrame sets acc[k] to the inner product of branch phase[k] of coef
// (taps coefficients each) with hist[srcIdx[k]:], for every k.
func dotFrame(acc, coef, hist []float32, taps int, srcIdx, phase []int32) {
	dotFrameGeneric(acc, coef, hist, taps, srcIdx, phase)
}

//go:build amd64 && !purego

package resample

import "golang.org/x/sys/cpu"

// useAVX: the CPU and the OS support AVX (x/sys/cpu checks both).
var useAVX = cpu.X86.HasAVX

// dotAVX returns Σ c[i]·w[i] for i < n in float32 with 256-bit AVX
// multiplies and adds (no FMA, so that dotAVXOrder, its order written in
// Go, gives the same bits): 32 lanes (four registers of eight) take the
// blocks of 32, lanes 0-7 the blocks of 8 after them, the lanes are
// summed pairwise, and the last n%8 terms are added one by one.
//
//go:noescape
func dotAVX(c, w *float32, n int) float32

// dot returns the inner product Σ c[j]·w[j] over len(c) terms
// (len(w) >= len(c)).
func dot(c, w []float32) float32 {
	if useAVX && len(c) >= 8 {
		w = w[:len(c)] // bounds check: the assembly reads len(c) of each
		return dotAVX(&c[0], &w[0], len(c))
	}
	return dotGeneric(c, w)
}

// dotFrameAVX sets out[k] = dotAVX(&coef[phase[k]*taps], &hist[srcIdx[k]],
// taps) for k < n, in one call.
//
//go:noescape
func dotFrameAVX(coef *float32, taps int, hist *float32, srcIdx, phase *int32, out *float32, n int)

// dotFrame sets acc[k] to the inner product of branch phase[k] of coef
// (taps coefficients each) with hist[srcIdx[k]:], for every k: one frame
// of output before rounding. The caller guarantees that every window lies
// inside hist.
func dotFrame(acc, coef, hist []float32, taps int, srcIdx, phase []int32) {
	if useAVX && taps >= 8 && len(acc) > 0 {
		srcIdx, phase = srcIdx[:len(acc)], phase[:len(acc)]
		dotFrameAVX(&coef[0], taps, &hist[0], &srcIdx[0], &phase[0], &acc[0], len(acc))
		return
	}
	dotFrameGeneric(acc, coef, hist, taps, srcIdx, phase)
}

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

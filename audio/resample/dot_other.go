//go:build !amd64 || purego

package resample

// dot returns the inner product Σ c[j]·w[j] over len(c) terms
// (len(w) >= len(c)).
func dot(c, w []float32) float32 { return dotGeneric(c, w) }

package resample

// dotGeneric returns the inner product Σ c[j]·w[j] over len(c) terms
// (len(w) >= len(c)) in float32, with four accumulators: the portable
// version of dot, also used on amd64 without AVX.
func dotGeneric(c, w []float32) float32 {
	w = w[:len(c)] // tells the compiler len(w) == len(c): no bounds checks below
	var a0, a1, a2, a3 float32
	j := 0
	for ; j+4 <= len(c); j += 4 {
		cc, ww := c[j:j+4:j+4], w[j:j+4:j+4]
		a0 += cc[0] * ww[0]
		a1 += cc[1] * ww[1]
		a2 += cc[2] * ww[2]
		a3 += cc[3] * ww[3]
	}
	for ; j < len(c); j++ {
		a0 += c[j] * w[j]
	}
	return (a0 + a1) + (a2 + a3)
}

// dotFrameGeneric is dotFrame with dotGeneric.
func dotFrameGeneric(acc, coef, hist []float32, taps int, srcIdx, phase []int32) {
	for k := range acc {
		p := int(phase[k]) * taps
		acc[k] = dotGeneric(coef[p:p+taps], hist[int(srcIdx[k]):])
	}
}

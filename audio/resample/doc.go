// Package resample converts 20 ms frames of mono int16 PCM between sample
// rates with a band-limited polyphase FIR filter.
//
// The converter works on the rational ratio L/M = outRate/inRate reduced by
// their greatest common divisor. A low-pass prototype is designed once per
// (rates, options) with the windowed-sinc method and a Kaiser window
// (J. F. Kaiser, "Nonrecursive digital filter design using the I0-sinh
// window function", 1974; see also
// https://ccrma.stanford.edu/~jos/sasp/Kaiser_Window.html), split into L
// polyphase branches and shared between resamplers. By default the
// stopband starts at the lower Nyquist frequency and attenuates by 90 dB;
// the passband reaches 85 % of it (3.4 kHz for 8 kHz telephony).
//
// Because every rate is a multiple of 50 Hz, one input frame maps to exactly
// one output frame and the polyphase phase restarts at every frame, so the
// only state carried between frames is the filter history. Process never
// allocates.
//
// Cost: on amd64 with AVX the inner products run in assembly
// (dot_amd64.s: eight float32 lanes, multiplies and adds in a fixed
// order that dot_amd64_test.go repeats in Go and checks bit for bit);
// elsewhere, or built with the purego tag, in Go with four accumulators.
// The two differ only by float32 rounding (at most 1 LSB in a few
// samples). A frame that is all zero while the filter history is all
// zero too (a muted or silent stream) is not filtered: its output is
// exactly zero, and so is the history after it.
package resample

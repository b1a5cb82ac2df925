// Package tone generates call-progress tones, DTMF digits, a ringer melody
// and plain sines as audio.Source values at any supported rate.
//
// Generators are phase-continuous across frames (oscillator phases keep
// running through silent parts of a cadence), ramp every burst in and out
// over 5 ms to avoid clicks, and never allocate in ReadFrame.
//
// Call-progress cadences follow ITU-T Recommendation E.180 Supplement 2,
// "Various tones used in national networks"
// (https://www.itu.int/rec/T-REC-E.180-199803-I!Sup2) together with the
// national specifications it summarises: ANSI T1.401 / Telcordia GR-506 for
// the US precise tones, ETSI TR 101 041 (CEPT) for the European 425 Hz
// tones, BT SIN 350 for the UK, NTT for Japan. DTMF pairs are those of
// ITU-T Q.23 (https://www.itu.int/rec/T-REC-Q.23) as used by RFC 4733
// (https://www.rfc-editor.org/rfc/rfc4733#section-3.2).
package tone

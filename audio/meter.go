package audio

import (
	"sync/atomic"

	"github.com/pitchline/pitchline/audio/dsp"
)

// Meter is a peak level meter. The audio goroutine calls Update once per
// frame (no locks, no allocation); any goroutine reads the latest level with
// DBFS or Peak. The zero value is ready to use and reads as silence.
type Meter struct {
	peak atomic.Uint32 // largest |sample| of the last frame, 0..32768
}

// Update records the peak of one frame of samples.
func (m *Meter) Update(samples []int16) {
	var p int32
	for _, s := range samples {
		v := int32(s)
		if v < 0 {
			v = -v
		}
		if v > p {
			p = v
		}
	}
	m.peak.Store(uint32(p))
}

// Reset sets the meter back to silence.
func (m *Meter) Reset() { m.peak.Store(0) }

// Peak returns the peak of the last frame as a linear level in 0..1.
func (m *Meter) Peak() float64 { return float64(m.peak.Load()) / 32768.0 }

// DBFS returns the peak of the last frame in dBFS, dsp.SilenceDBFS for
// digital silence.
func (m *Meter) DBFS() float64 { return dsp.DBFS(m.Peak()) }

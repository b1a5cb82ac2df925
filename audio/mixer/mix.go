package mixer

import (
	"math/bits"
	"sync/atomic"

	"github.com/pitchline/pitchline/audio/dsp"
)

// unity is a gain of 1 in the Q15 fixed point of the fade ramps.
const unity = 1 << 15

// level is a peak meter the tick sets with a peak it computed in a pass it
// makes anyway (audio.Meter would scan the frame once more); any goroutine
// reads it without a lock.
type level struct{ peak atomic.Uint32 } // 0..32768

func (l *level) set(peak int32) { l.peak.Store(uint32(peak)) }

// linear returns the last frame's peak in 0..1.
func (l *level) linear() float64 { return float64(l.peak.Load()) / 32768 }

// DBFS returns the last frame's peak in dBFS (dsp.SilenceDBFS for silence).
func (l *level) DBFS() float64 { return dsp.DBFS(l.linear()) }

// mixFor computes into dst what listener l hears this tick and returns
// its peak (m.mu held). connected says whether l's node takes part this
// tick; a node that does not hears nothing.
//
// Every talker is summed at most once per tick (m.sum). A listener whose
// routes leave out fewer connected talkers than they take in (mix-minus:
// everyone but itself) costs one copy of the sum and one subtraction per
// left-out talker; any other listener sums its talkers directly. Routes
// that changed since the last tick, or whose talker or listener was
// connected or disconnected, fade in or out over this frame.
func (m *Mixer) mixFor(l *listener, connected bool, dst []int16) int32 {
	heard, left, ramps := 0, 0, uint64(0)
	for w := range m.conn {
		var cur uint64
		if connected {
			cur = l.route[w] & m.conn[w]
		}
		prev := l.prev[w]
		m.steady[w] = cur & prev
		m.in[w] = cur &^ prev
		m.out[w] = prev &^ cur
		l.prev[w] = cur
		heard += bits.OnesCount64(m.steady[w])
		left += bits.OnesCount64(m.conn[w] &^ m.steady[w])
		ramps |= m.in[w] | m.out[w]
	}
	acc := m.acc
	switch {
	case heard == 0 && ramps == 0:
		clear(dst)
		return 0
	case heard == 0:
		clear(acc)
	case heard == 1 && ramps == 0:
		// One talker (a two-party call): its frame as it is.
		for w, b := range m.steady {
			if b != 0 {
				copy(dst, m.talk[w*64+bits.TrailingZeros64(b)])
			}
		}
		return peakOf(dst)
	case left < heard:
		if !m.sumValid {
			clear(m.sum)
			for w, b := range m.conn {
				for ; b != 0; b &= b - 1 {
					addFrame(m.sum, m.talk[w*64+bits.TrailingZeros64(b)])
				}
			}
			m.sumValid = true
		}
		copy(acc, m.sum)
		for w, b := range m.conn {
			for b &^= m.steady[w]; b != 0; b &= b - 1 {
				subFrame(acc, m.talk[w*64+bits.TrailingZeros64(b)])
			}
		}
	default:
		clear(acc)
		for w, b := range m.steady {
			for ; b != 0; b &= b - 1 {
				addFrame(acc, m.talk[w*64+bits.TrailingZeros64(b)])
			}
		}
	}
	if ramps != 0 {
		for w := range m.conn {
			for b := m.in[w]; b != 0; b &= b - 1 {
				addRamped(acc, m.talk[w*64+bits.TrailingZeros64(b)], m.rampIn)
			}
			for b := m.out[w]; b != 0; b &= b - 1 {
				addRamped(acc, m.talk[w*64+bits.TrailingZeros64(b)], m.rampOut)
			}
		}
	}
	return clipPeak(dst, acc)
}

// The kernels below run four samples per step: Go does not vectorise,
// and this halves the loop overhead. Frames are multiples of four
// samples at every rate audio.CheckRate accepts except 11025 Hz; the
// tails handle any length.

func addFrame(acc []int32, x []int16) {
	x = x[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		a, s := acc[i:i+4:i+4], x[i:i+4:i+4]
		a[0] += int32(s[0])
		a[1] += int32(s[1])
		a[2] += int32(s[2])
		a[3] += int32(s[3])
	}
	for ; i < len(acc); i++ {
		acc[i] += int32(x[i])
	}
}

func subFrame(acc []int32, x []int16) {
	x = x[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		a, s := acc[i:i+4:i+4], x[i:i+4:i+4]
		a[0] -= int32(s[0])
		a[1] -= int32(s[1])
		a[2] -= int32(s[2])
		a[3] -= int32(s[3])
	}
	for ; i < len(acc); i++ {
		acc[i] -= int32(x[i])
	}
}

// addRamped adds x faded by the Q15 gains g.
func addRamped(acc []int32, x []int16, g []int32) {
	x, g = x[:len(acc)], g[:len(acc)]
	for i, s := range x {
		acc[i] += int32(s) * g[i] >> 15
	}
}

// clipPeak stores src clipped to 16 bits in dst and returns the peak
// |sample| of dst (0..32768). A frame that needs no clipping (the usual
// case) is narrowed without the clamps.
func clipPeak(dst []int16, src []int32) int32 {
	dst = dst[:len(src)]
	var hi, lo int32
	i := 0
	for ; i+4 <= len(src); i += 4 {
		v := src[i : i+4 : i+4]
		hi = max(hi, v[0], v[1], v[2], v[3])
		lo = min(lo, v[0], v[1], v[2], v[3])
	}
	for ; i < len(src); i++ {
		hi, lo = max(hi, src[i]), min(lo, src[i])
	}
	if hi <= 32767 && lo >= -32768 {
		for i, v := range src {
			dst[i] = int16(v)
		}
		return max(hi, -lo)
	}
	for i, v := range src {
		dst[i] = int16(min(max(v, -32768), 32767))
	}
	return max(min(hi, 32767), -max(lo, -32768))
}

// peakOf returns the peak |sample| of s (0..32768).
func peakOf(s []int16) int32 {
	var hi, lo int16
	i := 0
	for ; i+4 <= len(s); i += 4 {
		v := s[i : i+4 : i+4]
		hi = max(hi, v[0], v[1], v[2], v[3])
		lo = min(lo, v[0], v[1], v[2], v[3])
	}
	for ; i < len(s); i++ {
		hi, lo = max(hi, s[i]), min(lo, s[i])
	}
	return max(int32(hi), -int32(lo))
}

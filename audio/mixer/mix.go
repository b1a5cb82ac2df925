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

// mixFor computes into dst what listener l, mixed at plane pl, hears this
// tick and returns its peak (m.mu held). connected says whether l's node
// takes part this tick; a node that does not hears nothing.
//
// Talkers at the listener's rate are mixed as they are. Every talker is
// summed at most once per tick per plane (plane.sum). A listener whose
// routes leave out fewer connected talkers of its plane than they take in
// (mix-minus: everyone but itself) costs one copy of the sum and one
// subtraction per left-out talker; any other listener sums its talkers
// directly. Talkers at another rate are converted, at most once per tick
// for all the listeners of a plane: a listener that hears every connected
// talker of another plane adds that plane's converted sum (one conversion
// however many talkers: the rep hearing 32 G.711 legs); one that hears
// most of them subtracts the converted frames of the few it does not
// hear; any other adds its talkers' converted frames (the microphone
// heard by 32 G.711 legs: one conversion shared by all). Routes that
// changed since the last tick, or whose talker or listener was connected
// or disconnected, fade in or out over this frame, after conversion.
func (m *Mixer) mixFor(l *listener, connected bool, pl *plane, dst []int16, tick uint64) int32 {
	heard, ramps := 0, uint64(0)
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
		ramps |= m.in[w] | m.out[w]
	}
	if heard == 0 && ramps == 0 {
		clear(dst)
		return 0
	}
	if heard == 1 && ramps == 0 {
		// One talker (a two-party call) at this rate: its frame as it is.
		for w, b := range m.steady {
			if b&pl.mask[w] != 0 {
				copy(dst, m.talkers[w*64+bits.TrailingZeros64(b)].cur)
				return peakOf(dst)
			}
		}
	}
	acc := pl.acc
	m.mixNative(pl, acc)
	for _, q := range m.planes {
		if q != pl {
			m.mixCross(q, pl, acc, tick)
		}
	}
	if ramps != 0 {
		for w := range m.conn {
			for b := m.in[w]; b != 0; b &= b - 1 {
				m.addTalkerRamped(acc, m.talkers[w*64+bits.TrailingZeros64(b)], pl, pl.rampIn, tick)
			}
			for b := m.out[w]; b != 0; b &= b - 1 {
				m.addTalkerRamped(acc, m.talkers[w*64+bits.TrailingZeros64(b)], pl, pl.rampOut, tick)
			}
		}
	}
	return clipPeak(dst, acc)
}

// mixNative sets acc to the steady talkers of the listener's own plane
// pl (m.steady), as they are.
func (m *Mixer) mixNative(pl *plane, acc []int32) {
	heard, left := 0, 0
	for w, b := range m.steady {
		heard += bits.OnesCount64(b & pl.mask[w])
		left += bits.OnesCount64(m.conn[w] & pl.mask[w] &^ b)
	}
	switch {
	case heard == 0:
		clear(acc)
	case left < heard:
		copy(acc, m.planeSum(pl))
		for w, b := range m.conn {
			for b &= pl.mask[w] &^ m.steady[w]; b != 0; b &= b - 1 {
				subFrame(acc, m.talkers[w*64+bits.TrailingZeros64(b)].cur)
			}
		}
	default:
		clear(acc)
		for w, b := range m.steady {
			for b &= pl.mask[w]; b != 0; b &= b - 1 {
				addFrame(acc, m.talkers[w*64+bits.TrailingZeros64(b)].cur)
			}
		}
	}
}

// mixCross adds to acc (at plane pl) the steady talkers of plane q that
// the listener hears, converted to pl.
func (m *Mixer) mixCross(q, pl *plane, acc []int32, tick uint64) {
	heard, left := 0, 0
	for w, b := range m.steady {
		heard += bits.OnesCount64(b & q.mask[w])
		left += bits.OnesCount64(m.conn[w] & q.mask[w] &^ b)
	}
	switch {
	case heard == 0:
	case left < heard:
		// The plane's converted sum minus the few not heard (none for a
		// listener that hears the whole plane).
		addFrame32(acc, m.planeConv(q, pl, tick))
		for w, b := range m.conn {
			for b &= q.mask[w] &^ m.steady[w]; b != 0; b &= b - 1 {
				subFrame32(acc, m.talkerConv(m.talkers[w*64+bits.TrailingZeros64(b)], pl, tick))
			}
		}
	default:
		for w, b := range m.steady {
			for b &= q.mask[w]; b != 0; b &= b - 1 {
				addFrame32(acc, m.talkerConv(m.talkers[w*64+bits.TrailingZeros64(b)], pl, tick))
			}
		}
	}
}

// addTalkerRamped adds talker t, at plane pl (converted if it talks at
// another rate), faded by the Q15 gains g.
func (m *Mixer) addTalkerRamped(acc []int32, t *talker, pl *plane, g []int32, tick uint64) {
	if t.pl == pl {
		addRamped(acc, t.cur, g)
		return
	}
	addRamped32(acc, m.talkerConv(t, pl, tick), g)
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

func addFrame32(acc, x []int32) {
	x = x[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		a, s := acc[i:i+4:i+4], x[i:i+4:i+4]
		a[0] += s[0]
		a[1] += s[1]
		a[2] += s[2]
		a[3] += s[3]
	}
	for ; i < len(acc); i++ {
		acc[i] += x[i]
	}
}

func subFrame32(acc, x []int32) {
	x = x[:len(acc)]
	i := 0
	for ; i+4 <= len(acc); i += 4 {
		a, s := acc[i:i+4:i+4], x[i:i+4:i+4]
		a[0] -= s[0]
		a[1] -= s[1]
		a[2] -= s[2]
		a[3] -= s[3]
	}
	for ; i < len(acc); i++ {
		acc[i] -= x[i]
	}
}

// addRamped32 is addRamped for a converted (int32) frame. The product is
// taken in 64 bits: a converted sum may exceed 16 bits.
func addRamped32(acc, x []int32, g []int32) {
	x, g = x[:len(acc)], g[:len(acc)]
	for i, s := range x {
		acc[i] += int32(int64(s) * int64(g[i]) >> 15)
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

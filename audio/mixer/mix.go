package mixer

import "math/bits"

// unity is a gain of 1 in the Q15 fixed point of the fade ramps.
const unity = 1 << 15

// mixFor computes into acc what listener l hears this tick (m.mu held).
// connected says whether l's node takes part this tick; a node that does
// not hears nothing.
//
// Every talker is summed at most once per tick (m.sum). A listener whose
// routes leave out fewer connected talkers than they take in (mix-minus:
// everyone but itself) costs one copy of the sum and one subtraction per
// left-out talker; any other listener sums its talkers directly. Routes
// that changed since the last tick, or whose talker or listener was
// connected or disconnected, fade in or out over this frame.
func (m *Mixer) mixFor(l *listener, connected bool, acc []int32) {
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
	switch {
	case heard == 0:
		clear(acc)
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
	if ramps == 0 {
		return
	}
	for w := range m.conn {
		for b := m.in[w]; b != 0; b &= b - 1 {
			addRamped(acc, m.talk[w*64+bits.TrailingZeros64(b)], m.rampIn)
		}
		for b := m.out[w]; b != 0; b &= b - 1 {
			addRamped(acc, m.talk[w*64+bits.TrailingZeros64(b)], m.rampOut)
		}
	}
}

func addFrame(acc []int32, x []int16) {
	x = x[:len(acc)]
	for i, s := range x {
		acc[i] += int32(s)
	}
}

func subFrame(acc []int32, x []int16) {
	x = x[:len(acc)]
	for i, s := range x {
		acc[i] -= int32(s)
	}
}

// addRamped adds x faded by the Q15 gains g.
func addRamped(acc []int32, x []int16, g []int32) {
	x, g = x[:len(acc)], g[:len(acc)]
	for i, s := range x {
		acc[i] += int32(s) * g[i] >> 15
	}
}

func clip(dst []int16, src []int32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = int16(min(max(v, -32768), 32767))
	}
}

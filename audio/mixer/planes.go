package mixer

import (
	"fmt"
	"math/bits"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/resample"
)

// A plane is everything at one sample rate: the talkers whose frames are
// at that rate and the listeners mixed at it. Plane 0 is the bus (the
// endpoint's rate: the microphone and the speaker); a port at another
// rate adds a plane for that rate the first time one is added. A listener
// sums the talkers of its own plane as they are, and converts those of
// each other plane, either one talker at a time (talker.to, shared by
// every listener of its plane) or as a whole plane's sum (plane.to).
type plane struct {
	idx     int
	rate, n int
	mask    []uint64 // slots whose talker is at this rate
	sum     []int32  // every connected talker of this plane, summed once per tick when needed
	sumOK   bool
	acc     []int32 // a listener's mix at this rate
	rampIn  []int32 // Q15 gain per sample of a route fading in (1/n … 1)
	rampOut []int32 // 1 - rampIn
	to      []*conv // to[q]: this plane's connected sum converted to plane q (nil for itself)
}

// A talker is one slot's frame: the microphone or a port's uplink.
type talker struct {
	pl   *plane
	cur  []int16 // this tick's frame, at pl.rate
	prev []int16 // last tick's frame (primes a conversion that skipped ticks)
	to   []*conv // to[q]: cur converted to plane q (nil for its own plane)
}

// A conv is one cached conversion to another plane, computed at most once
// per tick and only when a listener needs it. The resampler is linear, so
// a converted sum equals the sum of the converted talkers; its history is
// primed from the talkers' previous frames whenever it did not convert
// exactly these talkers on the previous tick, so that starting, stopping
// or switching conversions puts no step in what a listener hears.
type conv struct {
	res  *resample.Resampler
	in   []int32 // input scratch at the source rate
	out  []int32 // the converted frame of tick
	tick uint64
	set  []uint64 // plane sums: the talkers summed on tick
}

// staleConv marks a conv whose history must be primed before its next
// frame (conv.tick is then neither this tick nor the last).
const staleConv = ^uint64(0)

func newConv(from, to, words int) (*conv, error) {
	r, err := resample.New(from, to)
	if err != nil {
		return nil, fmt.Errorf("mixer: %d→%d Hz: %w (%v)", from, to, ErrRate, err)
	}
	return &conv{res: r, in: make([]int32, r.InFrame()), out: make([]int32, r.OutFrame()), set: make([]uint64, words)}, nil
}

func newPlane(idx, rate, words int) *plane {
	n := audio.FrameSamples(rate)
	pl := &plane{idx: idx, rate: rate, n: n, mask: make([]uint64, words),
		sum: make([]int32, n), acc: make([]int32, n), rampIn: make([]int32, n), rampOut: make([]int32, n)}
	for i := range n {
		pl.rampIn[i] = int32((i + 1) * unity / n)
		pl.rampOut[i] = unity - pl.rampIn[i]
	}
	return pl
}

// planeLocked returns the plane at rate, adding it (with every conversion
// to and from it) if there is none yet (m.mu held; allocates).
func (m *Mixer) planeLocked(rate int) (*plane, error) {
	for _, pl := range m.planes {
		if pl.rate == rate {
			return pl, nil
		}
	}
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("mixer: port at %d Hz: %w (%v)", rate, ErrRate, err)
	}
	np := newPlane(len(m.planes), rate, m.words)
	// Build everything first: a rate the resampler refuses leaves the
	// mixer as it was.
	toNew := make([]*conv, len(m.planes))   // each plane's sum → np
	fromNew := make([]*conv, len(m.planes)) // np's sum → each plane
	talk := make([]*conv, len(m.talkers))   // each talker → np
	for i, pl := range m.planes {
		var err error
		if toNew[i], err = newConv(pl.rate, rate, m.words); err != nil {
			return nil, err
		}
		if fromNew[i], err = newConv(rate, pl.rate, m.words); err != nil {
			return nil, err
		}
	}
	for s, t := range m.talkers {
		if t == nil {
			continue
		}
		c, err := newConv(t.pl.rate, rate, m.words)
		if err != nil {
			return nil, err
		}
		talk[s] = c
	}
	// A port's talker for a rate switch still pending (SetRate) needs
	// its conversion to the new plane too.
	next := make([]*conv, len(m.ports))
	for i, p := range m.ports {
		if p.next == nil {
			continue
		}
		c, err := newConv(p.next.talker.pl.rate, rate, m.words)
		if err != nil {
			return nil, err
		}
		next[i] = c
	}
	for i, pl := range m.planes {
		pl.to = append(pl.to, toNew[i])
	}
	np.to = append(fromNew, nil)
	for s, t := range m.talkers {
		if t != nil {
			t.to = append(t.to, talk[s])
		}
	}
	for i, p := range m.ports {
		if p.next != nil {
			p.next.talker.to = append(p.next.talker.to, next[i])
		}
	}
	m.planes = append(m.planes, np)
	return np, nil
}

// newTalkerLocked returns a talker at plane pl with its conversions to
// every other plane (m.mu held; allocates).
func (m *Mixer) newTalkerLocked(pl *plane, cur []int16) (*talker, error) {
	t := &talker{pl: pl, cur: cur, prev: make([]int16, len(cur)), to: make([]*conv, len(m.planes))}
	for _, q := range m.planes {
		if q == pl {
			continue
		}
		c, err := newConv(pl.rate, q.rate, m.words)
		if err != nil {
			return nil, err
		}
		t.to[q.idx] = c
	}
	return t, nil
}

// talkerConv returns talker t's frame of this tick converted to plane q,
// converting it if no listener did so yet this tick (m.mu held).
func (m *Mixer) talkerConv(t *talker, q *plane, tick uint64) []int32 {
	c := t.to[q.idx]
	if c.tick == tick {
		return c.out
	}
	if c.tick != tick-1 {
		c.res.Prime(t.prev)
	}
	for i, s := range t.cur {
		c.in[i] = int32(s)
	}
	_ = c.res.Frame32(c.out, c.in)
	c.tick = tick
	return c.out
}

// planeSum returns the sum of every connected talker of plane pl this tick
// (m.mu held).
func (m *Mixer) planeSum(pl *plane) []int32 {
	if !pl.sumOK {
		clear(pl.sum)
		for w, b := range m.conn {
			for b &= pl.mask[w]; b != 0; b &= b - 1 {
				addFrame(pl.sum, m.talkers[w*64+bits.TrailingZeros64(b)].cur)
			}
		}
		pl.sumOK = true
	}
	return pl.sum
}

// planeConv returns the sum of every connected talker of plane p this
// tick converted to plane q (m.mu held).
func (m *Mixer) planeConv(p, q *plane, tick uint64) []int32 {
	c := p.to[q.idx]
	if c.tick == tick {
		return c.out
	}
	same := c.tick == tick-1
	for w := range c.set {
		cur := m.conn[w] & p.mask[w]
		if c.set[w] != cur {
			same = false
			c.set[w] = cur
		}
	}
	if !same {
		// Its history must be the previous frames of exactly these
		// talkers, as if it had converted their sum all along.
		clear(c.in)
		for w, b := range c.set {
			for ; b != 0; b &= b - 1 {
				addFrame(c.in, m.talkers[w*64+bits.TrailingZeros64(b)].prev)
			}
		}
		c.res.Prime32(c.in)
	}
	_ = c.res.Frame32(c.out, m.planeSum(p))
	c.tick = tick
	return c.out
}

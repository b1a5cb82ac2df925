package tone

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/pitchline/pitchline/audio"
)

// rampTime is the fade-in and fade-out time of every tone burst.
const rampTime = 5 * time.Millisecond

// Segment is one step of a cadence: up to two simultaneous frequencies for
// Duration, or silence when both frequencies are zero.
type Segment struct {
	Duration time.Duration
	// Freq holds up to two frequencies in Hz; zero entries are unused.
	Freq [2]float64
	// Amp holds the linear amplitude (0..1 of full scale) of each frequency.
	Amp [2]float64
	// Decay, when positive, is the time constant of an exponential decay of
	// the burst (a struck, bell-like note).
	Decay time.Duration
}

// Silence returns a silent Segment of duration d.
func Silence(d time.Duration) Segment { return Segment{Duration: d} }

// seg is a Segment converted to samples.
type seg struct {
	n       int
	inc     [2]float64 // phase increment in cycles per sample
	amp     [2]float64
	run     [2]float64 // increment used to advance (own, or the nearest earlier one when unused)
	on      bool
	rampIn  bool    // fade in: the previous segment sounds different
	rampOut bool    // fade out: the next segment sounds different
	decayK  float64 // per-sample envelope multiplier
}

// Generator is an audio.Source that plays a cadence of segments, repeating
// it forever or until a total duration has been produced.
type Generator struct {
	rate     int
	segs     []seg
	ramp     int
	modInc   float64 // AM modulation phase increment, 0 = none
	modDepth float64
	limit    int // total samples, 0 = endless
	emitted  int
	cur, pos int
	phase    [2]float64
	modPhase float64
	decayEnv float64
}

var _ audio.Source = (*Generator)(nil)

// NewGenerator returns a Generator playing cadence at rate. A zero total
// repeats the cadence forever; otherwise the generator stops with io.EOF
// after total.
func NewGenerator(rate int, cadence []Segment, total time.Duration) (*Generator, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("tone: %w (%v)", ErrRate, err)
	}
	if len(cadence) == 0 || total < 0 {
		return nil, fmt.Errorf("tone: empty cadence or negative total: %w", ErrParam)
	}
	g := &Generator{rate: rate, ramp: int(rampTime.Seconds() * float64(rate))}
	nyq := float64(rate) / 2
	cycle := 0
	for i, s := range cadence {
		n := int(math.Round(s.Duration.Seconds() * float64(rate)))
		if n <= 0 {
			return nil, fmt.Errorf("tone: segment %d duration %v: %w", i, s.Duration, ErrParam)
		}
		cs := seg{n: n, decayK: 1}
		for k := 0; k < 2; k++ {
			f, a := s.Freq[k], s.Amp[k]
			if f == 0 {
				continue
			}
			if !(f > 0 && f < nyq) || !(a >= 0 && a <= 1) {
				return nil, fmt.Errorf("tone: segment %d: %v Hz at amplitude %v at rate %d: %w", i, f, a, rate, ErrParam)
			}
			cs.inc[k] = f / float64(rate)
			cs.amp[k] = a
			cs.on = cs.on || a > 0
		}
		if cs.amp[0]+cs.amp[1] > 1 {
			return nil, fmt.Errorf("tone: segment %d amplitudes sum above full scale: %w", i, ErrParam)
		}
		if s.Decay > 0 {
			cs.decayK = math.Exp(-1 / (s.Decay.Seconds() * float64(rate)))
		}
		g.segs = append(g.segs, cs)
		cycle += n
	}
	for i := range g.segs {
		prev := g.segs[(i-1+len(g.segs))%len(g.segs)]
		next := g.segs[(i+1)%len(g.segs)]
		cur := &g.segs[i]
		same := func(o seg) bool {
			return o.on && o.inc == cur.inc && o.amp == cur.amp && o.decayK == 1 && cur.decayK == 1
		}
		cur.rampIn = !same(prev) || len(g.segs) == 1 && cur.decayK != 1
		cur.rampOut = !same(next) || len(g.segs) == 1 && cur.decayK != 1
		for k := 0; k < 2; k++ {
			cur.run[k] = cur.inc[k]
			for j := 1; cur.run[k] == 0 && j <= len(g.segs); j++ {
				cur.run[k] = g.segs[(i-j+len(g.segs))%len(g.segs)].inc[k]
			}
		}
	}
	if total > 0 {
		g.limit = int(math.Round(total.Seconds() * float64(rate)))
	}
	g.decayEnv = 1
	return g, nil
}

// withAM adds amplitude modulation at freq Hz with the given depth (0..1).
func (g *Generator) withAM(freq, depth float64) *Generator {
	g.modInc = freq / float64(g.rate)
	g.modDepth = depth
	return g
}

// Rate returns the sample rate.
func (g *Generator) Rate() int { return g.rate }

// Reset restarts the cadence from its beginning.
func (g *Generator) Reset() {
	g.emitted, g.cur, g.pos = 0, 0, 0
	g.phase = [2]float64{}
	g.modPhase = 0
	g.decayEnv = 1
}

// ReadFrame fills dst with the next samples. Finite generators zero-pad the
// last partial frame and then return io.EOF.
func (g *Generator) ReadFrame(dst []int16) error {
	if g.limit > 0 && g.emitted >= g.limit {
		return io.EOF
	}
	for i := range dst {
		if g.limit > 0 && g.emitted >= g.limit {
			clear(dst[i:])
			return nil
		}
		dst[i] = g.next()
		g.emitted++
	}
	return nil
}

func (g *Generator) next() int16 {
	s := &g.segs[g.cur]
	var v float64
	if s.on {
		env := 1.0
		if g.ramp > 0 {
			if s.rampIn && g.pos < g.ramp {
				env = float64(g.pos) / float64(g.ramp)
			}
			if left := s.n - 1 - g.pos; s.rampOut && left < g.ramp {
				env = math.Min(env, float64(left)/float64(g.ramp))
			}
			if left := g.limit - 1 - g.emitted; g.limit > 0 && left < g.ramp {
				env = math.Min(env, float64(left)/float64(g.ramp))
			}
		}
		env *= g.decayEnv
		v = s.amp[0]*math.Sin(2*math.Pi*g.phase[0]) + s.amp[1]*math.Sin(2*math.Pi*g.phase[1])
		if g.modInc > 0 {
			v *= 1 - g.modDepth/2 + g.modDepth/2*math.Sin(2*math.Pi*g.modPhase)
		}
		v *= env
		g.decayEnv *= s.decayK
	}
	// Advance the oscillators even in silence so phase stays continuous.
	for k := 0; k < 2; k++ {
		g.phase[k] += s.run[k]
		if g.phase[k] >= 1 {
			g.phase[k] -= 1
		}
	}
	if g.modInc > 0 {
		g.modPhase += g.modInc
		if g.modPhase >= 1 {
			g.modPhase -= 1
		}
	}
	g.pos++
	if g.pos >= s.n {
		g.pos = 0
		g.decayEnv = 1
		g.cur++
		if g.cur == len(g.segs) {
			g.cur = 0
		}
	}
	return int16(math.Round(v * 32767))
}

// NewSine returns an endless sine of freq Hz at linear amplitude amp (0..1).
func NewSine(freq, amp float64, rate int) (*Generator, error) {
	return NewGenerator(rate, []Segment{{Duration: time.Second, Freq: [2]float64{freq}, Amp: [2]float64{amp}}}, 0)
}

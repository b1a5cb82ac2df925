package codec

import (
	"fmt"
	"math"
)

// PLC conceals lost packets on decoded PCM with pitch-period repetition,
// in the spirit of ITU-T G.711 Appendix I
// (https://www.itu.int/rec/T-REC-G.711-199909-I!AppI).
//
// On the first lost frame it estimates the pitch period of the recent good
// audio by normalised autocorrelation (lags for 66..400 Hz) and repeats the
// last period cyclically, so voiced speech continues without the buzz of a
// whole-frame repeat. The first 10 ms play at full level, the output then
// fades linearly to silence at 60 ms of consecutive loss. When good audio
// returns, its first 4 ms are cross-faded with the continued concealment to
// avoid a click.
//
// Use one PLC per stream from a single goroutine: call Good with every
// decoded frame and Conceal instead of decoding for every missing one. It
// never allocates after NewPLC.
type PLC struct {
	rate    int
	minLag  int
	maxLag  int
	corrLen int
	hist    []int16 // most recent good samples, oldest first
	lost    int     // samples concealed since the last good frame
	pitch   int
	pos     int // next index into the repeated period
	fullLen int // samples at full gain
	fadeLen int // samples of fade to silence after fullLen
	overlap int // cross-fade length on recovery
}

// NewPLC returns a concealer for mono PCM at rate Hz.
func NewPLC(rate int) (*PLC, error) {
	if rate < 4000 || rate > 192000 {
		return nil, fmt.Errorf("plc rate %d: %w", rate, ErrInvalid)
	}
	p := &PLC{
		rate:    rate,
		minLag:  rate / 400,
		maxLag:  rate / 66,
		corrLen: rate / 50,
		fullLen: rate / 100,
		fadeLen: rate / 20,
		overlap: rate / 250,
	}
	p.hist = make([]int16, p.corrLen+p.maxLag)
	return p, nil
}

// Reset forgets all history, as at the start of a new stream.
func (p *PLC) Reset() {
	clear(p.hist)
	p.lost, p.pitch, p.pos = 0, 0, 0
}

// Concealing reports whether the last call was Conceal.
func (p *PLC) Concealing() bool { return p.lost > 0 }

// Good records a correctly decoded frame. If the previous frames were
// concealed, the start of frame is cross-faded in place with the continued
// concealment signal.
func (p *PLC) Good(frame []int16) {
	if p.lost > 0 && p.pitch > 0 {
		n := min(p.overlap, len(frame))
		for i := 0; i < n; i++ {
			w := float64(i+1) / float64(n+1)
			g := p.gain(p.lost + i)
			s := float64(p.hist[len(p.hist)-p.pitch+(p.pos+i)%p.pitch]) * g
			frame[i] = clamp16(w*float64(frame[i]) + (1-w)*s)
		}
	}
	p.lost = 0
	p.push(frame)
}

// Conceal fills dst with concealment audio for one missing frame.
func (p *PLC) Conceal(dst []int16) {
	if p.lost == 0 {
		p.pitch = p.findPitch()
		p.pos = 0
	}
	base := len(p.hist) - p.pitch
	for i := range dst {
		g := p.gain(p.lost)
		if g <= 0 {
			dst[i] = 0
		} else {
			dst[i] = clamp16(float64(p.hist[base+p.pos]) * g)
		}
		p.pos++
		if p.pos == p.pitch {
			p.pos = 0
		}
		p.lost++
	}
}

func (p *PLC) gain(lost int) float64 {
	if lost < p.fullLen {
		return 1
	}
	return 1 - float64(lost-p.fullLen)/float64(p.fadeLen)
}

func (p *PLC) push(frame []int16) {
	if len(frame) >= len(p.hist) {
		copy(p.hist, frame[len(frame)-len(p.hist):])
		return
	}
	copy(p.hist, p.hist[len(frame):])
	copy(p.hist[len(p.hist)-len(frame):], frame)
}

// findPitch returns the lag in minLag..maxLag that maximises the normalised
// correlation between the last corrLen samples and the same span lag
// samples earlier.
func (p *PLC) findPitch() int {
	end := len(p.hist)
	ref := p.hist[end-p.corrLen:]
	best, bestLag := -1.0, p.maxLag
	for lag := p.minLag; lag <= p.maxLag; lag++ {
		cand := p.hist[end-p.corrLen-lag : end-lag]
		var c, e float64
		for i, r := range ref {
			x := float64(cand[i])
			c += float64(r) * x
			e += x * x
		}
		if e == 0 {
			continue
		}
		if v := c / math.Sqrt(e); v > best {
			best, bestLag = v, lag
		}
	}
	return bestLag
}

func clamp16(v float64) int16 {
	switch {
	case v > math.MaxInt16:
		return math.MaxInt16
	case v < math.MinInt16:
		return math.MinInt16
	}
	return int16(v)
}

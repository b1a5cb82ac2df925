package device

import (
	"sync/atomic"

	"github.com/gordonklaus/portaudio"

	"github.com/pitchline/pitchline/audio"
)

// captureSide is the microphone half of a stream. The PortAudio callback is
// the ring's producer (push); Capture is its consumer.
type captureSide struct {
	ring     *audio.Ring
	channels int
	mono     []int16       // downmix scratch for multi-channel input
	notify   chan struct{} // capacity 1: "new audio in the ring"
	meter    audio.Meter

	callbacks    atomic.Uint64
	lost         atomic.Uint64 // samples the full ring could not take
	trimmed      atomic.Uint64 // samples Capture dropped to bound latency
	hostOverflow atomic.Uint64 // PortAudio InputOverflow flags
}

func newCaptureSide(channels, frame, queue int) (*captureSide, error) {
	r, err := audio.NewRing(audio.RingCapacity(frame * (queue + 2)))
	if err != nil {
		return nil, err
	}
	return &captureSide{ring: r, channels: channels, mono: make([]int16, frame), notify: make(chan struct{}, 1)}, nil
}

// push runs in the PortAudio callback: downmix, meter, copy into the ring
// and wake Capture. No allocation, no locks, no blocking.
func (c *captureSide) push(in []int16, fl portaudio.StreamCallbackFlags) {
	c.callbacks.Add(1)
	if fl&portaudio.InputOverflow != 0 {
		c.hostOverflow.Add(1)
	}
	for len(in) > 0 {
		var m []int16
		if c.channels == 1 {
			m, in = in, nil
		} else {
			n := len(in) / c.channels
			if n > len(c.mono) {
				n = len(c.mono)
			}
			if n == 0 {
				break
			}
			m = c.mono[:n]
			for i := range m {
				sum := 0
				for ch := 0; ch < c.channels; ch++ {
					sum += int(in[i*c.channels+ch])
				}
				m[i] = int16(sum / c.channels)
			}
			in = in[n*c.channels:]
		}
		c.meter.Update(m)
		if w := c.ring.Write(m); w < len(m) {
			c.lost.Add(uint64(len(m) - w))
		}
	}
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// playSide is the speaker half of a stream. Play is the ring's producer;
// the PortAudio callback is its consumer (pull).
type playSide struct {
	ring     *audio.Ring
	channels int
	mono     []int16 // upmix scratch for multi-channel output
	maxQueue int     // samples; older audio beyond this is dropped
	meter    audio.Meter
	started  atomic.Bool // set by the first Play: silence before it is no underrun

	callbacks     atomic.Uint64
	underruns     atomic.Uint64 // callbacks that had to insert silence
	dropped       atomic.Uint64 // samples dropped (queue over maxQueue, or ring full)
	hostUnderflow atomic.Uint64 // PortAudio OutputUnderflow flags
}

func newPlaySide(channels, frame, queue int) (*playSide, error) {
	r, err := audio.NewRing(audio.RingCapacity(frame * (queue + 2)))
	if err != nil {
		return nil, err
	}
	return &playSide{ring: r, channels: channels, mono: make([]int16, frame), maxQueue: frame * queue}, nil
}

// pull runs in the PortAudio callback: trim the queue (drop oldest), copy
// out of the ring, fill any shortfall with silence, upmix and meter.
func (p *playSide) pull(out []int16, fl portaudio.StreamCallbackFlags) {
	p.callbacks.Add(1)
	if fl&portaudio.OutputUnderflow != 0 {
		p.hostUnderflow.Add(1)
	}
	if d := p.ring.Trim(p.maxQueue); d > 0 {
		p.dropped.Add(uint64(d))
	}
	short := false
	for len(out) > 0 {
		var m []int16
		if p.channels == 1 {
			m = out
		} else {
			n := len(out) / p.channels
			if n > len(p.mono) {
				n = len(p.mono)
			}
			if n == 0 {
				clear(out)
				break
			}
			m = p.mono[:n]
		}
		got := p.ring.Read(m)
		if got < len(m) {
			clear(m[got:])
			short = true
		}
		p.meter.Update(m)
		if p.channels == 1 {
			break
		}
		for i, v := range m {
			for ch := 0; ch < p.channels; ch++ {
				out[i*p.channels+ch] = v
			}
		}
		out = out[len(m)*p.channels:]
	}
	if short && p.started.Load() {
		p.underruns.Add(1)
	}
}

package softphone

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone/media"
)

// ErrTapClosed is returned by AudioTap.Read once the tap was stopped or its
// call ended and every buffered frame was read.
var ErrTapClosed = errors.New("softphone: audio tap closed")

// tapSlots is how many 20 ms frames an AudioTap buffers (1.28 s): a slow
// reader loses frames (counted by Dropped) rather than holding the media
// goroutine.
const tapSlots = 64

// AudioTap is a copy of the far end's received audio of one call, decoded
// and converted to the rate asked for, in 20 ms frames (what answering
// machine detection listens to). The media goroutine writes into a
// preallocated single-producer single-consumer ring: no lock, no
// allocation, never blocks; when the reader falls behind by more than
// tapSlots frames the newest frames are dropped and counted.
//
// One goroutine reads (Read); Stop may be called from any goroutine.
type AudioTap struct {
	call  *Call
	ms    *media.Session
	sink  *tapSink
	once  sync.Once
	close chan struct{}
}

// tapSink is the ring the media goroutine writes into.
type tapSink struct {
	rate, frame int
	buf         []int16 // tapSlots*frame samples
	lens        [tapSlots]int
	w, r        atomic.Uint64 // frames written, frames read
	dropped     atomic.Uint64
	wake        chan struct{} // cap 1: a frame was written
}

// Rate implements audio.Sink.
func (s *tapSink) Rate() int { return s.rate }

// WriteFrame implements audio.Sink on the media goroutine.
func (s *tapSink) WriteFrame(pcm []int16) error {
	w := s.w.Load()
	if w-s.r.Load() >= tapSlots {
		s.dropped.Add(1)
		return nil
	}
	i := int(w % tapSlots)
	n := copy(s.buf[i*s.frame:(i+1)*s.frame], pcm)
	s.lens[i] = n
	s.w.Store(w + 1)
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// TapReceived starts copying the far end's received audio at rate Hz
// (8000, 16000, 48000 or another rate media supports) into a new
// AudioTap. A call has at most one tap at a time: a second one while the
// first runs is refused with ErrInvalidState. The tap ends with Stop or
// when the call ends.
func (c *Call) TapReceived(rate int) (*AudioTap, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("%w: tap rate: %v", ErrBadConfig, err)
	}
	frame := audio.FrameSamples(rate)
	t := &AudioTap{call: c, close: make(chan struct{}), sink: &tapSink{
		rate: rate, frame: frame, buf: make([]int16, tapSlots*frame), wake: make(chan struct{}, 1),
	}}
	var err error
	ok := c.p.q.do(func() {
		l := c.mediaLeg()
		switch {
		case c.state == CallEnded || l == nil || l.media == nil:
			err = fmt.Errorf("%w: tap in state %s", ErrInvalidState, c.state)
		case l.media.Tap() != nil:
			err = fmt.Errorf("%w: call %s already has an audio tap", ErrInvalidState, c.id)
		default:
			t.ms = l.media
			l.media.SetTap(t.sink)
		}
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Rate returns the tap's sample rate.
func (t *AudioTap) Rate() int { return t.sink.rate }

// FrameSamples returns the number of samples in one frame (20 ms).
func (t *AudioTap) FrameSamples() int { return t.sink.frame }

// Dropped returns how many frames were lost because the reader was slow.
func (t *AudioTap) Dropped() uint64 { return t.sink.dropped.Load() }

// Read waits for the next frame and copies it into dst (at least
// FrameSamples long), returning the number of samples. It returns
// ErrTapClosed once the tap was stopped or the call ended (frames still
// buffered are read first), or ctx's error.
func (t *AudioTap) Read(ctx context.Context, dst []int16) (int, error) {
	s := t.sink
	for {
		r := s.r.Load()
		if s.w.Load() > r {
			i := int(r % tapSlots)
			n := copy(dst, s.buf[i*s.frame:i*s.frame+s.lens[i]])
			s.r.Store(r + 1)
			return n, nil
		}
		select {
		case <-s.wake:
		case <-t.close:
			if s.w.Load() > s.r.Load() {
				continue
			}
			return 0, ErrTapClosed
		case <-t.call.done:
			t.Stop()
			if s.w.Load() > s.r.Load() {
				continue
			}
			return 0, ErrTapClosed
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// Stop removes the tap from the call (if still there); Read then returns
// ErrTapClosed. It is safe to call more than once and after the call
// ended.
func (t *AudioTap) Stop() {
	t.once.Do(func() {
		// The media session is only read here; SetTap is an atomic
		// store, so no queue round trip (the call may be gone).
		if t.ms.Tap() == audio.Sink(t.sink) {
			t.ms.SetTap(nil)
		}
		close(t.close)
	})
}

// playSource plays src to the far end and closes done at its end.
type playSource struct {
	src      audio.Source
	done     chan struct{}
	finished bool // media goroutine only
}

func (p *playSource) Rate() int { return p.src.Rate() }

func (p *playSource) ReadFrame(dst []int16) error {
	if p.finished {
		return errPlayFinished
	}
	if err := p.src.ReadFrame(dst); err != nil {
		p.finished = true
		close(p.done)
		return err
	}
	return nil
}

var errPlayFinished = errors.New("softphone: playback finished")

// PlayToRemote sends src to the far end instead of the microphone (or the
// play file): a voicemail drop. done is closed when src has ended (any
// ReadFrame error, io.EOF at the end of a file); from then on the far end
// hears silence until the call ends or the microphone is given back by
// a hold and resume. Playing again replaces the playback in progress
// (whose done then never closes); the call ending first leaves done open:
// wait on Call.Done too. src is read on the media goroutine: it must not
// block (audio/file sources are decoded in memory).
func (c *Call) PlayToRemote(src audio.Source) (<-chan struct{}, error) {
	if src == nil {
		return nil, fmt.Errorf("%w: nil source", ErrBadConfig)
	}
	if err := audio.CheckRate(src.Rate()); err != nil {
		return nil, fmt.Errorf("%w: play source: %v", ErrBadConfig, err)
	}
	ps := &playSource{src: src, done: make(chan struct{})}
	var err error
	ok := c.p.q.do(func() {
		l := c.mediaLeg()
		switch c.state {
		case CallConnected, CallRemoteHeld:
		default:
			err = fmt.Errorf("%w: play in state %s", ErrInvalidState, c.state)
			return
		}
		if l == nil || l.media == nil {
			err = fmt.Errorf("%w: play without media", ErrInvalidState)
			return
		}
		l.media.SetInput(ps)
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	return ps.done, nil
}

// mediaLeg is the SIP leg whose media the tap and the playback use: the
// leg the call reports (a dialer's call has just the one), or nil when
// that is not a SIP leg (queue only).
func (c *Call) mediaLeg() *sipLeg {
	l, _ := c.reportLeg().(*sipLeg)
	return l
}

package demo

import (
	"sync"

	"github.com/pitchline/pitchline/audio"
)

// echoDelayFrames is how much audio the echo holds back, so the caller hears
// themselves a moment later rather than on top of their own voice.
const echoDelayFrames = 10 // 200 ms

// echo is both ends of a demo call's media: as a Source it plays the prompt
// and then what it received; as a Sink it stores what it receives. Both
// sides run on the media session's goroutine, which is what the SPSC ring
// needs. Neither side allocates.
type echo struct {
	prompt     audio.Clip
	promptLeft bool
	echoOn     bool
	ring       *audio.Ring
	promptDone chan struct{}
	once       sync.Once
}

// newEcho plays prompt, then echoes when echoOn.
func newEcho(prompt audio.Clip, echoOn bool) (*echo, error) {
	r, err := audio.NewRing(audio.RingCapacity(audio.FrameSamples(media8k) * echoDelayFrames * 4))
	if err != nil {
		return nil, err
	}
	prompt.Rewind()
	return &echo{prompt: prompt, promptLeft: true, echoOn: echoOn, ring: r, promptDone: make(chan struct{})}, nil
}

// Rate implements audio.Source and audio.Sink.
func (e *echo) Rate() int { return media8k }

// ReadFrame implements audio.Source.
func (e *echo) ReadFrame(dst []int16) error {
	if e.promptLeft {
		if err := e.prompt.ReadFrame(dst); err == nil {
			return nil
		}
		e.promptLeft = false
		e.once.Do(func() { close(e.promptDone) })
		// Drop what was heard during the prompt: echo starts now.
		e.ring.Discard(e.ring.Len())
	}
	if !e.echoOn || e.ring.Len() < len(dst)*echoDelayFrames {
		clear(dst)
		return nil
	}
	e.ring.Read(dst)
	return nil
}

// WriteFrame implements audio.Sink.
func (e *echo) WriteFrame(src []int16) error {
	e.ring.Trim(e.ring.Cap() - len(src))
	e.ring.Write(src)
	return nil
}

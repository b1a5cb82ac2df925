package media

import "github.com/pitchline/pitchline/audio"

// SetTap sets a third sink receiving a copy of the decoded received audio
// (converted from Rate() to the sink's rate), next to the output and the
// recorder: what answering-machine detection listens to. The sink's
// WriteFrame runs on the media goroutine once per frame: it must not
// block, take locks or allocate. nil removes the tap.
func (s *Session) SetTap(sink audio.Sink) { s.setSink(&s.tap, sink) }

// Tap returns the sink set by SetTap, or nil.
func (s *Session) Tap() audio.Sink {
	if b := s.tap.Load(); b != nil {
		return b.sink
	}
	return nil
}

package resample

import (
	"fmt"

	"github.com/pitchline/pitchline/audio"
)

// Source is an audio.Source that reads frames from another Source and
// resamples them to its own rate.
type Source struct {
	src audio.Source
	r   *Resampler
	buf []int16
}

// NewSource returns src converted to rate. If src already runs at rate it is
// returned unchanged.
func NewSource(src audio.Source, rate int, opts ...Option) (audio.Source, error) {
	if src == nil {
		return nil, fmt.Errorf("resample: nil source: %w", ErrOption)
	}
	if src.Rate() == rate {
		if err := audio.CheckRate(rate); err != nil {
			return nil, fmt.Errorf("resample source: %w (%v)", ErrRate, err)
		}
		return src, nil
	}
	r, err := New(src.Rate(), rate, opts...)
	if err != nil {
		return nil, err
	}
	return &Source{src: src, r: r, buf: make([]int16, r.nin)}, nil
}

// Rate returns the output rate.
func (s *Source) Rate() int { return s.r.out }

// Resampler returns the underlying converter.
func (s *Source) Resampler() *Resampler { return s.r }

// ReadFrame reads one frame from the underlying source and converts it. An
// error from the underlying source (including io.EOF) is returned as is.
func (s *Source) ReadFrame(dst []int16) error {
	if len(dst) != s.r.nout {
		return fmt.Errorf("resample source: dst %d samples, want %d: %w", len(dst), s.r.nout, ErrFrameSize)
	}
	if err := s.src.ReadFrame(s.buf); err != nil {
		return err
	}
	s.r.frame(dst, s.buf)
	return nil
}

// Sink is an audio.Sink that resamples frames and writes them to another
// Sink.
type Sink struct {
	sink audio.Sink
	r    *Resampler
	buf  []int16
}

// NewSink returns a Sink at rate that feeds sink. If sink already runs at
// rate it is returned unchanged.
func NewSink(sink audio.Sink, rate int, opts ...Option) (audio.Sink, error) {
	if sink == nil {
		return nil, fmt.Errorf("resample: nil sink: %w", ErrOption)
	}
	if sink.Rate() == rate {
		if err := audio.CheckRate(rate); err != nil {
			return nil, fmt.Errorf("resample sink: %w (%v)", ErrRate, err)
		}
		return sink, nil
	}
	r, err := New(rate, sink.Rate(), opts...)
	if err != nil {
		return nil, err
	}
	return &Sink{sink: sink, r: r, buf: make([]int16, r.nout)}, nil
}

// Rate returns the input rate of the sink.
func (s *Sink) Rate() int { return s.r.in }

// Resampler returns the underlying converter.
func (s *Sink) Resampler() *Resampler { return s.r }

// WriteFrame converts src and writes it to the underlying sink.
func (s *Sink) WriteFrame(src []int16) error {
	if len(src) != s.r.nin {
		return fmt.Errorf("resample sink: src %d samples, want %d: %w", len(src), s.r.nin, ErrFrameSize)
	}
	s.r.frame(s.buf, src)
	return s.sink.WriteFrame(s.buf)
}

package audio

import (
	"io"
	"time"
)

// Clip is decoded mono PCM held in memory and played as a Source: a WAV or
// MP3 file after loading, a prompt, hold music. ReadFrame copies from the
// slice and never allocates.
type Clip struct {
	rate    int
	samples []int16
	pos     int
	loop    bool
}

var _ Source = (*Clip)(nil)

// NewClip wraps samples at rate Hz. The slice is kept, not copied.
func NewClip(rate int, samples []int16) Clip { return Clip{rate: rate, samples: samples} }

// SetLoop makes the clip wrap around at the end instead of ending.
func (c *Clip) SetLoop(on bool) { c.loop = on }

// Rate returns the sample rate.
func (c *Clip) Rate() int { return c.rate }

// Duration returns the length of the audio.
func (c *Clip) Duration() time.Duration {
	if c.rate <= 0 {
		return 0
	}
	return time.Duration(len(c.samples)) * time.Second / time.Duration(c.rate)
}

// Samples returns the mono samples. The slice is shared: do not modify it.
func (c *Clip) Samples() []int16 { return c.samples }

// Rewind starts playback from the beginning again.
func (c *Clip) Rewind() { c.pos = 0 }

// ReadFrame copies the next len(dst) samples into dst. At the end the last
// partial frame is zero-padded and the next call returns io.EOF; a looping
// clip wraps around instead (an empty looping clip plays silence).
func (c *Clip) ReadFrame(dst []int16) error {
	if len(c.samples) == 0 {
		if c.loop {
			clear(dst)
			return nil
		}
		return io.EOF
	}
	if !c.loop && c.pos >= len(c.samples) {
		return io.EOF
	}
	for len(dst) > 0 {
		if c.pos >= len(c.samples) {
			if !c.loop {
				clear(dst)
				return nil
			}
			c.pos = 0
		}
		n := copy(dst, c.samples[c.pos:])
		c.pos += n
		dst = dst[n:]
	}
	return nil
}

package media

import (
	"testing"
)

// tapCount is a 16 kHz tap sink counting what it gets.
type tapCount struct{ frames, samples int }

func (*tapCount) Rate() int                      { return 16000 }
func (c *tapCount) WriteFrame(src []int16) error { c.frames++; c.samples += len(src); return nil }

// TestTapReceivesPlayoutWithoutAllocating: a tap gets every played-out
// frame, converted to its rate (8 kHz PCMU to 16 kHz: 320 samples), and
// the playout with a tap does not allocate; SetTap(nil) removes it.
func TestTapReceivesPlayoutWithoutAllocating(t *testing.T) {
	s := newTestSession(t)
	tap := &tapCount{}
	s.SetTap(tap)
	if s.Tap() != tap {
		t.Fatal("Tap() does not return the sink set")
	}
	s.playoutTick() // builds the converter (once per rate change)
	if n := testing.AllocsPerRun(100, s.playoutTick); n != 0 {
		t.Errorf("playout with a tap: %v allocs per frame, want 0", n)
	}
	if tap.frames != 102 || tap.samples != 102*320 {
		t.Errorf("tap got %d frames, %d samples; want 102 frames of 320", tap.frames, tap.samples)
	}
	s.SetTap(nil)
	s.playoutTick()
	if tap.frames != 102 || s.Tap() != nil {
		t.Errorf("tap still fed after SetTap(nil): %d frames", tap.frames)
	}
}

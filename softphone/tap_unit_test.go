package softphone

import (
	"context"
	"errors"
	"testing"
)

// TestTapRingDropsWhenReaderIsSlow: the media side never waits. Writing
// more frames than the ring holds without reading drops the newest and
// counts them; the reader then gets the oldest frames in order.
func TestTapRingDropsWhenReaderIsSlow(t *testing.T) {
	s := &tapSink{rate: 8000, frame: 160, buf: make([]int16, tapSlots*160), wake: make(chan struct{}, 1)}
	tap := &AudioTap{sink: s, close: make(chan struct{}), call: &Call{done: make(chan struct{})}}
	frame := make([]int16, 160)
	const written = tapSlots + 36
	for i := range written {
		frame[0] = int16(i)
		if err := s.WriteFrame(frame); err != nil {
			t.Fatal(err)
		}
	}
	if got := tap.Dropped(); got != written-tapSlots {
		t.Fatalf("dropped %d frames, want %d", got, written-tapSlots)
	}
	dst := make([]int16, 160)
	for i := range tapSlots {
		n, err := tap.Read(context.Background(), dst)
		if err != nil || n != 160 || dst[0] != int16(i) {
			t.Fatalf("read %d: n=%d first=%d err=%v, want frame %d", i, n, dst[0], err, i)
		}
	}
	close(tap.close)
	if _, err := tap.Read(context.Background(), dst); !errors.Is(err, ErrTapClosed) {
		t.Fatalf("read after close: %v, want ErrTapClosed", err)
	}
}

// TestTapWriteDoesNotAllocate: the media goroutine's side of the tap is
// allocation free, full ring or not.
func TestTapWriteDoesNotAllocate(t *testing.T) {
	s := &tapSink{rate: 8000, frame: 160, buf: make([]int16, tapSlots*160), wake: make(chan struct{}, 1)}
	frame := make([]int16, 160)
	if n := testing.AllocsPerRun(200, func() { _ = s.WriteFrame(frame) }); n != 0 {
		t.Fatalf("WriteFrame: %v allocs per frame, want 0", n)
	}
}

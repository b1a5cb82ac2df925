package audio

import (
	"errors"
	"io"
	"slices"
	"testing"
)

func TestClipReadFrame(t *testing.T) {
	c := NewClip(8000, []int16{1, 2, 3, 4, 5})
	buf := make([]int16, 3)
	if err := c.ReadFrame(buf); err != nil || !slices.Equal(buf, []int16{1, 2, 3}) {
		t.Fatalf("first frame %v %v", buf, err)
	}
	if err := c.ReadFrame(buf); err != nil || !slices.Equal(buf, []int16{4, 5, 0}) {
		t.Fatalf("padded last frame %v %v", buf, err)
	}
	if err := c.ReadFrame(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v", err)
	}
	c.Rewind()
	c.SetLoop(true)
	_ = c.ReadFrame(buf)
	if err := c.ReadFrame(buf); err != nil || !slices.Equal(buf, []int16{4, 5, 1}) {
		t.Fatalf("looped frame %v %v", buf, err)
	}
	empty := NewClip(8000, nil)
	empty.SetLoop(true)
	buf = []int16{9, 9, 9}
	if err := empty.ReadFrame(buf); err != nil || !slices.Equal(buf, []int16{0, 0, 0}) {
		t.Fatalf("empty looping clip %v %v", buf, err)
	}
}

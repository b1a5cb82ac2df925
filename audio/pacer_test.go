//go:build !linux

package audio

import (
	"testing"
	"time"
)

// TestPacerCatchesUp: a pacer that is late releases the missed frames at
// once (a time.Ticker would have dropped them), and past maxCatchUp
// frames it drops the backlog and starts a new schedule.
func TestPacerCatchesUp(t *testing.T) {
	p, _ := newPacer(FrameDuration)
	now := time.Unix(1000, 0)
	p.now = func() time.Time { return now }
	done := make(chan struct{})
	close(done) // any real wait would return false at once

	p.next = now.Add(-3 * FrameDuration) // three frames late
	for i := 0; i < 4; i++ {             // the three missed ones and the one due now
		if !p.wait(done) {
			t.Fatalf("frame %d: waited although it was due", i)
		}
	}
	if p.wait(done) {
		t.Fatal("released a frame before it was due")
	}

	p.next = now.Add(-(maxCatchUp + 1) * FrameDuration) // starved too long
	if !p.wait(done) {
		t.Fatal("resync: the current frame was not released")
	}
	if want := now.Add(FrameDuration); !p.next.Equal(want) {
		t.Fatalf("after resync the next frame is due at %v, want %v", p.next, want)
	}
}

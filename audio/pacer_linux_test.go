package audio

import "testing"

// TestPacerBacklog: after a read reporting n elapsed periods the timerfd
// pacer releases the n-1 missed frames at once, and drops a backlog longer
// than maxCatchUp (a time.Ticker would have dropped every missed frame).
func TestPacerBacklog(t *testing.T) {
	for _, c := range []struct{ n, want uint64 }{
		{0, 0}, {1, 0}, {2, 1}, {maxCatchUp, maxCatchUp - 1}, {maxCatchUp + 1, 0}, {1 << 40, 0},
	} {
		if got := backlog(c.n); got != c.want {
			t.Errorf("backlog(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}

// TestPacerCloseUnblocks: close ends a wait in progress.
func TestPacerCloseUnblocks(t *testing.T) {
	p, err := newPacer(1 << 40) // never fires
	if err != nil {
		t.Fatal(err)
	}
	res := make(chan bool)
	go func() { res <- p.wait(nil) }()
	p.close()
	if <-res {
		t.Fatal("wait released a frame after close")
	}
}

package app

import (
	"errors"
	"runtime"
	"testing"
	"time"
)

// TestCloseRefusesNewWorkAndWaits: once the app has begun to close, a bound
// call that would start a goroutine (a voicemail preview or recording, a
// dialer session, a CRM sync, the join link server) is refused instead of
// joining the group close waits on (an Add racing with Wait), and close
// still waits for the goroutines already running.
func TestCloseRefusesNewWorkAndWaits(t *testing.T) {
	a, _, release := startAppRelease(t, t.TempDir(), newKeychain(t))
	c := a.core
	if err := c.hold(); err != nil { // a goroutine a bound call started, still running
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		release()
		close(closed)
	}()
	// No event says that close has begun: it has once hold refuses.
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := c.hold()
		if err != nil {
			if !errors.Is(err, ErrNotStarted) {
				t.Fatalf("hold while closing: %v, want ErrNotStarted", err)
			}
			break
		}
		c.wg.Done()
		if time.Now().After(deadline) {
			c.wg.Done() // let close end
			<-closed
			t.Fatal("hold still admits new goroutines 30 s after close began")
		}
		runtime.Gosched()
	}
	select {
	case <-closed:
		t.Fatal("close returned while a goroutine it waits for was still running")
	default:
	}
	c.wg.Done()
	select {
	case <-closed:
	case <-time.After(60 * time.Second):
		t.Fatal("close did not return once the last goroutine ended")
	}
	if _, err := a.svcs.Crm.SyncNow(); err == nil {
		t.Error("a CRM sync started after close")
	}
}

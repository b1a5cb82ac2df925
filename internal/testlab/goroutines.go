package testlab

import (
	"runtime"
	"testing"
	"time"
)

// CheckNoGoroutineLeak fails t if more goroutines than before (a
// runtime.NumGoroutine count taken before the test started its parts) are
// still running once they are closed. Some close asynchronously (pion's
// transports) and no event announces a goroutine's exit, so it polls up to
// a generous deadline that only bounds the wait, and then names them all.
func CheckNoGoroutineLeak(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond) // no event announces a goroutine's exit
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutine leak: %d before, %d after\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

package main

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// labT is the testing.TB the lab's helpers get in this program: logs go
// to standard error, Cleanup functions run (last first) when the program
// ends, a Fatal or Skip stops the program after running them (a missing
// tool is a failure here: the end-to-end test needs the lab), and an
// Errorf makes the exit status 1.
//
// testing.TB has an unexported method so that only the testing package
// implements it; embedding the (nil) interface provides that method. A
// testlab helper calling a TB method labT does not define panics with a
// nil dereference: add the method here.
type labT struct {
	testing.TB

	mu       sync.Mutex
	cleanups []func()
	failed   bool
}

func (t *labT) Helper()                        {}
func (t *labT) Name() string                   { return "siplab" }
func (t *labT) Log(args ...any)                { fmt.Fprintln(os.Stderr, args...) }
func (t *labT) Logf(format string, a ...any)   { fmt.Fprintf(os.Stderr, format+"\n", a...) }
func (t *labT) Error(args ...any)              { t.Log(args...); t.fail() }
func (t *labT) Errorf(format string, a ...any) { t.Logf(format, a...); t.fail() }
func (t *labT) Fatal(args ...any)              { t.Log(args...); t.stop() }
func (t *labT) Fatalf(format string, a ...any) { t.Logf(format, a...); t.stop() }
func (t *labT) Skip(args ...any)               { t.Fatal(args...) }
func (t *labT) Skipf(format string, a ...any)  { t.Fatalf(format, a...) }

// Failed reports whether Error, Errorf, Fatal or Fatalf was called.
func (t *labT) Failed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// Cleanup registers f to run when the program ends.
func (t *labT) Cleanup(f func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.cleanups = append(t.cleanups, f)
}

// TempDir makes a directory removed when the program ends.
func (t *labT) TempDir() string {
	d, err := os.MkdirTemp("", "siplab-")
	if err != nil {
		t.Fatalf("siplab: %v", err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func (t *labT) fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failed = true
}

// stop ends the program after a Fatal: cleanups, then exit status 1.
func (t *labT) stop() {
	t.fail()
	os.Exit(t.finish())
}

// finish runs the cleanups, last registered first, and returns the exit
// status (1 after a failure).
func (t *labT) finish() int {
	for {
		t.mu.Lock()
		n := len(t.cleanups)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		f := t.cleanups[n-1]
		t.cleanups = t.cleanups[:n-1]
		t.mu.Unlock()
		f()
	}
	if t.Failed() {
		return 1
	}
	return 0
}

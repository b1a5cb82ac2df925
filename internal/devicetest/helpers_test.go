package devicetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/device"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// events records a phone's event stream so tests can wait for conditions
// without sleeping. (A trimmed copy of the engine tests' recorder: those
// are in package softphone_test, which this package cannot import.)
type events struct {
	mu   sync.Mutex
	cond *sync.Cond
	list []softphone.Event
	done bool
}

func record(t *testing.T, p *softphone.Phone) *events {
	t.Helper()
	e := &events{}
	e.cond = sync.NewCond(&e.mu)
	ch, cancel := p.Subscribe()
	go func() {
		for ev := range ch {
			e.mu.Lock()
			e.list = append(e.list, ev)
			e.cond.Broadcast()
			e.mu.Unlock()
		}
		e.mu.Lock()
		e.done = true
		e.cond.Broadcast()
		e.mu.Unlock()
	}()
	t.Cleanup(cancel)
	return e
}

// mark returns the index from which wait looks.
func (e *events) mark() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.list)
}

// wait returns the first event at or after from matching pred; d only
// bounds the wait.
func (e *events) wait(t *testing.T, from int, d time.Duration, what string, pred func(softphone.Event) bool) softphone.Event {
	t.Helper()
	deadline := time.Now().Add(d)
	timer := time.AfterFunc(d, func() { e.mu.Lock(); e.cond.Broadcast(); e.mu.Unlock() })
	defer timer.Stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := from; ; {
		for ; i < len(e.list); i++ {
			if pred(e.list[i]) {
				return e.list[i]
			}
		}
		if e.done || time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; events: %v", d, what, e.list[from:])
		}
		e.cond.Wait()
	}
}

func (e *events) callState(t *testing.T, from int, callID string, st softphone.CallState, d time.Duration) softphone.CallEvent {
	t.Helper()
	ev := e.wait(t, from, d, "call "+string(st), func(ev softphone.Event) bool {
		ce, ok := ev.(softphone.CallEvent)
		return ok && (callID == "" || ce.CallID == callID) && ce.State == st
	})
	return ev.(softphone.CallEvent)
}

func waitRegistered(t *testing.T, e *events) {
	t.Helper()
	e.wait(t, 0, 10*time.Second, "registered", func(ev softphone.Event) bool {
		r, ok := ev.(softphone.RegistrationEvent)
		if ok && r.State == softphone.RegFailed {
			t.Fatalf("registration failed: %s", r.Reason)
		}
		return ok && r.State == softphone.RegRegistered
	})
}

// pulsePhone starts a phone registered at k as carol over UDP, on real
// PortAudio devices of pulse: the speaker and microphone are the defaults
// and the ringer a separate device called "ringer".
func pulsePhone(t *testing.T, k *testlab.Kamailio, pulse *testlab.Pulse, opts ...softphone.Option) (*softphone.Phone, *events) {
	t.Helper()
	if _, err := pulse.AddDevice("ringer"); err != nil {
		t.Fatal(err)
	}
	pulse.Setenv(t)
	b, err := device.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	cfg := softphone.Config{
		Account: softphone.AccountConfig{
			AOR: "sip:carol@" + k.Addr(), Password: k.Password("carol"), Transport: "udp", Register: true,
		},
		Listen: "127.0.0.1:0",
	}
	p, err := softphone.NewPhone(cfg, append([]softphone.Option{softphone.WithAudio(b, "default", "default", "ringer")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ev := record(t, p)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, ev
}

func ctx(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

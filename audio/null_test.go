package audio

import (
	"errors"
	"testing"
	"time"
)

// manualTicker is a Ticker driven by the test.
type manualTicker struct {
	c       chan time.Time
	stopped chan struct{}
}

func (m *manualTicker) C() <-chan time.Time { return m.c }
func (m *manualTicker) Stop()               { close(m.stopped) }

func newManualFactory() (TickerFactory, chan *manualTicker) {
	made := make(chan *manualTicker, 4)
	return func(d time.Duration) Ticker {
		mt := &manualTicker{c: make(chan time.Time), stopped: make(chan struct{})}
		made <- mt
		return mt
	}, made
}

func TestNullEndpointPacedByTicker(t *testing.T) {
	f, made := newManualFactory()
	b, err := NewNullBackend(WithNullClock(f))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if b.Name() != "null" {
		t.Fatal(b.Name())
	}
	devs, err := b.Devices()
	if err != nil || len(devs) != 1 || devs[0].ID != "null" {
		t.Fatalf("devices %v %v", devs, err)
	}
	ep, err := b.OpenEndpoint("", "null", 8000)
	if err != nil {
		t.Fatal(err)
	}
	mt := <-made
	frame := make([]int16, FrameSamples(8000))
	for i := range frame {
		frame[i] = 1234
	}
	done := make(chan error)
	go func() { done <- ep.Capture(frame) }()
	select {
	case err := <-done:
		t.Fatalf("Capture returned %v before a tick", err)
	case mt.c <- time.Now(): // Capture must be waiting for this tick
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, s := range frame {
		if s != 0 {
			t.Fatal("capture is not silent")
		}
	}
	play := make([]int16, FrameSamples(8000))
	play[3] = 16384
	if err := ep.Play(play); err != nil {
		t.Fatal(err)
	}
	in, out := ep.Levels()
	if in != -96 || out < -6.1 || out > -5.9 {
		t.Fatalf("levels in=%v out=%v", in, out)
	}
	if err := ep.Play(play[:10]); !errors.Is(err, ErrFrameSize) {
		t.Fatalf("short play err %v", err)
	}

	// Close unblocks a waiting Capture and stops the ticker.
	go func() { done <- ep.Capture(frame) }()
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("capture during close: %v", err)
	}
	<-mt.stopped
	if err := ep.Capture(frame); !errors.Is(err, ErrClosed) {
		t.Fatalf("capture after close: %v", err)
	}
	if err := ep.Play(play); !errors.Is(err, ErrClosed) {
		t.Fatalf("play after close: %v", err)
	}
}

func TestNullBackendErrors(t *testing.T) {
	b, _ := NewNullBackend()
	if _, err := b.OpenEndpoint("hw:0", "", 8000); !errors.Is(err, ErrUnknownDevice) {
		t.Errorf("unknown device: %v", err)
	}
	if _, err := b.OpenEndpoint("", "", 11025); !errors.Is(err, ErrBadRate) {
		t.Errorf("bad rate: %v", err)
	}
	if _, err := b.OpenOutput("", 0); !errors.Is(err, ErrBadRate) {
		t.Errorf("bad rate: %v", err)
	}
	o, err := b.OpenOutput("default", 48000)
	if err != nil {
		t.Fatal(err)
	}
	ep, err := b.OpenEndpoint("", "", 16000)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Play(make([]int16, 960)); err != nil {
		t.Fatal(err)
	}
	b.Close()
	if err := o.Play(make([]int16, 960)); !errors.Is(err, ErrClosed) {
		t.Errorf("output after backend close: %v", err)
	}
	if err := ep.Capture(make([]int16, 320)); !errors.Is(err, ErrClosed) {
		t.Errorf("endpoint after backend close: %v", err)
	}
	if _, err := b.OpenEndpoint("", "", 8000); !errors.Is(err, ErrClosed) {
		t.Errorf("open after close: %v", err)
	}
}

// TestNullRealTimePacing checks only a lower bound: five captures at
// FrameDuration each cannot finish before about 100 ms of wall time.
func TestNullRealTimePacing(t *testing.T) {
	b, _ := NewNullBackend()
	defer b.Close()
	ep, err := b.OpenEndpoint("", "", 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	frame := make([]int16, 160)
	start := time.Now()
	for i := 0; i < 5; i++ {
		if err := ep.Capture(frame); err != nil {
			t.Fatal(err)
		}
	}
	if el := time.Since(start); el < 5*FrameDuration-5*time.Millisecond {
		t.Fatalf("5 captures took %v: not paced in real time", el)
	}
}

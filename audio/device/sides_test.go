package device

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/gordonklaus/portaudio"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
)

// These tests drive the callback halves and the Capture/Play paths
// directly, without PortAudio streams, so they need no sound server.

// testPort builds a port with both halves at native Hz, serving rate Hz,
// as openPort would after a successful open (channels per side).
func testPort(t testing.TB, rate, native, inCh, outCh int) *port {
	t.Helper()
	b := &Backend{cfg: config{queue: DefaultQueueFrames, stall: time.Hour, restart: time.Hour},
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	p := &port{b: b, rate: rate, inRate: native, outRate: native, done: make(chan struct{}),
		stall: time.Hour, capWait: time.Hour}
	frame := audio.FrameSamples(native)
	var err error
	if p.cap, err = newCaptureSide(inCh, frame, b.cfg.queue); err != nil {
		t.Fatal(err)
	}
	if p.play, err = newPlaySide(outCh, frame, b.cfg.queue); err != nil {
		t.Fatal(err)
	}
	if err := p.setupResamplers(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCaptureSideDownmixAndOverflow(t *testing.T) {
	c, err := newCaptureSide(2, 4, 1) // ring of RingCapacity(12) = 16 samples
	if err != nil {
		t.Fatal(err)
	}
	c.push([]int16{100, 300, -200, -400, 7, 9, 0, 0, 32767, 32767}, portaudio.InputOverflow)
	got := make([]int16, 5)
	if n := c.ring.Read(got); n != 5 {
		t.Fatalf("ring holds %d samples, want 5", n)
	}
	want := []int16{200, -300, 8, 0, 32767}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("downmix = %v, want %v", got, want)
		}
	}
	if c.hostOverflow.Load() != 1 || c.callbacks.Load() != 1 {
		t.Errorf("counters: overflow %d callbacks %d", c.hostOverflow.Load(), c.callbacks.Load())
	}
	select {
	case <-c.notify:
	default:
		t.Error("push did not notify Capture")
	}
	// Nobody reads: the ring fills and the rest is counted as lost.
	stereo := make([]int16, 40) // 20 frames
	c.push(stereo, 0)
	if c.ring.Len() != 16 || c.lost.Load() != 4 {
		t.Errorf("after overflow: ring %d lost %d, want 16 and 4", c.ring.Len(), c.lost.Load())
	}
	if c.meter.DBFS() != dsp.SilenceDBFS {
		t.Errorf("meter after silence: %v", c.meter.DBFS())
	}
	c.push([]int16{1, 2, 3}, 0) // odd length: the half frame is ignored, no hang
}

func TestPlaySideUpmixUnderrunAndTrim(t *testing.T) {
	pl, err := newPlaySide(2, 4, 2) // frame 4, queue bound 8 samples, ring 16
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int16, 8) // 4 stereo frames
	pl.pull(out, 0)
	if pl.underruns.Load() != 0 {
		t.Error("silence before the first Play counted as underrun")
	}
	pl.started.Store(true)
	pl.ring.Write([]int16{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	pl.pull(out, portaudio.OutputUnderflow)
	// 12 queued, bound 8: the 4 oldest are dropped, then 5..8 play.
	want := []int16{5, 5, 6, 6, 7, 7, 8, 8}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("out = %v, want %v", out, want)
		}
	}
	if pl.dropped.Load() != 4 || pl.hostUnderflow.Load() != 1 {
		t.Errorf("dropped %d hostUnderflow %d", pl.dropped.Load(), pl.hostUnderflow.Load())
	}
	pl.pull(out[:6], 0) // 3 frames: 9, 10, 11
	pl.pull(out, 0)     // 1 left: 12 then silence
	want = []int16{12, 12, 0, 0, 0, 0, 0, 0}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("short read: out = %v, want %v", out, want)
		}
	}
	if pl.underruns.Load() != 1 {
		t.Errorf("underruns = %d, want 1", pl.underruns.Load())
	}
}

func TestPortCaptureResamplesAndPaces(t *testing.T) {
	p := testPort(t, 8000, 48000, 1, 1)
	in := make([]int16, 960)
	dst := make([]int16, 160)
	// The "device" delivers 10 frames of 1 kHz from another goroutine, one
	// after each Capture; each Capture blocks until its frame is there.
	step := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := range 10 {
			sine(in, k*960, 1000, 48000)
			p.inputCallback(in, portaudio.StreamCallbackTimeInfo{}, 0)
			<-step
		}
	}()
	rec := make([]int16, 0, 1600)
	for range 10 {
		if err := p.capture(dst); err != nil {
			t.Fatal(err)
		}
		rec = append(rec, dst...)
		step <- struct{}{}
	}
	<-done
	f, _ := dsp.DominantFrequency(rec[800:], 8000, 100, 3900, 10)
	if f != 1000 {
		t.Errorf("resampled capture at %v Hz, want 1000", f)
	}
	// A blocked Capture returns ErrClosed when the port closes.
	errc := make(chan error, 1)
	go func() { errc <- p.capture(dst) }()
	p.closed.Store(true)
	close(p.done)
	if err := <-errc; !errors.Is(err, audio.ErrClosed) {
		t.Errorf("blocked capture after close: %v", err)
	}
}

func TestPortPlayResamplesAndDrops(t *testing.T) {
	p := testPort(t, 8000, 44100, 1, 1)
	src := make([]int16, 160)
	for k := range 20 { // nobody pulls: the ring (8192) fills, the rest drops
		sine(src, k*160, 500, 8000)
		if err := p.playFrame(src); err != nil {
			t.Fatal(err)
		}
	}
	if got := p.play.ring.Len() + int(p.play.dropped.Load()); got != 20*882 {
		t.Errorf("queued+dropped = %d samples, want %d", got, 20*882)
	}
	out := make([]int16, 882)
	p.outputCallback(out, portaudio.StreamCallbackTimeInfo{}, 0)
	if p.play.ring.Len() != 5*882-882 {
		t.Errorf("after one callback the queue holds %d, want the bound minus a frame", p.play.ring.Len())
	}
	if err := p.playFrame(make([]int16, 159)); !errors.Is(err, audio.ErrFrameSize) {
		t.Errorf("short frame: %v", err)
	}
}

func BenchmarkInputCallback(b *testing.B) {
	p := testPort(b, 8000, 48000, 1, 1)
	in := make([]int16, 960)
	sine(in, 0, 1000, 48000)
	drain := make([]int16, 960)
	b.ReportAllocs()
	b.SetBytes(int64(len(in) * 2))
	for b.Loop() {
		p.inputCallback(in, portaudio.StreamCallbackTimeInfo{}, 0)
		p.cap.ring.Read(drain)
	}
}

func BenchmarkInputCallbackStereo(b *testing.B) {
	p := testPort(b, 8000, 48000, 2, 2)
	in := make([]int16, 2*960)
	drain := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		p.inputCallback(in, portaudio.StreamCallbackTimeInfo{}, 0)
		p.cap.ring.Read(drain)
	}
}

func BenchmarkOutputCallback(b *testing.B) {
	p := testPort(b, 8000, 48000, 1, 1)
	out := make([]int16, 960)
	fill := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		p.play.ring.Write(fill)
		p.outputCallback(out, portaudio.StreamCallbackTimeInfo{}, 0)
	}
}

// BenchmarkCapturePlay8k is one frame through a call's device path: the
// input callback at 48 kHz, Capture resampling to 8 kHz, Play resampling
// back to 48 kHz and the output callback.
func BenchmarkCapturePlay8k(b *testing.B) {
	p := testPort(b, 8000, 48000, 1, 1)
	in, out := make([]int16, 960), make([]int16, 960)
	sine(in, 0, 1000, 48000)
	frame := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		p.inputCallback(in, portaudio.StreamCallbackTimeInfo{}, 0)
		if err := p.capture(frame); err != nil {
			b.Fatal(err)
		}
		if err := p.playFrame(frame); err != nil {
			b.Fatal(err)
		}
		p.outputCallback(out, portaudio.StreamCallbackTimeInfo{}, 0)
	}
}

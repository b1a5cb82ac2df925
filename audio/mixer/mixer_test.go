package mixer

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
)

// fakeEndpoint is a test double for the device edge: the test hands it each
// microphone frame and receives each speaker frame.
type fakeEndpoint struct {
	rate    int
	capture chan []int16
	played  chan []int16
	closed  chan struct{}
	// entered, when set before the mixer starts, gets a value each time
	// Capture is entered (so a test knows the loop is blocked in it).
	entered chan struct{}
}

func newFake(rate int) *fakeEndpoint {
	return &fakeEndpoint{rate: rate, capture: make(chan []int16), played: make(chan []int16, 1000), closed: make(chan struct{})}
}

func (f *fakeEndpoint) Rate() int { return f.rate }
func (f *fakeEndpoint) Capture(dst []int16) error {
	if f.entered != nil {
		select {
		case f.entered <- struct{}{}:
		default: // nobody is counting any more
		}
	}
	select {
	case fr := <-f.capture:
		copy(dst, fr)
		return nil
	case <-f.closed:
		return audio.ErrClosed
	}
}
func (f *fakeEndpoint) Play(src []int16) error {
	f.played <- append([]int16(nil), src...)
	return nil
}
func (f *fakeEndpoint) Levels() (float64, float64) { return 0, 0 }
func (f *fakeEndpoint) Close() error {
	select {
	case <-f.closed:
	default:
		close(f.closed)
	}
	return nil
}

// step runs one mixer tick with mic and returns what reached the speaker.
func (f *fakeEndpoint) step(t *testing.T, mic []int16) []int16 {
	t.Helper()
	f.capture <- mic
	select {
	case out := <-f.played:
		return out
	case <-time.After(5 * time.Second):
		t.Fatal("mixer did not tick")
		return nil
	}
}

func gen(t *testing.T, freq float64, rate int) *tone.Generator {
	g, err := tone.NewSine(freq, 0.25, rate)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func frameOf(t *testing.T, g *tone.Generator) []int16 {
	b := make([]int16, audio.FrameSamples(g.Rate()))
	if err := g.ReadFrame(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func newTest(t *testing.T, rate int) (*Mixer, *fakeEndpoint) {
	ep := newFake(rate)
	m, err := New(ep)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m, ep
}

func power(s []int16, rate int, f float64) float64 { return dsp.Goertzel(s, rate, f) }

func TestMicReachesConnectedPort(t *testing.T) {
	m, ep := newTest(t, 48000)
	p8, _ := m.AddPort(8000)
	p16, _ := m.AddPort(16000)
	off, _ := m.AddPort(8000)
	p8.SetConnected(true)
	p16.SetConnected(true)
	mic := gen(t, 1000, 48000)
	var got8, got16, gotOff []int16
	b8, b16, bOff := make([]int16, 160), make([]int16, 320), make([]int16, 160)
	for i := 0; i < 25; i++ {
		ep.step(t, frameOf(t, mic))
		for _, x := range []struct {
			p   *Port
			b   []int16
			acc *[]int16
		}{{p8, b8, &got8}, {p16, b16, &got16}, {off, bOff, &gotOff}} {
			if err := x.p.ReadFrame(x.b); err != nil {
				t.Fatal(err)
			}
			*x.acc = append(*x.acc, x.b...)
		}
	}
	if f, p := dsp.DominantFrequency(got8[800:], 8000, 100, 3900, 10); f != 1000 || p < 0.03 {
		t.Errorf("8 kHz port: dominant %v Hz power %v", f, p)
	}
	if f, p := dsp.DominantFrequency(got16[1600:], 16000, 100, 7900, 10); f != 1000 || p < 0.03 {
		t.Errorf("16 kHz port: dominant %v Hz power %v", f, p)
	}
	if dsp.Peak(gotOff) != 0 {
		t.Errorf("disconnected port received audio (peak %v)", dsp.Peak(gotOff))
	}
	if micDB, _ := m.Levels(); micDB < -13 || micDB > -11 {
		t.Errorf("mic level %v dBFS, want about -12", micDB)
	}
	if _, out := p8.Levels(); out < -13 || out > -11 {
		t.Errorf("port out level %v", out)
	}
}

func TestPortReachesSpeaker(t *testing.T) {
	m, ep := newTest(t, 48000)
	on, _ := m.AddPort(16000)
	offp, _ := m.AddPort(8000)
	on.SetConnected(true)
	g1, g2 := gen(t, 700, 16000), gen(t, 1900, 8000)
	silence := make([]int16, 960)
	var spk []int16
	for i := 0; i < 25; i++ {
		if err := on.WriteFrame(frameOf(t, g1)); err != nil {
			t.Fatal(err)
		}
		if err := offp.WriteFrame(frameOf(t, g2)); err != nil {
			t.Fatal(err)
		}
		spk = append(spk, ep.step(t, silence)...)
	}
	tail := spk[4800:]
	if p := power(tail, 48000, 700); p < 0.03 {
		t.Errorf("connected port's 700 Hz not on speaker: %v", p)
	}
	if p := power(tail, 48000, 1900); p > 1e-6 {
		t.Errorf("disconnected port's 1900 Hz leaked to speaker: %v", p)
	}
	if _, spkDB := m.Levels(); spkDB < -13 || spkDB > -11 {
		t.Errorf("speaker level %v", spkDB)
	}
}

func TestDriftHandling(t *testing.T) {
	m, ep := newTest(t, 8000)
	p, _ := m.AddPort(8000)
	p.SetConnected(true)
	g := gen(t, 440, 8000)
	silence := make([]int16, 160)
	// A writer running fast (2 frames per tick) must not build up latency.
	for i := 0; i < 50; i++ {
		p.WriteFrame(frameOf(t, g))
		p.WriteFrame(frameOf(t, g))
		ep.step(t, silence)
		if l := p.io.Load().upRing.Len(); l > highWater*160+2*160 {
			t.Fatalf("tick %d: uplink queue grew to %d samples", i, l)
		}
	}
	if ov, _ := p.Stats(); ov == 0 {
		t.Error("no overflow recorded for a fast writer")
	}
	// Writer stops: one repeated half-level frame, then silence.
	var last []int16
	for p.io.Load().upRing.Len() >= 160 {
		last = ep.step(t, silence)
	}
	rep := ep.step(t, silence)
	after := ep.step(t, silence)
	if dsp.Peak(last) == 0 || math.Abs(dsp.Peak(rep)-dsp.Peak(last)/2) > 0.01 || dsp.Peak(after) != 0 {
		t.Errorf("underrun: peaks last %v repeat %v after %v", dsp.Peak(last), dsp.Peak(rep), dsp.Peak(after))
	}
	// A reader that stalls and comes back gets recent audio, not a backlog.
	for i := 0; i < 20; i++ {
		ep.step(t, frameOf(t, g))
	}
	buf := make([]int16, 160)
	p.ReadFrame(buf)
	if l := p.io.Load().downRing.Len(); l > trimTo*160 {
		t.Errorf("downlink backlog %d samples after a stall", l)
	}
}

func TestRemovePortAndClose(t *testing.T) {
	ep := newFake(8000)
	m, err := New(ep)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := m.AddPort(8000)
	b, _ := m.AddPort(8000)
	a.SetConnected(true)
	b.SetConnected(true)
	if err := m.RemovePort(a); err != nil {
		t.Fatal(err)
	}
	if err := m.RemovePort(a); !errors.Is(err, ErrUnknownPort) {
		t.Errorf("double remove: %v", err)
	}
	if err := a.WriteFrame(make([]int16, 160)); !errors.Is(err, ErrClosed) {
		t.Errorf("write on removed port: %v", err)
	}
	if err := a.ReadFrame(make([]int16, 160)); !errors.Is(err, ErrClosed) {
		t.Errorf("read on removed port: %v", err)
	}
	if err := b.WriteFrame(make([]int16, 100)); !errors.Is(err, ErrFrameSize) {
		t.Errorf("short frame: %v", err)
	}
	if m.Ports() != 1 {
		t.Errorf("ports = %d", m.Ports())
	}
	ep.step(t, make([]int16, 160))
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-m.done:
	default:
		t.Fatal("Close returned before the goroutine ended")
	}
	select {
	case <-ep.closed:
	default:
		t.Error("endpoint not closed")
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.AddPort(8000); !errors.Is(err, ErrClosed) {
		t.Errorf("AddPort after Close: %v", err)
	}
	if err := b.ReadFrame(make([]int16, 160)); !errors.Is(err, ErrClosed) {
		t.Errorf("port after Close: %v", err)
	}
	if _, err := New(nil); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("nil endpoint: %v", err)
	}
	m2, _ := New(newFake(8000))
	defer m2.Close()
	if _, err := m2.AddPort(11025); !errors.Is(err, ErrRate) {
		t.Errorf("bad port rate: %v", err)
	}
}

// manualTicker paces a null endpoint from the test. The channel is
// unbuffered: a send completes only when Capture is waiting, i.e. after
// the previous tick has finished.
type manualTicker struct{ c chan time.Time }

func (m *manualTicker) C() <-chan time.Time { return m.c }
func (m *manualTicker) Stop()               {}

func TestWithNullBackend(t *testing.T) {
	tk := &manualTicker{c: make(chan time.Time)}
	b, err := audio.NewNullBackend(audio.WithNullClock(func(time.Duration) audio.Ticker { return tk }))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ep, err := b.OpenEndpoint("", "", 48000)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(ep)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	p, _ := m.AddPort(8000)
	p.SetConnected(true)
	g := gen(t, 1000, 8000)
	buf := make([]int16, 160)
	for i := 0; i < 10; i++ {
		p.WriteFrame(frameOf(t, g))
		tk.c <- time.Now()
	}
	// This send returns once the previous tick (and its Play) finished; the
	// tick it starts has a frame queued too, so the level is stable.
	p.WriteFrame(frameOf(t, g))
	tk.c <- time.Now()
	if _, out := ep.Levels(); out < -14 || out > -11 {
		t.Errorf("null speaker level %v dBFS, want about -12", out)
	}
	if err := p.ReadFrame(buf); err != nil || dsp.Peak(buf) != 0 {
		t.Errorf("null mic is silent, port got peak %v (%v)", dsp.Peak(buf), err)
	}
	if m.Ticks() < 10 {
		t.Errorf("ticks %d", m.Ticks())
	}
}

func TestCloseKeepsEndpoint(t *testing.T) {
	ep := newFake(8000)
	ep.entered = make(chan struct{}, 4)
	m, err := New(ep, WithKeepEndpoint())
	if err != nil {
		t.Fatal(err)
	}
	ep.step(t, make([]int16, 160))
	// Wait until the loop is blocked in its second Capture: a Close that
	// comes earlier may rightly stop the loop before it captures again.
	for range 2 {
		<-ep.entered
	}
	closed := make(chan error)
	go func() { closed <- m.Close() }()
	// Close waits for the pending Capture; keep the "device" delivering
	// frames until it returns (the first Capture after Close ends the loop).
	frame := make([]int16, 160)
	delivered := 0
wait:
	for {
		select {
		case ep.capture <- frame:
			delivered++
		case err := <-closed:
			if err != nil {
				t.Fatal(err)
			}
			break wait
		}
	}
	if delivered == 0 {
		t.Error("Close returned without waiting for the pending Capture")
	}
	select {
	case <-ep.closed:
		t.Error("endpoint closed despite WithKeepEndpoint")
	default:
	}
}

// TestOnTickDrivesPort: a port's tick hook runs once per mixer frame, on
// the mixer's goroutine, after the frame is mixed: what it reads is this
// frame's microphone, and what it writes reaches the speaker on the next
// frame. Removing the hook stops the calls.
func TestOnTickDrivesPort(t *testing.T) {
	m, ep := newTest(t, 8000)
	p, _ := m.AddPort(8000)
	p.SetConnected(true)
	g := gen(t, 1000, 8000)
	type got struct {
		peak float64
	}
	calls := make(chan got, 16)
	read := make([]int16, 160)
	echo := frameOf(t, g)
	p.SetOnTick(func() {
		p.ReadFrame(read)
		calls <- got{dsp.Peak(read)}
		p.WriteFrame(echo)
	})
	mic := frameOf(t, gen(t, 440, 8000))
	out := ep.step(t, mic)
	c := <-calls
	if c.peak == 0 {
		t.Fatal("the hook did not read this frame's microphone audio")
	}
	if dsp.Peak(out) != 0 {
		t.Fatalf("speaker peak %v on the first frame, want silence (the hook writes after the mix)", dsp.Peak(out))
	}
	out = ep.step(t, make([]int16, 160))
	<-calls
	if p := power(out, 8000, 1000); p < 0.01 {
		t.Fatalf("the hook's 1 kHz frame did not reach the speaker on the next frame (power %v)", p)
	}
	p.SetOnTick(nil)
	ep.step(t, make([]int16, 160))
	select {
	case <-calls:
		t.Fatal("the hook ran after it was removed")
	default:
	}
}

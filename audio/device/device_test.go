package device

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gordonklaus/portaudio"
	"golang.org/x/sys/unix"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

// These tests run real PortAudio against a private PulseAudio server
// (internal/testlab). They share PortAudio's process-wide state and the
// process environment, so none of them is parallel.

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// pulseBackend starts PulseAudio, points the process at it and opens a
// Backend.
func pulseBackend(t *testing.T) (*testlab.Pulse, *Backend) {
	t.Helper()
	p := testlab.StartPulse(t)
	p.Setenv(t)
	b, err := New(WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return p, b
}

// noServerEnv points the process at a PulseAudio socket that does not
// exist (and forbids autospawn), as on a CI machine without sound.
func noServerEnv(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, ".config", "pulse")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(conf, "client.conf"), []byte("autospawn = no\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PULSE_SERVER", "unix:"+filepath.Join(dir, "no-such-socket"))
	t.Setenv("XDG_RUNTIME_DIR", dir)
	t.Setenv("HOME", dir)
}

func sine(dst []int16, n0 int, freq float64, rate int) {
	for i := range dst {
		dst[i] = int16(0.5 * 32767 * math.Sin(2*math.Pi*freq*float64(n0+i)/float64(rate)))
	}
}

func TestDevicesListPulseAndDefault(t *testing.T) {
	_, b := pulseBackend(t)
	devs, err := b.Devices()
	if err != nil {
		t.Fatal(err)
	}
	var pulse, def *audio.DeviceInfo
	for i, d := range devs {
		t.Logf("device %+v", d)
		switch d.Name {
		case "pulse":
			pulse = &devs[i]
		case "default":
			def = &devs[i]
		}
	}
	if pulse == nil || def == nil {
		t.Fatalf("want devices pulse and default, got %+v", devs)
	}
	if pulse.ID != "ALSA:pulse" || pulse.HostAPI != "ALSA" || pulse.MaxInputs < 1 || pulse.MaxOutputs < 1 || pulse.DefaultRate <= 0 {
		t.Errorf("pulse device: %+v", *pulse)
	}
	if !def.DefaultInput || !def.DefaultOutput {
		t.Errorf("default device not flagged as system default: %+v", *def)
	}
	if b.Name() != "portaudio" {
		t.Errorf("Name() = %q", b.Name())
	}
}

func TestOpenErrors(t *testing.T) {
	_, b := pulseBackend(t)
	_, err := b.OpenEndpoint("no such mic", "", 8000)
	if !errors.Is(err, ErrNoSuchDevice) || !strings.Contains(err.Error(), `"pulse"`) {
		t.Errorf("unknown input: err = %v, want ErrNoSuchDevice listing pulse", err)
	}
	_, err = b.OpenOutput("ALSA:nothing", 8000)
	if !errors.Is(err, ErrNoSuchDevice) {
		t.Errorf("unknown output: err = %v", err)
	}
	_, err = b.OpenEndpoint("", "", 8001)
	if !errors.Is(err, audio.ErrBadRate) {
		t.Errorf("rate 8001: err = %v, want audio.ErrBadRate", err)
	}
	ep, err := b.OpenEndpoint("ALSA:pulse", "pulse", 16000) // by ID and by name
	if err != nil {
		t.Fatal(err)
	}
	if ep.Rate() != 16000 {
		t.Errorf("Rate() = %d", ep.Rate())
	}
	if err := ep.Capture(make([]int16, 160)); !errors.Is(err, audio.ErrFrameSize) {
		t.Errorf("short capture buffer: err = %v", err)
	}
	if err := ep.Play(make([]int16, 321)); !errors.Is(err, audio.ErrFrameSize) {
		t.Errorf("wrong play buffer: err = %v", err)
	}
	if err := ep.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ep.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := ep.Capture(make([]int16, 320)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("capture after close: %v", err)
	}
	if err := ep.Play(make([]int16, 320)); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("play after close: %v", err)
	}
}

// The virtual microphone plays a 1 kHz tone; an 8 kHz endpoint (hardware at
// its native rate, resampled) must capture it.
func TestCaptureToneFromVirtualMic(t *testing.T) {
	p, b := pulseBackend(t)
	const freq = 1000
	tone, err := p.PlayTone(context.Background(), freq)
	if err != nil {
		t.Fatal(err)
	}
	defer tone.Stop()
	ep, err := b.OpenEndpoint("", "", 8000)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	const frames = 75 // 1.5 s
	rec := make([]int16, 0, frames*160)
	buf := make([]int16, 160)
	for range frames {
		if err := ep.Capture(buf); err != nil {
			t.Fatal(err)
		}
		rec = append(rec, buf...)
	}
	seg := rec[len(rec)-4000:] // last 0.5 s
	f, pow := dsp.DominantFrequency(seg, 8000, 100, 3900, 10)
	rms, sounding := toneRMS(rec[len(rec)-8000:], 8000)
	in, _ := ep.Levels()
	st := ep.(*Endpoint).Stats()
	t.Logf("captured: dominant %v Hz (power %.3f) rms %.3f over %d sounding 20 ms windows, level %.1f dBFS; stats %+v",
		f, pow, rms, sounding, in, st)
	// The analysis grid is 10 Hz; a capture glitch on a busy machine (a
	// late callback, trimmed samples) smears the peak by a bin or two, so
	// the tone is recognised within ±20 Hz (any other tone is far away).
	if !near(f, freq) {
		t.Errorf("dominant frequency %v Hz, want %v", f, freq)
	}
	if sounding < 10 || rms < 0.25 || rms > 0.45 {
		t.Errorf("rms %.3f over %d sounding windows, want about 0.354 (-6 dBFS sine) over at least 10", rms, sounding)
	}
	if in < -12 {
		t.Errorf("input level %.1f dBFS, want about -6", in)
	}
	if st.NativeInputRate == 8000 || st.InputCallbacks == 0 {
		t.Errorf("want hardware at its native rate with callbacks, got %+v", st)
	}

	// A stream whose callbacks stopped is reopened; capture goes on.
	pp := ep.(*Endpoint).p
	if err := pp.restart(true); err != nil {
		t.Fatal(err)
	}
	if err := pp.restart(false); err != nil {
		t.Fatal(err)
	}
	rec = rec[:0]
	for range 50 {
		if err := ep.Capture(buf); err != nil {
			t.Fatal(err)
		}
		rec = append(rec, buf...)
	}
	f, _ = dsp.DominantFrequency(rec[len(rec)-4000:], 8000, 100, 3900, 10)
	if st := ep.(*Endpoint).Stats(); st.Restarts != 2 || !near(f, freq) {
		t.Errorf("after restarts: %v Hz, stats %+v", f, st)
	}
}

// Audio played to an 8 kHz endpoint must come out of the default sink.
func TestPlayReachesSink(t *testing.T) {
	p, b := pulseBackend(t)
	const freq = 1500
	ep, err := b.OpenEndpoint("", "", 8000)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		in, out := make([]int16, 160), make([]int16, 160)
		for n := 0; ctx.Err() == nil; n += 160 {
			if err := ep.Capture(in); err != nil { // paces the loop
				done <- err
				return
			}
			sine(out, n, freq, 8000)
			if err := ep.Play(out); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	rec, err := p.RecordSink(context.Background(), 1500*time.Millisecond)
	cancel()
	if gerr := <-done; gerr != nil {
		t.Fatal(gerr)
	}
	_, outLvl := ep.Levels()
	st := ep.(*Endpoint).Stats()
	ep.Close()
	if err != nil {
		t.Fatal(err)
	}
	seg := rec[len(rec)-testlab.PulseRate/2:]
	f, pow := dsp.DominantFrequency(seg, testlab.PulseRate, 100, 3900, 10)
	rms, sounding := toneRMS(rec[len(rec)-testlab.PulseRate:], testlab.PulseRate)
	t.Logf("sink: dominant %v Hz (power %.3f) rms %.3f over %d sounding 20 ms windows; out level %.1f dBFS; stats %+v",
		f, pow, rms, sounding, outLvl, st)
	if !near(f, freq) {
		t.Errorf("dominant frequency at the sink %v Hz, want %v", f, freq)
	}
	if sounding < 10 || rms < 0.25 || rms > 0.45 {
		t.Errorf("rms %.3f over %d sounding windows at the sink, want about 0.354 over at least 10", rms, sounding)
	}
}

// With the speaker's monitor as the microphone, a tone played through the
// endpoint comes back through Capture: measure the round trip in samples.
func TestRoundTripLoopback(t *testing.T) {
	p, b := pulseBackend(t)
	if err := p.SetDefaultSource(testlab.PulseSink + ".monitor"); err != nil {
		t.Fatal(err)
	}
	const rate, freq, startFrame, frames = 8000, 1000, 25, 100
	ep, err := b.OpenEndpoint("", "", rate)
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	fs := audio.FrameSamples(rate)
	rec := make([]int16, 0, frames*fs)
	in, out := make([]int16, fs), make([]int16, fs)
	for k := range frames {
		if err := ep.Capture(in); err != nil {
			t.Fatal(err)
		}
		rec = append(rec, in...)
		clear(out)
		if k >= startFrame {
			sine(out, (k-startFrame)*fs, freq, rate)
		}
		if err := ep.Play(out); err != nil {
			t.Fatal(err)
		}
	}
	onset := -1
	for i, v := range rec {
		if v > 3277 || v < -3277 {
			onset = i
			break
		}
	}
	st := ep.(*Endpoint).Stats()
	if onset < 0 {
		t.Fatalf("tone never came back (peak %.3f); stats %+v", dsp.Peak(rec), st)
	}
	rt := time.Duration(onset-startFrame*fs) * time.Second / rate
	seg := rec[len(rec)-rate/4:]
	f, _ := dsp.DominantFrequency(seg, rate, 100, 3900, 10)
	t.Logf("round trip %v (PortAudio reports in %v + out %v); tone back at %v Hz rms %.3f; stats %+v",
		rt, st.InputLatency, st.OutputLatency, f, dsp.RMS(seg), st)
	if rt <= 0 || rt > 500*time.Millisecond {
		t.Errorf("round trip %v out of range (0, 500ms]", rt)
	}
	if !near(f, freq) {
		t.Errorf("looped-back tone at %v Hz, want %v", f, freq)
	}
}

func TestOutputPlaysToSink(t *testing.T) {
	p, b := pulseBackend(t)
	const freq = 800
	o, err := b.OpenOutput("default", 16000)
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// The ringer paces itself: one frame per 20 ms tick.
		tick := time.NewTicker(audio.FrameDuration)
		defer tick.Stop()
		buf := make([]int16, 320)
		for n := 0; ; n += 320 {
			sine(buf, n, freq, 16000)
			if err := o.Play(buf); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	rec, err := p.RecordSink(context.Background(), time.Second)
	cancel()
	<-done
	if err != nil {
		t.Fatal(err)
	}
	seg := rec[len(rec)-testlab.PulseRate/2:]
	f, _ := dsp.DominantFrequency(seg, testlab.PulseRate, 100, 3900, 10)
	t.Logf("ringer output: %v Hz rms %.3f level %.1f dBFS stats %+v", f, dsp.RMS(seg), o.(*Output).Level(), o.(*Output).Stats())
	if !near(f, freq) {
		t.Errorf("ringer tone at %v Hz, want %v", f, freq)
	}
}

func TestNoSoundServer(t *testing.T) {
	noServerEnv(t)
	b, err := New(WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	_, err = b.Devices()
	if !errors.Is(err, ErrNoSoundServer) {
		t.Fatalf("Devices with no server: err = %v, want ErrNoSoundServer", err)
	}
	for _, want := range []string{"no sound server", "--audio null"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := b.OpenEndpoint("", "", 8000); !errors.Is(err, ErrNoSoundServer) {
		t.Errorf("OpenEndpoint with no server: %v", err)
	}
	if _, err := b.OpenOutput("", 8000); !errors.Is(err, ErrNoSoundServer) {
		t.Errorf("OpenOutput with no server: %v", err)
	}
}

// PulseAudio starts after the backend: Watch reports no devices, then the
// pulse devices; an open stream defers Refresh; stopping the server makes
// the devices disappear again.
func TestWatchSeesServerComeAndGo(t *testing.T) {
	noServerEnv(t)
	b, err := New(WithLogger(testLogger(t)))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w := b.Watch(ctx, 100*time.Millisecond)
	next := func(want bool) []audio.DeviceInfo {
		t.Helper()
		for {
			select {
			case devs, ok := <-w:
				if !ok {
					t.Fatal("watch channel closed early")
				}
				if hasPulse(devs) == want {
					return devs
				}
				t.Logf("watch: %d devices, waiting for pulse=%v", len(devs), want)
			case <-ctx.Done():
				t.Fatalf("timed out waiting for pulse=%v", want)
			}
		}
	}
	if devs := next(false); len(devs) != 0 {
		t.Fatalf("devices before the server started: %+v", devs)
	}
	p := testlab.StartPulse(t)
	p.Setenv(t)
	devs := next(true)
	t.Logf("after server start: %d devices", len(devs))

	ep, err := b.OpenEndpoint("", "", 8000)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Refresh(); !errors.Is(err, ErrRefreshDeferred) {
		t.Errorf("Refresh with an open stream: err = %v, want ErrRefreshDeferred", err)
	}
	if err := ep.Capture(make([]int16, 160)); err != nil {
		t.Fatal(err)
	}
	ep.Close()
	p.Stop()
	if devs := next(false); len(devs) != 0 {
		t.Errorf("devices after the server stopped: %+v", devs)
	}
	if _, err := b.Devices(); !errors.Is(err, ErrNoSoundServer) {
		t.Errorf("Devices after the server stopped: %v", err)
	}
	cancel()
	for range w { // drains until the watcher closes the channel
	}
}

func hasPulse(devs []audio.DeviceInfo) bool {
	for _, d := range devs {
		if d.Name == "pulse" {
			return true
		}
	}
	return false
}

func TestBackendClosed(t *testing.T) {
	noServerEnv(t)
	b, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := b.Devices(); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Devices after Close: %v", err)
	}
	if _, err := b.OpenEndpoint("", "", 8000); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("OpenEndpoint after Close: %v", err)
	}
	if err := b.Refresh(); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("Refresh after Close: %v", err)
	}
	if _, ok := <-b.Watch(context.Background(), time.Second); ok {
		t.Error("Watch after Close delivered a list")
	}
}

// Pa_Initialize prints ALSA/JACK probing noise on stderr when no server is
// reachable; New and Refresh must hide it and give stderr back afterwards.
func TestInitNoiseSuppressed(t *testing.T) {
	noServerEnv(t)
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.Dup2(int(f.Fd()), 2); err != nil {
		t.Fatal(err)
	}
	b, nerr := New(WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	var rerr error
	if nerr == nil {
		rerr = b.Refresh()
	}
	// Straight to fd 2, where PortAudio writes: under go test -json the
	// testing package gives os.Stderr a pipe of its own, so the marker
	// written through os.Stderr never reached the file (red in CI).
	unix.Write(2, []byte("after-init\n"))
	unix.Dup2(saved, 2)
	unix.Close(saved)
	if nerr != nil {
		t.Fatal(nerr)
	}
	b.Close()
	if rerr != nil {
		t.Fatal(rerr)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "after-init\n" {
		t.Fatalf("stderr during New/Refresh = %q, want only the marker written after them", got)
	}
	// Control: without the redirection PortAudio is noisy in this
	// environment, so the check above can fail.
	g, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	pa.mu.Lock()
	saved, _ = unix.Dup(2)
	unix.Dup2(int(g.Fd()), 2)
	if portaudio.Initialize() == nil {
		portaudio.Terminate()
	}
	unix.Dup2(saved, 2)
	unix.Close(saved)
	pa.mu.Unlock()
	noise, _ := os.ReadFile(g.Name())
	t.Logf("unsuppressed Pa_Initialize wrote %d lines to stderr", bytes.Count(noise, []byte("\n")))
	if len(noise) == 0 {
		t.Log("control: PortAudio printed nothing here (quiet system); suppression check is vacuous")
	}
}

// near reports whether frequency f (Hz, on DominantFrequency's grid) is
// the wanted tone: within two 10 Hz bins.
func near(f float64, want int) bool { return math.Abs(f-float64(want)) <= 20 }

// toneRMS is the level of a tone in rec, robust to the gaps a busy machine
// leaves in real-time audio (an underrun is silence at the sink or in the
// capture, which says nothing about the level): the median RMS of the 20 ms
// windows that sound at all (above 0.05), and how many there were.
func toneRMS(rec []int16, rate int) (median float64, sounding int) {
	w := rate / 50
	var levels []float64
	for i := 0; i+w <= len(rec); i += w {
		if r := dsp.RMS(rec[i : i+w]); r > 0.05 {
			levels = append(levels, r)
		}
	}
	if len(levels) == 0 {
		return 0, 0
	}
	sort.Float64s(levels)
	return levels[len(levels)/2], len(levels)
}

package device

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/audio"
)

// Default settings of a Backend.
const (
	// DefaultQueueFrames bounds the playback and capture queues, in 20 ms
	// frames, before the oldest audio is dropped.
	DefaultQueueFrames = 5
	// DefaultStallTimeout is how long Capture waits for the device before
	// returning ErrStalled.
	DefaultStallTimeout = 5 * time.Second
	// DefaultRestartAfter is how long Capture waits for microphone audio
	// before it reopens the input stream.
	DefaultRestartAfter = 300 * time.Millisecond
	// DefaultWatchInterval is the polling interval Watch uses for a
	// non-positive interval.
	DefaultWatchInterval = 2 * time.Second
)

// Option configures a Backend.
type Option func(*config)

type config struct {
	log     *slog.Logger
	queue   int
	stall   time.Duration
	restart time.Duration
}

// WithLogger sets the backend's logger (default slog.Default()). Nothing is
// logged from the audio callback.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		if l != nil {
			c.log = l
		}
	}
}

// WithQueueFrames bounds the playback and capture queues to n 20 ms frames
// (default DefaultQueueFrames, minimum 1); older audio is dropped.
func WithQueueFrames(n int) Option {
	return func(c *config) { c.queue = max(n, 1) }
}

// WithStallTimeout sets how long Capture waits for microphone audio before
// failing with ErrStalled (default DefaultStallTimeout).
func WithStallTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.stall = d
		}
	}
}

// WithRestartAfter sets how long Capture waits for microphone audio before
// reopening the input stream (default DefaultRestartAfter): PortAudio's
// ALSA code ends a stream's callbacks for good after some xruns.
func WithRestartAfter(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.restart = d
		}
	}
}

// Backend is the PortAudio audio.Backend. It is safe for concurrent use.
type Backend struct {
	cfg config
	log *slog.Logger

	mu     sync.Mutex
	closed bool
	ports  map[*port]struct{}
	done   chan struct{} // closed by Close: stops watchers
	wg     sync.WaitGroup
}

var _ audio.Backend = (*Backend)(nil)

// New initialises PortAudio (with its stderr noise suppressed) and returns
// a Backend. It succeeds even when no device is reachable; Devices and
// Open* then return ErrNoSoundServer until Refresh finds devices.
func New(opts ...Option) (*Backend, error) {
	cfg := config{log: slog.Default(), queue: DefaultQueueFrames, stall: DefaultStallTimeout, restart: DefaultRestartAfter}
	for _, o := range opts {
		o(&cfg)
	}
	b := &Backend{cfg: cfg, log: cfg.log.With("component", "audio/device"),
		ports: map[*port]struct{}{}, done: make(chan struct{})}
	if err := pa.acquire(b.log); err != nil {
		return nil, err
	}
	return b, nil
}

// Name returns "portaudio".
func (b *Backend) Name() string { return "portaudio" }

// Devices lists the devices PortAudio enumerated at the last
// (re-)initialisation. With no devices it returns ErrNoSoundServer.
func (b *Backend) Devices() ([]audio.DeviceInfo, error) {
	if err := b.checkOpen(); err != nil {
		return nil, err
	}
	pa.mu.Lock()
	defer pa.mu.Unlock()
	devs, err := pa.devicesLocked(b.log)
	if err != nil {
		return nil, err
	}
	out := make([]audio.DeviceInfo, len(devs))
	for i, d := range devs {
		out[i] = d.info
	}
	return out, nil
}

// OpenEndpoint opens input (microphone) and output (speaker) for a call at
// rate Hz. Names "" and "default" select the system defaults; otherwise a
// device ID or exact name.
func (b *Backend) OpenEndpoint(input, output string, rate int) (audio.Endpoint, error) {
	p, err := b.open(input, output, true, rate)
	if err != nil {
		return nil, err
	}
	return &Endpoint{p: p}, nil
}

// OpenOutput opens a playback-only port on output at rate Hz (the ringer).
func (b *Backend) OpenOutput(output string, rate int) (audio.Output, error) {
	p, err := b.open("", output, false, rate)
	if err != nil {
		return nil, err
	}
	return &Output{p: p}, nil
}

func (b *Backend) open(input, output string, withInput bool, rate int) (*port, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("device: open: %w", err)
	}
	if err := b.checkOpen(); err != nil {
		return nil, err
	}
	pa.mu.Lock()
	devs, err := pa.devicesLocked(b.log)
	var in, out *paDevice
	if err == nil && withInput {
		in, err = pick(devs, input, true)
	}
	if err == nil {
		out, err = pick(devs, output, false)
	}
	var p *port
	if err == nil {
		p, err = b.openPort(in, out, rate)
	}
	pa.mu.Unlock()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		p.close()
		return nil, audio.ErrClosed
	}
	b.ports[p] = struct{}{}
	b.mu.Unlock()
	b.log.Info("audio port opened", "in", name(in), "out", name(out), "rate", rate,
		"nativeIn", p.inRate, "nativeOut", p.outRate, "inLatency", p.inLat, "outLatency", p.outLat)
	return p, nil
}

// pick resolves a device name for one direction.
func pick(devs []paDevice, want string, input bool) (*paDevice, error) {
	usable := func(d *paDevice) bool {
		if input {
			return d.info.MaxInputs > 0
		}
		return d.info.MaxOutputs > 0
	}
	if want == "" || want == "default" {
		for i := range devs {
			d := &devs[i]
			if usable(d) && ((input && d.info.DefaultInput) || (!input && d.info.DefaultOutput)) {
				return d, nil
			}
		}
	}
	for i := range devs {
		if d := &devs[i]; usable(d) && d.info.ID == want {
			return d, nil
		}
	}
	for i := range devs {
		if d := &devs[i]; usable(d) && d.info.Name == want {
			return d, nil
		}
	}
	dir := "output"
	if input {
		dir = "input"
	}
	var names []string
	for i := range devs {
		if usable(&devs[i]) {
			names = append(names, fmt.Sprintf("%q (id %q)", devs[i].info.Name, devs[i].info.ID))
		}
	}
	if want == "" {
		want = "default"
	}
	return nil, fmt.Errorf("%w: %s device %q; available: %s", ErrNoSuchDevice, dir, want, strings.Join(names, ", "))
}

// Refresh re-initialises PortAudio so that devices plugged in or removed
// since the last enumeration show up. PortAudio v19 cannot re-enumerate
// while streams are open: Refresh then returns ErrRefreshDeferred and the
// refresh runs when the last stream in the process closes.
func (b *Backend) Refresh() error {
	if err := b.checkOpen(); err != nil {
		return err
	}
	pa.mu.Lock()
	defer pa.mu.Unlock()
	return pa.refreshLocked(b.log)
}

// Watch polls for device changes every interval (DefaultWatchInterval if
// not positive): it refreshes PortAudio when no stream is open and sends
// the device list first once, then whenever it changes (an empty list when
// no device is reachable). The channel is closed when ctx is done or the
// Backend is closed; Close waits for the watcher to stop. A slow reader
// delays polling rather than missing the latest list.
func (b *Backend) Watch(ctx context.Context, interval time.Duration) <-chan []audio.DeviceInfo {
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	ch := make(chan []audio.DeviceInfo, 1)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		close(ch)
		return ch
	}
	b.wg.Add(1)
	b.mu.Unlock()
	go func() {
		defer b.wg.Done()
		defer close(ch)
		var last []audio.DeviceInfo
		first := true
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			if err := b.Refresh(); err != nil && err != ErrRefreshDeferred {
				b.log.Debug("watch: refresh failed", "err", err)
			}
			devs, err := b.Devices()
			if err != nil {
				devs = nil
			}
			if first || !slices.Equal(devs, last) {
				if !first {
					b.log.Info("audio devices changed", "count", len(devs))
				}
				first = false
				last = devs
				select {
				case ch <- devs:
				case <-ctx.Done():
					return
				case <-b.done:
					return
				}
			}
			select {
			case <-tick.C:
			case <-ctx.Done():
				return
			case <-b.done:
				return
			}
		}
	}()
	return ch
}

// Close closes every port opened by the backend, stops its watchers and
// releases PortAudio (terminated with the last Backend in the process).
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	close(b.done)
	ports := make([]*port, 0, len(b.ports))
	for p := range b.ports {
		ports = append(ports, p)
	}
	b.mu.Unlock()
	for _, p := range ports {
		p.close()
	}
	b.wg.Wait()
	pa.release()
	return nil
}

func (b *Backend) checkOpen() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return audio.ErrClosed
	}
	return nil
}

func (b *Backend) forget(p *port) {
	b.mu.Lock()
	delete(b.ports, p)
	b.mu.Unlock()
}

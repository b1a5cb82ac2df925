package audio

import (
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// NullDeviceID is the ID of the single device the null backend offers.
const NullDeviceID = "null"

// Ticker delivers ticks on C until Stop is called; tests inject a manual one
// with WithNullClock (real time comes from the pacer).
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

// TickerFactory creates a Ticker that fires every d.
type TickerFactory func(d time.Duration) Ticker

// NullOption configures a NullBackend.
type NullOption func(*nullConfig)

type nullConfig struct {
	ticker TickerFactory // nil: pace with absolute deadlines (pacer)
	log    *slog.Logger
}

// WithNullClock replaces the real-time pacing of Capture with ticks from
// factory (for tests). Each endpoint gets its own Ticker, created with
// FrameDuration and stopped on Close.
func WithNullClock(factory TickerFactory) NullOption {
	return func(c *nullConfig) {
		if factory != nil {
			c.ticker = factory
		}
	}
}

// WithNullLogger sets the logger of the null backend.
func WithNullLogger(l *slog.Logger) NullOption {
	return func(c *nullConfig) {
		if l != nil {
			c.log = l
		}
	}
}

// NullBackend is a Backend with one silent device, "null", that needs no
// sound server. Its endpoints capture silence paced in real time (one frame
// per FrameDuration) and discard what is played, while still metering it.
type NullBackend struct {
	cfg    nullConfig
	mu     sync.Mutex
	closed bool
	open   map[nullCloser]struct{}
}

type nullCloser interface{ Close() error }

var _ Backend = (*NullBackend)(nil)

// NewNullBackend returns a NullBackend.
func NewNullBackend(opts ...NullOption) (*NullBackend, error) {
	cfg := nullConfig{log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	return &NullBackend{cfg: cfg, open: make(map[nullCloser]struct{})}, nil
}

// Name returns "null".
func (b *NullBackend) Name() string { return "null" }

// Devices returns the single null device.
func (b *NullBackend) Devices() ([]DeviceInfo, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("null backend devices: %w", ErrClosed)
	}
	return []DeviceInfo{{
		ID: NullDeviceID, Name: "Null audio device", HostAPI: "null",
		MaxInputs: 1, MaxOutputs: 1, DefaultRate: 48000,
		DefaultInput: true, DefaultOutput: true,
	}}, nil
}

func checkNullDevice(id string) error {
	switch id {
	case "", "default", NullDeviceID:
		return nil
	}
	return fmt.Errorf("null backend: device %q: %w", id, ErrUnknownDevice)
}

// OpenEndpoint opens a silent duplex endpoint at rate.
func (b *NullBackend) OpenEndpoint(input, output string, rate int) (Endpoint, error) {
	if err := checkNullDevice(input); err != nil {
		return nil, err
	}
	if err := checkNullDevice(output); err != nil {
		return nil, err
	}
	if err := CheckRate(rate); err != nil {
		return nil, fmt.Errorf("null backend open endpoint: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("null backend open endpoint: %w", ErrClosed)
	}
	ep := &nullEndpoint{rate: rate, done: make(chan struct{}), b: b}
	if b.cfg.ticker != nil {
		ep.ticker = b.cfg.ticker(FrameDuration)
	} else {
		p, err := newPacer(FrameDuration)
		if err != nil {
			return nil, err
		}
		ep.pace = p
	}
	b.open[ep] = struct{}{}
	b.cfg.log.Debug("null endpoint opened", "rate", rate)
	return ep, nil
}

// OpenOutput opens a playback-only null output at rate.
func (b *NullBackend) OpenOutput(output string, rate int) (Output, error) {
	if err := checkNullDevice(output); err != nil {
		return nil, err
	}
	if err := CheckRate(rate); err != nil {
		return nil, fmt.Errorf("null backend open output: %w", err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, fmt.Errorf("null backend open output: %w", ErrClosed)
	}
	o := &nullOutput{rate: rate, b: b}
	b.open[o] = struct{}{}
	return o, nil
}

// Close closes every endpoint and output still open and makes the backend
// unusable.
func (b *NullBackend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	open := make([]nullCloser, 0, len(b.open))
	for c := range b.open {
		open = append(open, c)
	}
	b.mu.Unlock()
	for _, c := range open {
		_ = c.Close()
	}
	return nil
}

func (b *NullBackend) forget(c nullCloser) {
	b.mu.Lock()
	delete(b.open, c)
	b.mu.Unlock()
}

type nullEndpoint struct {
	rate    int
	ticker  Ticker // injected clock, or nil
	pace    *pacer // real time, when ticker is nil
	done    chan struct{}
	once    sync.Once
	b       *NullBackend
	in, out Meter
}

func (e *nullEndpoint) Rate() int { return e.rate }

// Capture waits for the next tick and fills dst with silence.
func (e *nullEndpoint) Capture(dst []int16) error {
	if len(dst) != FrameSamples(e.rate) {
		return fmt.Errorf("null capture: %d samples, want %d: %w", len(dst), FrameSamples(e.rate), ErrFrameSize)
	}
	select {
	case <-e.done:
		return ErrClosed
	default:
	}
	if e.pace != nil {
		if !e.pace.wait(e.done) {
			return ErrClosed
		}
	} else {
		select {
		case <-e.done:
			return ErrClosed
		case <-e.ticker.C():
		}
	}
	clear(dst)
	e.in.Update(dst)
	return nil
}

// Play meters src and discards it.
func (e *nullEndpoint) Play(src []int16) error {
	select {
	case <-e.done:
		return ErrClosed
	default:
	}
	if len(src) != FrameSamples(e.rate) {
		return fmt.Errorf("null play: %d samples, want %d: %w", len(src), FrameSamples(e.rate), ErrFrameSize)
	}
	e.out.Update(src)
	return nil
}

func (e *nullEndpoint) Levels() (in, out float64) { return e.in.DBFS(), e.out.DBFS() }

func (e *nullEndpoint) Close() error {
	e.once.Do(func() {
		close(e.done)
		if e.ticker != nil {
			e.ticker.Stop()
		} else {
			e.pace.close()
		}
		e.b.forget(e)
	})
	return nil
}

type nullOutput struct {
	rate   int
	mu     sync.Mutex
	closed bool
	b      *NullBackend
	out    Meter
}

func (o *nullOutput) Rate() int { return o.rate }

func (o *nullOutput) Play(src []int16) error {
	o.mu.Lock()
	closed := o.closed
	o.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if len(src) != FrameSamples(o.rate) {
		return fmt.Errorf("null play: %d samples, want %d: %w", len(src), FrameSamples(o.rate), ErrFrameSize)
	}
	o.out.Update(src)
	return nil
}

// Level returns the peak level of the last played frame in dBFS.
func (o *nullOutput) Level() float64 { return o.out.DBFS() }

func (o *nullOutput) Close() error {
	o.mu.Lock()
	was := o.closed
	o.closed = true
	o.mu.Unlock()
	if !was {
		o.b.forget(o)
	}
	return nil
}

package mixer

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/audio"
)

// Ring sizing, in frames at the mixer rate.
const (
	ringFrames = 8 // capacity of each port ring (rounded up to a power of two)
	highWater  = 4 // more than this many frames queued counts as overflow...
	trimTo     = 2 // ...and the oldest audio is dropped down to this many
)

// Option configures a Mixer.
type Option func(*Mixer)

// WithLogger sets the logger. The mixer never logs from inside a tick.
func WithLogger(l *slog.Logger) Option {
	return func(m *Mixer) {
		if l != nil {
			m.log = l
		}
	}
}

// WithKeepEndpoint leaves the endpoint open on Close. By default the mixer
// owns the endpoint and closes it, which also unblocks a pending Capture;
// with this option Close waits for the current Capture to return (at most
// one frame for a real-time endpoint).
func WithKeepEndpoint() Option { return func(m *Mixer) { m.keepEP = true } }

// Mixer mixes one endpoint with a set of ports. Its methods are safe for
// concurrent use.
type Mixer struct {
	ep     audio.Endpoint
	rate   int
	n      int // samples per frame at the mixer rate
	log    *slog.Logger
	keepEP bool

	mu     sync.Mutex // guards ports and closed; held for a whole tick
	ports  []*Port
	nextID int
	closed bool

	mic, spk []int16
	acc      []int32
	hooks    []func() // backing store for a tick's port hooks; guarded by mu
	micLevel audio.Meter
	spkLevel audio.Meter
	ticks    atomic.Uint64

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	lastErr   atomic.Pointer[error]
}

// New starts a Mixer on ep. The mixer runs one goroutine paced by
// ep.Capture until Close.
func New(ep audio.Endpoint, opts ...Option) (*Mixer, error) {
	m, err := newMixer(ep, opts...)
	if err != nil {
		return nil, err
	}
	go m.run()
	return m, nil
}

func newMixer(ep audio.Endpoint, opts ...Option) (*Mixer, error) {
	if ep == nil {
		return nil, ErrNoEndpoint
	}
	rate := ep.Rate()
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("mixer: endpoint rate: %w (%v)", ErrRate, err)
	}
	n := audio.FrameSamples(rate)
	m := &Mixer{
		ep: ep, rate: rate, n: n, log: slog.Default(),
		mic: make([]int16, n), spk: make([]int16, n), acc: make([]int32, n),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	for _, o := range opts {
		o(m)
	}
	m.log = m.log.With("component", "mixer")
	return m, nil
}

// Rate returns the mixer (endpoint) sample rate.
func (m *Mixer) Rate() int { return m.rate }

// Levels returns the peak levels of the last microphone and speaker frames
// in dBFS.
func (m *Mixer) Levels() (mic, speaker float64) { return m.micLevel.DBFS(), m.spkLevel.DBFS() }

// Ticks returns how many frames the mixer has processed.
func (m *Mixer) Ticks() uint64 { return m.ticks.Load() }

// Err returns the last error the endpoint reported, or nil.
func (m *Mixer) Err() error {
	if p := m.lastErr.Load(); p != nil {
		return *p
	}
	return nil
}

func (m *Mixer) run() {
	defer close(m.done)
	failing := false
	for {
		select {
		case <-m.stop:
			return
		default:
		}
		if err := m.ep.Capture(m.mic); err != nil {
			select {
			case <-m.stop:
				return
			default:
			}
			m.lastErr.Store(&err)
			if errors.Is(err, audio.ErrClosed) {
				m.log.Warn("endpoint closed under the mixer; stopping", "err", err)
				return
			}
			if !failing {
				m.log.Error("capture failed; retrying every frame", "err", err)
				failing = true
			}
			select {
			case <-m.stop:
				return
			case <-time.After(audio.FrameDuration):
			}
			// Keep the frame clock going with a silent microphone, so
			// that calls driven by it (Port.SetOnTick) keep sending RTP
			// while the device is failing.
			clear(m.mic)
			m.tick()
			continue
		}
		if failing {
			m.log.Info("capture recovered")
			failing = false
		}
		m.tick()
	}
}

// tick mixes one frame: m.mic holds the microphone frame.
func (m *Mixer) tick() {
	m.micLevel.Update(m.mic)
	m.mu.Lock()
	hooks := m.hooks[:0] // AddPort keeps the capacity: no allocation
	for _, p := range m.ports {
		p.pullUplink()
		if fn := p.onTick.Load(); fn != nil {
			hooks = append(hooks, *fn)
		}
	}
	m.hooks = hooks
	clear(m.acc)
	for _, p := range m.ports {
		if !p.tickConnected {
			continue
		}
		for i, s := range p.up {
			m.acc[i] += int32(s)
		}
	}
	for _, p := range m.ports {
		if !p.tickConnected {
			continue
		}
		for i, s := range m.mic {
			p.mix[i] = int32(s)
		}
		if g := p.tickGroup; g != "" {
			for _, q := range m.ports {
				if q == p || !q.tickConnected || q.tickGroup != g {
					continue
				}
				for i, s := range q.up {
					p.mix[i] += int32(s)
				}
			}
		}
		clip(p.down, p.mix)
		p.outLevel.Update(p.down)
		if p.downRing.Free() >= m.n {
			p.downRing.Write(p.down)
		} else {
			p.overflows.Add(1) // the reader is stalled; it trims on its side
		}
	}
	m.mu.Unlock()
	clip(m.spk, m.acc)
	m.spkLevel.Update(m.spk)
	_ = m.ep.Play(m.spk) // Play never blocks; a failure shows up in Capture
	m.ticks.Add(1)
	// Outside the lock: a hook (a call leg's media tick) sends and receives
	// RTP, and a slow one must not hold up AddPort/RemovePort.
	for i, fn := range hooks {
		fn()
		hooks[i] = nil
	}
}

func clip(dst []int16, src []int32) {
	for i, v := range src {
		switch {
		case v > 32767:
			v = 32767
		case v < -32768:
			v = -32768
		}
		dst[i] = int16(v)
	}
}

// Close stops the mixing goroutine and waits for it, closes the endpoint
// (unless WithKeepEndpoint) and closes every port.
func (m *Mixer) Close() error {
	var err error
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.closed = true
		for _, p := range m.ports {
			p.removed.Store(true)
		}
		m.ports = nil
		m.mu.Unlock()
		close(m.stop)
		if !m.keepEP {
			err = m.ep.Close()
		}
		<-m.done
	})
	return err
}

// AddPort adds a disconnected port working at rate.
func (m *Mixer) AddPort(rate int) (*Port, error) {
	p, err := newPort(m, rate)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("mixer: add port: %w", ErrClosed)
	}
	m.nextID++
	p.id = m.nextID
	m.ports = append(m.ports, p)
	if cap(m.hooks) < len(m.ports) {
		// Grown here, under the lock, so that tick never allocates. A
		// tick running its hooks keeps the old array.
		m.hooks = make([]func(), 0, 2*len(m.ports))
	}
	return p, nil
}

// RemovePort detaches p; its ReadFrame and WriteFrame return ErrClosed
// afterwards.
func (m *Mixer) RemovePort(p *Port) error {
	if p == nil {
		return ErrUnknownPort
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, q := range m.ports {
		if q == p {
			// Copy so that no slot of the old backing array is shared.
			ports := make([]*Port, 0, len(m.ports)-1)
			ports = append(ports, m.ports[:i]...)
			m.ports = append(ports, m.ports[i+1:]...)
			p.removed.Store(true)
			return nil
		}
	}
	return fmt.Errorf("mixer: remove port %d: %w", p.id, ErrUnknownPort)
}

// Ports returns the number of ports.
func (m *Mixer) Ports() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ports)
}

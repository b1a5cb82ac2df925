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

// Ring sizing, in frames at the port's rate.
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

// Mixer mixes one endpoint with a set of ports on a bus at the endpoint's
// rate, routing audio by a matrix of who hears whom (see Update). Its
// methods are safe for concurrent use.
type Mixer struct {
	ep     audio.Endpoint
	rate   int
	n      int // samples per frame at the mixer rate
	log    *slog.Logger
	keepEP bool

	mu       sync.Mutex // guards everything below up to ticks; held for a whole tick
	ports    []*Port
	nodes    map[Node]*Port
	slots    []*Port   // talker/listener slot → port; slot 0 is Local, nil = free
	talkers  []*talker // slot → that talker (talkers[0] = mic), nil = free
	planes   []*plane  // one per rate in use; planes[0] is the bus
	local    listener  // what Local hears: the speaker
	words    int       // uint64 words per slot bitset
	pending  map[edge]bool
	nextNode Node
	leaving  int // removed ports still in ports, fading out this tick
	closed   bool

	// Tick scratch (m.mu held).
	conn     []uint64 // slots connected this tick
	steady   []uint64 // this listener's routes on last tick and this one
	in, out  []uint64 // this listener's routes fading in / out this tick
	mic, spk []int16
	hooks    []func() // backing store for a tick's port hooks
	micLevel level
	spkLevel level
	lastTalk atomic.Uint64 // the last tick whose microphone was above TalkLevel
	ticks    atomic.Uint64

	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	lastErr   atomic.Pointer[error]
}

// listener is one node's receiving side of the matrix. Bit t of a bitset
// stands for the talker in slot t.
type listener struct {
	route []uint64 // talkers this node is routed to hear (m.mu)
	prev  []uint64 // talkers it heard during the last tick (tick-owned)
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
		nodes: make(map[Node]*Port), pending: make(map[edge]bool),
		mic: make([]int16, n), spk: make([]int16, n),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	m.slots = []*Port{nil}
	m.growLocked(1)
	bus := newPlane(0, rate, m.words)
	bus.mask[0] = 1 // the microphone
	bus.to = []*conv{nil}
	m.planes = []*plane{bus}
	m.talkers = []*talker{{pl: bus, cur: m.mic, prev: make([]int16, n), to: []*conv{nil}}}
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

// Talking is Port.Talking for Local: whether the microphone has been above
// TalkLevel within the last TalkHold. It takes no lock.
func (m *Mixer) Talking() bool { return m.talking(m.lastTalk.Load()) }

// talking says whether a talker last heard at tick last is still talking.
func (m *Mixer) talking(last uint64) bool {
	now := m.ticks.Load() // may still be last-1 while that tick ends
	return last != 0 && (last > now || now-last < talkHoldFrames)
}

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
	tickNo := m.ticks.Load() + 1
	micPeak := peakOf(m.mic)
	m.micLevel.set(micPeak)
	if micPeak >= talkPeak {
		m.lastTalk.Store(tickNo)
	}
	m.mu.Lock()
	hooks := m.hooks[:0] // AddPort keeps the capacity: no allocation
	clear(m.conn)
	m.conn[0] = 1 // Local is always there
	for _, p := range m.ports {
		if p.next != nil && p.next.faded {
			m.switchRateLocked(p)
		}
		p.pullUplink(tickNo)
		if p.tickConnected {
			m.conn[p.slot/64] |= 1 << (p.slot % 64)
		}
		if fn := p.onTick.Load(); fn != nil && !p.leaving {
			hooks = append(hooks, *fn)
		}
	}
	m.hooks = hooks
	for _, pl := range m.planes {
		pl.sumOK = false
	}
	m.spkLevel.set(m.mixFor(&m.local, true, m.planes[0], m.spk, tickNo))
	for _, p := range m.ports {
		p.outLevel.set(m.mixFor(&p.ls, p.tickConnected, p.talker.pl, p.down, tickNo))
		if down := p.io.Load().downRing; down.Free() >= len(p.down) {
			down.Write(p.down)
		} else if p.tickConnected {
			p.overflows.Add(1) // the reader is stalled; it trims on its side
		}
	}
	// Each talker's frame primes the conversions that start next tick.
	for _, t := range m.talkers {
		if t != nil {
			copy(t.prev, t.cur)
		}
	}
	if m.leaving > 0 {
		m.dropLeavingLocked()
	}
	m.mu.Unlock()
	_ = m.ep.Play(m.spk) // Play never blocks; a failure shows up in Capture
	m.ticks.Store(tickNo)
	// Outside the lock: a hook (a call leg's media tick) sends and receives
	// RTP, and a slow one must not hold up AddPort/RemovePort.
	for i, fn := range hooks {
		fn()
		hooks[i] = nil
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
		m.ports, m.leaving = nil, 0
		m.mu.Unlock()
		close(m.stop)
		if !m.keepEP {
			err = m.ep.Close()
		}
		<-m.done
	})
	return err
}

// AddPort adds a disconnected port working at rate. Its routes are those
// of a two-party call: it hears Local and Local hears it, and it hears no
// other port and no other port hears it.
func (m *Mixer) AddPort(rate int) (*Port, error) {
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("mixer: port at %d Hz: %w (%v)", rate, ErrRate, err)
	}
	p, err := newPort(m, rate)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, fmt.Errorf("mixer: add port: %w", ErrClosed)
	}
	pl, err := m.planeLocked(rate)
	if err != nil {
		return nil, err
	}
	t, err := m.newTalkerLocked(pl, p.up)
	if err != nil {
		return nil, err
	}
	slot := 1
	for slot < len(m.slots) && m.slots[slot] != nil {
		slot++
	}
	if slot == len(m.slots) {
		// Grown here, under the lock, so that tick never allocates.
		m.slots = append(m.slots, nil)
		m.talkers = append(m.talkers, nil)
		m.growLocked(len(m.slots))
	}
	m.nextNode++
	p.node, p.slot, p.talker = m.nextNode, slot, t
	p.ls.route = make([]uint64, m.words)
	p.ls.prev = make([]uint64, m.words)
	m.slots[slot], m.talkers[slot] = p, t
	pl.mask[slot/64] |= 1 << (slot % 64)
	m.nodes[p.node] = p
	m.ports = append(m.ports, p)
	m.setLocked(edge{p.node, Local}, true)
	m.setLocked(edge{Local, p.node}, true)
	if cap(m.hooks) < len(m.ports) {
		// A tick running its hooks keeps the old array.
		m.hooks = make([]func(), 0, 2*len(m.ports))
	}
	return p, nil
}

// setPortRate prepares p's switch to rate (Port.SetRate): everything it
// needs is allocated here, and the tick swaps it in.
func (m *Mixer) setPortRate(p *Port, rate int) error {
	if p == nil {
		return ErrUnknownPort
	}
	if err := audio.CheckRate(rate); err != nil {
		return fmt.Errorf("mixer: port at %d Hz: %w (%v)", rate, ErrRate, err)
	}
	io, err := newPortIO(rate)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("mixer: set rate: %w", ErrClosed)
	}
	if p.m != m || p.leaving || m.nodes[p.node] != p {
		return fmt.Errorf("mixer: set rate of %v: %w", p.node, ErrUnknownPort)
	}
	if rate == p.talker.pl.rate {
		p.next = nil // a switch still pending is called off
		return nil
	}
	if p.next != nil && p.next.io.rate == rate {
		return nil
	}
	pl, err := m.planeLocked(rate)
	if err != nil {
		return err
	}
	up := make([]int16, io.n)
	t, err := m.newTalkerLocked(pl, up)
	if err != nil {
		return err
	}
	faded := p.next != nil && p.next.faded
	p.next = &rateSwitch{io: io, talker: t, up: up, down: make([]int16, io.n), faded: faded}
	return nil
}

// switchRateLocked swaps in p's new rate at the start of a tick, after a
// tick that faded p out (m.mu held; does not allocate). Its slot, Node and
// routes stay: only its talker moves to the new rate's plane, so that
// every listener's routes to it, and its own routes, hold as they were.
func (m *Mixer) switchRateLocked(p *Port) {
	sw := p.next
	p.next = nil
	w, bit := p.slot/64, uint64(1)<<(p.slot%64)
	for _, pl := range []*plane{p.talker.pl, sw.talker.pl} {
		// The slot's bit changes plane: both planes' sums start afresh.
		for _, c := range pl.to {
			if c != nil {
				c.tick = staleConv
			}
		}
	}
	p.talker.pl.mask[w] &^= bit
	sw.talker.pl.mask[w] |= bit
	p.talker, m.talkers[p.slot] = sw.talker, sw.talker
	p.up, p.down, p.upPrev = sw.up, sw.down, false
	p.io.Store(sw.io)
}

// growLocked makes the slot bitsets hold at least slots slots (m.mu held).
func (m *Mixer) growLocked(slots int) {
	words := (slots + 63) / 64
	if words <= m.words {
		return
	}
	m.words = words
	grow := func(b []uint64) []uint64 {
		g := make([]uint64, words)
		copy(g, b)
		return g
	}
	m.conn, m.steady, m.in, m.out = grow(nil), grow(nil), grow(nil), grow(nil)
	m.local.route, m.local.prev = grow(m.local.route), grow(m.local.prev)
	for _, p := range m.ports {
		p.ls.route, p.ls.prev = grow(p.ls.route), grow(p.ls.prev)
	}
	for _, pl := range m.planes {
		pl.mask = grow(pl.mask)
		for _, c := range pl.to {
			if c != nil {
				c.set = grow(c.set)
			}
		}
	}
}

// RemovePort detaches p: its ReadFrame and WriteFrame return ErrClosed at
// once and its Node names nothing from now on. What it was saying fades
// out of every mix over the next tick, after which the mixer drops it.
func (m *Mixer) RemovePort(p *Port) error {
	if p == nil {
		return ErrUnknownPort
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, q := range m.ports {
		if q == p && !p.leaving {
			p.removed.Store(true)
			p.leaving = true
			p.next = nil
			m.leaving++
			delete(m.nodes, p.node)
			// With its routes cut, the next tick fades it out like any
			// route turned off; dropLeavingLocked then frees its slot.
			clear(p.ls.route)
			w, bit := p.slot/64, uint64(1)<<(p.slot%64)
			m.local.route[w] &^= bit
			for _, o := range m.ports {
				o.ls.route[w] &^= bit
			}
			return nil
		}
	}
	return fmt.Errorf("mixer: remove %v: %w", p.node, ErrUnknownPort)
}

// dropLeavingLocked drops the removed ports once a tick has faded them
// out (m.mu held). It filters m.ports in place: no allocation in the tick.
func (m *Mixer) dropLeavingLocked() {
	kept := m.ports[:0]
	for _, p := range m.ports {
		if !p.leaving {
			kept = append(kept, p)
			continue
		}
		w, bit := p.slot/64, uint64(1)<<(p.slot%64)
		m.local.prev[w] &^= bit // already clear after the fade; kept exact
		for _, o := range m.ports {
			o.ls.prev[w] &^= bit
		}
		p.talker.pl.mask[w] &^= bit
		// A port added to this slot before the next tick is another
		// talker with the same bit: the plane's sums start afresh.
		for _, c := range p.talker.pl.to {
			if c != nil {
				c.tick = staleConv
			}
		}
		m.slots[p.slot], m.talkers[p.slot] = nil, nil
	}
	clear(m.ports[len(kept):])
	m.ports = kept
	m.leaving = 0
}

// Ports returns the number of ports.
func (m *Mixer) Ports() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.ports) - m.leaving
}

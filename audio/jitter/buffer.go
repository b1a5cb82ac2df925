package jitter

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// State is the state of a Buffer's playout state machine.
type State string

const (
	// StateBuffering collects packets until the target delay is reached.
	StateBuffering State = "buffering"
	// StatePlaying hands out one packet per Pop.
	StatePlaying State = "playing"
)

// String returns the state name.
func (s State) String() string { return string(s) }

// Status says what Pop produced.
type Status string

const (
	// StatusPacket means dst holds the payload of the next packet.
	StatusPacket Status = "packet"
	// StatusMissing means the frame for this tick is missing (lost, not yet
	// arrived, or inserted to grow the delay): the caller must conceal it.
	StatusMissing Status = "missing"
	// StatusBuffering means the buffer is (re)filling; the caller plays
	// silence (or comfort noise).
	StatusBuffering Status = "buffering"
)

// String returns the status name.
func (s Status) String() string { return string(s) }

// Stats is a snapshot of a Buffer's counters.
type Stats struct {
	State State
	// Pushed counts packets accepted by Push.
	Pushed int64
	// Played counts Pops that returned StatusPacket.
	Played int64
	// Late counts packets dropped because their playout time had passed.
	Late int64
	// Lost counts frames missing at their playout time.
	Lost int64
	// Duplicates counts packets dropped as duplicates.
	Duplicates int64
	// Overflow counts packets discarded because a packet arrived too far
	// ahead of the playout point.
	Overflow int64
	// Underruns counts Pops while playing with nothing buffered.
	Underruns int64
	// Stretched counts frames inserted to grow the delay.
	Stretched int64
	// Shrunk counts packets discarded to shrink the delay.
	Shrunk int64
	// Jitter is the RFC 3550 interarrival jitter estimate.
	Jitter time.Duration
	// Delay is the audio currently buffered ahead of the playout point.
	Delay time.Duration
	// Target is the current target delay.
	Target time.Duration
}

type slot struct {
	seq uint16
	ts  uint32
	n   int
	ok  bool
	buf []byte
}

// Buffer is an adaptive jitter buffer for one RTP stream. Push and Pop may be
// called from different goroutines; neither allocates.
type Buffer struct {
	mu  sync.Mutex
	cfg config

	slots []slot
	mask  uint16

	state   State
	started bool   // nextSeq is valid
	played  bool   // something was played since the last (re)start
	nextSeq uint16 // sequence number due at the next Pop
	highest uint16 // highest sequence number buffered (valid if count > 0)
	lost    bool   // the last Pop skipped a packet that never arrived
	count   int

	frameTS   float64 // RTP timestamp units per frame
	minPk     int
	maxPk     int
	target    int // packets
	empty     int // consecutive empty Pops while playing
	sinceAdpt int

	// RFC 3550 A.8 interarrival jitter, in timestamp units.
	epoch       time.Time
	haveTransit bool
	transit     int64
	jitter      float64

	st Stats
}

// New returns an empty Buffer in StateBuffering.
func New(opts ...Option) (*Buffer, error) {
	c := config{
		capacity: 64, maxPayload: 1500, clockRate: 8000, frame: 20 * time.Millisecond,
		minDelay: 40 * time.Millisecond, maxDelay: 300 * time.Millisecond,
		underrunLimit: 3, adaptInterval: 10, now: time.Now,
	}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	b := &Buffer{cfg: c, mask: uint16(c.capacity - 1), state: StateBuffering}
	b.frameTS = float64(c.clockRate) * c.frame.Seconds()
	b.minPk = int(math.Ceil(float64(c.minDelay) / float64(c.frame)))
	b.maxPk = int(math.Ceil(float64(c.maxDelay) / float64(c.frame)))
	if b.maxPk >= c.capacity {
		return nil, fmt.Errorf("max delay %v needs %d slots, capacity %d: %w", c.maxDelay, b.maxPk, c.capacity, ErrInvalidOption)
	}
	if b.frameTS < 1 {
		return nil, fmt.Errorf("frame %v at %d Hz: %w", c.frame, c.clockRate, ErrInvalidOption)
	}
	b.target = b.minPk
	b.slots = make([]slot, c.capacity)
	store := make([]byte, c.capacity*c.maxPayload)
	for i := range b.slots {
		b.slots[i].buf = store[i*c.maxPayload : (i+1)*c.maxPayload : (i+1)*c.maxPayload]
	}
	b.epoch = c.now()
	return b, nil
}

// setState is the single transition method of the playout state machine.
func (b *Buffer) setState(s State) {
	if b.state == s {
		return
	}
	b.state = s
	b.empty = 0
	b.sinceAdpt = 0
	if s == StatePlaying && b.count > 0 {
		// Play from the oldest buffered packet.
		for i := 0; i < b.cfg.capacity; i++ {
			if b.slots[(b.nextSeq+uint16(i))&b.mask].ok {
				if b.played {
					// Frames skipped over after an underrun never arrived.
					b.st.Lost += int64(i)
				}
				b.nextSeq += uint16(i)
				break
			}
		}
	}
}

// Reset empties the buffer and forgets the stream (for a new SSRC). The
// counters in Stats are kept.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flush()
	b.haveTransit = false
	b.jitter = 0
	b.target = b.minPk
}

// SetClockRate changes the RTP clock rate the buffer times packets at,
// for a stream whose payload type switches to a codec at another rate
// (Opus at 48000 Hz to G.711 at 8000 Hz) without a new SSRC. Timestamps
// at the two rates cannot be compared (RFC 3550 §5.1;
// https://www.rfc-editor.org/rfc/rfc7160#section-4.2), so the
// interarrival-jitter reference restarts with the next packet and the
// estimate so far is rescaled to the new unit. Buffered packets stay: the
// buffer plays them by sequence number. It does nothing for hz <= 0 or
// the current rate, and does not allocate.
func (b *Buffer) SetClockRate(hz int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if hz <= 0 || hz == b.cfg.clockRate {
		return
	}
	b.jitter = b.jitter * float64(hz) / float64(b.cfg.clockRate)
	b.cfg.clockRate = hz
	b.frameTS = float64(hz) * b.cfg.frame.Seconds()
	b.haveTransit = false
}

// SetFrameDuration changes the audio duration of one packet, for a
// sender whose packetisation changes (a=ptime, RFC 4566 §6: Opus at 60 ms
// per packet, RFC 7587 §4.2): the delay bounds, the target and Stats
// count in packets of d. The caller then pops once per packet, not once
// per 20 ms. It does nothing for d <= 0, the current duration, or a
// duration whose maximum delay would not fit the capacity; it does not
// allocate.
func (b *Buffer) SetFrameDuration(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d <= 0 || d == b.cfg.frame {
		return
	}
	maxPk := int(math.Ceil(float64(b.cfg.maxDelay) / float64(d)))
	if maxPk >= b.cfg.capacity {
		return
	}
	target := time.Duration(b.target) * b.cfg.frame
	b.cfg.frame = d
	b.frameTS = float64(b.cfg.clockRate) * d.Seconds()
	b.minPk = int(math.Ceil(float64(b.cfg.minDelay) / float64(d)))
	b.maxPk = maxPk
	b.target = max(b.minPk, min(b.maxPk, int(math.Ceil(float64(target)/float64(d)))))
}

// FrameDuration returns the audio duration of one packet.
func (b *Buffer) FrameDuration() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfg.frame
}

// ClockRate returns the RTP clock rate the buffer currently times at.
func (b *Buffer) ClockRate() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cfg.clockRate
}

func (b *Buffer) flush() {
	for i := range b.slots {
		b.slots[i].ok = false
	}
	b.count = 0
	b.started = false
	b.played = false
	b.lost = false
	b.setState(StateBuffering)
}

// Push stores one packet. The payload is copied; the caller may reuse it.
// It returns ErrLate, ErrDuplicate or ErrTooLarge (unwrapped, counted in
// Stats) when the packet is dropped.
func (b *Buffer) Push(seq uint16, ts uint32, payload []byte) error {
	return b.PushAt(seq, ts, payload, b.cfg.now())
}

// PushAt is Push for a packet that arrived at the given time, for callers
// that read the socket later than the packet arrived and know its arrival
// time (a kernel receive timestamp). The time feeds the jitter estimate
// that sizes the buffer; it must come from the same clock as WithNow.
func (b *Buffer) PushAt(seq uint16, ts uint32, payload []byte, now time.Time) error {
	if len(payload) > b.cfg.maxPayload {
		return ErrTooLarge
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.started {
		b.started = true
		b.nextSeq = seq
	}
	d := int(int16(seq - b.nextSeq))
	switch {
	case d < 0 && b.state == StateBuffering && !b.played && b.count > 0 &&
		int(int16(b.highest-seq)) < b.cfg.capacity:
		// Reordered before playout started: move the start back.
		b.nextSeq = seq
	case d < 0 && b.state == StateBuffering && !b.played && b.count == 0:
		b.nextSeq = seq
	case d < 0:
		b.st.Late++
		return ErrLate
	case d >= 8*b.cfg.capacity:
		// A jump far ahead: the sender restarted its sequence. Start over.
		b.flush()
		b.started, b.nextSeq = true, seq
	case d >= b.cfg.capacity:
		// Too far ahead: skip the playout point forward, discarding what
		// falls out of the window.
		newNext := seq - uint16(b.cfg.capacity) + 1
		for b.nextSeq != newNext {
			if s := &b.slots[b.nextSeq&b.mask]; s.ok && s.seq == b.nextSeq {
				s.ok = false
				b.count--
				b.st.Overflow++
			}
			b.nextSeq++
		}
	}
	s := &b.slots[seq&b.mask]
	if s.ok && s.seq == seq {
		b.st.Duplicates++
		return ErrDuplicate
	}
	b.updateJitter(now, ts)
	s.seq, s.ts, s.ok = seq, ts, true
	s.n = copy(s.buf, payload)
	if b.count == 0 || int16(seq-b.highest) > 0 {
		b.highest = seq
	}
	b.count++
	b.st.Pushed++
	return nil
}

// updateJitter implements RFC 3550 Appendix A.8 and recomputes the target.
func (b *Buffer) updateJitter(now time.Time, ts uint32) {
	arrival := int64(now.Sub(b.epoch)) * int64(b.cfg.clockRate) / int64(time.Second)
	transit := arrival - int64(ts)
	if b.haveTransit {
		d := float64(transit - b.transit)
		if d < 0 {
			d = -d
		}
		// Bound one sample's influence (timestamp jumps after silence or
		// DTMF are not network jitter).
		d = min(d, 2*float64(b.maxPk)*b.frameTS)
		b.jitter += (d - b.jitter) / 16
	}
	b.transit, b.haveTransit = transit, true
	t := 1 + int(math.Ceil(3*b.jitter/b.frameTS))
	b.target = max(b.minPk, min(b.maxPk, t))
}

// span returns the number of frames from the playout point to the newest
// buffered packet, inclusive (0 when empty).
func (b *Buffer) span() int {
	if b.count == 0 {
		return 0
	}
	d := int(int16(b.highest - b.nextSeq))
	if d < 0 {
		return 0
	}
	return d + 1
}

// Pop is called once per playout tick. It copies the next payload into dst
// (which should hold MaxPayload bytes; longer payloads are truncated) and
// returns its length with StatusPacket, or 0 with StatusMissing (conceal)
// or StatusBuffering (play silence).
func (b *Buffer) Pop(dst []byte) (int, Status) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lost = false
	if b.state == StateBuffering {
		if b.count == 0 || b.span() < b.target {
			return 0, StatusBuffering
		}
		b.setState(StatePlaying)
	}
	if b.count == 0 {
		b.st.Underruns++
		b.empty++
		if b.empty >= b.cfg.underrunLimit {
			b.setState(StateBuffering)
		}
		return 0, StatusMissing
	}
	b.empty = 0
	b.sinceAdpt++
	span := b.span()
	if b.sinceAdpt >= b.cfg.adaptInterval {
		switch {
		case span < b.target:
			b.sinceAdpt = 0
			b.st.Stretched++
			return 0, StatusMissing
		case span > b.target+1:
			b.sinceAdpt = 0
			if s := &b.slots[b.nextSeq&b.mask]; s.ok && s.seq == b.nextSeq {
				s.ok = false
				b.count--
				b.st.Shrunk++
			}
			b.nextSeq++
		}
	}
	s := &b.slots[b.nextSeq&b.mask]
	seq := b.nextSeq
	b.nextSeq++
	b.played = true
	if !s.ok || s.seq != seq {
		b.st.Lost++
		b.lost = true
		return 0, StatusMissing
	}
	s.ok = false
	b.count--
	b.st.Played++
	return copy(dst, s.buf[:s.n]), StatusPacket
}

// NextAfterLoss is for decoders with in-band FEC (Opus, RFC 6716 §2.1.7),
// which rebuild a lost frame from the packet after it. When the last Pop
// reported a lost packet (StatusMissing for a sequence number that never
// arrived, not a stretch or an underrun), it copies the payload of the
// packet after it into dst and returns its length, if that one is
// buffered; otherwise it returns 0. The packet stays buffered for the next
// Pop. It does not allocate.
func (b *Buffer) NextAfterLoss(dst []byte) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.lost || b.count == 0 {
		return 0
	}
	s := &b.slots[b.nextSeq&b.mask]
	if !s.ok || s.seq != b.nextSeq {
		return 0
	}
	return copy(dst, s.buf[:s.n])
}

// State returns the current state.
func (b *Buffer) State() State {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state
}

// Stats returns a snapshot of the counters.
func (b *Buffer) Stats() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.st
	st.State = b.state
	st.Jitter = time.Duration(b.jitter / float64(b.cfg.clockRate) * float64(time.Second))
	st.Delay = time.Duration(b.span()) * b.cfg.frame
	st.Target = time.Duration(b.target) * b.cfg.frame
	return st
}

// MaxPayload returns the largest payload a slot holds.
func (b *Buffer) MaxPayload() int { return b.cfg.maxPayload }

package audio

import (
	"errors"
	"sync/atomic"
)

// Ring is a lock-free single-producer/single-consumer ring buffer of int16
// samples. Exactly one goroutine may call Write (the producer) and exactly
// one goroutine may call Read, Discard and Trim (the consumer); Len, Free and
// Cap are safe from any goroutine. Write and Read never block and never
// allocate, so a Ring can sit between a real-time audio callback and the
// rest of the program.
//
// Overflow policy: Write stores what fits and reports how many samples it
// took; the producer never touches the read side. To get "drop oldest"
// behaviour the consumer calls Trim(max) before reading, which discards the
// oldest samples so that at most max remain. This keeps the ring strictly
// SPSC (no CAS loops) while bounding latency.
type Ring struct {
	buf  []int16
	mask uint64
	// head counts samples ever written (producer-owned), tail counts samples
	// ever consumed (consumer-owned). Both only grow; Len = head - tail.
	head atomic.Uint64
	_    [56]byte // keep head and tail on separate cache lines
	tail atomic.Uint64
}

// ErrRingSize is returned by NewRing for a capacity that is not a positive
// power of two.
var ErrRingSize = errors.New("audio: ring capacity must be a positive power of two")

// NewRing returns an empty Ring holding up to capacity samples. capacity must
// be a power of two (use RingCapacity to round up).
func NewRing(capacity int) (*Ring, error) {
	if capacity <= 0 || capacity&(capacity-1) != 0 || capacity > 1<<30 {
		return nil, ErrRingSize
	}
	return &Ring{buf: make([]int16, capacity), mask: uint64(capacity - 1)}, nil
}

// RingCapacity returns the smallest power of two that is >= n (and >= 1).
func RingCapacity(n int) int {
	c := 1
	for c < n && c < 1<<30 {
		c <<= 1
	}
	return c
}

// Cap returns the capacity of the ring in samples.
func (r *Ring) Cap() int { return len(r.buf) }

// Len returns the number of samples waiting to be read.
func (r *Ring) Len() int { return int(r.head.Load() - r.tail.Load()) }

// Free returns the number of samples that Write can store right now.
func (r *Ring) Free() int { return len(r.buf) - r.Len() }

// Write appends as many samples of p as fit and returns how many it stored.
// Only the producer goroutine may call it.
func (r *Ring) Write(p []int16) int {
	head := r.head.Load()
	tail := r.tail.Load()
	free := uint64(len(r.buf)) - (head - tail)
	n := uint64(len(p))
	if n > free {
		n = free
	}
	if n == 0 {
		return 0
	}
	start := head & r.mask
	first := uint64(len(r.buf)) - start
	if first > n {
		first = n
	}
	copy(r.buf[start:start+first], p[:first])
	copy(r.buf[:n-first], p[first:n])
	r.head.Store(head + n)
	return int(n)
}

// Read moves up to len(p) of the oldest samples into p and returns how many
// it moved. Only the consumer goroutine may call it.
func (r *Ring) Read(p []int16) int {
	tail := r.tail.Load()
	head := r.head.Load()
	n := head - tail
	if uint64(len(p)) < n {
		n = uint64(len(p))
	}
	if n == 0 {
		return 0
	}
	start := tail & r.mask
	first := uint64(len(r.buf)) - start
	if first > n {
		first = n
	}
	copy(p[:first], r.buf[start:start+first])
	copy(p[first:n], r.buf[:n-first])
	r.tail.Store(tail + n)
	return int(n)
}

// Discard drops up to n of the oldest samples and returns how many it
// dropped. Only the consumer goroutine may call it.
func (r *Ring) Discard(n int) int {
	if n <= 0 {
		return 0
	}
	tail := r.tail.Load()
	avail := r.head.Load() - tail
	if uint64(n) > avail {
		n = int(avail)
	}
	r.tail.Store(tail + uint64(n))
	return n
}

// Trim drops the oldest samples so that at most max remain and returns how
// many it dropped. This is the consumer-side "drop oldest" overflow policy.
// Only the consumer goroutine may call it.
func (r *Ring) Trim(max int) int {
	if max < 0 {
		max = 0
	}
	if l := r.Len(); l > max {
		return r.Discard(l - max)
	}
	return 0
}

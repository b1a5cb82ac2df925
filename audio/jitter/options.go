package jitter

import (
	"fmt"
	"time"
)

type config struct {
	capacity      int
	maxPayload    int
	clockRate     int
	frame         time.Duration
	minDelay      time.Duration
	maxDelay      time.Duration
	underrunLimit int
	adaptInterval int
	now           func() time.Time
}

// Option configures a Buffer.
type Option func(*config) error

// WithCapacity sets the number of packet slots (a power of two, 8..4096;
// default 64). It bounds how far ahead of the playout point a packet may be.
func WithCapacity(n int) Option {
	return func(c *config) error {
		if n < 8 || n > 4096 || n&(n-1) != 0 {
			return fmt.Errorf("capacity %d: %w", n, ErrInvalidOption)
		}
		c.capacity = n
		return nil
	}
}

// WithMaxPayload sets the largest payload in bytes a slot holds (default
// 1500).
func WithMaxPayload(n int) Option {
	return func(c *config) error {
		if n <= 0 || n > 65536 {
			return fmt.Errorf("max payload %d: %w", n, ErrInvalidOption)
		}
		c.maxPayload = n
		return nil
	}
}

// WithClockRate sets the RTP clock rate in Hz (default 8000).
func WithClockRate(hz int) Option {
	return func(c *config) error {
		if hz <= 0 {
			return fmt.Errorf("clock rate %d: %w", hz, ErrInvalidOption)
		}
		c.clockRate = hz
		return nil
	}
}

// WithFrameDuration sets the packetisation interval, equal to the Pop tick
// (default 20 ms).
func WithFrameDuration(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("frame duration %v: %w", d, ErrInvalidOption)
		}
		c.frame = d
		return nil
	}
}

// WithDelay sets the bounds of the adaptive target delay (default 40 ms to
// 300 ms).
func WithDelay(minDelay, maxDelay time.Duration) Option {
	return func(c *config) error {
		if minDelay <= 0 || maxDelay < minDelay {
			return fmt.Errorf("delay %v..%v: %w", minDelay, maxDelay, ErrInvalidOption)
		}
		c.minDelay, c.maxDelay = minDelay, maxDelay
		return nil
	}
}

// WithUnderrunLimit sets after how many consecutive empty ticks a playing
// buffer returns to buffering (default 3).
func WithUnderrunLimit(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("underrun limit %d: %w", n, ErrInvalidOption)
		}
		c.underrunLimit = n
		return nil
	}
}

// WithAdaptInterval sets the minimum number of ticks between two delay
// adjustments (default 10, i.e. 200 ms).
func WithAdaptInterval(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("adapt interval %d: %w", n, ErrInvalidOption)
		}
		c.adaptInterval = n
		return nil
	}
}

// WithNow injects the clock used to timestamp packet arrivals for the
// jitter estimate (default time.Now).
func WithNow(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("nil clock: %w", ErrInvalidOption)
		}
		c.now = now
		return nil
	}
}

package benchlab

import (
	"fmt"
	"sync"
	"time"
)

// Sample is one reading of /proc for a process.
type Sample struct {
	// At is when the reading was taken.
	At time.Time
	// Stat is the /proc/PID/stat reading.
	Stat ProcStat
	// Status is the /proc/PID/status reading.
	Status ProcStatus
}

// Sampler polls /proc/PID/stat and /proc/PID/status of one process at a
// fixed interval until a read fails (the process was reaped) or Close is
// called, and keeps the last complete reading and the highest VmHWM seen.
// A zombie (exited, not yet reaped) has no memory lines in its status; its
// stat is still kept, so Last reflects CPU up to the exit when the zombie
// lives at least one interval.
type Sampler struct {
	pid      int
	interval time.Duration
	now      func() time.Time

	mu      sync.Mutex
	last    Sample
	n       int
	peakHWM int64

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// SamplerOption configures NewSampler.
type SamplerOption func(*Sampler)

// WithSamplerClock replaces time.Now for the At field of samples.
func WithSamplerClock(now func() time.Time) SamplerOption {
	return func(s *Sampler) {
		if now != nil {
			s.now = now
		}
	}
}

// NewSampler starts polling pid every interval (at least 1 ms). The first
// reading is taken before NewSampler returns; a process that cannot be read
// (no such PID, no /proc) is an error wrapping ErrNoProcess. Close stops the
// goroutine.
func NewSampler(pid int, interval time.Duration, opts ...SamplerOption) (*Sampler, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("%w: pid %d", ErrNoProcess, pid)
	}
	if _, err := ReadStat(pid); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoProcess, err)
	}
	if interval < time.Millisecond {
		interval = time.Millisecond
	}
	s := &Sampler{pid: pid, interval: interval, now: time.Now, stop: make(chan struct{}), done: make(chan struct{})}
	for _, o := range opts {
		o(s)
	}
	alive := s.sample()
	go s.run(alive)
	return s, nil
}

func (s *Sampler) run(alive bool) {
	defer close(s.done)
	if !alive {
		return
	}
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			if !s.sample() {
				return
			}
		}
	}
}

// sample takes one reading; it reports false once the process is gone.
func (s *Sampler) sample() bool {
	st, err := ReadStat(s.pid)
	if err != nil {
		return false
	}
	status, serr := ReadStatus(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.last.At, s.last.Stat = s.now(), st
	if serr == nil {
		s.last.Status = status
		s.peakHWM = max(s.peakHWM, status.HWMKiB)
	}
	return true
}

// Last returns the last reading and how many readings were taken.
func (s *Sampler) Last() (Sample, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last, s.n
}

// PeakHWMKiB returns the highest VmHWM seen, in KiB (0 if none).
func (s *Sampler) PeakHWMKiB() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakHWM
}

// Done is closed when polling has stopped.
func (s *Sampler) Done() <-chan struct{} { return s.done }

// Close stops polling and waits for the goroutine. It is safe to call more
// than once.
func (s *Sampler) Close() {
	s.once.Do(func() { close(s.stop) })
	<-s.done
}

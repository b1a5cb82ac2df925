//go:build linux

package benchlab

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// Usage is the CPU time and peak memory of a process.
type Usage struct {
	// User is user-mode CPU time (ru_utime).
	User time.Duration
	// Sys is kernel-mode CPU time (ru_stime).
	Sys time.Duration
	// MaxRSSKiB is the peak resident set size in KiB (ru_maxrss on Linux,
	// or VmHWM), 0 when unknown.
	MaxRSSKiB int64
}

// CPU returns User+Sys.
func (u Usage) CPU() time.Duration { return u.User + u.Sys }

// Sub returns the CPU times of u minus those of v. MaxRSSKiB is u's: a
// peak cannot be subtracted.
func (u Usage) Sub(v Usage) Usage {
	return Usage{User: u.User - v.User, Sys: u.Sys - v.Sys, MaxRSSKiB: u.MaxRSSKiB}
}

// UsageOf returns the rusage that wait4(2) reported for a child that
// exited: exactly the CPU time of that process over its whole life
// (including any children it waited for) and its ru_maxrss.
func UsageOf(ps *os.ProcessState) (Usage, error) {
	if ps == nil {
		return Usage{}, fmt.Errorf("%w: process not waited for", ErrNoRusage)
	}
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return Usage{}, fmt.Errorf("%w: %T", ErrNoRusage, ps.SysUsage())
	}
	return fromRusage(ru), nil
}

// ChildrenUsage returns getrusage(RUSAGE_CHILDREN) of this process: the
// summed CPU time of every child reaped so far. The difference of two
// readings is the CPU time of the children reaped in between. Its
// MaxRSSKiB is the largest ru_maxrss of ANY child reaped so far, which is
// useless for one child: use a Sampler for that.
func ChildrenUsage() (Usage, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return Usage{}, fmt.Errorf("benchlab: getrusage(RUSAGE_CHILDREN): %w", err)
	}
	return fromRusage(&ru), nil
}

func fromRusage(ru *syscall.Rusage) Usage {
	return Usage{
		User:      time.Duration(ru.Utime.Nano()),
		Sys:       time.Duration(ru.Stime.Nano()),
		MaxRSSKiB: int64(ru.Maxrss), // KiB on Linux (getrusage(2))
	}
}

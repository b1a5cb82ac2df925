package audio

import (
	"encoding/binary"
	"fmt"
	"os"
	"syscall"
	"time"
	"unsafe"

	// x/sys/unix: timerfd_create(2)/timerfd_settime(2), which package
	// syscall does not wrap (x/sys is already required by sipgo and pion).
	"golang.org/x/sys/unix"
)

// pacer releases one frame per period on an absolute schedule kept by the
// kernel: a periodic timerfd (timerfd_create(2)). Reading it returns how
// many periods have passed since the last read, so a starved reader gets
// the frames it missed (up to maxCatchUp, then the backlog is dropped)
// where a time.Ticker would have dropped them.
//
// The descriptor sits in Go's network poller, so the wake-up every frame
// is the poller's own and no Go timer is armed: the runtime's sysmon
// thread, which otherwise wakes for every timer, can sleep through a call.
// The read itself is a raw read(2) through the descriptor's RawConn: an
// ordinary system call enters the scheduler's syscall state, which wakes
// sysmon every frame. This is what keeps a headless call's CPU per frame
// low (BENCHMARKS.md).
type pacer struct {
	f       *os.File
	rc      syscall.RawConn
	readFn  func(fd uintptr) bool // p.read, bound once: no allocation per frame
	buf     [8]byte
	got     bool
	pending uint64
}

func newPacer(period time.Duration) (*pacer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("null device clock: timerfd_create: %w", err)
	}
	ts := unix.NsecToTimespec(int64(period))
	spec := unix.ItimerSpec{Interval: ts, Value: ts}
	if err := unix.TimerfdSettime(fd, 0, &spec, nil); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("null device clock: timerfd_settime: %w", err)
	}
	// A non-blocking descriptor gives a pollable *os.File.
	p := &pacer{f: os.NewFile(uintptr(fd), "null-device-clock")}
	rc, err := p.f.SyscallConn()
	if err != nil {
		p.f.Close()
		return nil, fmt.Errorf("null device clock: %w", err)
	}
	p.rc, p.readFn = rc, p.read
	return p, nil
}

// read is the RawConn callback: one non-blocking read of the expiration
// count. It reports false (wait for the poller) when the timer has not
// expired yet.
func (p *pacer) read(fd uintptr) bool {
	_, _, errno := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p.buf[0])), uintptr(len(p.buf)))
	if errno == syscall.EAGAIN || errno == syscall.EINTR {
		return false
	}
	p.got = errno == 0
	return true
}

// wait blocks until the next frame is due and reports true, or returns
// false once close has been called. A frame already due is released at
// once.
func (p *pacer) wait(<-chan struct{}) bool {
	if p.pending > 0 {
		p.pending--
		return true
	}
	p.got = false
	if err := p.rc.Read(p.readFn); err != nil || !p.got {
		return false // closed
	}
	p.pending = backlog(binary.NativeEndian.Uint64(p.buf[:]))
	return true
}

// backlog returns how many more frames to release at once after a read
// that reported n elapsed periods.
func backlog(n uint64) uint64 {
	if n == 0 || n > maxCatchUp {
		return 0 // starved for longer than we catch up on: drop the backlog
	}
	return n - 1
}

// close stops the clock and unblocks a wait in progress.
func (p *pacer) close() { p.f.Close() }

package benchlab

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"time"
)

// UserHZ is the unit of the tick counts in /proc/PID/stat. Linux exports
// them in USER_HZ, which the kernel ABI fixes at 100 on every architecture
// Go supports (proc(5), "utime ... measured in clock ticks (divide by
// sysconf(_SC_CLK_TCK))"; times(2)).
const UserHZ = 100

// ProcStat is the part of /proc/PID/stat that benchlab uses.
type ProcStat struct {
	// PID is field 1.
	PID int
	// Comm is field 2 without its parentheses.
	Comm string
	// State is field 3 (R, S, D, Z, ...).
	State byte
	// User is field 14, utime, converted from ticks.
	User time.Duration
	// Sys is field 15, stime, converted from ticks.
	Sys time.Duration
}

// CPU returns User+Sys.
func (s ProcStat) CPU() time.Duration { return s.User + s.Sys }

// ParseStat parses the content of /proc/PID/stat (proc(5)). The command
// name may contain spaces and parentheses, so the fields are counted from
// the LAST ')' on the line.
func ParseStat(b []byte) (ProcStat, error) {
	var s ProcStat
	open := bytes.IndexByte(b, '(')
	closing := bytes.LastIndexByte(b, ')')
	if open < 1 || closing < open {
		return s, fmt.Errorf("%w: no (comm) field", ErrProcStat)
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil || pid <= 0 {
		return s, fmt.Errorf("%w: pid %q", ErrProcStat, bytes.TrimSpace(b[:open]))
	}
	s.PID = pid
	s.Comm = string(b[open+1 : closing])
	rest := bytes.Fields(b[closing+1:])
	// rest[0] is field 3 (state); utime and stime are fields 14 and 15.
	const stateIdx, utimeIdx, stimeIdx = 0, 14 - 3, 15 - 3
	if len(rest) <= stimeIdx {
		return s, fmt.Errorf("%w: %d fields after comm, need %d", ErrProcStat, len(rest), stimeIdx+1)
	}
	if len(rest[stateIdx]) != 1 {
		return s, fmt.Errorf("%w: state %q", ErrProcStat, rest[stateIdx])
	}
	s.State = rest[stateIdx][0]
	if s.User, err = ticks(rest[utimeIdx]); err != nil {
		return s, fmt.Errorf("%w: utime: %v", ErrProcStat, err)
	}
	if s.Sys, err = ticks(rest[stimeIdx]); err != nil {
		return s, fmt.Errorf("%w: stime: %v", ErrProcStat, err)
	}
	return s, nil
}

// maxTicks keeps the tick-to-Duration conversion from overflowing.
const maxTicks = uint64(1<<63-1) / uint64(time.Second/UserHZ)

func ticks(f []byte) (time.Duration, error) {
	n, err := strconv.ParseUint(string(f), 10, 64)
	if err != nil {
		return 0, err
	}
	if n > maxTicks {
		return 0, fmt.Errorf("%d ticks out of range", n)
	}
	return time.Duration(n) * (time.Second / UserHZ), nil
}

// ReadStat reads and parses /proc/PID/stat.
func ReadStat(pid int) (ProcStat, error) {
	return readProc(pid, "stat", ParseStat)
}

// ProcStatus is the memory part of /proc/PID/status, in KiB.
type ProcStatus struct {
	// HWMKiB is VmHWM, the peak resident set size.
	HWMKiB int64
	// RSSKiB is VmRSS, the current resident set size.
	RSSKiB int64
}

// ParseStatus parses the VmHWM and VmRSS lines of /proc/PID/status
// (proc(5)); both must be present, as "VmHWM:\t  1234 kB".
func ParseStatus(b []byte) (ProcStatus, error) {
	var st ProcStatus
	seen, err := parseKiBLines(b, ErrProcStatus, map[string]*int64{"VmHWM": &st.HWMKiB, "VmRSS": &st.RSSKiB})
	if err != nil {
		return st, err
	}
	if !seen["VmHWM"] || !seen["VmRSS"] {
		return st, fmt.Errorf("%w: VmHWM or VmRSS missing (kernel thread or zombie?)", ErrProcStatus)
	}
	return st, nil
}

// ReadStatus reads and parses /proc/PID/status.
func ReadStatus(pid int) (ProcStatus, error) {
	return readProc(pid, "status", ParseStatus)
}

// readProc reads /proc/PID/name and parses it with parse.
func readProc[T any](pid int, name string, parse func([]byte) (T, error)) (T, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/" + name)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}

// parseKiBLines parses the "Key:   1234 kB" lines of a /proc file
// (status, smaps_rollup) whose key dst names into that field, passing
// over every other line, and returns the keys it saw. A bad value is
// reported wrapped in sentinel.
func parseKiBLines(b []byte, sentinel error, dst map[string]*int64) (map[string]bool, error) {
	seen := make(map[string]bool, len(dst))
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		key, val, ok := bytes.Cut(line, []byte{':'})
		if !ok {
			continue
		}
		d, ok := dst[string(key)]
		if !ok {
			continue
		}
		seen[string(key)] = true
		n, err := parseKiB(string(key), val, sentinel)
		if err != nil {
			return seen, err
		}
		*d = n
	}
	return seen, nil
}

// parseKiB parses a /proc "NNN kB" value of the line named key; a bad one
// is reported wrapped in sentinel.
func parseKiB(key string, val []byte, sentinel error) (int64, error) {
	f := bytes.Fields(val)
	if len(f) != 2 || string(f[1]) != "kB" {
		return 0, fmt.Errorf("%w: %s line %q", sentinel, key, val)
	}
	n, err := strconv.ParseInt(string(f[0]), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: %s value %q", sentinel, key, f[0])
	}
	return n, nil
}

package benchlab

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"
)

// A real /proc/PID/stat line whose comm holds spaces and parentheses.
const statLine = "4242 (we ird) (x) S 1 4242 4242 0 -1 4194560 1207 0 0 0 123 45 0 0 20 0 9 0 8123 1236877312 4521 18446744073709551615 1 1 0 0 0 0 0 0 2143420159 0 0 0 17 1 0 0 0 0 0\n"

func TestParseStat(t *testing.T) {
	s, err := ParseStat([]byte(statLine))
	if err != nil {
		t.Fatal(err)
	}
	if s.PID != 4242 || s.Comm != "we ird) (x" || s.State != 'S' {
		t.Errorf("got pid %d comm %q state %c", s.PID, s.Comm, s.State)
	}
	if s.User != 1230*time.Millisecond || s.Sys != 450*time.Millisecond || s.CPU() != 1680*time.Millisecond {
		t.Errorf("user %v sys %v cpu %v, want 1.23s 0.45s 1.68s", s.User, s.Sys, s.CPU())
	}
}

func TestParseStatErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":         "",
		"no comm":       "12 S 1 2 3",
		"bad pid":       "x1 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13",
		"zero pid":      "0 (a) S 1 2 3 4 5 6 7 8 9 10 11 12 13",
		"short":         "12 (a) S 1 2 3",
		"bad utime":     "12 (a) S 1 2 3 4 5 6 7 8 9 10 x 12 13",
		"negative time": "12 (a) S 1 2 3 4 5 6 7 8 9 10 -1 12 13",
		"huge time":     "12 (a) S 1 2 3 4 5 6 7 8 9 10 18446744073709551615 12 13",
		"long state":    "12 (a) SS 1 2 3 4 5 6 7 8 9 10 11 12 13",
		"paren order":   "12 )a( S 1 2 3 4 5 6 7 8 9 10 11 12 13",
	} {
		if _, err := ParseStat([]byte(in)); !errors.Is(err, ErrProcStat) {
			t.Errorf("%s: err %v, want ErrProcStat", name, err)
		}
	}
}

func TestReadStatSelfCountsCPU(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	first, err := ReadStat(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if first.PID != os.Getpid() || first.State == 0 {
		t.Errorf("self: pid %d state %q, want %d and a state", first.PID, first.State, os.Getpid())
	}
	// Burn CPU until the kernel's tick accounting shows it (1 tick = 10 ms);
	// bounded so a broken parser fails instead of spinning forever.
	deadline := time.Now().Add(5 * time.Second)
	x := 0
	for time.Now().Before(deadline) {
		for i := 0; i < 1e6; i++ {
			x += i
		}
		s, err := ReadStat(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if s.CPU() > first.CPU() {
			return
		}
	}
	t.Fatalf("CPU time never grew past %v (%d)", first.CPU(), x)
}

func TestParseStatus(t *testing.T) {
	in := "Name:\tcat\nVmPeak:\t   9000 kB\nVmHWM:\t    1800 kB\nVmRSS:\t    1700 kB\nThreads:\t1\n"
	st, err := ParseStatus([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if st.HWMKiB != 1800 || st.RSSKiB != 1700 {
		t.Errorf("got %+v", st)
	}
	for name, bad := range map[string]string{
		"zombie (no Vm lines)": "Name:\tz\nState:\tZ (zombie)\n",
		"no unit":              "VmHWM:\t1800\nVmRSS:\t1 kB\n",
		"bad number":           "VmHWM:\t18x00 kB\nVmRSS:\t1 kB\n",
		"negative":             "VmHWM:\t-1 kB\nVmRSS:\t1 kB\n",
		"only HWM":             "VmHWM:\t1 kB\n",
	} {
		if _, err := ParseStatus([]byte(bad)); !errors.Is(err, ErrProcStatus) {
			t.Errorf("%s: err %v, want ErrProcStatus", name, err)
		}
	}
}

func TestReadStatusSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	st, err := ReadStatus(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if st.HWMKiB <= 0 || st.RSSKiB <= 0 || st.RSSKiB > st.HWMKiB {
		t.Errorf("self status %+v: want 0 < RSS <= HWM", st)
	}
}

//go:build linux

package benchlab

import (
	"errors"
	"io"
	"os/exec"
	"testing"
	"time"
)

// busyChild runs a shell loop long enough to use measurable CPU.
func busyChild(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", `i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done`)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd
}

func TestUsageOfMatchesChildrenDelta(t *testing.T) {
	before, err := ChildrenUsage()
	if err != nil {
		t.Fatal(err)
	}
	cmd := busyChild(t)
	after, err := ChildrenUsage()
	if err != nil {
		t.Fatal(err)
	}
	u, err := UsageOf(cmd.ProcessState)
	if err != nil {
		t.Fatal(err)
	}
	if u.CPU() <= 0 || u.MaxRSSKiB <= 0 {
		t.Fatalf("child usage %+v: want CPU and maxrss > 0", u)
	}
	// wait4's rusage of the child is what was added to RUSAGE_CHILDREN,
	// up to the kernel's rounding of the utime/stime split (observed:
	// tens of microseconds out of hundreds of milliseconds).
	d := after.Sub(before)
	diff := d.CPU() - u.CPU()
	if diff < 0 {
		diff = -diff
	}
	if diff > time.Millisecond+u.CPU()/100 {
		t.Errorf("RUSAGE_CHILDREN grew by %v+%v, the child's rusage is %v+%v", d.User, d.Sys, u.User, u.Sys)
	}
}

func TestUsageOfNotWaited(t *testing.T) {
	if _, err := UsageOf(nil); !errors.Is(err, ErrNoRusage) {
		t.Errorf("UsageOf(nil): %v, want ErrNoRusage", err)
	}
}

func TestSamplerFollowsChildUntilReaped(t *testing.T) {
	cmd := exec.Command("cat")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, err := NewSampler(cmd.Process.Pid, 0) // 0 is raised to 1 ms
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	last, n := s.Last()
	if n < 1 || last.Stat.PID != cmd.Process.Pid || last.Stat.Comm != "cat" || last.Status.HWMKiB <= 0 {
		t.Fatalf("first sample %+v (n=%d)", last, n)
	}
	if _, err := io.WriteString(in, "x"); err != nil {
		t.Fatal(err)
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	<-s.Done() // polling ends by itself once the PID is gone
	if s.PeakHWMKiB() < last.Status.HWMKiB {
		t.Errorf("peak %d below first sample %d", s.PeakHWMKiB(), last.Status.HWMKiB)
	}
	s.Close() // idempotent
}

func TestSamplerNoProcess(t *testing.T) {
	for _, pid := range []int{0, -1, 1 << 30} {
		if _, err := NewSampler(pid, time.Millisecond); !errors.Is(err, ErrNoProcess) {
			t.Errorf("NewSampler(%d): %v, want ErrNoProcess", pid, err)
		}
	}
}

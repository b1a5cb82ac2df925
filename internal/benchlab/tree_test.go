package benchlab

import (
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/pitchline/pitchline/internal/testenv"
)

const rollup = `55d4c4a1e000-7ffd2b5f6000 ---p 00000000 00:00 0                          [rollup]
Rss:              161024 kB
Pss:               87311 kB
Pss_Anon:          52000 kB
Pss_File:          35000 kB
Pss_Shmem:           311 kB
Shared_Clean:      70000 kB
Swap:                  0 kB
`

func TestParseSmapsRollup(t *testing.T) {
	m, err := ParseSmapsRollup([]byte(rollup))
	if err != nil {
		t.Fatal(err)
	}
	want := Memory{RSSKiB: 161024, PSSKiB: 87311, PSSAnonKiB: 52000, PSSFileKiB: 35000, PSSShmemKiB: 311}
	if m != want {
		t.Fatalf("got %+v, want %+v", m, want)
	}
	for _, bad := range []string{"", "Rss: 1 kB\n", "Rss: 1 kB\nPss: x kB\n", "Rss: 1 MB\nPss: 1 kB\n", "Rss: -1 kB\nPss: 1 kB\n"} {
		if _, err := ParseSmapsRollup([]byte(bad)); !errors.Is(err, ErrSmaps) {
			t.Errorf("ParseSmapsRollup(%q) err = %v, want ErrSmaps", bad, err)
		}
	}
}

func TestParsePPID(t *testing.T) {
	if p, err := ParsePPID([]byte("42 (a) b) S 7 42 42 0")); err != nil || p != 7 {
		t.Fatalf("ParsePPID = %d, %v", p, err)
	}
	for _, bad := range []string{"", "1 (x)", "1 (x) S -3", "1 (x) S y"} {
		if _, err := ParsePPID([]byte(bad)); !errors.Is(err, ErrProcStat) {
			t.Errorf("ParsePPID(%q) err = %v", bad, err)
		}
	}
}

// TestTreeMemory starts a child (sleep) of this test process and finds it
// in this process's tree with a non-zero PSS.
func TestTreeMemory(t *testing.T) {
	testenv.RequireFile(t, "/proc/self/smaps_rollup", "Linux 4.14 or later")
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Skip("no sleep:", err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	ps, err := TreeMemory(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if ps[0].PID != os.Getpid() || ps[0].Memory.PSSKiB <= 0 {
		t.Fatalf("root entry %+v", ps[0])
	}
	found := false
	for _, p := range ps[1:] {
		if p.PID == cmd.Process.Pid {
			found = p.Comm == "sleep" && p.Memory.RSSKiB > 0
		}
	}
	if !found {
		t.Fatalf("child %d not in tree %+v", cmd.Process.Pid, ps)
	}
	if sum := SumMemory(ps); sum.PSSKiB < ps[0].Memory.PSSKiB {
		t.Fatalf("sum %+v below root", sum)
	}
	if _, err := TreeMemory(1 << 30); !errors.Is(err, ErrNoProcess) {
		t.Fatalf("TreeMemory(missing) err = %v", err)
	}
}

func FuzzParseSmapsRollup(f *testing.F) {
	f.Add([]byte(rollup))
	f.Add([]byte("Rss: 1 kB\nPss:"))
	f.Add([]byte("Pss:  9223372036854775807 kB\nRss: 0 kB"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSmapsRollup(b)
		if err == nil && (m.RSSKiB < 0 || m.PSSKiB < 0 || m.PSSAnonKiB < 0 || m.PSSFileKiB < 0 || m.SwapKiB < 0) {
			t.Fatalf("accepted %q as %+v", b, m)
		}
		_, _ = ParsePPID(b)
	})
}

package benchlab

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
)

// Memory is the proportional memory of one process from
// /proc/PID/smaps_rollup (proc(5)), in KiB.
type Memory struct {
	// RSSKiB is Rss: every resident page, shared ones counted in full.
	RSSKiB int64
	// PSSKiB is Pss: each resident page divided by the number of processes
	// mapping it, so that summing PSS over processes counts a shared page
	// once.
	PSSKiB int64
	// PSSAnonKiB, PSSFileKiB and PSSShmemKiB split PSSKiB (kernel 5.9+;
	// zero when absent).
	PSSAnonKiB, PSSFileKiB, PSSShmemKiB int64
	// SwapKiB is Swap.
	SwapKiB int64
}

// Add returns the field-wise sum of m and o.
func (m Memory) Add(o Memory) Memory {
	return Memory{RSSKiB: m.RSSKiB + o.RSSKiB, PSSKiB: m.PSSKiB + o.PSSKiB, PSSAnonKiB: m.PSSAnonKiB + o.PSSAnonKiB,
		PSSFileKiB: m.PSSFileKiB + o.PSSFileKiB, PSSShmemKiB: m.PSSShmemKiB + o.PSSShmemKiB, SwapKiB: m.SwapKiB + o.SwapKiB}
}

// ParseSmapsRollup parses the content of /proc/PID/smaps_rollup: a header
// line naming the range, then "Key:   1234 kB" lines. Rss and Pss must be
// present.
func ParseSmapsRollup(b []byte) (Memory, error) {
	var m Memory
	seen, err := parseKiBLines(b, ErrSmaps, map[string]*int64{"Rss": &m.RSSKiB, "Pss": &m.PSSKiB,
		"Pss_Anon": &m.PSSAnonKiB, "Pss_File": &m.PSSFileKiB, "Pss_Shmem": &m.PSSShmemKiB, "Swap": &m.SwapKiB})
	if err != nil {
		return m, err
	}
	if !seen["Rss"] || !seen["Pss"] {
		return m, fmt.Errorf("%w: Rss or Pss missing", ErrSmaps)
	}
	return m, nil
}

// ReadMemory reads and parses /proc/PID/smaps_rollup.
func ReadMemory(pid int) (Memory, error) {
	return readProc(pid, "smaps_rollup", ParseSmapsRollup)
}

// ParsePPID returns field 4 (ppid) of a /proc/PID/stat line, counted from
// the last ')' like ParseStat.
func ParsePPID(b []byte) (int, error) {
	closing := bytes.LastIndexByte(b, ')')
	if closing < 0 {
		return 0, fmt.Errorf("%w: no (comm) field", ErrProcStat)
	}
	rest := bytes.Fields(b[closing+1:])
	if len(rest) < 2 {
		return 0, fmt.Errorf("%w: no ppid field", ErrProcStat)
	}
	ppid, err := strconv.Atoi(string(rest[1]))
	if err != nil || ppid < 0 {
		return 0, fmt.Errorf("%w: ppid %q", ErrProcStat, rest[1])
	}
	return ppid, nil
}

// ProcMemory is one process of a tree with its memory.
type ProcMemory struct {
	// PID and Comm identify the process.
	PID  int
	Comm string
	// Memory is its smaps_rollup.
	Memory Memory
}

// TreeMemory returns root and all its live descendants (found through the
// ppid of every /proc entry) with their smaps_rollup, root first, then by
// PID. Processes that exit while it reads are skipped; root must be
// readable.
func TreeMemory(root int) ([]ProcMemory, error) {
	st, err := ReadStat(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %d: %v", ErrNoProcess, root, err)
	}
	mem, err := ReadMemory(root)
	if err != nil {
		return nil, fmt.Errorf("%w: %d: %v", ErrNoProcess, root, err)
	}
	out := []ProcMemory{{PID: root, Comm: st.Comm, Memory: mem}}
	children := map[int][]int{}
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		b, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		if ppid, err := ParsePPID(b); err == nil {
			children[ppid] = append(children[ppid], pid)
		}
	}
	var desc []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			desc = append(desc, c)
			queue = append(queue, c)
		}
	}
	sort.Ints(desc)
	for _, pid := range desc {
		st, err := ReadStat(pid)
		if err != nil {
			continue
		}
		m, err := ReadMemory(pid)
		if err != nil {
			continue // exited, or a zombie without mappings
		}
		out = append(out, ProcMemory{PID: pid, Comm: st.Comm, Memory: m})
	}
	return out, nil
}

// SumMemory adds up the memory of ps.
func SumMemory(ps []ProcMemory) Memory {
	var m Memory
	for _, p := range ps {
		m = m.Add(p.Memory)
	}
	return m
}

//go:build benchlab && linux

package benchlab

import (
	"bytes"
	"context"
	"fmt"
	"github.com/pitchline/pitchline/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// TestCallInstructions counts the user-space instructions of one whole
// call (process start to exit) for each pitchline build and for baresip,
// with valgrind's callgrind (`perf stat -e instructions` is not supported
// in this VM: no PMU). Unlike CPU seconds the count barely depends on the
// machine's load, so it is the deterministic figure next to the
// side-by-side CPU times. Calls are short (PITCHLINE_BENCH_INSN_CALL, 5s,
// and PITCHLINE_BENCH_INSN_CALL2, 15s) because valgrind runs the program
// many times slower; the difference between the two lengths is the cost of
// media alone, per second, without start-up and signalling. Run by scripts/bench.d/20-call-cpu.sh
// (skipped when valgrind is missing and CI is not set):
//
//	PITCHLINE_BIN=build/bin/pitchline go test -tags benchlab -run TestCallInstructions -v ./internal/benchlab/
//
// baresip is started through a wrapper script named "baresip" first on
// PATH, which execs `valgrind --tool=callgrind /path/to/baresip`, so
// testlab starts it exactly as for the CPU runs.
// cgGODEBUG makes a Go binary runnable under valgrind 3.19: no
// signal-based goroutine preemption (callgrind aborts on SIGURG with the
// threads.c "vgCallgrind_post_signal" assertion; goroutines are still
// preempted at function calls), and no RDTSCP in runtime.cputicks (VEX
// does not decode it).
const cgGODEBUG = "GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off"

func TestCallInstructions(t *testing.T) {
	vg := testenv.RequireTool(t, "valgrind", "apt-get install valgrind")
	bins := benchBins(t)
	dur := envDuration(t, "PITCHLINE_BENCH_INSN_CALL", 5*time.Second)
	dur2 := envDuration(t, "PITCHLINE_BENCH_INSN_CALL2", 15*time.Second)
	if dur2 <= dur {
		t.Fatalf("PITCHLINE_BENCH_INSN_CALL2 (%v) must be longer than PITCHLINE_BENCH_INSN_CALL (%v)", dur2, dur)
	}
	path := os.Getenv("PATH")
	runs := envInt(t, "PITCHLINE_BENCH_INSN_RUNS", 2)
	realBaresip, err := exec.LookPath("baresip")
	if err != nil {
		t.Fatal(err)
	}
	kam := testlab.StartKamailio(t, testlab.WithoutTLS())
	callee := startCallee(t, kam, calleeUserA) // started before PATH is wrapped
	dir := t.TempDir()
	wrapDir := filepath.Join(dir, "wrap")
	if err := os.Mkdir(wrapDir, 0o755); err != nil {
		t.Fatal(err)
	}
	script := fmt.Sprintf("#!/bin/sh\nexec %s --tool=callgrind --callgrind-out-file=\"$PITCHLINE_BENCH_CG_OUT\" %s \"$@\"\n", vg, realBaresip)
	if err := os.WriteFile(filepath.Join(wrapDir, "baresip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}

	rows := [][]string{{"caller", "what", "run", "instructions (Ir)"}}
	type key struct {
		caller string
		long   bool
	}
	perCall := map[key][]int64{}
	for i := 1; i <= runs; i++ {
		for _, long := range []bool{false, true} {
			d := dur
			if long {
				d = dur2
			}
			for _, b := range bins {
				ir := plInstructions(t, vg, b, kam, callee, d, filepath.Join(dir, fmt.Sprintf("%s-%d-%v.cg", b.label, i, long)))
				perCall[key{b.label, long}] = append(perCall[key{b.label, long}], ir)
				rows = append(rows, []string{b.label, "call " + d.String(), strconv.Itoa(i), group(ir)})
				t.Logf("%s %v run %d: %s instructions", b.label, d, i, group(ir))
			}
			out := filepath.Join(dir, fmt.Sprintf("baresip-%d-%v.cg", i, long))
			t.Setenv("PATH", wrapDir+string(os.PathListSeparator)+path)
			t.Setenv("PITCHLINE_BENCH_CG_OUT", out)
			mark := callee.Mark()
			baresipCall(t, kam, calleeUserA, d, fmt.Sprintf("cgcaller%d%v", i, long), nil)
			t.Setenv("PATH", path)
			checkCallee(t, callee, mark, "baresip")
			ir := callgrindTotal(t, out)
			perCall[key{"baresip", long}] = append(perCall[key{"baresip", long}], ir)
			rows = append(rows, []string{"baresip", "call " + d.String(), strconv.Itoa(i), group(ir)})
			t.Logf("baresip %v run %d: %s instructions", d, i, group(ir))
		}
	}
	// Start-up alone (pitchline help): what every process pays before
	// its first SIP message. baresip has no comparable no-op command.
	for _, b := range bins {
		out := filepath.Join(dir, b.label+"-help.cg")
		cmd := exec.Command(vg, "--tool=callgrind", "--callgrind-out-file="+out, b.path, "help")
		cmd.Env = append(os.Environ(), cgGODEBUG)
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s help under callgrind: %v\n%s", b.label, err, o)
		}
		rows = append(rows, []string{b.label, "help (start-up only)", "1", group(callgrindTotal(t, out))})
	}
	var rep strings.Builder
	fmt.Fprintf(&rep, "instructions per call (valgrind --tool=callgrind, user space, whole process), calls of %v and %v after the answer:\n\n", dur, dur2)
	rep.WriteString(Table(rows))
	// Per second of media: the difference between the long and the short
	// call over their difference in length (start-up, registration, set-up
	// and tear-down cancel out), from the medians.
	slope := map[string]float64{}
	callers := []string{}
	for _, b := range bins {
		callers = append(callers, b.label)
	}
	callers = append(callers, "baresip")
	rep.WriteString("\n")
	for _, c := range callers {
		short, _ := MedianInt(perCall[key{c, false}])
		long, _ := MedianInt(perCall[key{c, true}])
		slope[c] = float64(long-short) / (dur2 - dur).Seconds()
		fmt.Fprintf(&rep, "%s: %s instructions per second of media ((%v call - %v call) / %v, medians); fixed part (start, REGISTER, INVITE, BYE, exit) %s\n",
			c, group(int64(slope[c])), dur2, dur, dur2-dur, group(short-int64(slope[c]*dur.Seconds())))
	}
	for _, b := range bins {
		var cells []string
		for i, ir := range perCall[key{b.label, false}] {
			cells = append(cells, fmt.Sprintf("%.2f", float64(ir)/float64(perCall[key{"baresip", false}][i])))
		}
		fmt.Fprintf(&rep, "%s / baresip: whole %v call per run %s; per second of media %.2f\n", b.label, dur, strings.Join(cells, ", "), slope[b.label]/slope["baresip"])
	}
	fmt.Println("\n==== instructions per call (internal/benchlab) ====")
	fmt.Print(rep.String())
	if out := os.Getenv("PITCHLINE_BENCH_OUT"); out != "" {
		f, err := os.OpenFile(out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.WriteString("\n" + rep.String())
			f.Close()
		}
		if err != nil {
			t.Error(err)
		}
	}
}

// callgrindTotal returns the "totals:" (or "summary:") event count of a
// callgrind output file: instructions read (Ir) over all threads.
func callgrindTotal(t *testing.T, path string) int64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("callgrind output: %v", err)
	}
	ir, err := parseCallgrindTotal(b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ir
}

func parseCallgrindTotal(b []byte) (int64, error) {
	var summary int64 = -1
	for _, l := range strings.Split(string(b), "\n") {
		for _, key := range []string{"totals:", "summary:"} {
			if v, ok := strings.CutPrefix(l, key); ok {
				f := strings.Fields(v)
				if len(f) == 0 {
					continue
				}
				n, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					return 0, fmt.Errorf("benchlab: callgrind %s %q: %w", key, v, err)
				}
				if key == "totals:" {
					return n, nil
				}
				summary = n
			}
		}
	}
	if summary < 0 {
		return 0, fmt.Errorf("benchlab: no totals/summary line in callgrind output")
	}
	return summary, nil
}

// group formats n with thin thousands separators (1 234 567).
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func lastLines(s string, n int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(l[max(0, len(l)-n):], "\n")
}

// plInstructions runs one pitchline call of length d under callgrind and
// returns its instruction count. Under valgrind on a loaded machine a SIP
// transaction can time out (seen once: the REGISTER after the 401); such a
// run is retried, at most twice, and the retry is logged.
func plInstructions(t *testing.T, vg string, b benchBin, kam *testlab.Kamailio, callee *testlab.Baresip, d time.Duration, out string) int64 {
	t.Helper()
	for attempt := 1; ; attempt++ {
		mark := callee.Mark()
		args := append([]string{"--tool=callgrind", "--callgrind-out-file=" + out, b.path}, plCallArgs(kam, calleeUserA, d)...)
		ctx, cancel := context.WithTimeout(context.Background(), 20*d+120*time.Second)
		cmd := exec.CommandContext(ctx, vg, args...)
		cmd.Env = append(pitchlineEnv(kam), cgGODEBUG)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		cancel()
		if err == nil {
			checkCallee(t, callee, mark, b.label)
			return callgrindTotal(t, out)
		}
		if attempt == 3 {
			t.Fatalf("%s under callgrind: %v\n%s", b.label, err, buf.String())
		}
		t.Logf("%s under callgrind, attempt %d failed (retried): %v\n%s", b.label, attempt, err, lastLines(buf.String(), 3))
	}
}

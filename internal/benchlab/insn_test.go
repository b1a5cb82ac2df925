//go:build benchlab && linux

package benchlab

import (
	"bytes"
	"context"
	"fmt"
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
// side-by-side CPU times. Calls are short (PITCHLINE_BENCH_INSN_CALL, 5s)
// because valgrind runs the program about 50x slower; the count still
// covers 250 frames each way. Run by scripts/bench.d/20-call-cpu.sh
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
	vg, err := exec.LookPath("valgrind")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("valgrind not installed (apt-get install valgrind)")
		}
		t.Skip("valgrind not installed")
	}
	bins := benchBins(t)
	dur := envDuration(t, "PITCHLINE_BENCH_INSN_CALL", 5*time.Second)
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

	rows := [][]string{{"caller", "what", "run", "instructions (Ir)", "per second of call"}}
	perCall := map[string][]int64{}
	for i := 1; i <= runs; i++ {
		for _, b := range bins {
			out := filepath.Join(dir, fmt.Sprintf("%s-%d.cg", b.label, i))
			mark := callee.Mark()
			// Under valgrind on a loaded machine a SIP transaction can time
			// out (seen once: the REGISTER after the 401); such a run is
			// retried, at most twice, and the retry is logged.
			for attempt := 1; ; attempt++ {
				mark = callee.Mark()
				args := append([]string{"--tool=callgrind", "--callgrind-out-file=" + out, b.path}, plCallArgs(kam, calleeUserA, dur)...)
				ctx, cancel := context.WithTimeout(context.Background(), 20*dur+120*time.Second)
				cmd := exec.CommandContext(ctx, vg, args...)
				cmd.Env = append(pitchlineEnv(kam), cgGODEBUG)
				var buf bytes.Buffer
				cmd.Stdout, cmd.Stderr = &buf, &buf
				err := cmd.Run()
				cancel()
				if err == nil {
					break
				}
				if attempt == 3 {
					t.Fatalf("%s under callgrind: %v\n%s", b.label, err, buf.String())
				}
				t.Logf("%s under callgrind, attempt %d failed (retried): %v\n%s", b.label, attempt, err, lastLines(buf.String(), 3))
			}
			checkCallee(t, callee, mark, b.label)
			ir := callgrindTotal(t, out)
			perCall[b.label] = append(perCall[b.label], ir)
			rows = append(rows, []string{b.label, "call " + dur.String(), strconv.Itoa(i), group(ir), group(ir / int64(dur.Seconds()))})
			t.Logf("%s run %d: %s instructions", b.label, i, group(ir))
		}
		out := filepath.Join(dir, fmt.Sprintf("baresip-%d.cg", i))
		t.Setenv("PATH", wrapDir+string(os.PathListSeparator)+os.Getenv("PATH"))
		t.Setenv("PITCHLINE_BENCH_CG_OUT", out)
		mark := callee.Mark()
		baresipCall(t, kam, calleeUserA, dur, fmt.Sprintf("cgcaller%d", i), nil)
		checkCallee(t, callee, mark, "baresip")
		ir := callgrindTotal(t, out)
		perCall["baresip"] = append(perCall["baresip"], ir)
		rows = append(rows, []string{"baresip", "call " + dur.String(), strconv.Itoa(i), group(ir), group(ir / int64(dur.Seconds()))})
		t.Logf("baresip run %d: %s instructions", i, group(ir))
	}
	// Start-up alone (pitchline help): what every process pays before
	// its first SIP message. baresip has no comparable no-op command.
	for _, b := range bins {
		out := filepath.Join(dir, b.label+"-version.cg")
		cmd := exec.Command(vg, "--tool=callgrind", "--callgrind-out-file="+out, b.path, "help")
		cmd.Env = append(os.Environ(), cgGODEBUG)
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s --version under callgrind: %v\n%s", b.label, err, o)
		}
		rows = append(rows, []string{b.label, "help (start-up only)", "1", group(callgrindTotal(t, out)), ""})
	}
	var rep strings.Builder
	fmt.Fprintf(&rep, "instructions per call (valgrind --tool=callgrind, user space, whole process), call %v after the answer:\n\n", dur)
	rep.WriteString(Table(rows))
	base := perCall["baresip"]
	for _, b := range bins {
		var cells []string
		for i, ir := range perCall[b.label] {
			cells = append(cells, fmt.Sprintf("%.2f", float64(ir)/float64(base[i])))
		}
		fmt.Fprintf(&rep, "%s / baresip instructions, per run: %s\n", b.label, strings.Join(cells, ", "))
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

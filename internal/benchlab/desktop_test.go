//go:build benchlab && linux

package benchlab

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testenv"
)

// The desktop-window benchmark of issue 3, section 7. Run it with
// scripts/bench.d/40-desktop.sh (or `go test -tags benchlab -run
// TestDesktopWindow -v ./internal/benchlab/` with both binaries set).
//
// Environment:
//
//	PITCHLINE_BIN                  release pitchline binary (required)
//	PITCHLINE_BARE_BIN             bare Wails app (testdata/barewails; required)
//	PITCHLINE_BENCH_DESKTOP_RUNS   launches per binary (default 7)
//	PITCHLINE_BENCH_IDLE           idle time before the memory reading (default 10s)
//	PITCHLINE_BENCH_OUT            also write the Markdown report to this file
//
// One run: a fresh HOME/XDG tree and a fresh private D-Bus session daemon,
// then exec of the binary with DISPLAY on one private Xvfb shared by all
// runs. Start -> interactive is from just before fork/exec to the moment
// the harness reads the app's `msg="ui ready"` stderr line, which the
// frontend triggers once it has (1) the first backend reply applied (the
// snapshot for Pitchline, Greet for the bare app), (2) painted two frames
// and (3) seen its input field take keyboard focus (data interactive:true).
// Idle memory: PITCHLINE_BENCH_IDLE after "ui ready", the PSS of the app
// and all its descendants (WebKitWebProcess, WebKitNetworkProcess) from
// /proc/PID/smaps_rollup, summed.

// launchMarks are the log messages whose first arrival a run timestamps.
var launchMarks = []string{"startup", "dom ready", "backend started", "ui ready"}

// launch is one measured start of a desktop binary.
type launch struct {
	marks  map[string]time.Duration // since exec
	ready  string                   // the "ui ready" line
	mem    []ProcMemory
	total  Memory
	stderr string
}

func TestDesktopWindow(t *testing.T) {
	bin, bare := os.Getenv("PITCHLINE_BIN"), os.Getenv("PITCHLINE_BARE_BIN")
	if bin == "" || bare == "" {
		t.Skip("PITCHLINE_BIN and PITCHLINE_BARE_BIN not set (scripts/bench.d/40-desktop.sh sets them)")
	}
	testenv.RequireTool(t, "Xvfb", "apt-get install xvfb")
	testenv.RequireTool(t, "dbus-daemon", "apt-get install dbus")
	runs := envInt(t, "PITCHLINE_BENCH_DESKTOP_RUNS", 7)
	idle := envDuration(t, "PITCHLINE_BENCH_IDLE", 10*time.Second)
	display := startXvfb(t)
	bins := []struct{ label, path string }{{"pitchline", bin}, {"bare Wails", bare}}
	results := map[string][]launch{}
	for i := 0; i < runs; i++ {
		for _, b := range bins { // interleaved, so that load changes hit both
			l := runDesktop(t, b.path, display, idle)
			results[b.label] = append(results[b.label], l)
			t.Logf("run %d %-10s ready %s ms, PSS %d MB (%s)", i+1, b.label, Millis(l.marks["ui ready"]),
				l.total.PSSKiB/1024, procList(l.mem))
		}
	}

	var rows [][]string
	rows = append(rows, []string{"binary", "startup (Go)", "dom ready", "backend started", "ui ready = interactive (median)", "min", "max"})
	var medReady = map[string]time.Duration{}
	for _, b := range bins {
		row := []string{b.label}
		for _, m := range launchMarks {
			var ds []time.Duration
			for _, l := range results[b.label] {
				if d, ok := l.marks[m]; ok {
					ds = append(ds, d)
				}
			}
			med, err := Median(ds)
			if err != nil {
				row = append(row, "—")
				continue
			}
			row = append(row, Millis(med)+" ms")
			if m == "ui ready" {
				medReady[b.label] = med
				row = append(row, Millis(minDur(ds))+" ms", Millis(maxDur(ds))+" ms")
			}
		}
		rows = append(rows, row)
	}
	report := fmt.Sprintf("Start -> interactive window, %d launches each, from exec (ms):\n\n%s\n", runs, Table(rows))

	rows = [][]string{{"binary", "PSS total (median)", "app", "WebKitWebProcess", "WebKitNetworkProcess", "other", "RSS total"}}
	medPSS := map[string]int64{}
	for _, b := range bins {
		var tot, app, web, net, other, rss []int64
		for _, l := range results[b.label] {
			tot = append(tot, l.total.PSSKiB)
			rss = append(rss, l.total.RSSKiB)
			var a, w, n, o int64
			for i, p := range l.mem {
				switch {
				case i == 0:
					a += p.Memory.PSSKiB
				case strings.HasPrefix(p.Comm, "WebKitWebProces"):
					w += p.Memory.PSSKiB
				case strings.HasPrefix(p.Comm, "WebKitNetworkPr"):
					n += p.Memory.PSSKiB
				default:
					o += p.Memory.PSSKiB
				}
			}
			app, web, net, other = append(app, a), append(web, w), append(net, n), append(other, o)
		}
		mb := func(v []int64) string {
			m, err := MedianInt(v)
			if err != nil {
				return "—"
			}
			return fmt.Sprintf("%.1f MB", float64(m)/1024)
		}
		medPSS[b.label], _ = MedianInt(tot)
		rows = append(rows, []string{b.label, mb(tot), mb(app), mb(web), mb(net), mb(other), mb(rss)})
	}
	report += fmt.Sprintf("\nIdle memory %s after \"ui ready\", PSS summed over the process tree (MB = 1024 KiB, medians of %d):\n\n%s\n",
		idle, runs, Table(rows))
	ratio := float64(medPSS["pitchline"]) / float64(medPSS["bare Wails"])
	report += fmt.Sprintf("\nPitchline / bare Wails idle PSS: %.2fx (target <= 1.2x); Pitchline start -> interactive median %s ms (target <= 1000 ms)\n",
		ratio, Millis(medReady["pitchline"]))
	t.Log("\n" + report)
	fmt.Println(report)
	if out := os.Getenv("PITCHLINE_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runDesktop launches bin once in a fresh home and a fresh session bus on
// display, waits for "ui ready", idles, reads the memory, and stops it.
func runDesktop(t *testing.T, bin, display string, idle time.Duration) launch {
	t.Helper()
	d := t.TempDir()
	home := filepath.Join(d, "home")
	run := filepath.Join(d, "run")
	for _, p := range []string{home, run} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, "config"),
		"XDG_CACHE_HOME=" + filepath.Join(home, "cache"), "XDG_DATA_HOME=" + filepath.Join(home, "data"),
		"XDG_RUNTIME_DIR=" + run, "DISPLAY=" + display, "NO_AT_BRIDGE=1", "PITCHLINE_LOG_LEVEL=info",
	}
	bus := exec.Command("dbus-daemon", "--session", "--nofork", "--print-address=1", "--address=unix:path="+filepath.Join(run, "bus"))
	bus.Env = env
	bus.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	busOut, err := bus.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := bus.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = bus.Process.Signal(syscall.SIGTERM); _ = bus.Wait() }()
	addr, err := bufio.NewReader(busOut).ReadString('\n')
	if err != nil {
		t.Fatalf("dbus-daemon address: %v", err)
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS="+strings.TrimSpace(addr))

	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	type mark struct {
		name string
		at   time.Duration
		line string
	}
	marks := make(chan mark, 16)
	var log strings.Builder
	logDone := make(chan struct{})
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(logDone)
		defer close(marks)
		sc := bufio.NewScanner(errPipe)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		seen := map[string]bool{}
		for sc.Scan() {
			line := sc.Text()
			at := time.Since(t0)
			log.WriteString(line + "\n")
			for _, m := range launchMarks {
				if !seen[m] && (strings.Contains(line, "msg=\""+m+"\"") || strings.Contains(line, "msg="+m+" ")) {
					seen[m] = true
					marks <- mark{m, at, line}
				}
			}
		}
		_, _ = io.Copy(io.Discard, errPipe)
	}()
	l := launch{marks: map[string]time.Duration{}}
	stop := func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}
	deadline := time.After(60 * time.Second)
wait:
	for {
		select {
		case m, ok := <-marks:
			if !ok {
				stop()
				<-logDone
				t.Fatalf("%s exited before \"ui ready\":\n%s", bin, log.String())
			}
			l.marks[m.name] = m.at
			if m.name == "ui ready" {
				l.ready = m.line
				break wait
			}
		case <-deadline:
			stop()
			<-logDone
			t.Fatalf("%s: no \"ui ready\" within 60 s:\n%s", bin, log.String())
		}
	}
	if !strings.Contains(l.ready, "interactive:true") {
		stop()
		<-logDone
		t.Fatalf("%s reported ui ready without interactive:true: %s\n%s", bin, l.ready, log.String())
	}
	time.Sleep(idle) // the idle period being measured, not a wait for an event
	ps, err := TreeMemory(cmd.Process.Pid)
	if err != nil {
		t.Fatalf("memory of %s: %v", bin, err)
	}
	l.mem, l.total = ps, SumMemory(ps)
	stop()
	<-logDone
	l.stderr = log.String()
	return l
}

// startXvfb starts one private X server for all runs and returns its
// DISPLAY.
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	x := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset")
	x.ExtraFiles = []*os.File{w}
	x.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := x.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { _ = x.Process.Signal(syscall.SIGTERM); _ = x.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

func procList(ps []ProcMemory) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%s %d", p.Comm, p.Memory.PSSKiB/1024))
	}
	return strings.Join(parts, ", ")
}

func minDur(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = min(m, d)
	}
	return m
}

func maxDur(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

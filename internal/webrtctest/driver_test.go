//go:build linux

package webrtctest

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/pitchline/pitchline/internal/testenv"
)

// driver is testdata/browser.cjs running headless Chromium on one link.
type driver struct {
	t      *testing.T
	ctx    context.Context
	cmd    *exec.Cmd
	stdin  io.Writer
	lines  chan string
	stderr strings.Builder
	waited bool
}

// requireBrowser returns node, playwright-core's directory and Chromium,
// or skips (fails under CI=true) when one is missing.
func requireBrowser(t *testing.T) (node, pw, chromium string) {
	t.Helper()
	chromium = "/usr/bin/chromium"
	if v := os.Getenv("PITCHLINE_E2E_CHROMIUM"); v != "" {
		chromium = v
	}
	testenv.RequireFile(t, chromium, "apt-get install chromium")
	node = testenv.RequireTool(t, "node", "apt-get install nodejs")
	pw = filepath.Join(repoRoot(t), "frontend", "node_modules", "playwright-core")
	testenv.RequireFile(t, pw, "cd frontend && npm ci")
	return node, pw, chromium
}

// startDriver opens link in Chromium with wav as the fake microphone.
// Cleanup kills what is left of it.
func startDriver(t *testing.T, ctx context.Context, link, wav string) *driver {
	t.Helper()
	node, pw, chromium := requireBrowser(t)
	d := &driver{t: t, ctx: ctx, lines: make(chan string)}
	d.cmd = exec.CommandContext(ctx, node, filepath.Join("testdata", "browser.cjs"), pw, chromium, link, wav,
		filepath.Join(t.TempDir(), "profile"), strconv.FormatFloat(minLevel, 'f', -1, 64))
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Chromium's processes die with the group
	d.cmd.Cancel = func() error { return syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL) }
	d.cmd.Stderr = &d.stderr
	stdin, err := d.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	d.stdin = stdin
	out, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(d.lines)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
	}()
	t.Cleanup(func() {
		if !d.waited {
			_ = d.cmd.Process.Kill()
			_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
			for range d.lines {
			}
			_ = d.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("browser stderr:\n%s", d.stderr.String())
		}
	})
	return d
}

// expect returns the rest of the driver's next line starting with prefix.
func (d *driver) expect(prefix string) string {
	d.t.Helper()
	for {
		select {
		case l, ok := <-d.lines:
			if !ok {
				d.t.Fatalf("browser driver ended before %s", prefix)
			}
			if strings.HasPrefix(l, "ERROR ") {
				d.t.Fatalf("browser driver: %s", l)
			}
			if strings.HasPrefix(l, prefix) {
				return strings.TrimSpace(strings.TrimPrefix(l, prefix))
			}
		case <-d.ctx.Done():
			d.t.Fatalf("no %s from the browser before the deadline", prefix)
		}
	}
}

// send writes one command line to the driver.
func (d *driver) send(cmd string) {
	d.t.Helper()
	if _, err := io.WriteString(d.stdin, cmd+"\n"); err != nil {
		d.t.Fatal(err)
	}
}

// wait waits for the driver to exit and fails if it did not exit 0.
func (d *driver) wait() {
	d.t.Helper()
	for range d.lines {
	}
	d.waited = true
	if err := d.cmd.Wait(); err != nil {
		d.t.Errorf("browser driver: %v", err)
	}
}

package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// answerProc is a `pitchline answer --json` process and its events.
type answerProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	lines  chan map[string]any
	seen   []map[string]any
}

func startAnswer(t *testing.T, ctx context.Context, k *testlab.Kamailio, user string, extra ...string) *answerProc {
	t.Helper()
	env := strings.ToUpper(user) + "_PW"
	args := append([]string{"answer", "--sip-uri", "sip:" + user + "@" + k.Addr(), "--password-env", env, "--audio", "null", "--json"}, extra...)
	a := &answerProc{cmd: exec.CommandContext(ctx, bin, args...), lines: make(chan map[string]any, 256)}
	a.cmd.Env = append(os.Environ(), env+"="+k.Password(user))
	a.cmd.Stderr = &a.stderr
	stdout, _ := a.cmd.StdoutPipe()
	if err := a.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err == nil {
				a.lines <- m
			}
		}
		close(a.lines)
	}()
	a.waitFor(t, "ready", nil)
	return a
}

// waitFor returns the next event named name (and matching pred).
func (a *answerProc) waitFor(t *testing.T, name string, pred func(map[string]any) bool) map[string]any {
	t.Helper()
	for m := range a.lines {
		a.seen = append(a.seen, m)
		if m["event"] == name && (pred == nil || pred(m)) {
			return m
		}
	}
	t.Fatalf("%v ended before %s; saw %v; stderr %s", a.cmd.Args[:4], name, a.seen, a.stderr.String())
	return nil
}

// TestAttendedTransferCommand: carol's `pitchline call bob --consult dave
// --consult-after 2s --complete-after 4s` holds bob, calls dave, and
// transfers bob to dave with Replaces; bob and dave run `pitchline
// answer`. carol exits 0; bob reports the transfer done (200) and its new
// call to dave answered; dave's call goes on with bob, whom dave records.
func TestAttendedTransferCommand(t *testing.T) {
	k := testlab.StartKamailio(t)
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	dir := t.TempDir()
	bobTone, daveHeard := filepath.Join(dir, "bob.wav"), filepath.Join(dir, "dave-heard.wav")
	if err := testlab.WriteToneWAV(bobTone, 400, 60); err != nil {
		t.Fatal(err)
	}
	bob := startAnswer(t, ctx, k, "bob", "--play", bobTone)
	dave := startAnswer(t, ctx, k, "dave", "--record", daveHeard, "--max-calls", "1")

	r := run(t, []string{"CAROL_PW=" + k.Password("carol")}, 60*time.Second,
		"call", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW", "--audio", "null",
		"--consult", "dave", "--consult-after", "1s", "--complete-after", "3s", "--json", "bob")
	if r.code != 0 || !strings.Contains(r.stdout, `"consult"`) || !strings.Contains(r.stdout, `"transferred"`) {
		t.Fatalf("carol: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	bob.waitFor(t, "transfer", func(m map[string]any) bool {
		return m["incoming"] == true && m["final"] == true && m["status"] == float64(200)
	})
	// dave answered one call (carol's consultation); bob's INVITE with
	// Replaces took its place, so dave prints no second incoming call.
	time.AfterFunc(4*time.Second, func() { _ = dave.cmd.Process.Signal(os.Interrupt) })
	for m := range dave.lines {
		dave.seen = append(dave.seen, m)
	}
	_ = dave.cmd.Wait()
	n := 0
	for _, m := range dave.seen {
		if m["event"] == "incoming" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("dave printed %d incoming calls, want 1: %v", n, dave.seen)
	}
	// dave's recorder writes one file per leg: the consultation's, then
	// bob's (numbered -2).
	checkRecordedTone(t, strings.TrimSuffix(daveHeard, ".wav")+"-2.wav", 400)
	_ = bob.cmd.Process.Signal(os.Interrupt)
	for range bob.lines {
	}
	_ = bob.cmd.Wait()
}

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

// TestMonitorCommands: carol runs `pitchline answer --lead dave`; bob
// (baresip, 400 Hz) calls her. dave runs `pitchline call --monitor
// whisper --monitor-switch listen=2s` to carol: carol prints
// monitor_started, monitor_changed and monitor_ended, dave's call exits 0
// and dave hears bob. alice's `call --monitor listen` is refused (exit 1,
// 403) and carol prints blocked, never incoming.
func TestMonitorCommands(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	if _, err := k.WaitRegistered(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "answer", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW",
		"--audio", "null", "--max-calls", "1", "--lead", "sip:dave@127.0.0.1", "--json")
	cmd.Env = append(os.Environ(), "CAROL_PW="+k.Password("carol"))
	stdout, _ := cmd.StdoutPipe()
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan map[string]any, 256)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("not JSON: %q", sc.Text())
				continue
			}
			lines <- m
		}
		close(lines)
	}()
	var seen []map[string]any
	waitFor := func(name string) map[string]any {
		t.Helper()
		for m := range lines {
			seen = append(seen, m)
			if m["event"] == "registration_failed" {
				t.Fatalf("registration failed: %v", m)
			}
			if m["event"] == name {
				return m
			}
		}
		t.Fatalf("answer mode ended before %s; saw %v; stderr %s", name, seen, se.String())
		return nil
	}
	waitFor("ready")
	if _, err := bob.Command(ctx, "dial", "sip:carol@"+k.Addr()); err != nil {
		t.Fatal(err)
	}
	waitFor("answered")

	rec := filepath.Join(t.TempDir(), "lead-heard.wav")
	r := run(t, []string{"DAVE_PW=" + k.Password("dave")}, 60*time.Second,
		"call", "--sip-uri", "sip:dave@"+k.Addr(), "--password-env", "DAVE_PW", "--audio", "null", "--record", rec,
		"--monitor", "whisper", "--monitor-switch", "listen=2s", "--hangup-after", "4s", "--json", "carol")
	if r.code != 0 || !strings.Contains(r.stdout, `"monitor_changed"`) {
		t.Fatalf("lead's call: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	st := waitFor("monitor_started")
	if st["role"] != "whisper" || st["lead"] != "sip:dave@127.0.0.1" {
		t.Errorf("monitor_started %v", st)
	}
	if ch := waitFor("monitor_changed"); ch["role"] != "listen" {
		t.Errorf("monitor_changed %v", ch)
	}
	waitFor("monitor_ended")
	checkRecordedTone(t, rec, 400)

	r = run(t, []string{"ALICE_PW=" + k.Password("alice")}, 60*time.Second,
		"call", "--sip-uri", "sip:alice@"+k.Addr(), "--password-env", "ALICE_PW", "--audio", "null",
		"--monitor", "listen", "--json", "carol")
	if r.code != 1 || !strings.Contains(r.stdout, `"status":403`) {
		t.Errorf("alice's monitor request: exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if b := waitFor("blocked"); !strings.Contains(b["reason"].(string), "not a configured team lead") {
		t.Errorf("blocked %v", b)
	}

	if _, err := bob.Command(ctx, "hangup", ""); err != nil {
		t.Fatal(err)
	}
	waitFor("ended")
	for m := range lines {
		seen = append(seen, m)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("answer exited with %v; stderr %s", err, se.String())
	}
	incoming := 0
	for _, m := range seen {
		if m["event"] == "incoming" {
			incoming++
		}
	}
	if incoming != 1 {
		t.Errorf("carol printed %d incoming events, want 1 (bob's call only): %v", incoming, seen)
	}
}

func TestMonitorUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--monitor", "spy", "bob"},
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--monitor-switch", "listen=1s", "bob"},
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--monitor", "listen", "--monitor-switch", "barge", "bob"},
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--monitor", "listen", "--monitor-switch", "barge=soon", "bob"},
	} {
		r := run(t, nil, 10*time.Second, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "pitchline:") {
			t.Errorf("%v: exit %d stderr %q, want 2 with a message", args, r.code, r.stderr)
		}
	}
}

package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

// TestCRMConnectAndSync connects the HubSpot fake with a token kept in an
// environment variable, logs calls while it is unreachable, then syncs.
func TestCRMConnectAndSync(t *testing.T) {
	fake, err := hubspotfake.New()
	if err != nil {
		t.Fatal(err)
	}
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	fake.AddContact(map[string]string{"firstname": "Margaret", "lastname": "Lee", "phone": "+15550100199"})
	data := filepath.Join(t.TempDir(), "data")
	const T = 60 * time.Second
	env := []string{"HS_TOKEN=test-token"}

	r := run(t, env, T, "crm", "connect", "hubspot", "--base-url", base, "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, "connected to hubspot") {
		t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run(t, []string{"HS_TOKEN=wrong"}, T, "crm", "connect", "hubspot", "--base-url", base, "--token-env", "HS_TOKEN", "--data-dir", data); r.code != 1 || !strings.Contains(r.stderr, "reconnect your CRM") {
		t.Fatalf("connect with a bad token: %d %q", r.code, r.stderr)
	}
	for i, to := range []string{"+15550100199", "+15550100142", "+15550100143"} {
		r := run(t, nil, T, "calls", "log", "--to", to, "--direction", "outbound", "--started", time.Date(2026, 3, 2, 9, i, 0, 0, time.UTC).Format(time.RFC3339),
			"--duration", "42s", "--status", "completed", "--outcome", "Connected", "--notes", "note "+to, "--data-dir", data)
		if r.code != 0 {
			t.Fatalf("calls log: %d %q", r.code, r.stderr)
		}
	}
	r = run(t, env, T, "crm", "sync", "--json", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("sync: %d %q %q", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	last := lines[len(lines)-1]
	if last["event"] != "done" || last["sent"] != float64(3) || last["pending"] != float64(0) {
		t.Fatalf("sync output %v", lines)
	}
	if n := len(fake.Calls()); n != 3 {
		t.Fatalf("fake holds %d calls", n)
	}
	for _, c := range fake.Calls() {
		if !strings.HasPrefix(c.Properties["hs_call_body"], "note +1555") {
			t.Fatalf("call %v", c.Properties)
		}
	}
	// Again: nothing to send, exit 0.
	r = run(t, env, T, "crm", "sync", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, "queue empty (0 sent") || len(fake.Calls()) != 3 {
		t.Fatalf("second sync: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// An expired token keeps the queue and says so.
	run(t, nil, T, "calls", "log", "--to", "+15550100150", "--direction", "outbound", "--started", "2026-03-02T10:00:00Z",
		"--duration", "5s", "--status", "completed", "--outcome", "Connected", "--data-dir", data)
	fake.ExpireToken("test-token")
	r = run(t, env, T, "crm", "sync", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 1 || !strings.Contains(r.stderr, "reconnect your CRM") || !strings.Contains(r.stderr, "1 pending") {
		t.Fatalf("sync with an expired token: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

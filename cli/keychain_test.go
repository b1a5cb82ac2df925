package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

// The command line's keychain paths against the real OS keychain: a
// gnome-keyring Secret Service on a private D-Bus (internal/testlab), which
// the pitchline child process finds through DBUS_SESSION_BUS_ADDRESS.

// TestKeychainSetHelper stores one secret in the keychain of its
// environment; TestCLIKeychain* run it as a subprocess (godbus keeps one
// session bus per process, and each test has its own bus).
func TestKeychainSetHelper(t *testing.T) {
	if !testlab.InSubprocess(t) {
		t.Skip("run as a subprocess by the TestCLIKeychain* tests")
	}
	if err := keyring.Set(os.Getenv("KC_SERVICE"), os.Getenv("KC_ACCOUNT"), os.Getenv("KC_SECRET")); err != nil {
		t.Fatal(err)
	}
}

// keychainSet stores secret for account in service in the keychain k.
func keychainSet(t *testing.T, k *testlab.Keyring, service, account, secret string) {
	t.Helper()
	env := append(k.Env(), "PITCHLINE_BIN="+bin, "KC_SERVICE="+service, "KC_ACCOUNT="+account, "KC_SECRET="+secret)
	if out, err := testlab.RunSelf(t, "TestKeychainSetHelper", env); err != nil {
		t.Fatalf("storing a secret in the test keychain: %v\n%s", err, out)
	}
}

// TestCLIKeychainCRMToken: `crm connect` without --token-env reads the
// token from standard input and keeps it in the keychain only; `crm sync`
// without --token-env finds it there.
func TestCLIKeychainCRMToken(t *testing.T) {
	k := testlab.StartKeyring(t)
	fake, err := hubspotfake.New(hubspotfake.WithToken("tok-from-stdin-42"))
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	const T = 60 * time.Second

	r := runIn(t, k.Env(), "tok-from-stdin-42\n", T, "crm", "connect", "hubspot", "--base-url", base, "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, "connected to hubspot") {
		t.Fatalf("connect with the token on stdin: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = runIn(t, k.Env(), "", T, "calls", "log", "--to", "+15550100142", "--direction", "outbound", "--started", "2026-03-02T09:00:00Z",
		"--duration", "42s", "--status", "completed", "--outcome", "Connected", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("calls log: %d %q", r.code, r.stderr)
	}
	r = runIn(t, k.Env(), "", T, "crm", "sync", "--json", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("sync with the keychain token: %d %q %q", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	if last := lines[len(lines)-1]; last["event"] != "done" || last["sent"] != float64(1) || len(fake.Calls()) != 1 {
		t.Fatalf("sync ended with %v; the CRM holds %d calls", last, len(fake.Calls()))
	}
	// The token is in the keychain, not in the data directory.
	filepath.WalkDir(data, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(path); err == nil && bytes.Contains(b, []byte("tok-from-stdin-42")) {
				t.Errorf("the token is stored in %s", path)
			}
		}
		return nil
	})
	// Another keychain (a different user) has no token: sync says what to do.
	other := testlab.StartKeyring(t)
	r = runIn(t, other.Env(), "", T, "crm", "sync", "--data-dir", data)
	if r.code == 0 || !strings.Contains(r.stderr, "no hubspot token in the keychain") || !strings.Contains(r.stderr, "crm connect hubspot") {
		t.Fatalf("sync with an empty keychain: %d %q", r.code, r.stderr)
	}
	// An empty standard input is a usage error.
	if r := runIn(t, k.Env(), "", T, "crm", "connect", "hubspot", "--base-url", base, "--data-dir", data); r.code != 2 {
		t.Fatalf("connect with nothing on stdin: %d %q", r.code, r.stderr)
	}
}

// TestCLIKeychainSIPPassword: `call` without --password-env takes the SIP
// password from the keychain (service pitchline-sip, account the AOR).
func TestCLIKeychainSIPPassword(t *testing.T) {
	kr := testlab.StartKeyring(t)
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	if _, err := k.WaitRegistered(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	aor := "sip:carol@" + k.Addr()
	args := []string{"call", "--sip-uri", aor, "--audio", "null", "--hangup-after", "1s", "--json", "bob"}

	// Not in the keychain: a clear error, no call.
	r := runIn(t, kr.Env(), "", 60*time.Second, args...)
	if r.code != 1 || !strings.Contains(r.stderr, "--password-env") || !strings.Contains(r.stderr, aor) {
		t.Fatalf("call with no password in the keychain: %d %q", r.code, r.stderr)
	}
	keychainSet(t, kr, "pitchline-sip", aor, k.Password("carol"))
	r = runIn(t, kr.Env(), "", 60*time.Second, args...)
	if r.code != 0 {
		t.Fatalf("call with the keychain password: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	events := map[string]bool{}
	for _, l := range jsonLines(t, r.stdout) {
		events[l["event"].(string)] = true
	}
	if !events["registered"] || !events["answered"] || !events["ended"] {
		t.Fatalf("events %v", events)
	}
	if _, err := bob.WaitEventType(context.Background(), "CALL_ESTABLISHED"); err != nil {
		t.Fatal(err)
	}
}

package secret

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/internal/testlab"
)

// These tests run the real OS keychain code (go-keyring over D-Bus) in a
// subprocess (testlab.RunSelf): godbus caches the session-bus connection
// for the whole process, so each bus needs a fresh process.

const helperSecret = "s3cr3t-Pitchline-42"

// TestKeychainHelper is the subprocess side; it prints "RESULT ok" when all
// its checks passed.
func TestKeychainHelper(t *testing.T) {
	if !testlab.InSubprocess(t) {
		t.Skip("run as a subprocess by the TestOSKeychain* tests")
	}
	s, err := New("pitchline-test")
	if err != nil {
		t.Fatal(err)
	}
	switch mode := os.Getenv("SECRET_HELPER_MODE"); mode {
	case "roundtrip":
		if _, err := s.Get("sip:alice@127.0.0.1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get before Set: %v, want ErrNotFound", err)
		}
		if err := s.Set("sip:alice@127.0.0.1", "first"); err != nil {
			t.Fatalf("Set: %v", err)
		}
		if err := s.Set("sip:alice@127.0.0.1", helperSecret); err != nil {
			t.Fatalf("Set (replace): %v", err)
		}
		if err := s.Set("sip:bob@127.0.0.1", "bobs"); err != nil {
			t.Fatalf("Set bob: %v", err)
		}
		if v, err := s.Get("sip:alice@127.0.0.1"); err != nil || v != helperSecret {
			t.Fatalf("Get: %q %v", v, err)
		}
		if err := s.Delete("sip:alice@127.0.0.1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if _, err := s.Get("sip:alice@127.0.0.1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
		}
		if err := s.Delete("sip:alice@127.0.0.1"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Delete twice: %v, want ErrNotFound", err)
		}
		if v, err := s.Get("sip:bob@127.0.0.1"); err != nil || v != "bobs" {
			t.Fatalf("Get bob: %q %v", v, err)
		}
	case "noservice", "nobus":
		if mode == "nobus" {
			if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
				t.Skip("this machine has a systemd user bus; without DBUS_SESSION_BUS_ADDRESS godbus uses it")
			}
		}
		errs := []error{s.Set("sip:alice@127.0.0.1", helperSecret), s.Delete("sip:alice@127.0.0.1")}
		_, err := s.Get("sip:alice@127.0.0.1")
		errs = append(errs, err)
		for i, err := range errs {
			if !errors.Is(err, ErrNoKeychain) {
				t.Fatalf("op %d: %v, want ErrNoKeychain", i, err)
			}
			msg := err.Error()
			if strings.Contains(msg, helperSecret) || !strings.Contains(msg, "--password-env VAR") {
				t.Fatalf("op %d: message %q", i, msg)
			}
			want := "org.freedesktop.DBus.Error.ServiceUnknown"
			if mode == "nobus" {
				want = "DBUS_SESSION_BUS_ADDRESS is not set"
			}
			if !strings.Contains(msg, want) {
				t.Fatalf("op %d: message %q does not say %q", i, msg, want)
			}
		}
		t.Logf("error: %v", errs[0])
	case "locked":
		_, gerr := s.Get("sip:alice@127.0.0.1")
		for i, err := range []error{s.Set("sip:alice@127.0.0.1", helperSecret), gerr} {
			if !errors.Is(err, ErrKeychainLocked) {
				t.Fatalf("op %d: %v, want ErrKeychainLocked", i, err)
			}
			if msg := err.Error(); strings.Contains(msg, helperSecret) || !strings.Contains(msg, "--password-env VAR") {
				t.Fatalf("op %d: message %q", i, msg)
			}
		}
		t.Logf("error: %v", gerr)
	default:
		t.Fatalf("SECRET_HELPER_MODE %q", mode)
	}
	fmt.Println("RESULT ok")
}

func runHelper(t *testing.T, mode string, env []string, unset ...string) string {
	t.Helper()
	out, err := testlab.RunSelf(t, "TestKeychainHelper", append(env, "SECRET_HELPER_MODE="+mode), unset...)
	if strings.Contains(out, "--- SKIP: TestKeychainHelper") {
		t.Skipf("helper skipped:\n%s", out)
	}
	if err != nil || !strings.Contains(out, "RESULT ok") {
		t.Fatalf("helper %s: %v\n%s", mode, err, out)
	}
	return out
}

func TestOSKeychainRoundTrip(t *testing.T) {
	k := testlab.StartKeyring(t)
	runHelper(t, "roundtrip", k.Env())
	// The secrets landed in this private keyring.
	if _, err := os.Stat(filepath.Join(k.KeyringDir(), "login.keyring")); err != nil {
		t.Fatal(err)
	}
}

func TestOSKeychainLocked(t *testing.T) {
	k := testlab.StartKeyring(t, testlab.WithLockedKeyring())
	out := runHelper(t, "locked", k.Env())
	t.Log(grepLine(out, "error:"))
}

func TestOSKeychainNoSecretService(t *testing.T) {
	out := runHelper(t, "noservice", testlab.NoSecretServiceEnv(t))
	t.Log(grepLine(out, "error:"))
}

func TestOSKeychainNoBusDoesNotAutolaunch(t *testing.T) {
	// A harness bus makes sure the process scan below can see a dbus-daemon.
	testlab.NoSecretServiceEnv(t)
	before := busProcesses(t)
	if len(before) == 0 {
		t.Fatal("process scan found no dbus-daemon although the harness started one")
	}
	out := runHelper(t, "nobus", nil, "DBUS_SESSION_BUS_ADDRESS", "DBUS_SESSION_BUS_PID", "DBUS_SESSION_BUS_WINDOWID")
	t.Log(grepLine(out, "error:"))
	for pid, cmd := range busProcesses(t) {
		if _, ok := before[pid]; ok {
			continue
		}
		// Other tests' harness buses run with --config-file; godbus's
		// autolaunch goes through dbus-launch and a plain --session bus.
		if strings.Contains(cmd, "dbus-launch") || !strings.Contains(cmd, "--config-file=") {
			t.Errorf("a D-Bus process appeared during the test: pid %d: %s", pid, cmd)
		}
	}
}

// busProcesses returns pid -> command line of every dbus-daemon and
// dbus-launch process on the machine.
func busProcesses(t *testing.T) map[int]string {
	t.Helper()
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil {
			continue // exited meanwhile
		}
		name := strings.TrimSpace(string(comm))
		if name != "dbus-daemon" && name != "dbus-launch" {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		var pid int
		fmt.Sscanf(filepath.Base(d), "%d", &pid)
		out[pid] = name + " " + strings.ReplaceAll(string(cmdline), "\x00", " ")
	}
	return out
}

func grepLine(out, substr string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, substr) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

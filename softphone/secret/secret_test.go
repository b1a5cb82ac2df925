package secret

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	dbus "github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
)

// faultBackend fails every call with err: it injects the errors go-keyring
// and D-Bus return, to test the Store's own logic (error mapping,
// redaction, validation). It stores nothing; the real keychain (a
// gnome-keyring on a private D-Bus) is tested in keychain_test.go.
type faultBackend struct{ err error }

func (b *faultBackend) Get(service, account string) (string, error) { return "", b.err }
func (b *faultBackend) Set(service, account, secret string) error   { return b.err }
func (b *faultBackend) Delete(service, account string) error        { return b.err }

func TestClassify(t *testing.T) {
	serviceUnknown := dbus.Error{
		Name: "org.freedesktop.DBus.Error.ServiceUnknown",
		Body: []any{"The name org.freedesktop.secrets was not provided by any .service files"},
	}
	cases := []struct {
		name string
		err  error
		want error
		hint bool // message must suggest --password-env
	}{
		{"notfound", keyring.ErrNotFound, ErrNotFound, false},
		{"toobig", keyring.ErrSetDataTooBig, ErrTooLarge, false},
		{"serviceunknown", serviceUnknown, ErrNoKeychain, true},
		{"serviceunknown-ptr", &serviceUnknown, ErrNoKeychain, true},
		{"serviceunknown-wrapped", fmt.Errorf("call: %w", serviceUnknown), ErrNoKeychain, true},
		{"noreply", dbus.Error{Name: "org.freedesktop.DBus.Error.NoReply"}, ErrNoKeychain, true},
		{"islocked", dbus.Error{Name: "org.freedesktop.Secret.Error.IsLocked"}, ErrKeychainLocked, true},
		{"accessdenied", dbus.Error{Name: "org.freedesktop.DBus.Error.AccessDenied"}, ErrKeychain, false},
		{"unlock", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrKeychainLocked, true},
		{"dial", &net.OpError{Op: "dial", Net: "unix", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ENOENT}}, ErrNoKeychain, true},
		{"refused", fmt.Errorf("x: %w", syscall.ECONNREFUSED), ErrNoKeychain, true},
		{"badaddr", errors.New("dbus: invalid bus address (invalid or unsupported transport)"), ErrNoKeychain, true},
		{"other", errors.New("something odd"), ErrKeychain, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := New("pitchline-test", WithBackend(&faultBackend{err: c.err}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = s.Get("sip:alice@pbx")
			if !errors.Is(err, c.want) {
				t.Fatalf("Get: %v, want %v", err, c.want)
			}
			var e *Error
			if !errors.As(err, &e) || e.Op != "get" || e.Account != "sip:alice@pbx" || e.Service != "pitchline-test" {
				t.Fatalf("error %#v", err)
			}
			msg := err.Error()
			if c.hint != strings.Contains(msg, "--password-env VAR") {
				t.Errorf("hint %v, message %q", c.hint, msg)
			}
			if !strings.Contains(msg, "sip:alice@pbx") {
				t.Errorf("message does not name the account: %q", msg)
			}
		})
	}
}

func TestErrorsNeverContainSecret(t *testing.T) {
	const pw = "hunter2-very-secret"
	b := &faultBackend{err: fmt.Errorf("dbus: write failed for %s", pw)} // a hostile backend
	s, _ := New("pitchline-test", WithBackend(b))
	err := s.Set("alice", pw)
	if err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("Set error leaks the secret: %v", err)
	}
	if !errors.Is(err, ErrNoKeychain) {
		t.Fatalf("Set: %v", err)
	}
}

func TestValidation(t *testing.T) {
	if _, err := New(" "); !errors.Is(err, ErrInvalid) {
		t.Fatalf("New(blank): %v", err)
	}
	if _, err := New("x", WithBackend(nil)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("New(nil backend): %v", err)
	}
	// Validation comes first: a backend call would give ErrKeychain.
	s, _ := New("x", WithBackend(&faultBackend{err: errors.New("backend called")}))
	if _, err := s.Get(""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Get(\"\"): %v", err)
	}
	if err := s.Set("a", ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Set empty secret: %v", err)
	}
	if err := s.Delete(""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Delete(\"\"): %v", err)
	}
}

func TestPreflight(t *testing.T) {
	rt := t.TempDir()
	env := map[string]string{}
	k := osKeychain{getenv: func(n string) string { return env[n] }, runtimeDir: rt}

	for _, addr := range []string{"", "autolaunch:"} {
		env["DBUS_SESSION_BUS_ADDRESS"] = addr
		err := k.preflight()
		if !errors.Is(err, ErrNoKeychain) || !strings.Contains(err.Error(), "DBUS_SESSION_BUS_ADDRESS is not set") ||
			!strings.Contains(err.Error(), "--password-env VAR") {
			t.Fatalf("address %q: %v", addr, err)
		}
	}
	env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent"
	if err := k.preflight(); err != nil {
		t.Fatalf("with an address: %v (the dial error is go-keyring's to report)", err)
	}
	env["DBUS_SESSION_BUS_ADDRESS"] = ""
	// A dbus-session file without the expected prefix does not count
	// (godbus would autolaunch).
	if err := os.WriteFile(filepath.Join(rt, "dbus-session"), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := k.preflight(); !errors.Is(err, ErrNoKeychain) {
		t.Fatalf("bad dbus-session file: %v", err)
	}
	if err := os.WriteFile(filepath.Join(rt, "dbus-session"), []byte("DBUS_SESSION_BUS_ADDRESS=unix:path=/x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := k.preflight(); err != nil {
		t.Fatalf("dbus-session file: %v", err)
	}
	os.Remove(filepath.Join(rt, "dbus-session"))
	if err := os.WriteFile(filepath.Join(rt, "bus"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := k.preflight(); err != nil {
		t.Fatalf("user bus present: %v", err)
	}
}

// TestStorePreflightBeforeBackend checks that the Store consults preflight
// before it calls the backend at all.
func TestStorePreflightBeforeBackend(t *testing.T) {
	b := &countingKeychain{osKeychain: osKeychain{getenv: func(string) string { return "" }, runtimeDir: t.TempDir()}}
	s, _ := New("x", WithBackend(b))
	if err := s.Set("a", "pw"); !errors.Is(err, ErrNoKeychain) {
		t.Fatalf("Set: %v", err)
	}
	if b.calls != 0 {
		t.Fatalf("backend called %d times despite failed preflight", b.calls)
	}
}

type countingKeychain struct {
	osKeychain
	calls int
}

func (c *countingKeychain) Set(service, account, secret string) error {
	c.calls++
	return nil
}

func TestFromEnv(t *testing.T) {
	t.Setenv("PITCHLINE_TEST_PW", "pa ss\n")
	if v, err := FromEnv("PITCHLINE_TEST_PW"); err != nil || v != "pa ss\n" {
		t.Fatalf("FromEnv: %q %v", v, err)
	}
	t.Setenv("PITCHLINE_TEST_EMPTY", "")
	for _, name := range []string{"PITCHLINE_TEST_EMPTY", "PITCHLINE_TEST_UNSET_XYZ"} {
		_, err := FromEnv(name)
		if !errors.Is(err, ErrEmptyEnv) || !strings.Contains(err.Error(), name) {
			t.Fatalf("FromEnv(%s): %v", name, err)
		}
	}
	for _, bad := range []string{"", "A=B"} {
		if _, err := FromEnv(bad); !errors.Is(err, ErrInvalid) {
			t.Fatalf("FromEnv(%q): %v", bad, err)
		}
	}
}

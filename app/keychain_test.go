package app

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/pitchline/pitchline/internal/testlab"
)

// The app's tests use the real OS keychain: go-keyring over D-Bus to a
// gnome-keyring Secret Service on a private session bus that TestMain
// starts (internal/testlab), never the host's. godbus keeps one session
// bus connection per process, so the whole test binary shares this
// keyring; each test starts with no Pitchline secrets in it (newKeychain).

func TestMain(m *testing.M) {
	os.Exit(runWithKeyring(m))
}

func runWithKeyring(m *testing.M) int {
	if fuzzWorker() {
		// A fuzz worker only runs the fuzz targets' functions, which never
		// touch the keychain: no keyring daemons per worker process.
		return m.Run()
	}
	root, err := os.MkdirTemp("", "pitchline-app-keyring")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(root)
	k, err := testlab.StartKeyringIn(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "app tests need the OS keychain on a private bus:", err)
		return 1
	}
	defer k.Stop()
	if err := os.Setenv("DBUS_SESSION_BUS_ADDRESS", k.BusAddress()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// fuzzWorker reports whether this process is a worker the Go fuzzer
// started (it passes -test.fuzzworker).
func fuzzWorker() bool {
	for _, a := range os.Args[1:] {
		if strings.HasPrefix(a, "-test.fuzzworker") {
			return true
		}
	}
	return false
}

// testKeychain reads the OS keychain the app under test writes to.
type testKeychain struct{ t *testing.T }

// keychainServices are the keychain services the app writes.
var keychainServices = []string{KeychainService, CRMKeychainService}

// newKeychain empties the Pitchline entries of the test keyring, now and
// when t ends, and returns a reader of it.
func newKeychain(t *testing.T) *testKeychain {
	t.Helper()
	wipe := func() {
		for _, s := range keychainServices {
			if err := keyring.DeleteAll(s); err != nil && !errors.Is(err, keyring.ErrNotFound) {
				t.Errorf("emptying the test keychain (%s): %v", s, err)
			}
		}
	}
	wipe()
	t.Cleanup(wipe)
	return &testKeychain{t: t}
}

// Get returns the secret stored for account in service.
func (k *testKeychain) Get(service, account string) (string, error) {
	return keyring.Get(service, account)
}

// has returns the secret stored for account in service, and whether there
// is one.
func (k *testKeychain) has(service, account string) (string, bool) {
	k.t.Helper()
	v, err := keyring.Get(service, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", false
	}
	if err != nil {
		k.t.Fatalf("reading the test keychain: %v", err)
	}
	return v, true
}

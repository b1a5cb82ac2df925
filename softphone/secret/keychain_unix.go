//go:build linux || freebsd || openbsd || netbsd || dragonfly

package secret

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/zalando/go-keyring"
)

// osKeychain is the Secret Service over the D-Bus session bus, via
// go-keyring, with a side-effect-free check for the bus first.
type osKeychain struct {
	getenv     func(string) string
	runtimeDir string // where godbus looks for a systemd user bus
}

func newOSKeychain() Backend {
	return osKeychain{getenv: os.Getenv, runtimeDir: fmt.Sprintf("/run/user/%d", os.Getuid())}
}

// Get implements Backend.
func (osKeychain) Get(service, account string) (string, error) { return keyring.Get(service, account) }

// Set implements Backend.
func (osKeychain) Set(service, account, secret string) error {
	return keyring.Set(service, account, secret)
}

// Delete implements Backend.
func (osKeychain) Delete(service, account string) error { return keyring.Delete(service, account) }

// preflight fails when godbus would find no session bus address. godbus
// (used by go-keyring) takes DBUS_SESSION_BUS_ADDRESS, else the systemd
// user bus /run/user/UID/bus or the address in /run/user/UID/dbus-session,
// and otherwise runs `dbus-launch --autolaunch`, which starts a stray
// dbus-daemon (and, through activation, gnome-keyring-daemon) that
// outlives the program. That must never happen, so in that last case this
// returns ErrNoKeychain without calling go-keyring.
func (k osKeychain) preflight() error {
	if addr := k.getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return nil
	}
	if st, err := os.Stat(filepath.Join(k.runtimeDir, "bus")); err == nil && !st.IsDir() {
		return nil
	}
	if b, err := os.ReadFile(filepath.Join(k.runtimeDir, "dbus-session")); err == nil &&
		strings.HasPrefix(string(b), "DBUS_SESSION_BUS_ADDRESS=") {
		return nil
	}
	return &Error{Kind: ErrNoKeychain, Detail: "DBUS_SESSION_BUS_ADDRESS is not set and there is no user bus at " +
		filepath.Join(k.runtimeDir, "bus") + ", so the Secret Service (gnome-keyring, KWallet) cannot be reached; " +
		"run inside a desktop session (or dbus-run-session), " + PasswordEnvHint}
}

// Package secret keeps Pitchline's credentials (SIP passwords, later CRM
// tokens) in the operating system's keychain: the Secret Service
// (gnome-keyring, KWallet) over the D-Bus session bus on Linux, the
// Keychain on macOS and the Credential Manager on Windows, through
// github.com/zalando/go-keyring.
//
// A Store is bound to one service name (e.g. "pitchline"); secrets are
// addressed by account (e.g. "sip:alice@pbx.example.com").
//
// Problems are detected before anything is touched: on Linux a missing
// DBUS_SESSION_BUS_ADDRESS (and no systemd user bus) yields ErrNoKeychain
// at once, because the D-Bus library would otherwise "autolaunch" a stray
// dbus-daemon that outlives the program. Keychain failures are reported as
// ErrNoKeychain, ErrKeychainLocked, ErrNotFound or ErrKeychain, with a
// message that names the problem and suggests --password-env VAR (see
// FromEnv) as the way around it. Errors never contain the secret.
//
// go-keyring connects to the session bus once per process and keeps that
// connection, so the D-Bus environment is effectively read at the first
// keychain call; tests that need another bus run in a subprocess.
package secret

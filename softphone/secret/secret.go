package secret

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"

	// godbus is go-keyring's D-Bus library on Linux; it is imported only to
	// recognise its error type (dbus.Error names) when classifying failures.
	dbus "github.com/godbus/dbus/v5"
	// go-keyring is the cross-platform OS keychain client (Secret Service,
	// macOS Keychain, Windows Credential Manager) that the Store wraps.
	"github.com/zalando/go-keyring"
)

// PasswordEnvHint is appended to errors that mean "the keychain cannot be
// used": it names the keychain-less alternative (see FromEnv).
const PasswordEnvHint = "or pass the password in an environment variable with --password-env VAR"

// Backend is the keychain a Store talks to. The default is the OS keychain
// via go-keyring; WithBackend replaces it (this package's tests inject
// keychain errors with it; tests elsewhere use the real keychain on a
// private D-Bus, internal/testlab). Backends return go-keyring's
// keyring.ErrNotFound for a missing secret.
type Backend interface {
	// Get returns the secret of account in service.
	Get(service, account string) (string, error)
	// Set stores or replaces the secret of account in service.
	Set(service, account, secret string) error
	// Delete removes the secret of account in service.
	Delete(service, account string) error
}

// preflighter is implemented by backends that can tell, without side
// effects, that they cannot work at all.
type preflighter interface {
	preflight() error
}

// Option configures New.
type Option func(*Store)

// WithBackend makes the Store use b instead of the OS keychain. The
// session-bus pre-check of the OS keychain is then skipped.
func WithBackend(b Backend) Option {
	return func(s *Store) { s.backend = b }
}

// WithLogger sets the logger (default slog.Default()). Secrets are never
// logged.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.log = l }
}

// Store reads and writes the secrets of one service in the OS keychain.
// It is safe for concurrent use.
type Store struct {
	service string
	backend Backend
	log     *slog.Logger
}

// New returns a Store for service (e.g. "pitchline"). It does not touch
// the keychain; problems surface on the first Get, Set or Delete.
func New(service string, opts ...Option) (*Store, error) {
	if strings.TrimSpace(service) == "" {
		return nil, fmt.Errorf("secret: %w: empty service name", ErrInvalid)
	}
	s := &Store{service: service, backend: newOSKeychain(), log: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	if s.backend == nil {
		return nil, fmt.Errorf("secret: %w: nil backend", ErrInvalid)
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("component", "secret", "service", service)
	return s, nil
}

// Service returns the service name the Store was created for.
func (s *Store) Service() string { return s.service }

// Get returns the secret stored for account. A missing secret yields an
// error wrapping ErrNotFound.
func (s *Store) Get(account string) (string, error) {
	var v string
	err := s.do("get", account, "", func() (err error) {
		v, err = s.backend.Get(s.service, account)
		return err
	})
	return v, err
}

// Set stores secret for account, replacing any previous one.
func (s *Store) Set(account, secret string) error {
	if secret == "" {
		return &Error{Op: "set", Service: s.service, Account: account, Kind: ErrInvalid, Detail: "empty secret"}
	}
	return s.do("set", account, secret, func() error {
		return s.backend.Set(s.service, account, secret)
	})
}

// Delete removes the secret of account. A missing secret yields an error
// wrapping ErrNotFound.
func (s *Store) Delete(account string) error {
	return s.do("delete", account, "", func() error {
		return s.backend.Delete(s.service, account)
	})
}

func (s *Store) do(op, account, secret string, fn func() error) error {
	if strings.TrimSpace(account) == "" {
		return &Error{Op: op, Service: s.service, Account: account, Kind: ErrInvalid, Detail: "empty account"}
	}
	if p, ok := s.backend.(preflighter); ok {
		if err := p.preflight(); err != nil {
			e := classify(err)
			e.Op, e.Service, e.Account = op, s.service, account
			s.log.Debug("keychain unavailable", "op", op, "account", account, "err", e)
			return e
		}
	}
	err := fn()
	if err == nil {
		s.log.Debug("keychain ok", "op", op, "account", account)
		return nil
	}
	e := classify(err)
	e.Op, e.Service, e.Account = op, s.service, account
	e.Detail = redact(e.Detail, secret)
	s.log.Debug("keychain failed", "op", op, "account", account, "err", e)
	return e
}

// redact removes secret from msg (defence in depth: no keychain error seen
// so far quotes the secret, but an error must never carry it).
func redact(msg, secret string) string {
	if secret == "" || !strings.Contains(msg, secret) {
		return msg
	}
	return strings.ReplaceAll(msg, secret, "[redacted]")
}

// D-Bus error names that mean the Secret Service is not there or not
// answering (https://dbus.freedesktop.org/doc/dbus-specification.html and
// https://specifications.freedesktop.org/secret-service-spec/latest/).
var noKeychainDBusErrors = map[string]bool{
	"org.freedesktop.DBus.Error.ServiceUnknown": true,
	"org.freedesktop.DBus.Error.NameHasNoOwner": true,
	"org.freedesktop.DBus.Error.NoReply":        true,
	"org.freedesktop.DBus.Error.Timeout":        true,
	"org.freedesktop.DBus.Error.TimedOut":       true,
	"org.freedesktop.DBus.Error.Spawn.Failed":   true,
	"org.freedesktop.DBus.Error.Disconnected":   true,
}

// classify maps a go-keyring / godbus error to an *Error with a sentinel
// Kind and an explanation. Errors that already carry a sentinel of this
// package (from preflight) keep it.
func classify(err error) *Error {
	var own *Error
	if errors.As(err, &own) {
		c := *own
		return &c
	}
	var dErr dbus.Error
	var pErr *dbus.Error
	if errors.As(err, &pErr) && pErr != nil {
		dErr = *pErr
	}
	hasDBusErr := dErr.Name != "" || errors.As(err, &dErr)
	var opErr *net.OpError
	msg := err.Error()
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{Kind: ErrNotFound, Detail: "no secret is stored for this account"}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{Kind: ErrTooLarge, Detail: "the keychain refused a secret of this size"}
	case hasDBusErr && dErr.Name == "org.freedesktop.Secret.Error.IsLocked":
		return &Error{Kind: ErrKeychainLocked, Detail: lockedDetail(msg)}
	case hasDBusErr && noKeychainDBusErrors[dErr.Name]:
		return &Error{Kind: ErrNoKeychain, Detail: "no Secret Service (org.freedesktop.secrets) answers on the D-Bus session bus (" +
			dErr.Name + "); install and start gnome-keyring or KWallet, " + PasswordEnvHint}
	case hasDBusErr:
		return &Error{Kind: ErrKeychain, Detail: msg}
	case strings.Contains(msg, "failed to unlock"):
		return &Error{Kind: ErrKeychainLocked, Detail: lockedDetail(msg)}
	case errors.As(err, &opErr), errors.Is(err, syscall.ENOENT), errors.Is(err, syscall.ECONNREFUSED),
		strings.HasPrefix(msg, "dbus: "):
		return &Error{Kind: ErrNoKeychain, Detail: "cannot connect to the D-Bus session bus (" + msg +
			"); check DBUS_SESSION_BUS_ADDRESS, " + PasswordEnvHint}
	default:
		return &Error{Kind: ErrKeychain, Detail: msg}
	}
}

func lockedDetail(msg string) string {
	return "the keychain is locked and could not be unlocked (" + msg +
		"); no unlock prompt can be shown in this session: unlock it (e.g. by logging in to the desktop), " + PasswordEnvHint
}

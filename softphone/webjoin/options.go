package webjoin

import (
	"fmt"
	"log/slog"
	"time"
	"unicode"
)

// DefaultTTL is how long a join link stays valid when CreateLink is given 0.
const DefaultTTL = 10 * time.Minute

// MaxOfferSize caps the SDP offer a browser may POST.
const MaxOfferSize = 64 << 10

// maxLinks caps unexpired links (and joined sessions) held at once.
const maxLinks = 1024

type options struct {
	log      *slog.Logger
	now      func() time.Time
	lan      bool
	certFile string
	keyFile  string
}

// Option configures a Server.
type Option func(*options) error

// WithLogger sets the server's logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger: %w", ErrInvalidConfig)
		}
		o.log = l
		return nil
	}
}

// WithClock injects the clock links expire by.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return fmt.Errorf("nil clock: %w", ErrInvalidConfig)
		}
		o.now = now
		return nil
	}
}

// WithLAN allows serving a non-loopback address (the user's explicit
// setting). It also needs WithTLS.
func WithLAN() Option {
	return func(o *options) error { o.lan = true; return nil }
}

// WithTLS serves HTTPS with the user's certificate and key (PEM files).
// Browsers only grant the microphone to secure pages, so a LAN address
// cannot work without it.
func WithTLS(certFile, keyFile string) Option {
	return func(o *options) error {
		if certFile == "" || keyFile == "" {
			return fmt.Errorf("TLS needs both a certificate and a key file: %w", ErrInvalidConfig)
		}
		o.certFile, o.keyFile = certFile, keyFile
		return nil
	}
}

// LinkOption configures one join link (CreateLink).
type LinkOption func(*Link) error

// MaxNameLen bounds a link's participant name (WithName).
const MaxNameLen = 64

// WithName names the participant who joins through the link (the
// Handler shows it to the rep, e.g. "Dana (laptop)"). It must be printable
// text of at most MaxNameLen bytes.
func WithName(name string) LinkOption {
	return func(l *Link) error {
		if len(name) > MaxNameLen {
			return fmt.Errorf("link name of %d bytes (at most %d): %w", len(name), MaxNameLen, ErrInvalidConfig)
		}
		for _, r := range name {
			if !unicode.IsPrint(r) {
				return fmt.Errorf("link name %q has a control character: %w", name, ErrInvalidConfig)
			}
		}
		l.Name = name
		return nil
	}
}

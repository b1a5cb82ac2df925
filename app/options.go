package app

import (
	"fmt"
	"log/slog"
	"time"
)

// Default window geometry of the desktop window.
const (
	// DefaultTitle is the window title.
	DefaultTitle = "Pitchline"
	// DefaultWidth is the initial window width in pixels.
	DefaultWidth = 1024
	// DefaultHeight is the initial window height in pixels.
	DefaultHeight = 720
)

// config collects everything an Option can set.
type config struct {
	title      string
	width      int
	height     int
	version    string
	launchURL  string
	logger     *slog.Logger
	now        func() time.Time
	errorCodes map[error]string
}

// Option configures an App created by New.
type Option func(*config) error

// WithVersion sets the version string served by SystemService.Version.
func WithVersion(v string) Option {
	return func(c *config) error {
		if v == "" {
			return fmt.Errorf("%w: empty version", ErrInvalidOption)
		}
		c.version = v
		return nil
	}
}

// WithLogger sets the structured logger; the default is slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalidOption)
		}
		c.logger = l
		return nil
	}
}

// WithWindowSize sets the initial window size in pixels.
func WithWindowSize(width, height int) Option {
	return func(c *config) error {
		if width <= 0 || height <= 0 {
			return fmt.Errorf("%w: window size %dx%d", ErrInvalidOption, width, height)
		}
		c.width, c.height = width, height
		return nil
	}
}

// WithTitle sets the window title.
func WithTitle(title string) Option {
	return func(c *config) error {
		if title == "" {
			return fmt.Errorf("%w: empty title", ErrInvalidOption)
		}
		c.title = title
		return nil
	}
}

// WithLaunchURL records the URL (tel:, sip:, callto:) the process was started
// with, e.g. by the desktop's URL-scheme handler.
func WithLaunchURL(u string) Option {
	return func(c *config) error {
		c.launchURL = u
		return nil
	}
}

// WithClock injects the clock used for startup timing; the default is
// time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrInvalidOption)
		}
		c.now = now
		return nil
	}
}

// WithErrorCode registers a frontend error code for a sentinel error of the
// calling core, so that ErrorFormatter reports it instead of CodeInternal.
func WithErrorCode(sentinel error, code string) Option {
	return func(c *config) error {
		if sentinel == nil || code == "" {
			return fmt.Errorf("%w: error code needs a sentinel and a code", ErrInvalidOption)
		}
		if c.errorCodes == nil {
			c.errorCodes = make(map[error]string)
		}
		c.errorCodes[sentinel] = code
		return nil
	}
}

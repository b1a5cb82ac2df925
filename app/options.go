package app

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone/demo"
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
	dataDir    string
	audioDev   string        // "null", "default" or a device id; "" = default
	backend    audio.Backend // injected backend (tests); wins over audioDev
	demo       bool
	demoOpts   []demo.Option
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

// WithDataDir sets the data directory: the store (pitchline.db) lives
// there, and the single-instance socket is scoped by it. The default is the
// directory of store.DefaultPath.
func WithDataDir(dir string) Option {
	return func(c *config) error {
		if dir == "" {
			return fmt.Errorf("%w: empty data directory", ErrInvalidOption)
		}
		c.dataDir = dir
		return nil
	}
}

// WithAudioDevice selects the audio backend: "null" (real-time, no sound
// server), "default" or "" (PortAudio, default devices), or a PortAudio
// device id used for microphone, speaker and ringer.
func WithAudioDevice(dev string) Option {
	return func(c *config) error { c.audioDev = dev; return nil }
}

// WithAudioBackend injects an audio backend (tests); it wins over
// WithAudioDevice.
func WithAudioBackend(b audio.Backend) Option {
	return func(c *config) error {
		if b == nil {
			return fmt.Errorf("%w: nil audio backend", ErrInvalidOption)
		}
		c.backend = b
		return nil
	}
}

// WithDemo forces the built-in demo line even when accounts are configured.
func WithDemo() Option {
	return func(c *config) error { c.demo = true; return nil }
}

// WithDemoOptions passes options to the demo line (tests: a shorter
// callback delay).
func WithDemoOptions(opts ...demo.Option) Option {
	return func(c *config) error { c.demoOpts = append(c.demoOpts, opts...); return nil }
}

// WindowFlags parses the desktop window's command line,
// `pitchline [--data-dir DIR] [--audio null|default|DEVICE] [--demo] [URL]`,
// into options for New (the same flags as `pitchline serve`, without
// --listen). URL is a click-to-call URL (tel:, sip:, callto:) handed over by
// the desktop. It returns flag.ErrHelp for -h, and an error wrapping
// ErrInvalidOption for anything else it cannot use; usage goes to stderr.
func WindowFlags(args []string, stderr io.Writer) ([]Option, error) {
	var dataDir, audioDev string
	var demoLine bool
	fs := flag.NewFlagSet("pitchline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&dataDir, "data-dir", "", "data directory (store, instance socket); default the user's data directory")
	fs.StringVar(&audioDev, "audio", "default", "audio backend: null, default, or a device id")
	fs.BoolVar(&demoLine, "demo", false, "use the built-in demo line even when accounts are configured")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pitchline [--data-dir DIR] [--audio null|default|DEVICE] [--demo] [tel:URL]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidOption, err)
	}
	var opts []Option
	switch rest := fs.Args(); len(rest) {
	case 0:
	case 1:
		opts = append(opts, WithLaunchURL(rest[0]))
	default:
		return nil, fmt.Errorf("%w: unexpected arguments %q", ErrInvalidOption, rest[1:])
	}
	if dataDir != "" {
		opts = append(opts, WithDataDir(dataDir))
	}
	if demoLine {
		opts = append(opts, WithDemo())
	}
	return append(opts, WithAudioDevice(audioDev)), nil
}

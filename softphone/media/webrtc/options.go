package webrtc

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"

	"github.com/pitchline/pitchline/softphone/media"
)

// MaxOfferSize bounds the offer NewPeer accepts (a browser's audio-only
// offer is a few kilobytes).
const MaxOfferSize = 64 << 10

type options struct {
	log        *slog.Logger
	clock      media.Clock
	external   bool
	ips        []netip.Addr
	portMin    uint16
	portMax    uint16
	jitterMin  time.Duration
	jitterMax  time.Duration
	gatherWait time.Duration
	onState    func(State)
}

func defaultOptions() options {
	return options{
		log: slog.New(slog.DiscardHandler), clock: media.RealClock(),
		ips:       []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		jitterMin: 40 * time.Millisecond, jitterMax: 300 * time.Millisecond,
		gatherWait: 10 * time.Second,
	}
}

// Option configures a Peer.
type Option func(*options) error

// WithLogger sets the Peer's logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger: %w", ErrInvalidConfig)
		}
		o.log = l
		return nil
	}
}

// WithClock injects the clock pacing the Peer's own 20 ms ticker and the
// jitter buffer's arrival times.
func WithClock(c media.Clock) Option {
	return func(o *options) error {
		if c == nil {
			return fmt.Errorf("nil clock: %w", ErrInvalidConfig)
		}
		o.clock = c
		return nil
	}
}

// WithExternalClock makes the owner drive the Peer: it starts no ticker and
// the owner calls Tick once per audio.FrameDuration, as with
// media.WithExternalClock.
func WithExternalClock() Option {
	return func(o *options) error { o.external = true; return nil }
}

// WithICEAddresses sets the local addresses ICE gathers host candidates on
// (default: 127.0.0.1 only). An address no interface has yields no
// candidate; NewPeer fails when none is gathered.
func WithICEAddresses(ips ...netip.Addr) Option {
	return func(o *options) error {
		if len(ips) == 0 {
			return fmt.Errorf("no ICE address: %w", ErrInvalidConfig)
		}
		out := make([]netip.Addr, 0, len(ips))
		for _, ip := range ips {
			if !ip.IsValid() || ip.IsUnspecified() || ip.IsMulticast() {
				return fmt.Errorf("ICE address %v: %w", ip, ErrInvalidConfig)
			}
			out = append(out, ip.Unmap())
		}
		o.ips = out
		return nil
	}
}

// WithPortRange limits the UDP ports ICE binds (0, 0: any).
func WithPortRange(lo, hi uint16) Option {
	return func(o *options) error {
		if (lo == 0) != (hi == 0) || lo > hi {
			return fmt.Errorf("port range %d-%d: %w", lo, hi, ErrInvalidConfig)
		}
		o.portMin, o.portMax = lo, hi
		return nil
	}
}

// WithJitterDelay sets the jitter buffer's delay bounds (default 40 ms ..
// 300 ms).
func WithJitterDelay(minDelay, maxDelay time.Duration) Option {
	return func(o *options) error {
		if minDelay <= 0 || maxDelay < minDelay || maxDelay > time.Second {
			return fmt.Errorf("jitter delay %v..%v: %w", minDelay, maxDelay, ErrInvalidConfig)
		}
		o.jitterMin, o.jitterMax = minDelay, maxDelay
		return nil
	}
}

// WithGatherTimeout bounds how long NewPeer waits for ICE gathering
// (default 10 s; loopback gathering takes milliseconds).
func WithGatherTimeout(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("gather timeout %v: %w", d, ErrInvalidConfig)
		}
		o.gatherWait = d
		return nil
	}
}

// WithOnState sets a callback run on every state change. It runs on a
// pion goroutine or inside Close, so it must not block and must not call
// Close: the owner watches Done (or hands the state to its own queue).
func WithOnState(fn func(State)) Option {
	return func(o *options) error { o.onState = fn; return nil }
}

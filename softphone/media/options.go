package media

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// Config is the static configuration of a Session.
type Config struct {
	// LocalIP is the address to bind and to advertise in SDP.
	LocalIP netip.Addr
	// PortMin and PortMax bound the RTP port (even; RTCP uses RTP+1).
	// 0, 0 picks any free pair.
	PortMin, PortMax int
	// Codecs lists codec names in preference order; empty means PCMU, PCMA.
	Codecs []string
	// DTMFPayloadType is the payload type offered for telephone-event/8000
	// (default 101; 0 means default).
	DTMFPayloadType uint8
}

// Clock drives the media tick and timestamps; inject a fake one in tests.
type Clock interface {
	Now() time.Time
	NewTicker(d time.Duration) Ticker
}

// Ticker is the part of time.Ticker a Session uses.
type Ticker interface {
	C() <-chan time.Time
	Stop()
}

type realClock struct{}
type realTicker struct{ t *time.Ticker }

func (realClock) Now() time.Time                   { return time.Now() }
func (realClock) NewTicker(d time.Duration) Ticker { return realTicker{time.NewTicker(d)} }
func (r realTicker) C() <-chan time.Time           { return r.t.C }
func (r realTicker) Stop()                         { r.t.Stop() }

// RealClock returns the wall clock.
func RealClock() Clock { return realClock{} }

type options struct {
	log          *slog.Logger
	clock        Clock
	external     bool // Tick is called by the owner (WithExternalClock)
	onDTMF       func(rune)
	onRemoteDir  func(Direction)
	rtcpInterval time.Duration
	jitterMin    time.Duration
	jitterMax    time.Duration
}

// Option configures a Session.
type Option func(*options) error

// WithLogger sets the session's logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return fmt.Errorf("nil logger: %w", ErrInvalidConfig)
		}
		o.log = l
		return nil
	}
}

// WithClock injects the clock pacing the 20 ms media tick and RTCP.
func WithClock(c Clock) Option {
	return func(o *options) error {
		if c == nil {
			return fmt.Errorf("nil clock: %w", ErrInvalidConfig)
		}
		o.clock = c
		return nil
	}
}

// WithExternalClock makes the owner drive the session: Start launches no
// ticker, and the owner calls Tick once per audio.FrameDuration, typically
// from the audio device's frame clock (mixer.Port.SetOnTick). Every call of
// a phone then shares one clock, and sending, receiving and playout happen
// in one wake-up per frame.
func WithExternalClock() Option {
	return func(o *options) error { o.external = true; return nil }
}

// WithOnDTMF sets the callback for received DTMF digits ('0'-'9', '*',
// '#', 'A'-'D'). It runs on its own goroutine, one digit at a time, once per
// event.
func WithOnDTMF(fn func(digit rune)) Option {
	return func(o *options) error { o.onDTMF = fn; return nil }
}

// WithOnRemoteDirection sets a callback run whenever the peer's declared
// direction changes through SetRemoteAnswer or ProcessOffer (e.g. DirSendOnly
// when the peer puts us on hold). It runs synchronously in that call.
func WithOnRemoteDirection(fn func(Direction)) Option {
	return func(o *options) error { o.onRemoteDir = fn; return nil }
}

// WithRTCPInterval sets the mean RTCP report interval (default 5 s, RFC 3550
// §6.2); each interval is randomised to 0.5..1.5 times the mean (§6.3.1).
func WithRTCPInterval(d time.Duration) Option {
	return func(o *options) error {
		if d <= 0 {
			return fmt.Errorf("rtcp interval %v: %w", d, ErrInvalidConfig)
		}
		o.rtcpInterval = d
		return nil
	}
}

// WithJitterDelay sets the adaptive jitter buffer's delay bounds (default
// 40 ms .. 300 ms).
func WithJitterDelay(minDelay, maxDelay time.Duration) Option {
	return func(o *options) error {
		if minDelay <= 0 || maxDelay < minDelay || maxDelay > time.Second {
			return fmt.Errorf("jitter delay %v..%v: %w", minDelay, maxDelay, ErrInvalidConfig)
		}
		o.jitterMin, o.jitterMax = minDelay, maxDelay
		return nil
	}
}

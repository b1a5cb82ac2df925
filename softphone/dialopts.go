package softphone

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// DialOption tunes one outbound leg placed by Phone.Dial or Call.AddLeg.
// Without options a call behaves as a dialpad call: the phone's account
// and caller ID, early media and ringback in the speaker.
type DialOption func(*dialOptions) error

type dialOptions struct {
	account       string // AOR the caller asked for ("" = the phone's)
	display       string // caller ID display name
	number        string // caller ID user part / number ("" = the account's)
	early         EarlyMedia
	localRingback bool
	monitor       Role   // a team lead's monitor request (monitor.go)
	replaces      string // Replaces header value (attended.go)
	parallel      bool   // one of several calls placed at once (switchboard.go)
}

func defaultDialOptions() dialOptions {
	return dialOptions{early: EarlyMediaSpeaker, localRingback: true}
}

// EarlyMedia says where a ringing leg's early media (an SDP answer in a
// 183 Session Progress, RFC 3960) goes before the call is answered.
type EarlyMedia struct {
	mode string
	fn   func(pcm []int16, rate int)
}

// String names the route ("speaker", "none" or "callback").
func (e EarlyMedia) String() string { return e.mode }

// Early media routes.
var (
	// EarlyMediaSpeaker plays early media in the speaker (the default,
	// what a rep dialing by hand expects: announcements, ringback).
	EarlyMediaSpeaker = EarlyMedia{mode: "speaker"}
	// EarlyMediaNone ignores early media: nothing is played and no RTP is
	// started before the answer.
	EarlyMediaNone = EarlyMedia{mode: "none"}
)

// EarlyMediaFunc hands early media to fn, one frame of mono PCM at a time
// (rate samples per second), instead of the speaker: for example to a
// call-progress or answering-machine detector. fn runs on the media
// goroutine: it must not block and must copy pcm if it keeps it.
func EarlyMediaFunc(fn func(pcm []int16, rate int)) EarlyMedia {
	return EarlyMedia{mode: "callback", fn: fn}
}

// WithAccount places the call from the account whose address of record is
// aor. A Phone serves one account: the option checks that it is this
// Phone's, so a call never leaves from an account the caller did not ask
// for. Switchboard.Dial picks the line by it (its ID or its Phone's
// address of record; without it, the default line).
func WithAccount(aor string) DialOption {
	return func(o *dialOptions) error { o.account = aor; return nil }
}

// WithCallerID sets the caller ID presented to the called party: the From
// display name, and, when number is given, a P-Preferred-Identity
// (RFC 3325) naming it, which a trusted proxy turns into the asserted
// identity. The From address stays the account's, so authentication is
// unchanged.
func WithCallerID(display, number string) DialOption {
	return func(o *dialOptions) error {
		if strings.ContainsAny(display, "\"\r\n") {
			return fmt.Errorf("%w: caller ID name %q has a quote or line break", ErrBadConfig, display)
		}
		if strings.ContainsAny(number, " <>\"@;\r\n") {
			return fmt.Errorf("%w: caller ID number %q", ErrBadConfig, number)
		}
		o.display, o.number = display, number
		return nil
	}
}

// WithEarlyMedia routes the leg's early media (EarlyMediaSpeaker by
// default, EarlyMediaNone, or EarlyMediaFunc). Only an answered leg
// reaches the speaker otherwise, so several legs can ring at once.
func WithEarlyMedia(route EarlyMedia) DialOption {
	return func(o *dialOptions) error {
		switch route.mode {
		case "speaker", "none":
		case "callback":
			if route.fn == nil {
				return fmt.Errorf("%w: EarlyMediaFunc with a nil function", ErrBadConfig)
			}
		default:
			return fmt.Errorf("%w: unknown early media route", ErrBadConfig)
		}
		o.early = route
		return nil
	}
}

// WithLocalRingback says whether the speaker plays a local ringback tone
// while the leg rings without early media (default true). Parallel or
// automatic dialing turns it off.
func WithLocalRingback(on bool) DialOption {
	return func(o *dialOptions) error { o.localRingback = on; return nil }
}

// WithParallel marks the call as one of several placed at once (a
// parallel dialer's lines): Switchboard.Dial then leaves the other calls
// as they are instead of putting them on hold, so parallel legs never
// hold each other. A Phone on its own never holds other calls.
func WithParallel() DialOption {
	return func(o *dialOptions) error { o.parallel = true; return nil }
}

// parseDialOptions builds the options without checking them against a
// phone.
func parseDialOptions(opts []DialOption) (dialOptions, error) {
	o := defaultDialOptions()
	for _, fn := range opts {
		if fn == nil {
			continue
		}
		if err := fn(&o); err != nil {
			return o, err
		}
	}
	return o, nil
}

// applyDialOptions builds the options and checks them against the phone.
func (p *Phone) applyDialOptions(opts []DialOption) (dialOptions, error) {
	o, err := parseDialOptions(opts)
	if err != nil {
		return o, err
	}
	if o.account != "" && !p.isAccount(o.account) {
		return o, fmt.Errorf("%w: account %s is not this phone's (%s)", ErrBadConfig, o.account, p.acct.aor.String())
	}
	return o, nil
}

// AOR returns the phone's account address of record.
func (p *Phone) AOR() string { return p.acct.cfg.AOR }

func (p *Phone) isAccount(aor string) bool {
	if strings.EqualFold(strings.TrimSpace(aor), strings.TrimSpace(p.acct.cfg.AOR)) {
		return true
	}
	var u sip.Uri
	s := aor
	if !strings.Contains(s, ":") {
		s = "sip:" + s
	}
	if err := sip.ParseUri(s, &u); err != nil {
		return false
	}
	return strings.EqualFold(u.User, p.acct.aor.User) && strings.EqualFold(u.Host, p.acct.aor.Host)
}

// dialFrom returns the From header for an outbound INVITE with the caller
// ID of o, and the P-Preferred-Identity to add (nil for none).
func (p *Phone) dialFrom(o dialOptions) (*sip.FromHeader, sip.Header) {
	from := p.fromHeader(sip.GenerateTagN(16))
	if o.display != "" {
		from.DisplayName = o.display
	}
	if o.number == "" {
		return from, nil
	}
	id := sip.Uri{Scheme: "sip", User: o.number, Host: p.acct.aor.Host}
	v := "<" + id.String() + ">"
	if o.display != "" {
		v = "\"" + o.display + "\" " + v
	}
	return from, sip.NewHeader("P-Preferred-Identity", v)
}

// earlySink adapts an EarlyMediaFunc to an audio.Sink at rate.
type earlySink struct {
	rate int
	fn   func(pcm []int16, rate int)
}

func (s earlySink) Rate() int { return s.rate }

func (s earlySink) WriteFrame(src []int16) error { s.fn(src, s.rate); return nil }

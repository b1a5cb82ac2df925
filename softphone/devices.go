package softphone

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/tone"
)

// swapEndpoint is the audio.Endpoint the mixer runs on. It forwards to the
// current device endpoint, which switchDevices replaces while calls run:
// the new device opens first, becomes current, then the old one closes,
// and a Capture or Play that fails on the old one is retried on the new.
// Forwarding does not allocate.
type swapEndpoint struct {
	cur atomic.Pointer[epBox]
}

type epBox struct{ ep audio.Endpoint }

func newSwapEndpoint(ep audio.Endpoint) *swapEndpoint {
	s := &swapEndpoint{}
	s.cur.Store(&epBox{ep})
	return s
}

// Rate implements audio.Endpoint.
func (s *swapEndpoint) Rate() int { return s.cur.Load().ep.Rate() }

// Capture implements audio.Endpoint.
func (s *swapEndpoint) Capture(dst []int16) error {
	b := s.cur.Load()
	err := b.ep.Capture(dst)
	if err != nil {
		if nb := s.cur.Load(); nb != b {
			return nb.ep.Capture(dst)
		}
	}
	return err
}

// Play implements audio.Endpoint.
func (s *swapEndpoint) Play(src []int16) error {
	b := s.cur.Load()
	err := b.ep.Play(src)
	if err != nil {
		if nb := s.cur.Load(); nb != b {
			return nb.ep.Play(src)
		}
	}
	return err
}

// Levels implements audio.Endpoint.
func (s *swapEndpoint) Levels() (in, out float64) { return s.cur.Load().ep.Levels() }

// Close implements audio.Endpoint.
func (s *swapEndpoint) Close() error { return s.cur.Load().ep.Close() }

// swap makes ep current and returns the previous endpoint.
func (s *swapEndpoint) swap(ep audio.Endpoint) audio.Endpoint {
	return s.cur.Swap(&epBox{ep}).ep
}

// Devices returns the selected input, output and ringer devices ("" = the
// system default).
func (p *Phone) Devices() (input, output, ringer string) {
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.input, r.output, r.ringer
}

// AudioBackend returns the audio backend the phone uses.
func (p *Phone) AudioBackend() audio.Backend { return p.audio.backend }

// SetDevices selects the input (microphone), output (speaker) and ringer
// devices. It works in the middle of a call: an open microphone/speaker is
// reopened on the new devices without interrupting the calls, and a ringing
// ringtone moves to the new ringer. On error the previous devices stay.
func (p *Phone) SetDevices(input, output, ringer string) error {
	r := p.audio
	r.mu.Lock()
	if r.sw != nil && (input != r.input || output != r.output) {
		ep, err := r.backend.OpenEndpoint(input, output, busRate)
		if err != nil {
			r.mu.Unlock()
			return fmt.Errorf("softphone: switch audio device: %w", err)
		}
		old := r.sw.swap(ep)
		r.ep = ep
		_ = old.Close()
	}
	ringerChanged := ringer != r.ringer
	r.input, r.output, r.ringer = input, output, ringer
	r.mu.Unlock()
	if ringerChanged {
		if err := r.restartRinging(); err != nil {
			return err
		}
	}
	p.log.Info("audio devices", "input", input, "output", output, "ringer", ringer)
	return nil
}

// Levels returns the latest microphone and speaker peak levels in dBFS
// (-96 = silence); active is false when no audio device is open (no call,
// no meter), and the levels are then -96.
func (p *Phone) Levels() (mic, speaker float64, active bool) {
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sw == nil {
		return -96, -96, false
	}
	mic, speaker = r.sw.Levels()
	return mic, speaker, true
}

// SetMeter keeps the microphone and speaker open while on, so Levels works
// outside calls (the settings page's live microphone meter).
func (p *Phone) SetMeter(on bool) error {
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		if err := r.ensure(); err != nil {
			return err
		}
		r.meter = true
		return nil
	}
	r.meter = false
	r.maybeCloseLocked()
	return nil
}

// Metering reports whether SetMeter(true) is in effect.
func (p *Phone) Metering() bool {
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.meter
}

// ErrUnknownTestTone is returned by PlayTestTone for an unknown target.
var ErrUnknownTestTone = errors.New("softphone: test tone target must be output or ringer")

// TestToneDuration is how long PlayTestTone plays.
const TestToneDuration = time.Second

// PlayTestTone plays a 440 Hz tone for TestToneDuration on the speaker
// ("output") or the ringer device ("ringer"). It returns once the tone has
// started.
func (p *Phone) PlayTestTone(which string) error {
	src, err := tone.NewSine(440, 0.3, busRate)
	if err != nil {
		return err
	}
	switch which {
	case "output", "":
		_, err := p.audio.playTone("test", src, TestToneDuration)
		return err
	case "ringer":
		r := p.audio
		r.mu.Lock()
		name := r.ringer
		r.mu.Unlock()
		out, err := r.backend.OpenOutput(name, busRate)
		if err != nil {
			return fmt.Errorf("softphone: open ringer device: %w", err)
		}
		startTone(src, out, TestToneDuration, func() { out.Close() })
		return nil
	default:
		return fmt.Errorf("%w: %q", ErrUnknownTestTone, which)
	}
}

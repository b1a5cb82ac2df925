package softphone

import (
	"fmt"

	"github.com/pitchline/pitchline/audio"
)

// BusRate is the sample rate of the phone's mix: what WithLocalAudio's
// source and sink work at.
func BusRate() int { return busRate }

// WithLocalAudio replaces the rep's microphone with mic and copies what
// the rep's speaker plays to speaker (either may be nil). The device (or
// the null device) still paces the mix, so every call and conference
// hears mic as the rep's voice, through the same mix as a real
// microphone. Both work at BusRate. The headless conference command uses
// it for --play and --record; tests use it to check the mix by
// frequency. speaker's WriteFrame runs on the mixer goroutine: it must
// not block.
func WithLocalAudio(mic audio.Source, speaker audio.Sink) Option {
	return func(p *Phone) error {
		if mic != nil && mic.Rate() != busRate {
			return fmt.Errorf("%w: local microphone at %d Hz, the mix runs at %d Hz", ErrBadConfig, mic.Rate(), busRate)
		}
		if speaker != nil && speaker.Rate() != busRate {
			return fmt.Errorf("%w: local speaker at %d Hz, the mix runs at %d Hz", ErrBadConfig, speaker.Rate(), busRate)
		}
		p.localMic, p.localSpk = mic, speaker
		return nil
	}
}

// tapEndpoint is the endpoint the mixer runs on when WithLocalAudio is
// set: Capture waits for the device's frame, then hands out mic's; Play
// copies the frame to speaker and plays it.
type tapEndpoint struct {
	audio.Endpoint
	mic audio.Source
	spk audio.Sink
}

func (t *tapEndpoint) Capture(dst []int16) error {
	if err := t.Endpoint.Capture(dst); err != nil {
		return err
	}
	if t.mic != nil {
		if err := t.mic.ReadFrame(dst); err != nil {
			clear(dst) // the source has ended: silence
		}
	}
	return nil
}

func (t *tapEndpoint) Play(src []int16) error {
	if t.spk != nil {
		_ = t.spk.WriteFrame(src)
	}
	return t.Endpoint.Play(src)
}

package softphone

import (
	"errors"
	"fmt"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/tone"
)

// Ringtone names accepted by WithRingtone and Phone.SetRingtone.
const (
	// RingtoneClassic is the bell-like E-major arpeggio (tone.RingtoneCadence).
	RingtoneClassic = "classic"
	// RingtoneSoft is a low two-note chime (G4 then C5) with a long decay.
	RingtoneSoft = "soft"
	// RingtoneDigital is bursts of short 1.6 kHz beeps, like a desk phone.
	RingtoneDigital = "digital"
)

// ErrUnknownRingtone is returned for a ringtone name that is not one of
// Ringtones().
var ErrUnknownRingtone = errors.New("softphone: unknown ringtone")

// Ringtones returns the ringtone names, the default (RingtoneClassic)
// first.
func Ringtones() []string { return []string{RingtoneClassic, RingtoneSoft, RingtoneDigital} }

// Frequencies of the soft and digital ringtones.
const (
	noteG4      = 392.00
	noteC5      = 523.25
	digitalBeep = 1600
)

// RingtoneCadence returns the endless cadence of the named ringtone ("" is
// RingtoneClassic), so callers and tests know which frequencies it plays.
func RingtoneCadence(name string) ([]tone.Segment, error) {
	ms := func(v int) time.Duration { return time.Duration(v) * time.Millisecond }
	switch name {
	case "", RingtoneClassic:
		return tone.RingtoneCadence(), nil
	case RingtoneSoft:
		chime := func(f float64, d time.Duration) tone.Segment {
			return tone.Segment{Duration: d, Freq: [2]float64{f, 2 * f}, Amp: [2]float64{0.25, 0.05}, Decay: ms(350)}
		}
		return []tone.Segment{chime(noteG4, ms(500)), chime(noteC5, ms(900)), tone.Silence(ms(1600))}, nil
	case RingtoneDigital:
		beep := tone.Segment{Duration: ms(60), Freq: [2]float64{digitalBeep, 0}, Amp: [2]float64{0.25, 0}}
		var out []tone.Segment
		for burst := 0; burst < 2; burst++ {
			for i := 0; i < 4; i++ {
				out = append(out, beep, tone.Silence(ms(40)))
			}
			out = append(out, tone.Silence(ms(200)))
		}
		return append(out, tone.Silence(ms(1600))), nil
	default:
		return nil, fmt.Errorf("%w: %q (one of %v)", ErrUnknownRingtone, name, Ringtones())
	}
}

// newRingtone returns the endless source of the named ringtone at rate.
func newRingtone(name string, rate int) (audio.Source, error) {
	c, err := RingtoneCadence(name)
	if err != nil {
		return nil, err
	}
	return tone.NewGenerator(rate, c, 0)
}

// WithRingtone selects the ringtone (one of Ringtones(); default
// RingtoneClassic). With WithSharedAudio it sets the shared ringer's
// ringtone for every Phone on it.
func WithRingtone(name string) Option {
	return func(p *Phone) error {
		if _, err := RingtoneCadence(name); err != nil {
			return fmt.Errorf("%w: %v", ErrBadConfig, err)
		}
		p.ringtone = name
		return nil
	}
}

// Ringtone returns the selected ringtone name.
func (p *Phone) Ringtone() string {
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ringtone == "" {
		return RingtoneClassic
	}
	return r.ringtone
}

// SetRingtone selects the ringtone. It applies at once: a call already
// ringing carries on ringing with the new ringtone.
func (p *Phone) SetRingtone(name string) error {
	if _, err := RingtoneCadence(name); err != nil {
		return err
	}
	r := p.audio
	r.mu.Lock()
	changed := r.ringtone != name
	r.ringtone = name
	r.mu.Unlock()
	if changed {
		p.log.Info("ringtone", "name", name)
		return r.restartRinging()
	}
	return nil
}

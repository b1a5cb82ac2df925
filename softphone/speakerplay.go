package softphone

import (
	"fmt"

	"github.com/pitchline/pitchline/audio"
)

// speakerTone is the tone name of PlayToSpeaker's playback: one at a time,
// mixed into the speaker like ringback and DTMF feedback.
const speakerTone = "speaker-play"

// PlayToSpeaker plays src on the local speaker, mixed through the phone's
// (possibly shared) audio device the way ringback and test tones are, until
// src ends or StopSpeaker. It replaces a playback already running. The
// returned channel is closed when the playback has ended and its mixer
// port is gone, whichever way it ended. Nobody on a call hears it.
func (p *Phone) PlayToSpeaker(src audio.Source) (<-chan struct{}, error) {
	if src == nil {
		return nil, fmt.Errorf("%w: nil source", ErrBadConfig)
	}
	if err := audio.CheckRate(src.Rate()); err != nil {
		return nil, fmt.Errorf("%w: speaker source: %v", ErrBadConfig, err)
	}
	tp, err := p.audio.playTone(speakerTone, src, 0)
	if err != nil {
		return nil, err
	}
	return tp.done, nil
}

// StopSpeaker stops PlayToSpeaker's playback, if any, and returns once it
// has stopped.
func (p *Phone) StopSpeaker() { p.audio.stopTone(speakerTone) }

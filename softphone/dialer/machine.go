package dialer

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/pitchline/pitchline/softphone/dialer/amd"
)

// AMD is answering-machine detection and voicemail drop for sessions,
// built on amd.Detector: Classify is a Classifier (WithClassifier), Drop a
// VoicemailDropper (WithVoicemailDrop). They share each call's detector
// and audio stream, so the drop waits for the end of the beep (or of the
// greeting) the classifier was listening to. Close stops the streams of
// machine calls whose drop never came.
type AMD struct {
	opts []amd.Option
	log  *slog.Logger

	mu    sync.Mutex
	calls map[string]*amdCall // machine answers, by call id, until Drop
}

type amdCall struct {
	det    *amd.Detector
	frames <-chan []int16
	stop   func()
}

// NewAMD returns an AMD whose detectors use opts (amd.New's options).
// log may be nil.
func NewAMD(log *slog.Logger, opts ...amd.Option) (*AMD, error) {
	if _, err := amd.New(tapRate, opts...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidSettings, err)
	}
	if log == nil {
		log = slog.Default()
	}
	return &AMD{opts: opts, log: log.With("component", "amd"), calls: map[string]*amdCall{}}, nil
}

// Classify implements Classifier: it feeds the call's received audio to a
// detector until it decides (human, machine or unknown), the call ends
// or ctx ends (unknown). A call that is not an AudioCall is unknown.
func (a *AMD) Classify(ctx context.Context, call EngineCall) (AMDResult, error) {
	ac, ok := call.(AudioCall)
	if !ok {
		return AMDUnknown, nil
	}
	st, err := a.open(ac)
	if err != nil {
		return AMDUnknown, err
	}
	for {
		select {
		case f, ok := <-st.frames:
			if !ok {
				st.stop()
				return AMDUnknown, nil // the call ended
			}
			d, decided := st.det.Feed(f)
			if !decided {
				continue
			}
			a.log.Debug("decision", "call", call.ID(), "result", d.Result, "after", d.After, "reason", d.Reason,
				"greeting", d.Greeting, "syllables", d.Syllables)
			switch d.Result {
			case amd.Machine:
				a.mu.Lock()
				if old := a.calls[call.ID()]; old != nil {
					old.stop()
				}
				a.calls[call.ID()] = st
				a.mu.Unlock()
				return AMDMachine, nil
			case amd.Human:
				st.stop()
				return AMDHuman, nil
			default:
				st.stop()
				return AMDUnknown, nil
			}
		case <-ctx.Done():
			st.stop()
			return AMDUnknown, nil
		}
	}
}

func (a *AMD) open(ac AudioCall) (*amdCall, error) {
	frames, rate, stop, err := ac.ReceivedAudio()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoAudio, err)
	}
	det, err := amd.New(rate, a.opts...)
	if err != nil {
		stop()
		return nil, fmt.Errorf("%w: %w", ErrNoAudio, err)
	}
	return &amdCall{det: det, frames: frames, stop: stop}, nil
}

// Drop implements VoicemailDropper: it listens on until the detector says
// the greeting is over (the beep ended, silence after the greeting, or
// the greeting's time cap), then plays path to the far end and returns
// once it has been played. The session then hangs up and saves "Left
// voicemail".
func (a *AMD) Drop(ctx context.Context, call EngineCall, path string) error {
	pc, ok := call.(PlaybackCall)
	if !ok {
		return fmt.Errorf("%w: cannot play a voicemail into call %s", ErrNoAudio, call.ID())
	}
	a.mu.Lock()
	st := a.calls[call.ID()]
	delete(a.calls, call.ID())
	a.mu.Unlock()
	if st == nil {
		// Not classified here (another classifier): listen from now.
		ac, ok := call.(AudioCall)
		if !ok {
			return fmt.Errorf("%w: cannot listen to call %s", ErrNoAudio, call.ID())
		}
		var err error
		if st, err = a.open(ac); err != nil {
			return err
		}
	}
	defer st.stop()
	for waiting := true; waiting; {
		select {
		case f, ok := <-st.frames:
			if !ok {
				return fmt.Errorf("%w: before the end of the greeting", ErrCallEnded)
			}
			if drop, why := st.det.FeedGreeting(f); drop {
				a.log.Info("dropping the voicemail", "call", call.ID(), "why", why, "at", st.det.Elapsed())
				waiting = false
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	st.stop()
	return pc.PlayFile(ctx, path)
}

// Close stops the audio streams of machine answers that were never
// dropped (no voicemail set for the list). The AMD stays usable.
func (a *AMD) Close() error {
	a.mu.Lock()
	calls := a.calls
	a.calls = map[string]*amdCall{}
	a.mu.Unlock()
	for _, st := range calls {
		st.stop()
	}
	return nil
}

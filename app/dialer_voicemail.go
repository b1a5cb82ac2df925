package app

import (
	"fmt"
	"strings"

	"github.com/pitchline/pitchline/softphone/dialer"
)

// This file binds a call list's voicemail file: the settings dialog checks
// that it plays (and how long), and a power or parallel session with one
// classifies every answer (answering-machine detection) and drops it into
// machine answers after the beep.

// DialerVoicemailView is a checked voicemail file.
type DialerVoicemailView struct {
	// Path is the file.
	Path string `json:"path"`
	// DurationMs is how long it plays.
	DurationMs int64 `json:"durationMs"`
}

// CheckVoicemail decodes the WAV or MP3 file at path as a voicemail drop
// will, and says how long it plays; the error says why it cannot be used.
func (s *DialerService) CheckVoicemail(path string) (DialerVoicemailView, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return DialerVoicemailView{}, fmt.Errorf("%w: which voicemail file?", ErrInvalidArgument)
	}
	d, err := dialer.CheckVoicemail(p)
	if err != nil {
		return DialerVoicemailView{}, err
	}
	return DialerVoicemailView{Path: p, DurationMs: d.Milliseconds()}, nil
}

// CheckApology decodes the WAV or MP3 file at path as the apology prompt
// of an abandoned call will, and says how long it plays; the error says
// why it cannot be used.
func (s *DialerService) CheckApology(path string) (DialerVoicemailView, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return DialerVoicemailView{}, fmt.Errorf("%w: which apology prompt file?", ErrInvalidArgument)
	}
	d, err := dialer.CheckApology(p)
	if err != nil {
		return DialerVoicemailView{}, err
	}
	return DialerVoicemailView{Path: p, DurationMs: d.Milliseconds()}, nil
}

// apologyPrompt adds list l's apology prompt to opts in parallel mode
// (checked again: it may have moved since it was saved); without one the
// session plays the bundled prompt.
func apologyPrompt(l *dialer.List, opts *[]dialer.SessionOption) error {
	p := l.Settings.Apology
	if p == "" || l.Settings.Mode != dialer.ModeParallel {
		return nil
	}
	if _, err := dialer.CheckApology(p); err != nil {
		return err
	}
	*opts = append(*opts, dialer.WithApologyPrompt(p))
	return nil
}

// sessionAMD is the answering-machine detection of a session; Close is
// safe on nil.
type sessionAMD struct{ a *dialer.AMD }

func (s *sessionAMD) Close() {
	if s != nil && s.a != nil {
		_ = s.a.Close()
	}
}

// voicemailDrop adds answering-machine detection and the voicemail drop to
// opts when list l is in power or parallel mode and has a voicemail file
// (checked again: it may have moved since it was saved).
func voicemailDrop(c *core, l *dialer.List, opts *[]dialer.SessionOption) (*sessionAMD, error) {
	vm := l.Settings.Voicemail
	if vm == "" || l.Settings.Mode == dialer.ModePreview {
		return nil, nil
	}
	if _, err := dialer.CheckVoicemail(vm); err != nil {
		return nil, err
	}
	a, err := dialer.NewAMD(c.log.With("component", "dialer-amd"))
	if err != nil {
		return nil, err
	}
	*opts = append(*opts, dialer.WithClassifier(a.Classify), dialer.WithVoicemailDrop(vm, a.Drop))
	return &sessionAMD{a: a}, nil
}

package app

import (
	"fmt"
	"strings"
	"sync"

	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/softphone/dialer"
)

// This file binds hearing a list's voicemail (or any prompt file the
// settings dialog names) on the rep's speaker before using it: the file
// is checked as a drop will, decoded with audio/file and played by the
// engine (Phone.PlayToSpeaker, the shared audio device's mixer, like
// ringback and the test tone). One plays at a time; it stops at its end,
// at StopVoicemailPlay, when a call starts and when the app quits.
// EvVoicemailPlay tells the window when it started and ended.

// voicemailPlayRate is the rate the file is decoded at (the device bus).
const voicemailPlayRate = 48000

// Why a playback ended (VoicemailPlayView.Reason).
const (
	PlayEnded    = "ended"    // the file played to its end
	PlayStopped  = "stopped"  // StopVoicemailPlay
	PlayCall     = "call"     // a call started
	PlayReplaced = "replaced" // another file started playing
	PlayQuit     = "quit"     // the app is closing
)

// VoicemailPlayView is the state of a file played on the rep's speaker.
type VoicemailPlayView struct {
	// Playing is true from the start until the playback ended.
	Playing bool `json:"playing"`
	// Path is the file; DurationMs how long it plays.
	Path       string `json:"path"`
	DurationMs int64  `json:"durationMs"`
	// Reason says why it ended (PlayEnded, PlayStopped, PlayCall,
	// PlayReplaced, PlayQuit); "" while playing.
	Reason string `json:"reason"`
}

// vmPlayer holds the running playback (one at a time) and the last one.
type vmPlayer struct {
	mu   sync.Mutex
	cur  *vmPlayback
	last VoicemailPlayView
}

// vmPlayback is one file playing on the speaker.
type vmPlayback struct {
	view     VoicemailPlayView
	stop     func()        // the engine's StopSpeaker
	reason   string        // why it was stopped; "" = it ended by itself
	finished chan struct{} // closed once its end was emitted
}

// PlayVoicemail plays the WAV or MP3 file at path on the rep's speaker,
// after checking it as a voicemail drop will (the error says why it cannot
// be played). A playback already running is replaced.
func (s *DialerService) PlayVoicemail(path string) (VoicemailPlayView, error) {
	p := strings.TrimSpace(path)
	if p == "" {
		return VoicemailPlayView{}, fmt.Errorf("%w: which file?", ErrInvalidArgument)
	}
	d, err := dialer.CheckVoicemail(p)
	if err != nil {
		return VoicemailPlayView{}, err
	}
	phone, err := s.c.getPhone()
	if err != nil {
		return VoicemailPlayView{}, err
	}
	src, err := file.OpenSource(p, voicemailPlayRate)
	if err != nil {
		return VoicemailPlayView{}, fmt.Errorf("%w: %w: %w", dialer.ErrInvalidSettings, dialer.ErrBadVoicemail, err)
	}
	c := s.c
	c.stopVoicemailPlay(PlayReplaced)
	pl := &c.vmplay
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if err := c.hold(); err != nil {
		return VoicemailPlayView{}, err
	}
	done, err := phone.PlayToSpeaker(src)
	if err != nil {
		c.wg.Done()
		return VoicemailPlayView{}, err
	}
	pb := &vmPlayback{view: VoicemailPlayView{Playing: true, Path: p, DurationMs: d.Milliseconds()},
		stop: phone.StopSpeaker, finished: make(chan struct{})}
	pl.cur = pb
	go func() {
		defer c.wg.Done()
		defer close(pb.finished)
		<-done
		pl.mu.Lock()
		v := pb.view
		v.Playing, v.Reason = false, pb.reason
		switch {
		case pl.cur == pb:
			pl.cur, pl.last = nil, v
		case v.Reason == "": // the engine replaced it under a concurrent play
			v.Reason = PlayReplaced
		}
		if v.Reason == "" {
			v.Reason = PlayEnded
			pl.last = v
		}
		pl.mu.Unlock()
		emit(c.out, EvVoicemailPlay, v)
	}()
	emit(c.out, EvVoicemailPlay, pb.view)
	return pb.view, nil
}

// StopVoicemailPlay stops the playback, if any, and returns once the
// speaker is silent.
func (s *DialerService) StopVoicemailPlay() (VoicemailPlayView, error) {
	s.c.stopVoicemailPlay(PlayStopped)
	return s.VoicemailPlay()
}

// VoicemailPlay returns the playback's state (the last one's once ended).
func (s *DialerService) VoicemailPlay() (VoicemailPlayView, error) {
	pl := &s.c.vmplay
	pl.mu.Lock()
	defer pl.mu.Unlock()
	if pl.cur != nil {
		return pl.cur.view, nil
	}
	return pl.last, nil
}

// stopVoicemailPlay stops the running playback for reason and returns
// once its end (with that reason) was emitted on EvVoicemailPlay.
func (c *core) stopVoicemailPlay(reason string) {
	pl := &c.vmplay
	pl.mu.Lock()
	pb := pl.cur
	if pb != nil && pb.reason == "" {
		pb.reason = reason
	}
	pl.mu.Unlock()
	if pb != nil {
		pb.stop()
		<-pb.finished
	}
}

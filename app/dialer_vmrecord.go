package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/dialer"
)

// This file binds recording a list's voicemail from the rep's microphone:
// the engine records (Phone.RecordMicrophone, through the shared audio
// device); the service picks the file in the data directory, reports the
// elapsed time and level for the dialog, and on Stop checks the file as a
// drop will and sets it as the list's voicemail.

// VoicemailRecordRate is the rate of recorded voicemails (wideband mono).
const VoicemailRecordRate = 16000

// VoicemailRecordMax is the longest voicemail recording.
const VoicemailRecordMax = 60 * time.Second

// Error codes of voicemail recording (errfmt.go's messages).
const (
	// CodeVoicemailRecording means a recording is already running.
	CodeVoicemailRecording = "voicemail_recording"
	// CodeVoicemailNotSaved means the recording could not be saved.
	CodeVoicemailNotSaved = "voicemail_not_saved"
)

// ErrVoicemailNotSaved is returned when a recorded voicemail could not be
// written or set as the list's voicemail; the message names the file.
var ErrVoicemailNotSaved = errors.New("app: the recorded voicemail could not be saved")

// errNoRecording is returned by Stop without a recording.
var errNoRecording = fmt.Errorf("%w: no voicemail recording is running", ErrInvalidArgument)

// vmRecordErrorCodes come first in dialerErrorCodes: a recording that
// fails its check is "not saved", not "can't be played".
func vmRecordErrorCodes() []errorCode {
	return []errorCode{
		{ErrVoicemailNotSaved, CodeVoicemailNotSaved},
		{softphone.ErrRecording, CodeVoicemailRecording},
	}
}

// VoicemailRecordingView is the state of a voicemail recording.
type VoicemailRecordingView struct {
	// Recording is true until the recording has ended.
	Recording bool `json:"recording"`
	// ListID is the list the recording is for.
	ListID string `json:"listId"`
	// ElapsedMs is how much has been recorded; MaxMs the limit.
	ElapsedMs int64 `json:"elapsedMs"`
	MaxMs     int64 `json:"maxMs"`
	// LevelDb is the microphone's peak level in dBFS (-96 = silence).
	LevelDb float64 `json:"levelDb"`
}

// vmRecorder holds the running recording (one at a time).
type vmRecorder struct {
	mu     sync.Mutex
	rec    *softphone.MicRecording
	listID string
}

func (c *core) vmRecorder() *vmRecorder { return &c.vmrec }

// voicemailDir returns the data directory's voicemail folder, creating it.
func (c *core) voicemailDir() (string, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(st.Path()), "voicemail")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("%w: %w", ErrVoicemailNotSaved, err)
	}
	return dir, nil
}

// RecordVoicemail starts recording the microphone as list id's voicemail
// (at most VoicemailRecordMax); StopVoicemailRecording ends it.
func (s *DialerService) RecordVoicemail(id string) (VoicemailRecordingView, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return VoicemailRecordingView{}, fmt.Errorf("%w: which list?", ErrInvalidArgument)
	}
	st, err := s.c.storeOrErr()
	if err != nil {
		return VoicemailRecordingView{}, err
	}
	if _, err := dialer.LoadList(s.c.ctx, st, id); err != nil {
		return VoicemailRecordingView{}, err
	}
	p, err := s.c.getPhone()
	if err != nil {
		return VoicemailRecordingView{}, err
	}
	dir, err := s.c.voicemailDir()
	if err != nil {
		return VoicemailRecordingView{}, err
	}
	r := s.c.vmRecorder()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec != nil {
		return VoicemailRecordingView{}, softphone.ErrRecording
	}
	// A new file each time: an earlier recording stays until the list
	// points elsewhere, so nothing is overwritten before the new one works.
	name := fmt.Sprintf("%s-%s.wav", safeName(id), s.c.cfg.now().UTC().Format("20060102T150405.000"))
	if err := s.c.hold(); err != nil {
		return VoicemailRecordingView{}, err
	}
	rec, err := p.RecordMicrophone(filepath.Join(dir, name), VoicemailRecordRate, VoicemailRecordMax)
	if err != nil {
		s.c.wg.Done()
		return VoicemailRecordingView{}, err
	}
	r.rec, r.listID = rec, id
	go s.c.reportRecording(rec, id)
	return recordingView(rec, id), nil
}

func safeName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, id)
}

func recordingView(rec *softphone.MicRecording, id string) VoicemailRecordingView {
	v := VoicemailRecordingView{ListID: id, MaxMs: VoicemailRecordMax.Milliseconds(), LevelDb: -96}
	if rec == nil {
		return v
	}
	v.ElapsedMs = rec.Elapsed().Milliseconds()
	select {
	case <-rec.Done():
	default:
		v.Recording, v.LevelDb = true, rec.Level()
	}
	return v
}

// VoicemailRecording returns the running recording's state (elapsed time
// and level for the dialog; Recording false once it reached its limit).
// EvVoicemailRecording carries the same every TickInterval.
func (s *DialerService) VoicemailRecording() (VoicemailRecordingView, error) {
	r := s.c.vmRecorder()
	r.mu.Lock()
	defer r.mu.Unlock()
	return recordingView(r.rec, r.listID), nil
}

// StopVoicemailRecording ends the recording, checks the file as a drop
// will and sets it as the list's voicemail. When that fails the error
// names the file, which is kept.
func (s *DialerService) StopVoicemailRecording() (DialerVoicemailView, error) {
	return s.c.finishVoicemailRecording()
}

// finishVoicemailRecording is Stop's rule, also applied when the app
// quits mid-recording: the file is completed (a valid WAV), checked as a
// drop will and set as the list's voicemail; a file that fails the check
// (nothing recorded) is kept, not set, and the error names it.
func (c *core) finishVoicemailRecording() (DialerVoicemailView, error) {
	r := c.vmRecorder()
	r.mu.Lock()
	rec, id := r.rec, r.listID
	r.rec, r.listID = nil, ""
	r.mu.Unlock()
	if rec == nil {
		return DialerVoicemailView{}, errNoRecording
	}
	if _, err := rec.Stop(); err != nil {
		return DialerVoicemailView{}, fmt.Errorf("%w (%s): %w", ErrVoicemailNotSaved, rec.Path(), err)
	}
	d, err := dialer.CheckVoicemail(rec.Path())
	if err != nil {
		return DialerVoicemailView{}, fmt.Errorf("%w (%s): %w", ErrVoicemailNotSaved, rec.Path(), err)
	}
	s := &DialerService{c: c}
	if _, err := s.update(id, func(l *dialer.List) error { l.Settings.Voicemail = rec.Path(); return nil }); err != nil {
		return DialerVoicemailView{}, fmt.Errorf("%w (%s): %w", ErrVoicemailNotSaved, rec.Path(), err)
	}
	return DialerVoicemailView{Path: rec.Path(), DurationMs: d.Milliseconds()}, nil
}

// finishRecordingOnQuit saves a recording still running when the app
// closes as Stop would, and logs what became of it.
func (c *core) finishRecordingOnQuit() {
	v, err := c.finishVoicemailRecording()
	switch {
	case errors.Is(err, errNoRecording):
	case err != nil:
		c.log.Warn("voicemail recording at quit not set on its list", "err", err)
	default:
		c.log.Info("voicemail recording at quit set on its list", "path", v.Path, "duration", time.Duration(v.DurationMs)*time.Millisecond)
	}
}

// reportRecording emits rec's progress on EvVoicemailRecording every
// TickInterval until it ended, then once more (recording false).
func (c *core) reportRecording(rec *softphone.MicRecording, id string) {
	defer c.wg.Done()
	t := time.NewTicker(TickInterval)
	defer t.Stop()
	for {
		select {
		case <-rec.Done():
			emit(c.out, EvVoicemailRecording, recordingView(rec, id))
			return
		case <-t.C:
			emit(c.out, EvVoicemailRecording, recordingView(rec, id))
		}
	}
}

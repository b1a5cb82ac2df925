package dialer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mode is how a session works through a list.
type Mode string

const (
	// ModePreview shows the next contact; the rep dials or skips.
	ModePreview Mode = "preview"
	// ModePower dials the next contact once the last outcome is saved and
	// the wrap-up time has passed.
	ModePower Mode = "power"
	// ModeParallel rings up to MaxLines contacts at once and connects the
	// first human.
	ModeParallel Mode = "parallel"
)

// String returns the mode's name.
func (m Mode) String() string { return string(m) }

// ParseMode parses "preview", "power" or "parallel" (case-insensitive).
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case ModePreview, ModePower, ModeParallel:
		return m, nil
	}
	return "", fmt.Errorf("%w: mode %q is not preview, power or parallel", ErrInvalidSettings, s)
}

// MaxLines is the most lines parallel mode rings at once.
const MaxLines = 5

// MaxWrapUp bounds the wrap-up time between calls.
const MaxWrapUp = 10 * time.Minute

// Window is a daily time window in local wall-clock time, [Start, End) in
// minutes after midnight. End may be 1440 (24:00). A window whose End is
// before its Start crosses midnight ("21:00-02:00").
type Window struct {
	Start, End int
}

// DefaultWindow is the default calling-hours window, 09:00-20:00.
var DefaultWindow = Window{Start: 9 * 60, End: 20 * 60}

// ParseWindow parses "HH:MM-HH:MM" (24-hour clock; "24:00" allowed as an
// end). Equal start and end are refused: they would mean either never or
// always.
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok {
		return Window{}, fmt.Errorf("%w: calling hours %q: want HH:MM-HH:MM", ErrInvalidSettings, s)
	}
	start, err1 := parseClock(a, false)
	end, err2 := parseClock(b, true)
	if err1 != nil || err2 != nil {
		return Window{}, fmt.Errorf("%w: calling hours %q: want HH:MM-HH:MM, such as 09:00-20:00", ErrInvalidSettings, s)
	}
	w := Window{Start: start, End: end}
	return w, w.Validate()
}

func parseClock(s string, end bool) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) < 1 || len(h) > 2 || len(m) != 2 {
		return 0, ErrInvalidSettings
	}
	hh, err := strconv.Atoi(h)
	if err != nil || hh < 0 {
		return 0, ErrInvalidSettings
	}
	mm, err := strconv.Atoi(m)
	if err != nil || mm < 0 || mm > 59 {
		return 0, ErrInvalidSettings
	}
	v := hh*60 + mm
	if v > 24*60 || (v == 24*60 && !end) {
		return 0, ErrInvalidSettings
	}
	return v, nil
}

// Validate checks the window's bounds.
func (w Window) Validate() error {
	if w.Start < 0 || w.Start >= 24*60 || w.End < 0 || w.End > 24*60 || w.Start == w.End {
		return fmt.Errorf("%w: calling hours %s: start and end must differ, within 00:00-24:00", ErrInvalidSettings, w)
	}
	return nil
}

// Contains reports whether the wall-clock time t (in its own location) is
// inside the window.
func (w Window) Contains(t time.Time) bool {
	m := t.Hour()*60 + t.Minute()
	if w.Start < w.End {
		return m >= w.Start && m < w.End
	}
	return m >= w.Start || m < w.End
}

// String formats the window as "HH:MM-HH:MM".
func (w Window) String() string {
	return fmt.Sprintf("%02d:%02d-%02d:%02d", w.Start/60, w.Start%60, w.End/60, w.End%60)
}

// MarshalText encodes the window as "HH:MM-HH:MM".
func (w Window) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText decodes "HH:MM-HH:MM".
func (w *Window) UnmarshalText(b []byte) error {
	v, err := ParseWindow(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// RetryPolicy caps and spaces the dials of one contact. No answer and busy
// contacts are retried within these limits.
type RetryPolicy struct {
	// MaxAttempts caps the dials of one contact over the list's life.
	MaxAttempts int
	// MaxPerDay caps the dials of one contact per day of the contact's
	// local calendar.
	MaxPerDay int
	// Spacing is the least time between two dials of one contact.
	Spacing time.Duration
}

// DefaultRetry is the default retry policy: 3 dials in all, at most 2 a
// day, 2 hours apart.
var DefaultRetry = RetryPolicy{MaxAttempts: 3, MaxPerDay: 2, Spacing: 2 * time.Hour}

// Validate checks the policy's bounds.
func (p RetryPolicy) Validate() error {
	switch {
	case p.MaxAttempts < 1 || p.MaxAttempts > 100:
		return fmt.Errorf("%w: retry cap %d: want 1 to 100 dials per contact", ErrInvalidSettings, p.MaxAttempts)
	case p.MaxPerDay < 1 || p.MaxPerDay > p.MaxAttempts:
		return fmt.Errorf("%w: daily retry cap %d: want 1 to %d", ErrInvalidSettings, p.MaxPerDay, p.MaxAttempts)
	case p.Spacing < 0 || p.Spacing > 30*24*time.Hour:
		return fmt.Errorf("%w: retry spacing %v: want 0 to 30 days", ErrInvalidSettings, p.Spacing)
	}
	return nil
}

// Settings are a call list's own settings.
type Settings struct {
	// Mode is how sessions work through the list.
	Mode Mode
	// Lines is how many lines ring at once: 1, or up to MaxLines in
	// parallel mode.
	Lines int
	// WrapUp is the pause after an outcome is saved before power mode
	// dials again (0 allowed).
	WrapUp time.Duration
	// CallerID is the number shown to contacts ("" for the account's
	// default).
	CallerID string
	// Hours is the calling-hours window, in each contact's local time.
	Hours Window
	// Retry caps and spaces the dials of one contact.
	Retry RetryPolicy
	// Voicemail is the WAV or MP3 file dropped into machine answers in
	// power and parallel modes ("" for none: a machine is hung up on).
	// CheckVoicemail says whether it plays.
	Voicemail string
	// Apology is the WAV or MP3 file played to a contact whose answer is
	// abandoned in parallel mode ("" for the bundled prompt);
	// CheckApology says whether it plays.
	Apology string
	// ScriptID is the store's call script shown during this list's calls
	// (0: the default script).
	ScriptID int64
}

// DefaultSettings returns preview mode, 1 line, no wrap-up, 09:00-20:00
// and DefaultRetry.
func DefaultSettings() Settings {
	return Settings{Mode: ModePreview, Lines: 1, Hours: DefaultWindow, Retry: DefaultRetry}
}

// Validate checks every setting and returns the first problem, wrapping
// ErrInvalidSettings.
func (s Settings) Validate() error {
	if _, err := ParseMode(string(s.Mode)); err != nil {
		return err
	}
	if s.Lines < 1 || s.Lines > MaxLines {
		return fmt.Errorf("%w: %d lines: want 1 to %d", ErrInvalidSettings, s.Lines, MaxLines)
	}
	if s.Lines > 1 && s.Mode != ModeParallel {
		return fmt.Errorf("%w: %d lines: only parallel mode dials more than one line", ErrInvalidSettings, s.Lines)
	}
	if s.WrapUp < 0 || s.WrapUp > MaxWrapUp {
		return fmt.Errorf("%w: wrap-up %v: want 0 to %v", ErrInvalidSettings, s.WrapUp, MaxWrapUp)
	}
	if len(s.CallerID) > 256 {
		return fmt.Errorf("%w: caller ID is too long", ErrInvalidSettings)
	}
	if len(s.Voicemail) > 4096 || len(s.Apology) > 4096 {
		return fmt.Errorf("%w: a file path is too long", ErrInvalidSettings)
	}
	if s.ScriptID < 0 {
		return fmt.Errorf("%w: script %d", ErrInvalidSettings, s.ScriptID)
	}
	if err := s.Hours.Validate(); err != nil {
		return err
	}
	return s.Retry.Validate()
}

// settingsJSON is the stored form of Settings: durations as Go duration
// strings, the window as "HH:MM-HH:MM".
type settingsJSON struct {
	Mode        Mode   `json:"mode"`
	Lines       int    `json:"lines"`
	WrapUp      string `json:"wrap_up"`
	CallerID    string `json:"caller_id,omitempty"`
	Hours       Window `json:"calling_hours"`
	MaxAttempts int    `json:"max_attempts"`
	MaxPerDay   int    `json:"max_per_day"`
	Spacing     string `json:"retry_spacing"`
	Voicemail   string `json:"voicemail,omitempty"`
	ScriptID    int64  `json:"script_id,omitempty"`
	Apology     string `json:"apology,omitempty"`
}

// MarshalJSON encodes the settings with readable durations.
func (s Settings) MarshalJSON() ([]byte, error) {
	return json.Marshal(settingsJSON{s.Mode, s.Lines, s.WrapUp.String(), s.CallerID, s.Hours,
		s.Retry.MaxAttempts, s.Retry.MaxPerDay, s.Retry.Spacing.String(), s.Voicemail, s.ScriptID, s.Apology})
}

// UnmarshalJSON decodes settings; fields left out keep DefaultSettings'
// values. The result is validated.
func (s *Settings) UnmarshalJSON(b []byte) error {
	d := DefaultSettings()
	j := settingsJSON{Mode: d.Mode, Lines: d.Lines, WrapUp: d.WrapUp.String(), Hours: d.Hours,
		MaxAttempts: d.Retry.MaxAttempts, MaxPerDay: d.Retry.MaxPerDay, Spacing: d.Retry.Spacing.String()}
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidSettings, err)
	}
	wrap, err1 := time.ParseDuration(j.WrapUp)
	spacing, err2 := time.ParseDuration(j.Spacing)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("%w: bad duration in %q or %q", ErrInvalidSettings, j.WrapUp, j.Spacing)
	}
	v := Settings{Mode: j.Mode, Lines: j.Lines, WrapUp: wrap, CallerID: j.CallerID, Hours: j.Hours,
		Retry: RetryPolicy{MaxAttempts: j.MaxAttempts, MaxPerDay: j.MaxPerDay, Spacing: spacing}, Voicemail: j.Voicemail, Apology: j.Apology, ScriptID: j.ScriptID}
	if err := v.Validate(); err != nil {
		return err
	}
	*s = v
	return nil
}

// Contact is one entry of a call list.
type Contact struct {
	// Name is the contact's name as written in the list.
	Name string
	// Company and Email are optional.
	Company, Email string
	// TimeZone is an IANA zone name from the contact's record, or "".
	TimeZone string
	// Numbers are the contact's numbers, the primary one first.
	Numbers []Number
	// Extra holds the list's other columns (header → value).
	Extra map[string]string
}

// List is a call list: contacts in dialling order and the list's settings.
type List struct {
	// ID is set when the list is saved.
	ID string
	// Name is what the rep calls the list.
	Name string
	// Settings are the list's own settings.
	Settings Settings
	// Contacts are in dialling order.
	Contacts []Contact
	// Created and Updated are set when the list is saved.
	Created, Updated time.Time
}

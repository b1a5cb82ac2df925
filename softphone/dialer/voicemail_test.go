package dialer

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/wav"
)

// TestCheckVoicemail: a WAV file plays for its length; a text file, an
// empty WAV and a missing file are refused with ErrInvalidSettings.
func TestCheckVoicemail(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "vm.wav")
	w, err := wav.Create(good, 16000)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(make([]int16, 16000*3/2)); err != nil { // 1.5 s
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d, err := CheckVoicemail(good)
	if err != nil || d < 1480*time.Millisecond || d > 1520*time.Millisecond {
		t.Fatalf("CheckVoicemail(1.5 s WAV) = %v, %v", d, err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("call me back\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.wav")
	w, err = wav.Create(empty, 8000)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	for _, p := range []string{notes, empty, filepath.Join(dir, "missing.mp3")} {
		if _, err := CheckVoicemail(p); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("CheckVoicemail(%s) = %v, want ErrInvalidSettings", filepath.Base(p), err)
		}
	}
}

// TestCheckApology: an apology prompt is checked as a voicemail is (it
// plays, it is not empty), with its own sentinel and a 15 s limit; the
// bundled prompt passes; a list's prompt survives the settings' JSON.
func TestCheckApology(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, "long.wav")
	w, err := wav.Create(long, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(make([]int16, 8000*16)); err != nil { // 16 s
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if d, err := CheckVoicemail(long); err != nil || d != 16*time.Second {
		t.Fatalf("CheckVoicemail(16 s) = %v, %v", d, err)
	}
	if _, err := CheckApology(long); !errors.Is(err, ErrBadApology) || !errors.Is(err, ErrInvalidSettings) || errors.Is(err, ErrBadVoicemail) {
		t.Errorf("CheckApology(16 s) = %v, want ErrBadApology (longer than %v)", err, MaxApology)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("sorry\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := CheckApology(notes); !errors.Is(err, ErrBadApology) {
		t.Errorf("CheckApology(text) = %v, want ErrBadApology", err)
	}
	if d, err := CheckApology(filepath.Join("assets", "apology.wav")); err != nil || d < 4*time.Second || d > 5*time.Second {
		t.Errorf("CheckApology(bundled prompt) = %v, %v", d, err)
	}
	s := DefaultSettings()
	s.Mode, s.Lines, s.Apology = ModeParallel, 3, "/data/sorry.wav"
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back.Apology != s.Apology {
		t.Errorf("settings JSON %s read back as %+v, %v", b, back, err)
	}
}

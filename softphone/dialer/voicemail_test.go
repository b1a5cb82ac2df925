package dialer

import (
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

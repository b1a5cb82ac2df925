package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// waitRecorded polls the recording until it holds at least ms (the engine
// has no event for it); the deadline only bounds the wait.
func waitRecorded(t *testing.T, s *DialerService, ms int64) VoicemailRecordingView {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := s.VoicemailRecording()
		if err != nil {
			t.Fatal(err)
		}
		if v.ElapsedMs >= ms || time.Now().After(deadline) {
			return v
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDialerRecordVoicemail: recording a list's voicemail writes a WAV in
// the data directory's voicemail folder, reports its progress, and Stop
// checks it and sets it as the list's voicemail; one recording at a time;
// a recording whose list went away is not saved, says so, and the file is
// kept; a data directory that cannot hold recordings refuses to start.
func TestDialerRecordVoicemail(t *testing.T) {
	kc := newKeychain(t)
	dir := t.TempDir()
	a, _ := startApp(t, dir, kc)
	s := a.svcs.Dialer
	rep, err := s.Import(DialerImportInput{Name: "VM", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	id := rep.List.ID

	if _, err := s.StopVoicemailRecording(); err == nil {
		t.Error("Stop without a recording succeeded")
	}
	v, err := s.RecordVoicemail(id)
	if err != nil || !v.Recording || v.MaxMs != 60000 || v.ListID != id {
		t.Fatalf("RecordVoicemail = %+v, %v", v, err)
	}
	if _, err := s.RecordVoicemail(id); codeOf(a, err) != CodeVoicemailRecording {
		t.Errorf("a second recording: %v, want code %s", err, CodeVoicemailRecording)
	}
	if v := waitRecorded(t, s, 300); !v.Recording || v.ElapsedMs < 300 {
		t.Fatalf("recording progress = %+v", v)
	}
	got, err := s.StopVoicemailRecording()
	if err != nil || got.DurationMs < 300 || got.DurationMs > 60000 {
		t.Fatalf("StopVoicemailRecording = %+v, %v", got, err)
	}
	if filepath.Dir(got.Path) != filepath.Join(dir, "voicemail") || !strings.HasSuffix(got.Path, ".wav") {
		t.Errorf("recorded to %s, want a WAV in %s", got.Path, filepath.Join(dir, "voicemail"))
	}
	if ck, err := s.CheckVoicemail(got.Path); err != nil || ck.DurationMs != got.DurationMs {
		t.Errorf("the recording checks as %+v, %v; Stop said %+v", ck, err, got)
	}
	lists, err := s.Lists()
	if err != nil || len(lists) != 1 || lists[0].Settings.Voicemail != got.Path {
		t.Fatalf("the list's voicemail after recording = %+v, %v", lists, err)
	}
	if v, _ := s.VoicemailRecording(); v.Recording {
		t.Errorf("still recording after Stop: %+v", v)
	}

	// The list is deleted while recording: not saved, and the file stays.
	if _, err := s.RecordVoicemail(id); err != nil {
		t.Fatal(err)
	}
	waitRecorded(t, s, 100)
	if _, err := s.Delete(id); err != nil {
		t.Fatal(err)
	}
	_, err = s.StopVoicemailRecording()
	if codeOf(a, err) != CodeVoicemailNotSaved {
		t.Fatalf("Stop after the list was deleted: %v, want code %s", err, CodeVoicemailNotSaved)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "voicemail", "*.wav"))
	if len(files) != 2 || !strings.Contains(err.Error(), files[1]) {
		t.Errorf("files %v; the error %q should name the kept second one", files, err)
	}

	// Recordings cannot be kept: a file where the folder should be.
	rep, _ = s.Import(DialerImportInput{Name: "VM2", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err := os.RemoveAll(filepath.Join(dir, "voicemail")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "voicemail"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordVoicemail(rep.List.ID); codeOf(a, err) != CodeVoicemailNotSaved {
		t.Errorf("recording without a voicemail folder: %v, want code %s", err, CodeVoicemailNotSaved)
	}
}

package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/audio/wav"
)

// waitRecorded waits for the recording's progress event (at or after
// index from of l) that says it holds at least ms.
func waitRecorded(t *testing.T, l *evlog, from int, ms int64) VoicemailRecordingView {
	t.Helper()
	return waitAfter(t, l, from, EvVoicemailRecording, fmt.Sprintf("%d ms recorded", ms), func(v VoicemailRecordingView) bool {
		return v.ElapsedMs >= ms
	})
}

// TestDialerRecordVoicemail: recording a list's voicemail writes a WAV in
// the data directory's voicemail folder, reports its progress, and Stop
// checks it and sets it as the list's voicemail; one recording at a time;
// a recording whose list went away is not saved, says so, and the file is
// kept; a data directory that cannot hold recordings refuses to start.
func TestDialerRecordVoicemail(t *testing.T) {
	kc := newKeychain(t)
	dir := t.TempDir()
	a, log := startApp(t, dir, kc)
	s := a.svcs.Dialer
	rep, err := s.Import(DialerImportInput{Name: "VM", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	id := rep.List.ID

	if _, err := s.StopVoicemailRecording(); err == nil {
		t.Error("Stop without a recording succeeded")
	}
	m := log.mark()
	v, err := s.RecordVoicemail(id)
	if err != nil || !v.Recording || v.MaxMs != 60000 || v.ListID != id {
		t.Fatalf("RecordVoicemail = %+v, %v", v, err)
	}
	if _, err := s.RecordVoicemail(id); codeOf(a, err) != CodeVoicemailRecording {
		t.Errorf("a second recording: %v, want code %s", err, CodeVoicemailRecording)
	}
	if v := waitRecorded(t, log, m, 300); !v.Recording || v.ListID != id || v.MaxMs != 60000 {
		t.Fatalf("recording progress = %+v", v)
	}
	if v, err := s.VoicemailRecording(); err != nil || !v.Recording || v.ElapsedMs < 300 {
		t.Fatalf("VoicemailRecording after 300 ms = %+v, %v", v, err)
	}
	m = log.mark()
	got, err := s.StopVoicemailRecording()
	if fin := waitAfter(t, log, m, EvVoicemailRecording, "the end", func(v VoicemailRecordingView) bool { return !v.Recording }); fin.ElapsedMs != got.DurationMs {
		t.Errorf("the last progress event says %d ms, Stop %d ms", fin.ElapsedMs, got.DurationMs)
	}
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
	m = log.mark()
	if _, err := s.RecordVoicemail(id); err != nil {
		t.Fatal(err)
	}
	waitRecorded(t, log, m, 100)
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

// TestDialerRecordVoicemailQuit: quitting the app mid-recording finishes
// the file (a valid WAV holding what was recorded) and sets it as the
// list's voicemail, as Stop would; the next start finds it there.
func TestDialerRecordVoicemailQuit(t *testing.T) {
	kc := newKeychain(t)
	dir := t.TempDir()
	a, log, release := startAppRelease(t, dir, kc)
	s := a.svcs.Dialer
	rep, err := s.Import(DialerImportInput{Name: "VM", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	m := log.mark()
	if _, err := s.RecordVoicemail(rep.List.ID); err != nil {
		t.Fatal(err)
	}
	waitRecorded(t, log, m, 400)
	release()
	last := waitAfter(t, log, m, EvVoicemailRecording, "the end", func(v VoicemailRecordingView) bool { return !v.Recording })

	files, _ := filepath.Glob(filepath.Join(dir, "voicemail", "*.wav"))
	if len(files) != 1 {
		t.Fatalf("recordings after quit: %v", files)
	}
	r, err := wav.Open(files[0])
	if err != nil {
		t.Fatalf("the recording cut by quitting is not a valid WAV: %v", err)
	}
	if n, want := len(r.Samples()), int(last.ElapsedMs)*VoicemailRecordRate/1000; n != want || n < 400*VoicemailRecordRate/1000 {
		t.Errorf("the WAV holds %d samples; the recording said %d ms (%d samples)", n, last.ElapsedMs, want)
	}

	a2, _ := startApp(t, dir, kc)
	lists, err := a2.svcs.Dialer.Lists()
	if err != nil || len(lists) != 1 || lists[0].Settings.Voicemail != files[0] {
		t.Fatalf("the list's voicemail after quitting mid-recording = %+v, %v; want %s", lists, err, files[0])
	}
}

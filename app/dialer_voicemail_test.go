package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone/dialer"
)

// TestDialerListVoicemail: the settings dialog checks a voicemail file
// (how long it plays); a list keeps a playable one in its settings; a file
// that is not audio is refused with its own code, and nothing is saved.
func TestDialerListVoicemail(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	s := a.svcs.Dialer
	dir := t.TempDir()
	vm := filepath.Join(dir, "vm.wav")
	if err := testlab.WriteToneWAV(vm, 700, 2); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("call me back\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	v, err := s.CheckVoicemail(vm)
	if err != nil || v.Path != vm || v.DurationMs < 1980 || v.DurationMs > 2020 {
		t.Fatalf("CheckVoicemail(2 s tone) = %+v, %v", v, err)
	}
	if _, err := s.CheckVoicemail(notes); codeOf(a, err) != CodeDialerVoicemail {
		t.Fatalf("CheckVoicemail(text) = %v, want code %s", err, CodeDialerVoicemail)
	}

	rep, err := s.Import(DialerImportInput{Name: "VM", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	set := rep.List.Settings
	set.Mode, set.Voicemail = "power", vm
	l, err := s.SaveSettings(rep.List.ID, set)
	if err != nil || l.Settings.Voicemail != vm {
		t.Fatalf("SaveSettings with a voicemail = %+v, %v", l.Settings, err)
	}
	set.Voicemail = notes
	if _, err := s.SaveSettings(rep.List.ID, set); codeOf(a, err) != CodeDialerVoicemail {
		t.Fatalf("SaveSettings with a text file: %v, want code %s", err, CodeDialerVoicemail)
	}
	lists, err := s.Lists()
	if err != nil || len(lists) != 1 || lists[0].Settings.Voicemail != vm {
		t.Fatalf("lists after the refused save = %+v, %v", lists, err)
	}
}

// TestDialerVoicemailDropOptions: a session gets answering-machine
// detection and the voicemail drop only in power and parallel modes with a
// voicemail file, and a file that went missing since it was saved stops
// the start with the voicemail code.
func TestDialerVoicemailDropOptions(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	vm := filepath.Join(t.TempDir(), "vm.wav")
	if err := testlab.WriteToneWAV(vm, 700, 1); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		mode, file string
		want       bool
	}{{"preview", vm, false}, {"power", "", false}, {"power", vm, true}, {"parallel", vm, true}} {
		l := &dialer.List{Settings: dialer.DefaultSettings()}
		l.Settings.Mode, l.Settings.Voicemail = dialer.Mode(tc.mode), tc.file
		var opts []dialer.SessionOption
		amd, err := voicemailDrop(a.core, l, &opts)
		if err != nil || (amd != nil) != tc.want || len(opts) != map[bool]int{false: 0, true: 2}[tc.want] {
			t.Errorf("%s with %q: amd %v, %d options, %v", tc.mode, tc.file, amd != nil, len(opts), err)
		}
		amd.Close()
	}
	l := &dialer.List{Settings: dialer.DefaultSettings()}
	l.Settings.Mode, l.Settings.Voicemail = dialer.ModePower, filepath.Join(t.TempDir(), "gone.mp3")
	var opts []dialer.SessionOption
	if _, err := voicemailDrop(a.core, l, &opts); codeOf(a, err) != CodeDialerVoicemail {
		t.Errorf("a voicemail file gone since it was saved: %v", err)
	}
}

// TestDialerListApology: a list's apology prompt is checked like its
// voicemail (its own code; longer than the prompt may be is refused), kept
// in its settings, and given to parallel sessions only; one gone since it
// was saved stops the start with its code.
func TestDialerListApology(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	s := a.svcs.Dialer
	dir := t.TempDir()
	sorry, long := filepath.Join(dir, "sorry.wav"), filepath.Join(dir, "long.wav")
	if err := testlab.WriteToneWAV(sorry, 900, 3); err != nil {
		t.Fatal(err)
	}
	if err := testlab.WriteToneWAV(long, 900, 20); err != nil {
		t.Fatal(err)
	}
	if v, err := s.CheckApology(sorry); err != nil || v.DurationMs < 2980 || v.DurationMs > 3020 {
		t.Fatalf("CheckApology(3 s) = %+v, %v", v, err)
	}
	if _, err := s.CheckApology(long); codeOf(a, err) != CodeDialerApology {
		t.Errorf("CheckApology(20 s) = %v, want code %s", err, CodeDialerApology)
	}
	rep, err := s.Import(DialerImportInput{Name: "AP", CSV: "name,phone\nAda,+1 212 555 0100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	set := rep.List.Settings
	set.Mode, set.Lines, set.Apology = "parallel", 3, " "+sorry+" "
	l, err := s.SaveSettings(rep.List.ID, set)
	if err != nil || l.Settings.Apology != sorry {
		t.Fatalf("SaveSettings with an apology prompt = %+v, %v", l.Settings, err)
	}
	set.Apology = long
	if _, err := s.SaveSettings(rep.List.ID, set); codeOf(a, err) != CodeDialerApology {
		t.Fatalf("SaveSettings with a 20 s prompt: %v, want code %s", err, CodeDialerApology)
	}
	if lists, _ := s.Lists(); len(lists) != 1 || lists[0].Settings.Apology != sorry {
		t.Fatalf("lists after the refused save = %+v", lists)
	}
	for _, tc := range []struct {
		mode, file string
		opts       int
	}{{"parallel", sorry, 1}, {"parallel", "", 0}, {"power", sorry, 0}} {
		l := &dialer.List{Settings: dialer.DefaultSettings()}
		l.Settings.Mode, l.Settings.Apology = dialer.Mode(tc.mode), tc.file
		var opts []dialer.SessionOption
		if err := apologyPrompt(l, &opts); err != nil || len(opts) != tc.opts {
			t.Errorf("%s with %q: %d options, %v; want %d", tc.mode, tc.file, len(opts), err, tc.opts)
		}
	}
	if err := os.Remove(sorry); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StartSession(rep.List.ID); codeOf(a, err) != CodeDialerApology {
		t.Errorf("starting with the prompt gone: %v, want code %s", err, CodeDialerApology)
	}
}

package app

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// waitAfter waits for an ev event at or after index from (evlog.mark)
// for which pred holds; the deadline only bounds the wait.
func waitAfter[T any](t *testing.T, l *evlog, from int, ev Event[T], what string, pred func(T) bool) T {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tm := time.AfterFunc(30*time.Second, func() { l.mu.Lock(); l.cond.Broadcast(); l.mu.Unlock() })
	defer tm.Stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := from; ; {
		for ; i < len(l.list); i++ {
			var v T
			if l.list[i].name != ev.Name() {
				continue
			}
			if err := json.Unmarshal(l.list[i].data, &v); err != nil {
				t.Fatalf("%s payload: %v", ev.Name(), err)
			}
			if pred(v) {
				return v
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (%s)", ev.Name(), what)
		}
		l.cond.Wait()
	}
}

// TestDialerPlayVoicemail: a voicemail file plays on the speaker until its
// end, Stop, a call starting, another file or the app quitting, and each
// end says why on EvVoicemailPlay; a file a drop could not play is refused
// with the drop's own error before anything plays.
func TestDialerPlayVoicemail(t *testing.T) {
	kc := newKeychain(t)
	dir := t.TempDir()
	a, log, release := startAppRelease(t, dir, kc)
	s := a.svcs.Dialer
	short, long := filepath.Join(dir, "short.wav"), filepath.Join(dir, "long.wav")
	if err := testlab.WriteWAV(short, 16000, testlab.ToneSamples(440, 16000, 16000*3/10, 0.3)); err != nil {
		t.Fatal(err)
	}
	if err := testlab.WriteWAV(long, 16000, testlab.ToneSamples(440, 16000, 16000*30, 0.3)); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.wav")
	if err := os.WriteFile(bad, []byte("not audio at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := 0
	ended := func(path, reason string) VoicemailPlayView {
		t.Helper()
		return waitAfter(t, log, m, EvVoicemailPlay, path+" "+reason, func(v VoicemailPlayView) bool {
			return v.Path == path && !v.Playing && v.Reason == reason
		})
	}

	if _, err := s.PlayVoicemail(bad); codeOf(a, err) != CodeDialerVoicemail {
		t.Errorf("playing a text file: %v, want code %s", err, CodeDialerVoicemail)
	}
	if _, err := s.PlayVoicemail("  "); codeOf(a, err) != CodeInvalidArgument {
		t.Errorf("playing no file: %v, want code %s", err, CodeInvalidArgument)
	}
	if v, _ := s.VoicemailPlay(); v.Playing {
		t.Fatalf("a refused file plays: %+v", v)
	}

	// To its end.
	m = log.mark()
	v, err := s.PlayVoicemail(short)
	if err != nil || !v.Playing || v.DurationMs != 300 || v.Path != short {
		t.Fatalf("PlayVoicemail = %+v, %v", v, err)
	}
	waitAfter(t, log, m, EvVoicemailPlay, "started", func(v VoicemailPlayView) bool { return v.Path == short && v.Playing })
	ended(short, PlayEnded)
	if v, _ := s.VoicemailPlay(); v.Playing {
		t.Errorf("still playing after its end: %+v", v)
	}

	// Stop.
	m = log.mark()
	if _, err := s.PlayVoicemail(long); err != nil {
		t.Fatal(err)
	}
	if v, err := s.StopVoicemailPlay(); err != nil || v.Playing {
		t.Errorf("StopVoicemailPlay = %+v, %v", v, err)
	}
	ended(long, PlayStopped)

	// Another file replaces it.
	m = log.mark()
	if _, err := s.PlayVoicemail(long); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PlayVoicemail(short); err != nil {
		t.Fatal(err)
	}
	ended(long, PlayReplaced)
	ended(short, PlayEnded)

	// A call starting stops it.
	m = log.mark()
	if _, err := s.PlayVoicemail(long); err != nil {
		t.Fatal(err)
	}
	c, err := a.svcs.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	ended(long, PlayCall)
	if _, err := a.svcs.Calls.Hangup(c.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, c.ID, "ended")

	// Quitting stops it.
	m = log.mark()
	if _, err := s.PlayVoicemail(long); err != nil {
		t.Fatal(err)
	}
	release()
	ended(long, PlayQuit)
}

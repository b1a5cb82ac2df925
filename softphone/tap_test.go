package softphone_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestTapAndPlayToRemote: a real baresip peer (bob) plays 400 Hz. The
// call's audio tap must deliver it (8 kHz frames, Goertzel at 400 Hz well
// above 1000 Hz); PlayToRemote then sends a 2 s 1000 Hz file instead of
// the microphone (silence here), its done channel closes at the end of
// the file, and bob's recording holds the 1000 Hz tone. The tap ends with
// the call (Read returns ErrTapClosed).
func TestTapAndPlayToRemote(t *testing.T) {
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithTone(400), testlab.WithRecording())
	p, ev := startCarol(t)

	m := ev.mark()
	call, err := p.Dial(ctx(t, 60*time.Second), bob.URI())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	tap, err := call.TapReceived(8000)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := call.TapReceived(8000); !errors.Is(err, softphone.ErrInvalidState) {
		t.Fatalf("second tap: %v, want ErrInvalidState", err)
	}

	// 1.5 s of received audio, from the tap.
	got := make([]int16, 0, 8000*3/2)
	frame := make([]int16, tap.FrameSamples())
	rctx := ctx(t, 30*time.Second)
	for len(got) < cap(got) {
		n, err := tap.Read(rctx, frame)
		if err != nil {
			t.Fatalf("tap read after %d samples: %v", len(got), err)
		}
		got = append(got, frame[:n]...)
	}
	// bob's tone may start a little after the answer: judge the last second.
	if g400, g1k := dsp.Goertzel(got[4000:], 8000, 400), dsp.Goertzel(got[4000:], 8000, 1000); g400 < 0.01 || g400 < 20*g1k {
		t.Errorf("tap: 400 Hz power %.4f, 1000 Hz %.4f: want bob's 400 Hz tone", g400, g1k)
	}

	src, err := file.OpenSource(toneWAV2s(t, 1000), 48000)
	if err != nil {
		t.Fatal(err)
	}
	done, err := call.PlayToRemote(src)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-call.Done():
		t.Fatal("call ended before the playback did")
	case <-ctx(t, 30*time.Second).Done():
		t.Fatal("playback of a 2 s file not done in 30 s")
	}
	bm := bob.Mark()
	m2 := ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m2, call.ID(), softphone.CallEnded, 10*time.Second)
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see our BYE: %v", err)
	}
	for {
		if _, err := tap.Read(ctx(t, 10*time.Second), frame); err != nil {
			if !errors.Is(err, softphone.ErrTapClosed) {
				t.Fatalf("tap read after the call ended: %v, want ErrTapClosed", err)
			}
			break
		}
	}
	tap.Stop() // idempotent after the end
	recs, err := bob.Recordings("dec")
	if err != nil || len(recs) == 0 {
		t.Fatalf("bob recordings: %v %v", recs, err)
	}
	rate, s, err := testlab.ReadWAV(recs[0])
	if err != nil {
		t.Fatal(err)
	}
	if g1k, g400 := dsp.Goertzel(s, rate, 1000), dsp.Goertzel(s, rate, 400); g1k < 0.005 || g1k < 10*g400 {
		t.Errorf("bob's recording (%.1f s): 1000 Hz power %.4f, 400 Hz %.4f: want our played 1000 Hz file", float64(len(s))/float64(rate), g1k, g400)
	}
}

func toneWAV2s(t *testing.T, freq float64) string {
	t.Helper()
	path := t.TempDir() + "/tone2s.wav"
	if err := testlab.WriteToneWAV(path, freq, 2); err != nil {
		t.Fatal(err)
	}
	return path
}

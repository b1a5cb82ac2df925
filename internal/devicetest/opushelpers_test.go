package devicetest

import (
	"context"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// Helpers of the Opus and codec-switch tests with baresip (opus_test.go,
// opusptime_test.go, codecswitch_test.go): carol, a Phone on null audio
// devices that plays and records files, calls bob (a baresip peer) and
// hangs up on him.

// startCarol starts carol (sip:carol@127.0.0.1 over UDP, no registrar,
// null audio devices) with opts, such as softphone.WithPlayFile and
// softphone.WithRecordFile, and records her events. With autoAnswer she
// answers incoming calls. She is closed at the end of the test.
func startCarol(t *testing.T, autoAnswer bool, opts ...softphone.Option) (*softphone.Phone, *events) {
	t.Helper()
	return startNullPhone(t, softphone.Config{
		Account:    softphone.AccountConfig{AOR: "sip:carol@127.0.0.1", Transport: "udp"},
		Listen:     "127.0.0.1:0",
		AutoAnswer: autoAnswer,
	}, opts...)
}

// startNullPhone starts a Phone with cfg on null audio devices
// (softphone.WithAudio, before opts) and records its events. It is closed
// at the end of the test.
func startNullPhone(t *testing.T, cfg softphone.Config, opts ...softphone.Option) (*softphone.Phone, *events) {
	t.Helper()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	p, err := softphone.NewPhone(cfg, append([]softphone.Option{softphone.WithAudio(nb, "", "", "")}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ev := record(t, p)
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close(); nb.Close() })
	return p, ev
}

// callBob dials bob from p and waits until the call is connected on our
// side and established on bob's. It returns the call and the mark of ev
// taken just before the dial.
func callBob(t *testing.T, p *softphone.Phone, ev *events, bob *testlab.Baresip) (*softphone.Call, int) {
	t.Helper()
	m := ev.mark()
	call, err := p.Dial(ctx(t, 60*time.Second), bob.URI())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob never got the call: %v", err)
	}
	return call, m
}

// hangUpOnBob hangs call up, waits until it has ended on our side and
// bob has seen our BYE, then closes p, which finishes its recording.
func hangUpOnBob(t *testing.T, p *softphone.Phone, ev *events, call *softphone.Call, bob *testlab.Baresip) {
	t.Helper()
	bm, m := bob.Mark(), ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see our BYE: %v", err)
	}
	p.Close()
}

// readRecording reads carol's recording at path (softphone.WithRecordFile)
// and fails the test unless it holds at least secs seconds.
func readRecording(t *testing.T, path string, secs int) (rate int, s []int16) {
	t.Helper()
	rate, s, err := testlab.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(s) < secs*rate {
		t.Fatalf("our recording is %.1f s, want at least %d s", float64(len(s))/float64(rate), secs)
	}
	return rate, s
}

// bobRecording returns the path of bob's first recording of what he
// decoded (testlab.WithRecording); it fails the test if there is none.
func bobRecording(t *testing.T, bob *testlab.Baresip) string {
	t.Helper()
	recs, err := bob.Recordings("dec")
	if err != nil || len(recs) == 0 {
		t.Fatalf("bob recordings: %v %v", recs, err)
	}
	return recs[0]
}

// readBobRecording reads bob's recording (bobRecording) and returns its
// rate and samples.
func readBobRecording(t *testing.T, bob *testlab.Baresip) (rate int, s []int16) {
	t.Helper()
	rate, s, err := testlab.ReadWAV(bobRecording(t, bob))
	if err != nil {
		t.Fatal(err)
	}
	return rate, s
}

package softphone_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestDirectCallToBaresip: with no registration and no outbound proxy,
// a call to sip:bob@127.0.0.1:PORT goes to that port (RFC 3263: the
// Request-URI decides), not to the AOR host's 5060. bob is a baresip that
// knows no registrar; it must receive the call, audio must flow both ways
// and our BYE must close it on bob's side.
func TestDirectCallToBaresip(t *testing.T) {
	for _, tr := range []string{"udp", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithTone(400), testlab.WithRecording())
			rec := filepath.Join(t.TempDir(), "carol-rx.wav")
			nb, err := audio.NewNullBackend()
			if err != nil {
				t.Fatal(err)
			}
			p, err := softphone.NewPhone(softphone.Config{
				// The AOR's host is bob's host but names no port: a call
				// routed by the AOR would go to 127.0.0.1:5060.
				Account: softphone.AccountConfig{AOR: "sip:carol@127.0.0.1", Transport: tr},
				Listen:  "127.0.0.1:0",
			}, softphone.WithAudio(nb, "", "", ""), softphone.WithPlayFile(toneWAV(t, 1000)), softphone.WithRecordFile(rec))
			if err != nil {
				t.Fatal(err)
			}
			ev := record(t, p)
			if err := p.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close(); nb.Close() })

			target := bob.URI()
			if tr != "udp" {
				target += ";transport=" + tr
			}
			m := ev.mark()
			call, err := p.Dial(ctx(t, 60*time.Second), target)
			if err != nil {
				t.Fatal(err)
			}
			ev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
			if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
				t.Fatalf("bob never got the call: %v", err)
			}
			ev.statsAtLeast(t, m, call.ID(), 120, 15*time.Second)

			bm := bob.Mark()
			m2 := ev.mark()
			if err := call.Hangup(); err != nil {
				t.Fatal(err)
			}
			ev.callState(t, m2, call.ID(), softphone.CallEnded, 10*time.Second)
			if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
				t.Fatalf("bob did not see our BYE: %v", err)
			}
			p.Close()

			if f, pw, secs := dominant(t, rec); !near(f, 400) || pw < 0.01 {
				t.Errorf("we received %.0f Hz (power %.3f, %.1f s), want 400 Hz from bob", f, pw, secs)
			}
			recs, err := bob.Recordings("dec")
			if err != nil || len(recs) == 0 {
				t.Fatalf("bob recordings: %v %v", recs, err)
			}
			if f, pw, secs := dominant(t, recs[0]); !near(f, 1000) || pw < 0.01 {
				t.Errorf("bob received %.0f Hz (power %.3f, %.1f s), want 1000 Hz from us", f, pw, secs)
			}
		})
	}
}

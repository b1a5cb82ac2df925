package amd

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestCorpusThroughKamailio plays a human and a machine corpus file from a
// real baresip peer (bob, registered at a real Kamailio) into a call the
// engine makes (carol), records what the engine receives (PCMU over RTP,
// jitter buffer, playout at the bus rate) and classifies that recording:
// the detector must give the file's label, and for the greeting find its
// beep at its frequency. The corpus itself is synthetic; this checks that
// the codec, the network path and the engine's playout keep what the
// detector relies on.
func TestCorpusThroughKamailio(t *testing.T) {
	var human, machine corpusFile
	for _, c := range loadCorpus(t) {
		if c.Noise != "none" || c.Set != "tune" {
			continue
		}
		switch r := classify(t, c); {
		case human.Name == "" && c.Label == Human && r.Decision.Result == Human:
			human = c
		case machine.Name == "" && c.Label == Machine && c.HasBeep && r.Decision.Result == Machine && r.BeepOK:
			machine = c
		}
	}
	if human.Name == "" || machine.Name == "" {
		t.Fatal("no correctly classified noise-free human and machine file with a beep in the tune set")
	}
	k := testlab.StartKamailio(t)
	for _, c := range []corpusFile{human, machine} {
		t.Run(c.Name, func(t *testing.T) {
			src, err := filepath.Abs(filepath.Join("testdata", c.Name))
			if err != nil {
				t.Fatal(err)
			}
			bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
				testlab.WithSourceWAV(src))
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			if _, err := k.WaitRegistered(ctx, "bob"); err != nil {
				t.Fatalf("bob not registered: %v", err)
			}

			rec := filepath.Join(t.TempDir(), "carol-rx.wav")
			nb, err := audio.NewNullBackend()
			if err != nil {
				t.Fatal(err)
			}
			p, err := softphone.NewPhone(softphone.Config{
				Account: softphone.AccountConfig{AOR: "sip:carol@" + k.Addr(), Password: k.Password("carol"), Transport: "udp", Register: true},
				Listen:  "127.0.0.1:0",
			}, softphone.WithAudio(nb, "", "", ""), softphone.WithRecordFile(rec))
			if err != nil {
				t.Fatal(err)
			}
			events, unsubscribe := p.Subscribe()
			defer unsubscribe()
			if err := p.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.Close(); nb.Close() })
			waitFor := func(what string, pred func(softphone.Event) bool) {
				t.Helper()
				for {
					select {
					case ev, ok := <-events:
						if !ok {
							t.Fatalf("event stream closed waiting for %s", what)
						}
						if r, isReg := ev.(softphone.RegistrationEvent); isReg && r.State == softphone.RegFailed {
							t.Fatalf("carol's registration failed: %s", r.Reason)
						}
						if pred(ev) {
							return
						}
					case <-ctx.Done():
						t.Fatalf("waiting for %s: %v\nbob's log:\n%s", what, ctx.Err(), bob.Log())
					}
				}
			}
			waitFor("carol registered", func(ev softphone.Event) bool {
				r, ok := ev.(softphone.RegistrationEvent)
				return ok && r.State == softphone.RegRegistered
			})
			call, err := p.Dial(ctx, "bob")
			if err != nil {
				t.Fatal(err)
			}
			// bob's aufile source ends the call when the file ends.
			waitFor("the call to end (bob hangs up at the end of "+c.Name+")", func(ev softphone.Event) bool {
				ce, ok := ev.(softphone.CallEvent)
				return ok && ce.CallID == call.ID() && ce.State == softphone.CallEnded
			})
			p.Close() // closes the recording

			samples, rate, err := readWAV(rec)
			if err != nil {
				t.Fatal(err)
			}
			got := c
			got.Samples, got.Rate = samples, rate
			r := classify(t, got)
			t.Logf("%s through Kamailio (%.1f s received at %d Hz): %s after %v (%s); beep %v at %v, %.0f Hz; drop %v %q at %v",
				c.Name, float64(len(samples))/float64(rate), rate, r.Decision.Result, r.Decision.After, r.Decision.Reason,
				r.BeepOK, r.BeepAt, r.BeepFreq, r.Drop, r.DropWhy, r.DropAt)
			if r.Decision.Result != c.Label {
				t.Errorf("%s through Kamailio: %s (%s), want %s", c.Name, r.Decision.Result, r.Decision.Reason, c.Label)
			}
			if c.HasBeep {
				want := classify(t, c)
				if !r.BeepOK || r.BeepFreq < want.BeepFreq-50 || r.BeepFreq > want.BeepFreq+50 {
					t.Errorf("%s through Kamailio: beep %v at %.0f Hz, want one at %.0f Hz", c.Name, r.BeepOK, r.BeepFreq, want.BeepFreq)
				}
				if !r.Drop || r.DropWhy != DropBeep {
					t.Errorf("%s through Kamailio: drop %v %q, want %q", c.Name, r.Drop, r.DropWhy, DropBeep)
				}
			}
		})
	}
}

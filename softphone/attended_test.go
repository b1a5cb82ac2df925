package softphone_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

func TestParseReplaces(t *testing.T) {
	good := map[string]softphone.Replaces{
		"98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff":                {CallID: "98732@sip.example.com", ToTag: "ff87ff", FromTag: "r33th4x0r"},
		" 425928@bobster.example.org ; to-tag=7743 ; from-tag=6472 ;early-only": {CallID: "425928@bobster.example.org", ToTag: "7743", FromTag: "6472", EarlyOnly: true},
		"abc;to-tag=1;from-tag=2;x-foo=bar;lr":                                  {CallID: "abc", ToTag: "1", FromTag: "2"},
	}
	for in, want := range good {
		got, err := softphone.ParseReplaces(in)
		if err != nil || got != want {
			t.Errorf("ParseReplaces(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if again, err := softphone.ParseReplaces(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
		}
	}
	for _, in := range []string{"", ";to-tag=1;from-tag=2", "abc", "abc;to-tag=1", "abc;from-tag=2",
		"abc;to-tag=;from-tag=2", "abc;to-tag=1;to-tag=3;from-tag=2", "a b;to-tag=1;from-tag=2",
		"abc;to-tag=1;from-tag=2;;", "abc;to-tag=1 2;from-tag=2", "abc@;to-tag=1;from-tag=2"} {
		if r, err := softphone.ParseReplaces(in); !errors.Is(err, softphone.ErrInvalidTarget) {
			t.Errorf("ParseReplaces(%q) = %+v, %v; want ErrInvalidTarget", in, r, err)
		}
	}
}

func FuzzParseReplaces(f *testing.F) {
	f.Add("98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff")
	f.Add("a;to-tag=1;from-tag=2;early-only")
	f.Add("a;to-tag=1;from-tag=2;x=\"y\"")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := softphone.ParseReplaces(s)
		if err != nil {
			return
		}
		if r.CallID == "" || r.ToTag == "" || r.FromTag == "" {
			t.Fatalf("%q parsed to %+v", s, r)
		}
		again, err := softphone.ParseReplaces(r.String())
		if err != nil || again != r {
			t.Fatalf("%q: %+v renders %q, which parses to %+v, %v", s, r, r.String(), again, err)
		}
	})
}

// TestAttendedTransfer: carol (the rep, 1000 Hz) talks with bob (the
// customer, 400 Hz), consults dave (the colleague, 600 Hz) while bob is
// held, cancels and returns to bob, consults again and completes: a REFER
// with Replaces to bob, whose phone calls dave with Replaces; dave's phone
// swaps carol's leg for bob's. Both of carol's calls end, and bob and
// dave hear each other and not carol. Three Pitchline engines through
// Kamailio (baresip 1.0.0 implements neither REFER with Replaces nor
// Replaces, RFC 3891).
func TestAttendedTransfer(t *testing.T) {
	k := testlab.StartKamailio(t)
	rate := softphone.BusRate()
	mk := func(user string, freq float64) (*softphone.Phone, *events, *speakerTap) {
		mic, err := tone.NewSine(freq, 0.3, rate)
		if err != nil {
			t.Fatal(err)
		}
		spk := newSpeakerTap(rate)
		p, ev := newPhone(t, k, user, phoneOpt{autoAnswer: user != "carol",
			extra: []softphone.Option{softphone.WithLocalAudio(mic, spk)}})
		waitRegistered(t, ev)
		return p, ev, spk
	}
	carol, cev, _ := mk("carol", 1000)
	bob, bev, bspk := mk("bob", 400)
	dave, dev, dspk := mk("dave", 600)

	m := cev.mark()
	call, err := carol.Dial(ctx(t, 180*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	cev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	bobOld := bob.Calls()
	if len(bobOld) != 1 {
		t.Fatalf("bob has %d calls", len(bobOld))
	}

	consult := func() *softphone.Call {
		t.Helper()
		m := cev.mark()
		cc, err := call.Consult(ctx(t, 180*time.Second), "dave")
		if err != nil {
			t.Fatal(err)
		}
		cev.callState(t, m, call.ID(), softphone.CallHeld, 15*time.Second)
		cev.callState(t, m, cc.ID(), softphone.CallConnected, 15*time.Second)
		return cc
	}
	cc := consult()
	m = cev.mark()
	if err := call.CancelConsult(cc); err != nil {
		t.Fatal(err)
	}
	cev.callState(t, m, cc.ID(), softphone.CallEnded, 10*time.Second)
	cev.callState(t, m, call.ID(), softphone.CallConnected, 10*time.Second)

	cc = consult()
	daveCalls := dave.Calls()
	var daveCall softphone.CallInfo
	for _, ci := range daveCalls {
		if ci.State != softphone.CallEnded {
			daveCall = ci
		}
	}
	m, bm, dm := cev.mark(), bev.mark(), dev.mark()
	if err := call.CompleteTransfer(cc); err != nil {
		t.Fatal(err)
	}
	if end := cev.callState(t, m, call.ID(), softphone.CallEnded, 20*time.Second); end.Cause != softphone.CauseTransferred {
		t.Errorf("carol's call with bob ended with %s", end.Cause)
	}
	cev.callState(t, m, cc.ID(), softphone.CallEnded, 20*time.Second)
	// bob's phone reports the transfer done; its call with carol ends
	// (by carol's BYE or its own, whichever comes first).
	bev.wait(t, bm, 20*time.Second, "bob's transfer done", func(e softphone.Event) bool {
		te, ok := e.(softphone.TransferEvent)
		return ok && te.Incoming && te.Final && te.Status == 200 && te.CallID == bobOld[0].ID
	})
	bev.callState(t, bm, bobOld[0].ID, softphone.CallEnded, 20*time.Second)
	// dave's call goes on, its leg to carol replaced by bob's.
	dev.wait(t, dm, 20*time.Second, "dave's new leg", func(e softphone.Event) bool {
		le, ok := e.(softphone.LegEvent)
		return ok && le.CallID == daveCall.ID && le.State == softphone.LegConnected
	})
	if c, err := dave.Call(daveCall.ID); err != nil || c.Info().State != softphone.CallConnected || len(c.Legs()) != 1 {
		t.Fatalf("dave's call after the transfer (want connected, one leg): %v, %v", err, func() any {
			if c == nil {
				return nil
			}
			return c.Info()
		}())
	}
	checkHears(t, "bob (transferred)", bspk.window(t, bspk.mark()+rate, 2*rate), rate, []float64{600}, []float64{400, 1000})
	checkHears(t, "dave (transferred)", dspk.window(t, dspk.mark()+rate, 2*rate), rate, []float64{400}, []float64{600, 1000})
	if n := len(carol.Calls()); n != 0 {
		t.Errorf("carol still has %d calls", n)
	}
	carol.Close()
	bob.Close()
	dave.Close()
	checkNoLeaks(t)
}

package softphone_test

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

func near(f, want float64) bool { return math.Abs(f-want) <= 15 }

func TestRegisterUDPAndTCP(t *testing.T) {
	k := testlab.StartKamailio(t)
	for _, tr := range []string{"udp", "tcp"} {
		t.Run(tr, func(t *testing.T) {
			p, ev := newPhone(t, k, "carol", phoneOpt{transport: tr})
			waitRegistered(t, ev)
			contacts, err := k.WaitRegistered(ctx(t, 5*time.Second), "carol")
			if err != nil || len(contacts) == 0 {
				t.Fatalf("registrar has no contact for carol: %v %v", contacts, err)
			}
			if !strings.Contains(strings.Join(contacts, " "), p.LocalAddr()) {
				t.Errorf("contacts %v do not name our address %s", contacts, p.LocalAddr())
			}
			p.Close()
			if err := k.WaitUnregistered(ctx(t, 5*time.Second), "carol"); err != nil {
				t.Errorf("not unregistered on shutdown: %v", err)
			}
		})
	}
}

func TestRegisterWrongPassword(t *testing.T) {
	k := testlab.StartKamailio(t)
	_, ev := newPhone(t, k, "carol", phoneOpt{password: "wrong-password"})
	e := ev.wait(t, 0, 10*time.Second, "registration failure", func(e softphone.Event) bool {
		r, ok := e.(softphone.RegistrationEvent)
		return ok && r.State == softphone.RegFailed
	}).(softphone.RegistrationEvent)
	if !strings.Contains(e.Reason, "authentication failed") || !strings.Contains(e.Reason, "401") {
		t.Errorf("reason %q should say authentication failed (401)", e.Reason)
	}
}

// TestOutboundCallAudioDTMFHold calls baresip through Kamailio and checks
// audio both ways by frequency, DTMF both ways, hold and resume (SDP
// direction on the peer and a pause in RTP) and BYE.
func TestOutboundCallAudioDTMFHold(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording(), testlab.WithSIPTrace())
	rec := filepath.Join(t.TempDir(), "carol-rx.wav")
	p, ev := newPhone(t, k, "carol", phoneOpt{play: toneWAV(t, 1000), record: rec})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatalf("bob not registered: %v", err)
	}

	m := ev.mark()
	call, err := p.Dial(ctx(t, 60*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 10*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 5*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}
	ev.statsAtLeast(t, m, call.ID(), 120, 10*time.Second) // ~2.4 s of audio both ways

	// DTMF: ours to bob, bob's to us.
	bm := bob.Mark()
	if err := call.SendDTMF("5"); err != nil {
		t.Fatal(err)
	}
	d, err := bob.WaitEventAfter(ctx(t, 5*time.Second), bm, "CALL_DTMF_START")
	if err != nil || d.Param != "5" {
		t.Fatalf("bob DTMF: %+v %v", d, err)
	}
	m2 := ev.mark()
	if _, err := bob.Command(ctx(t, 5*time.Second), "sndcode", "7"); err != nil {
		t.Fatal(err)
	}
	got := ev.wait(t, m2, 5*time.Second, "dtmf 7", func(e softphone.Event) bool {
		d, ok := e.(softphone.DTMFEvent)
		return ok && d.CallID == call.ID()
	}).(softphone.DTMFEvent)
	if got.Digit != "7" {
		t.Errorf("received DTMF %q, want 7", got.Digit)
	}

	// Hold: the peer gets a=sendonly and stops sending (RTP pause).
	m3 := ev.mark()
	if err := call.Hold(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m3, call.ID(), softphone.CallHeld, 5*time.Second)
	ev.wait(t, m3, 5*time.Second, "sendonly in bob's log", func(softphone.Event) bool {
		return strings.Contains(bob.Log(), "a=sendonly")
	})
	// Let two stats ticks pass and check the received count froze.
	ev.wait(t, ev.mark(), 5*time.Second, "stats tick", isStats(call.ID()))
	held1 := call.Stats().PacketsReceived
	ev.wait(t, ev.mark(), 5*time.Second, "stats tick", isStats(call.ID()))
	ev.wait(t, ev.mark(), 5*time.Second, "stats tick", isStats(call.ID()))
	held2 := call.Stats().PacketsReceived
	if held2-held1 > 5 {
		t.Errorf("RTP kept arriving on hold: %d -> %d packets", held1, held2)
	}
	m4 := ev.mark()
	if err := call.Resume(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m4, call.ID(), softphone.CallConnected, 5*time.Second)
	ev.wait(t, m4, 10*time.Second, "RTP after resume", func(e softphone.Event) bool {
		s, ok := e.(softphone.StatsEvent)
		return ok && s.CallID == call.ID() && s.Stats.PacketsReceived > held2+25
	})

	// BYE from us.
	bm = bob.Mark()
	m5 := ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	end := ev.callState(t, m5, call.ID(), softphone.CallEnded, 5*time.Second)
	if end.Cause != softphone.CauseLocalHangup {
		t.Errorf("cause %s", end.Cause)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 5*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see BYE: %v", err)
	}
	p.Close()

	// Audio by frequency on both sides.
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
}

func isStats(callID string) func(softphone.Event) bool {
	return func(e softphone.Event) bool {
		s, ok := e.(softphone.StatsEvent)
		return ok && s.CallID == callID
	}
}

// TestInboundCallFromBaresip: bob calls carol; carol answers; audio and a
// BYE from the caller.
func TestInboundCallFromBaresip(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording())
	rec := filepath.Join(t.TempDir(), "carol-rx.wav")
	p, ev := newPhone(t, k, "carol", phoneOpt{play: toneWAV(t, 1000), record: rec})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
		t.Fatal(err)
	}
	in := ev.callState(t, 0, "", softphone.CallIncoming, 10*time.Second)
	if !strings.Contains(in.Remote, "bob") {
		t.Errorf("caller %q", in.Remote)
	}
	call, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Answer(); err != nil {
		t.Fatal(err)
	}
	ev.callState(t, 0, in.CallID, softphone.CallConnected, 10*time.Second)
	ev.statsAtLeast(t, 0, in.CallID, 120, 10*time.Second)
	m := ev.mark()
	if _, err := bob.Command(ctx(t, 5*time.Second), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	end := ev.callState(t, m, in.CallID, softphone.CallEnded, 5*time.Second)
	if end.Cause != softphone.CauseRemoteHangup || end.Duration <= 0 {
		t.Errorf("end %+v", end)
	}
	p.Close()
	if f, _, _ := dominant(t, rec); !near(f, 400) {
		t.Errorf("we received %.0f Hz, want 400", f)
	}
}

// TestCancelBusyDecline: hanging up while ringing sends CANCEL; inbound
// calls rejected as busy and declined reach the caller as 486 and 603.
func TestCancelBusyDecline(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithAnswerMode("manual"))
	p, ev := newPhone(t, k, "carol", phoneOpt{})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}

	t.Run("cancel", func(t *testing.T) {
		m := ev.mark()
		bm := bob.Mark()
		call, err := p.Dial(ctx(t, 30*time.Second), "bob")
		if err != nil {
			t.Fatal(err)
		}
		ev.callState(t, m, call.ID(), softphone.CallRinging, 10*time.Second)
		if err := call.Hangup(); err != nil {
			t.Fatal(err)
		}
		end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
		if end.Cause != softphone.CauseCanceled || end.Status != 487 {
			t.Errorf("end %+v, want canceled/487", end)
		}
		if _, err := bob.WaitEventAfter(ctx(t, 5*time.Second), bm, "CALL_CLOSED"); err != nil {
			t.Errorf("bob did not see the CANCEL: %v", err)
		}
	})
	for _, c := range []struct {
		name   string
		busy   bool
		status string
	}{{"busy", true, "486"}, {"decline", false, "603"}} {
		t.Run(c.name, func(t *testing.T) {
			m := ev.mark()
			bm := bob.Mark()
			if _, err := bob.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
				t.Fatal(err)
			}
			in := ev.callState(t, m, "", softphone.CallIncoming, 10*time.Second)
			call, err := p.Call(in.CallID)
			if err != nil {
				t.Fatal(err)
			}
			if err := call.Reject(c.busy); err != nil {
				t.Fatal(err)
			}
			end := ev.callState(t, m, in.CallID, softphone.CallEnded, 10*time.Second)
			if end.Cause != softphone.CauseRejected {
				t.Errorf("cause %s", end.Cause)
			}
			closed, err := bob.WaitEventAfter(ctx(t, 5*time.Second), bm, "CALL_CLOSED")
			if err != nil || !strings.Contains(closed.Param, c.status) {
				t.Errorf("bob closed with %+v %v, want %s", closed, err, c.status)
			}
		})
	}
}

// TestScannerShield: an INVITE straight from sipp (not the registrar) is
// refused without ringing and counted.
func TestScannerShield(t *testing.T) {
	k := testlab.StartKamailio(t)
	p, ev := newPhone(t, k, "carol", phoneOpt{})
	waitRegistered(t, ev)
	res := testlab.RunSipp(t, testlab.SippArgs{Scenario: testlab.SippDirectInvite, Remote: p.LocalAddr(), Service: "carol"})
	b := ev.wait(t, 0, 10*time.Second, "blocked", func(e softphone.Event) bool {
		_, ok := e.(softphone.BlockedEvent)
		return ok
	}).(softphone.BlockedEvent)
	if !strings.Contains(b.Reason, "not the registrar") {
		t.Errorf("reason %q", b.Reason)
	}
	if p.BlockedCount() < 1 {
		t.Errorf("blocked count %d", p.BlockedCount())
	}
	ev.mu.Lock()
	seen := append([]softphone.Event(nil), ev.list...)
	ev.mu.Unlock()
	for _, e := range seen {
		if ce, ok := e.(softphone.CallEvent); ok && ce.State == softphone.CallIncoming {
			t.Fatalf("a scanner INVITE rang: %+v (sipp: %s)", ce, res.Summary())
		}
	}
}

// TestBlindTransfer: carol calls bob and transfers him to alice; bob
// follows the REFER, the NOTIFY reports 200 and carol's call ends.
func TestBlindTransfer(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	alice := testlab.StartBaresip(t, "alice", testlab.WithAccount("alice", k.Password("alice"), k.Addr(), "udp"), testlab.WithTone(700))
	p, ev := newPhone(t, k, "carol", phoneOpt{})
	waitRegistered(t, ev)
	for _, u := range []string{"bob", "alice"} {
		if _, err := k.WaitRegistered(ctx(t, 10*time.Second), u); err != nil {
			t.Fatal(err)
		}
	}
	call, err := p.Dial(ctx(t, 60*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, 0, call.ID(), softphone.CallConnected, 10*time.Second)
	am := alice.Mark()
	bm := bob.Mark()
	m := ev.mark()
	if err := call.Transfer(k.URI("alice")); err != nil {
		t.Fatal(err)
	}
	fin := ev.wait(t, m, 15*time.Second, "final transfer NOTIFY", func(e softphone.Event) bool {
		te, ok := e.(softphone.TransferEvent)
		return ok && te.CallID == call.ID() && te.Final
	}).(softphone.TransferEvent)
	if fin.Status != 200 {
		t.Fatalf("transfer ended with %d %s", fin.Status, fin.Reason)
	}
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if end.Cause != softphone.CauseTransferred {
		t.Errorf("cause %s", end.Cause)
	}
	if _, err := alice.WaitEventAfter(ctx(t, 10*time.Second), am, "CALL_ESTABLISHED"); err != nil {
		t.Errorf("alice never got the transferred call: %v", err)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Errorf("bob's call with carol was not closed: %v", err)
	}
}

func TestDialInvalidTarget(t *testing.T) {
	k := testlab.StartKamailio(t)
	p, _ := newPhone(t, k, "carol", phoneOpt{noRegister: true})
	if _, err := p.Dial(ctx(t, time.Second), "bad <target>"); !errors.Is(err, softphone.ErrInvalidTarget) {
		t.Errorf("err %v", err)
	}
}

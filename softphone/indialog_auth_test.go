package softphone_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// The tests in this file run against a Kamailio that challenges in-dialog
// requests from Pitchline's user (testlab.WithInDialogChallenge), as some
// carriers do for every request from their domain, with baresip at the far
// end. Each checks on baresip's side that the challenged request really
// arrived (RFC 3261 §22.2: re-sent once with credentials), and on
// Kamailio's log that it was challenged at all.

// requireChallenged fails unless Kamailio challenged method in-dialog and
// then accepted the credentials.
func requireChallenged(t *testing.T, k *testlab.Kamailio, method string) {
	t.Helper()
	log := k.Log()
	if !strings.Contains(log, "in-dialog "+method+" challenge for sip:carol@") {
		t.Errorf("Kamailio never challenged an in-dialog %s: the test did not test anything", method)
	}
	if !strings.Contains(log, "in-dialog "+method+" authenticated for sip:carol@") {
		t.Errorf("Kamailio never saw an in-dialog %s with good credentials", method)
	}
}

// TestInDialogChallengeHoldResumeHangup: carol (Pitchline) calls bob
// (baresip) through a Kamailio that challenges carol's re-INVITEs and BYE.
// Bob must receive the hold offer (a=sendonly, answered recvonly), the
// resume offer (a=sendrecv, RTP flows again) and the BYE (his call
// closes): without the re-send, the BYE was dropped and bob stayed in a
// ghost call.
func TestInDialogChallengeHoldResumeHangup(t *testing.T) {
	k := testlab.StartKamailio(t, testlab.WithoutTLS(), testlab.WithInDialogChallenge("carol"))
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithSIPTrace())
	p, ev := newPhone(t, k, "carol", phoneOpt{play: toneWAV(t, 1000)})
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatalf("bob not registered: %v", err)
	}

	m := ev.mark()
	call, err := p.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 10*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}

	// Hold: bob receives the sendonly offer and answers recvonly.
	bm, logAt := bob.Mark(), len(bob.Log())
	if err := call.Hold(); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_REMOTE_SDP"); err != nil {
		t.Fatalf("bob never received the hold re-INVITE: %v", err)
	}
	// baresip may log its answer just after the event: re-check on each
	// of our events (stats arrive every second).
	ev.wait(t, ev.mark(), 10*time.Second, "sendonly offer and recvonly answer in bob's SIP trace", func(softphone.Event) bool {
		seen := bob.Log()[logAt:]
		return strings.Contains(seen, "a=sendonly") && strings.Contains(seen, "a=recvonly")
	})
	requireChallenged(t, k, "INVITE")

	// Resume: bob receives a sendrecv offer and sends RTP to us again.
	ev.wait(t, ev.mark(), 5*time.Second, "stats tick", isStats(call.ID()))
	heldRx := call.Stats().PacketsReceived
	bm, logAt = bob.Mark(), len(bob.Log())
	m = ev.mark()
	if err := call.Resume(); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_REMOTE_SDP"); err != nil {
		t.Fatalf("bob never received the resume re-INVITE: %v", err)
	}
	ev.wait(t, ev.mark(), 10*time.Second, "sendrecv offer in bob's SIP trace", func(softphone.Event) bool {
		return strings.Contains(bob.Log()[logAt:], "a=sendrecv")
	})
	ev.wait(t, m, 10*time.Second, "bob's RTP after resume", func(e softphone.Event) bool {
		s, ok := e.(softphone.StatsEvent)
		return ok && s.CallID == call.ID() && s.Stats.PacketsReceived > heldRx+25
	})

	// Hang up: bob's call must really close.
	bm = bob.Mark()
	m = ev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if end.Cause != softphone.CauseLocalHangup || end.Status != 0 || end.Reason != "" {
		t.Errorf("ended %+v, want a confirmed local hang-up", end)
	}
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob is still in the call (ghost call): %v", err)
	}
	requireChallenged(t, k, "BYE")
}

// TestInDialogChallengeBlindTransfer: carol transfers bob to alice with a
// REFER that Kamailio challenges. Bob must receive it (his TRANSFER event),
// alice must get the call, and carol's challenged BYE must close bob's
// call with carol.
func TestInDialogChallengeBlindTransfer(t *testing.T) {
	k := testlab.StartKamailio(t, testlab.WithoutTLS(), testlab.WithInDialogChallenge("carol"))
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	alice := testlab.StartBaresip(t, "alice", testlab.WithAccount("alice", k.Password("alice"), k.Addr(), "udp"), testlab.WithTone(700))
	p, ev := newPhone(t, k, "carol", phoneOpt{})
	waitRegistered(t, ev)
	for _, u := range []string{"bob", "alice"} {
		if _, err := k.WaitRegistered(ctx(t, 10*time.Second), u); err != nil {
			t.Fatal(err)
		}
	}
	call, err := p.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, 0, call.ID(), softphone.CallConnected, 10*time.Second)
	am, bm, m := alice.Mark(), bob.Mark(), ev.mark()
	if err := call.Transfer(k.URI("alice")); err != nil {
		t.Fatalf("transfer: %v", err)
	}
	tr, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "TRANSFER")
	if err != nil {
		var types []string
		for _, e := range bob.Events() {
			types = append(types, e.Type+"("+e.Param+")")
		}
		t.Fatalf("bob never received the REFER: %v; bob's events: %v", err, types)
	}
	if !strings.Contains(tr.Param, "alice") {
		t.Errorf("bob was referred to %q, want alice", tr.Param)
	}
	requireChallenged(t, k, "REFER")
	fin := ev.wait(t, m, 20*time.Second, "final transfer NOTIFY", func(e softphone.Event) bool {
		te, ok := e.(softphone.TransferEvent)
		return ok && te.CallID == call.ID() && te.Final
	}).(softphone.TransferEvent)
	if fin.Status != 200 {
		t.Fatalf("transfer ended with %d %s", fin.Status, fin.Reason)
	}
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if end.Cause != softphone.CauseTransferred || end.Status != 0 {
		t.Errorf("ended %+v, want transferred with a confirmed BYE", end)
	}
	if _, err := alice.WaitEventAfter(ctx(t, 10*time.Second), am, "CALL_ESTABLISHED"); err != nil {
		t.Errorf("alice never got the transferred call: %v", err)
	}
	if _, err := bob.WaitFrom(ctx(t, 10*time.Second), bm, func(e testlab.Event) bool {
		return e.Type == "CALL_CLOSED" && strings.Contains(e.PeerURI, "carol")
	}); err != nil {
		t.Errorf("bob's call with carol was not closed (ghost call): %v", err)
	}
	requireChallenged(t, k, "BYE")
}

package softphone_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestAnswerCrossingCancelIsAckedAndHungUp: the far end (sipp) answers
// 200 to the INVITE right after it receives our CANCEL (and 200s the
// CANCEL). RFC 3261 §9.1 and §15: the 2xx establishes the dialog, so the
// caller must ACK it and then send BYE. sipp fails the call unless both
// arrive; the call ends with cause answered_after_cancel (a dialer counts
// it as abandoned).
func TestAnswerCrossingCancelIsAckedAndHungUp(t *testing.T) {
	scen, err := filepath.Abs("testdata/sipp/answer_after_cancel.xml")
	if err != nil {
		t.Fatal(err)
	}
	uas := testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: scen, Calls: 1, RecvTimeout: 20 * time.Second,
		Timeout: 60 * time.Second})
	p, ev := startCarol(t)

	dctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := ev.mark()
	call, err := p.Dial(dctx, "sip:bob@"+uas.Addr())
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallRinging, 15*time.Second)
	cancel() // CANCEL; sipp answers 200 anyway
	end := ev.callState(t, m, call.ID(), softphone.CallEnded, 30*time.Second)
	if end.Cause != softphone.CauseAnsweredAfterCancel {
		t.Errorf("call ended with cause %q, want %q", end.Cause, softphone.CauseAnsweredAfterCancel)
	}
	res, err := uas.Wait(ctx(t, 60*time.Second))
	if err != nil || !res.OK() {
		t.Fatalf("sipp: %s (err %v): the late 2xx was not ACKed and hung up\n%s", res.Summary(), err, res.Errors)
	}
	if res.ReceivedRequests["ACK"] != 1 || res.ReceivedRequests["BYE"] != 1 {
		t.Errorf("sipp received %v, want one ACK and one BYE", res.ReceivedRequests)
	}
}

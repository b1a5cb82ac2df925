package softphone_test

import (
	"errors"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

func FuzzParseMonitorRole(f *testing.F) {
	for _, s := range []string{"listen", " Whisper ", "BARGE", "participant", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := softphone.ParseMonitorRole(s)
		if err != nil {
			if !errors.Is(err, softphone.ErrBadConfig) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if r != softphone.RoleListen && r != softphone.RoleWhisper && r != softphone.RoleBarge {
			t.Fatalf("%q parsed to %q", s, r)
		}
	})
}

// monitorRefused dials the rep from p with a monitor request and checks
// that it is refused with 403, that the rep publishes a BlockedEvent
// marked as a monitor request, and that no call rang on the rep's
// phone.
func monitorRefused(t *testing.T, p *softphone.Phone, pev, rep *events, what string) {
	t.Helper()
	m, rm := pev.mark(), rep.mark()
	c, err := p.Dial(ctx(t, 60*time.Second), "carol", softphone.WithMonitor(softphone.RoleListen))
	if err != nil {
		t.Fatal(err)
	}
	end := pev.callState(t, m, c.ID(), softphone.CallEnded, 15*time.Second)
	if end.Status != 403 {
		t.Errorf("%s: monitor request ended %d %s (%s), want 403", what, end.Status, end.Reason, end.Cause)
	}
	rep.wait(t, rm, 10*time.Second, "BlockedEvent for "+what, func(e softphone.Event) bool {
		be, ok := e.(softphone.BlockedEvent)
		return ok && be.Monitor
	})
	rep.mu.Lock()
	seen := append([]softphone.Event(nil), rep.list[rm:]...)
	rep.mu.Unlock()
	for _, e := range seen {
		switch e := e.(type) {
		case softphone.CallEvent:
			if e.State == softphone.CallIncoming {
				t.Errorf("%s: the rep's phone rang (%+v)", what, e)
			}
		case softphone.MonitorEvent:
			t.Errorf("%s: monitoring started (%+v)", what, e)
		}
	}
}

// TestMonitorWhisperListenBargeRefused: carol (the rep, 1000 Hz) talks
// with bob (baresip customer, 400 Hz); dave (a configured team lead,
// 600 Hz) calls carol with a whisper monitor request: the rep hears bob
// and dave, bob hears only the rep; dave switches to listen (nobody hears
// him) and to barge (everyone does) by INFO; dave hangs up and the call
// goes on. A monitor request from alice (not a lead), and one from dave
// while no call is up, are refused with 403 and never ring. Checked on
// both engine speakers and in bob's recording.
func TestMonitorWhisperListenBargeRefused(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"),
		testlab.WithTone(400), testlab.WithRecording())
	rate := softphone.BusRate()
	repMic, err := tone.NewSine(1000, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	leadMic, err := tone.NewSine(600, 0.3, rate)
	if err != nil {
		t.Fatal(err)
	}
	repSpk, leadSpk := newSpeakerTap(rate), newSpeakerTap(rate)
	rep, rev := newPhone(t, k, "carol", phoneOpt{
		leads: []string{"sip:dave@127.0.0.1"},
		extra: []softphone.Option{softphone.WithLocalAudio(repMic, repSpk)},
	})
	lead, lev := newPhone(t, k, "dave", phoneOpt{extra: []softphone.Option{softphone.WithLocalAudio(leadMic, leadSpk)}})
	other, oev := newPhone(t, k, "alice", phoneOpt{})
	for _, e := range []*events{rev, lev, oev} {
		waitRegistered(t, e)
	}
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatalf("bob not registered: %v", err)
	}

	monitorRefused(t, lead, lev, rev, "lead while no call is up")

	m := rev.mark()
	call, err := rep.Dial(ctx(t, 180*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	rev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	if _, err := bob.WaitEventType(ctx(t, 10*time.Second), "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob: %v", err)
	}

	monitorRefused(t, other, oev, rev, "alice, not a lead")

	m, lm := rev.mark(), lev.mark()
	mc, err := lead.Dial(ctx(t, 180*time.Second), "carol", softphone.WithMonitor(softphone.RoleWhisper))
	if err != nil {
		t.Fatal(err)
	}
	lev.callState(t, lm, mc.ID(), softphone.CallConnected, 15*time.Second)
	started := rev.wait(t, m, 10*time.Second, "monitor started", func(e softphone.Event) bool {
		me, ok := e.(softphone.MonitorEvent)
		return ok && me.State == "started"
	}).(softphone.MonitorEvent)
	if started.CallID != call.ID() || started.Role != softphone.RoleWhisper || started.Lead != "sip:dave@127.0.0.1" {
		t.Errorf("monitor started: %+v", started)
	}
	if n := len(call.Legs()); n != 2 {
		t.Fatalf("the rep's call has %d legs, want 2", n)
	}

	run := func(name string, repHears, repMissing []float64) {
		t.Helper()
		checkHears(t, "rep ("+name+")", repSpk.window(t, repSpk.mark()+rate, 3*rate), rate, repHears, repMissing)
		// The lead hears everyone, whatever the role.
		checkHears(t, "lead ("+name+")", leadSpk.window(t, leadSpk.mark(), 2*rate), rate, []float64{400, 1000}, []float64{600})
	}
	run("whisper", []float64{400, 600}, []float64{1000})

	switchRole := func(r softphone.Role) {
		t.Helper()
		m := rev.mark()
		if err := mc.SetMonitorRole(r); err != nil {
			t.Fatal(err)
		}
		rev.wait(t, m, 10*time.Second, "monitor role "+string(r), func(e softphone.Event) bool {
			me, ok := e.(softphone.MonitorEvent)
			return ok && me.State == "changed" && me.Role == r
		})
	}
	switchRole(softphone.RoleListen)
	run("listen", []float64{400}, []float64{600, 1000})
	switchRole(softphone.RoleBarge)
	run("barge", []float64{400, 600}, []float64{1000})
	switchRole(softphone.RoleWhisper)
	run("whisper again", []float64{400, 600}, []float64{1000})

	// A participant's phone cannot switch a plain call into monitoring.
	if err := call.SetMonitorRole(softphone.RoleBarge); !errors.Is(err, softphone.ErrInvalidState) {
		t.Errorf("SetMonitorRole on a plain call: %v", err)
	}

	// The lead leaves: the call goes on with bob.
	bm := bob.Mark()
	m = rev.mark()
	if err := mc.Hangup(); err != nil {
		t.Fatal(err)
	}
	rev.wait(t, m, 10*time.Second, "monitor ended", func(e softphone.Event) bool {
		me, ok := e.(softphone.MonitorEvent)
		return ok && me.State == "ended"
	})
	if info := call.Info(); info.State != softphone.CallConnected || len(info.Legs) != 1 {
		t.Fatalf("after the lead left the call is %s with %d legs", info.State, len(info.Legs))
	}
	run2 := repSpk.window(t, repSpk.mark()+rate/2, 2*rate)
	checkHears(t, "rep (lead gone)", run2, rate, []float64{400}, []float64{600, 1000})
	for _, e := range bob.Events()[bm:] {
		if e.Type == "CALL_CLOSED" {
			t.Fatal("bob saw BYE when the lead left")
		}
	}
	m = rev.mark()
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	rev.callState(t, m, call.ID(), softphone.CallEnded, 10*time.Second)
	if _, err := bob.WaitEventAfter(ctx(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see BYE: %v", err)
	}
	rep.Close()
	lead.Close()
	other.Close()
	checkNoLeaks(t)

	// bob's recording is written as packets are decoded, so its
	// timeline does not follow the wall clock on a busy machine: check
	// the order of what bob heard instead. Half-second windows: the rep
	// (1000 Hz) throughout, never bob himself, and the lead (600 Hz) in
	// one stretch only (barge), with whisper and listen before it and
	// whisper after it.
	brate, bs, err := readRecording(t, bob)
	if err != nil {
		t.Fatal(err)
	}
	var seq []bool // per window: bob hears the lead
	for from := 0; from+brate/2 <= len(bs); from += brate / 2 {
		pw := testlab.Tones(bs[from:from+brate/2], brate, 400, 600, 1000)
		if pw[1000] < 1e-3 {
			continue // before the answer or after the hang-up
		}
		if pw[400] > pw[1000]/100 {
			t.Errorf("bob hears himself at %.1f s: %v", float64(from)/float64(brate), pw)
		}
		seq = append(seq, pw[600] > pw[1000]/100)
	}
	runs := []int{0}
	for i := range seq {
		if i > 0 && seq[i] != seq[i-1] {
			runs = append(runs, 0)
		}
		runs[len(runs)-1]++
	}
	// Allow one transition window at each switch: without, lead, without.
	if len(seq) == 0 || seq[0] || len(runs) != 3 || runs[0] < 8 || runs[1] < 2 || runs[2] < 4 {
		t.Errorf("bob heard the lead in windows %v (runs %v), want: not (whisper, listen), then yes (barge), then not (whisper)", seq, runs)
	}
}

// monitorLab is a rep (carol) on a call with a customer (bob, baresip,
// 400 Hz) through Kamailio, and a second phone (dave) to act as a lead.
type monitorLab struct {
	bob       *testlab.Baresip
	rep, lead *softphone.Phone
	rev, lev  *events
	call      *softphone.Call
}

// repOnCall starts monitorLab with leads configured on the rep's phone
// and returns once the rep's call with bob is connected.
func repOnCall(t *testing.T, leads []string) monitorLab {
	t.Helper()
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	rep, rev := newPhone(t, k, "carol", phoneOpt{leads: leads})
	lead, lev := newPhone(t, k, "dave", phoneOpt{})
	waitRegistered(t, rev)
	waitRegistered(t, lev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatalf("bob not registered: %v", err)
	}
	m := rev.mark()
	call, err := rep.Dial(ctx(t, 120*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	rev.callState(t, m, call.ID(), softphone.CallConnected, 15*time.Second)
	return monitorLab{bob: bob, rep: rep, lead: lead, rev: rev, lev: lev, call: call}
}

// TestMonitorEndsWithCall: when the customer hangs up, the lead who was
// listening is hung up too, and the rep's call ends.
func TestMonitorEndsWithCall(t *testing.T) {
	lab := repOnCall(t, []string{"dave@127.0.0.1"})
	bob, rep, rev, lead, lev, call := lab.bob, lab.rep, lab.rev, lab.lead, lab.lev, lab.call
	lm := lev.mark()
	mc, err := lead.Dial(ctx(t, 120*time.Second), "carol", softphone.WithMonitor(softphone.RoleListen))
	if err != nil {
		t.Fatal(err)
	}
	lev.callState(t, lm, mc.ID(), softphone.CallConnected, 15*time.Second)
	m := rev.mark()
	if _, err := bob.Command(ctx(t, 5*time.Second), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	if end := lev.callState(t, lm, mc.ID(), softphone.CallEnded, 15*time.Second); end.Cause != softphone.CauseRemoteHangup {
		t.Errorf("the lead's call ended with %s", end.Cause)
	}
	rev.callState(t, m, call.ID(), softphone.CallEnded, 15*time.Second)
	rev.wait(t, m, 10*time.Second, "monitor ended", func(e softphone.Event) bool {
		me, ok := e.(softphone.MonitorEvent)
		return ok && me.State == "ended"
	})
	rep.Close()
	lead.Close()
	checkNoLeaks(t)
}

// TestSetLeads: a lead added to a running phone's list (SetLeads, as the
// settings do) is accepted from the next monitor request on; before, the
// same request is refused and never rings; a bad address is refused and
// leaves the list as it was.
func TestSetLeads(t *testing.T) {
	lab := repOnCall(t, nil)
	bob, rep, rev, lead, lev, call := lab.bob, lab.rep, lab.rev, lab.lead, lab.lev, lab.call
	monitorRefused(t, lead, lev, rev, "dave before he is a lead")

	if err := rep.SetLeads([]string{"dave@127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := rep.SetLeads([]string{"not an address"}); !errors.Is(err, softphone.ErrBadConfig) {
		t.Fatalf("SetLeads of a bad address: %v", err)
	}
	lm, rm := lev.mark(), rev.mark()
	mc, err := lead.Dial(ctx(t, 120*time.Second), "carol", softphone.WithMonitor(softphone.RoleListen))
	if err != nil {
		t.Fatal(err)
	}
	lev.callState(t, lm, mc.ID(), softphone.CallConnected, 15*time.Second)
	rev.wait(t, rm, 10*time.Second, "monitor started", func(e softphone.Event) bool {
		me, ok := e.(softphone.MonitorEvent)
		return ok && me.State == "started" && me.CallID == call.ID()
	})
	if err := mc.Hangup(); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Command(ctx(t, 5*time.Second), "hangup", ""); err != nil {
		t.Fatal(err)
	}
	rev.callState(t, rm, call.ID(), softphone.CallEnded, 15*time.Second)
	rep.Close()
	lead.Close()
	checkNoLeaks(t)
}

package app

import (
	"errors"
	"testing"
)

// TestConferenceServiceOnDemoLine drives the conference service against
// the demo line through the real engine: add a participant, hold and
// mute one, remove one, merge two calls, leave and end for all, checking
// what EvConference and EvCall report at each step.
func TestConferenceServiceOnDemoLine(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs

	v, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "connected")
	if _, err := s.Conference.Add(v.ID, "  "); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("Add of blank target: %v", err)
	}

	if _, err := s.Conference.Add(v.ID, "101"); err != nil {
		t.Fatal(err)
	}
	both := func(cv ConferenceView) bool {
		if cv.CallID != v.ID || len(cv.Participants) != 2 {
			return false
		}
		for _, p := range cv.Participants {
			if p.State != "connected" {
				return false
			}
		}
		return true
	}
	cv := waitFor(t, log, EvConference, "two connected participants", both)
	second := cv.Participants[1]
	if second.Number != "101" || second.Role != "participant" || second.CallID != v.ID {
		t.Fatalf("added participant: %+v", second)
	}
	waitFor(t, log, EvTick, "per-participant levels", func(tk Tick) bool {
		return len(tk.Calls) == 1 && len(tk.Calls[0].Participants) == 2
	})

	// Hold and mute one; the other stays connected.
	if _, err := s.Conference.Hold(v.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "second held", func(cv ConferenceView) bool {
		return len(cv.Participants) == 2 && cv.Participants[1].Held && cv.Participants[1].State == "held" &&
			cv.Participants[0].State == "connected"
	})
	if _, err := s.Conference.Resume(v.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Conference.Mute(v.ID, second.ID, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "second resumed and muted", func(cv ConferenceView) bool {
		return len(cv.Participants) == 2 && !cv.Participants[1].Held && cv.Participants[1].Muted
	})
	if _, err := s.Conference.Hold(v.ID, "no-such-leg"); err == nil || a.ErrorFormatter().Payload(err).Code != "no_such_participant" {
		t.Fatalf("hold of an unknown participant: %v", err)
	}

	// Remove it: one participant stays, the call goes on.
	if _, err := s.Conference.Remove(v.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "one participant left", func(cv ConferenceView) bool {
		return cv.CallID == v.ID && len(cv.Participants) == 1 && cv.Participants[0].ID != second.ID
	})

	// Merge a second call into the first, leave, end for all.
	w, err := s.Calls.Dial("102")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, w.ID, "connected")
	if _, err := s.Conference.Merge(v.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "merged", both)
	callState(t, log, w.ID, "ended")
	if _, err := s.Conference.Leave(v.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "left", func(cv ConferenceView) bool { return cv.CallID == v.ID && cv.Left })
	calls, _ := s.Calls.List()
	if len(calls) != 1 || !calls[0].Left || len(calls[0].Participants) != 2 {
		t.Fatalf("calls after leave: %+v", calls)
	}
	if _, err := s.Conference.EndAll(v.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "ended")
	waitFor(t, log, EvForm, "the conference's outcome form", func(f FormView) bool { return f.CallID == v.ID && f.State == "pending" })
	pending, err := s.Forms.Pending()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pending.Pending {
		if f.CallID == w.ID {
			t.Fatalf("the merged call asks for an outcome: %+v", f)
		}
	}
}

package app

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestLeadRolesConsultAndJoinLinksOnDemoLine drives the window's newer
// conference tools through the real engine and demo line: invite a
// participant with a lead's role and switch it, consult a colleague and
// return to the customer, try to complete a transfer the demo line cannot
// take, place a monitor call, and make, open and revoke a join link.
func TestLeadRolesConsultAndJoinLinksOnDemoLine(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return a.ErrorFormatter().Payload(err).Code
	}

	v, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "connected")

	// Consult: the customer is held while the colleague answers; cancel
	// hangs up the colleague and resumes the customer.
	if _, err := s.Conference.Consult(v.ID, " "); code(err) != CodeInvalidArgument {
		t.Fatalf("Consult of nobody: %v", err)
	}
	k, err := s.Conference.Consult(v.ID, "102")
	if err != nil {
		t.Fatal(err)
	}
	if k.ID == v.ID || k.Number != "102" {
		t.Fatalf("consultation call: %+v", k)
	}
	callState(t, log, v.ID, "held")
	callState(t, log, k.ID, "connected")
	if _, err := s.Conference.CancelConsult(v.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, k.ID, "ended")
	callState(t, log, v.ID, "connected")

	// The demo line takes no REFER: completing says so in a sentence the
	// rep can act on, and both calls stay.
	k, err = s.Conference.Consult(v.ID, "103")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, k.ID, "connected")
	if _, err := s.Conference.CompleteTransfer(v.ID, k.ID); code(err) != "transfer_failed" {
		t.Fatalf("CompleteTransfer on the demo line: %v (%s)", err, code(err))
	}
	if _, err := s.Conference.CancelConsult(v.ID, k.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "connected")

	// A lead invited to whisper, then switched to barge.
	if _, err := s.Conference.Invite(v.ID, "101", "shout"); code(err) != CodeInvalidArgument {
		t.Fatalf("Invite with an unknown role: %v", err)
	}
	if _, err := s.Conference.Invite(v.ID, "101", "whisper"); err != nil {
		t.Fatal(err)
	}
	cv := waitFor(t, log, EvConference, "the lead whispering", func(cv ConferenceView) bool {
		return len(cv.Participants) == 2 && cv.Participants[1].Role == "whisper" && cv.Participants[1].State == "connected"
	})
	lead := cv.Participants[1]
	if _, err := s.Conference.SetRole(v.ID, lead.ID, "barge"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "the lead barged in", func(cv ConferenceView) bool {
		return len(cv.Participants) == 2 && cv.Participants[1].ID == lead.ID && cv.Participants[1].Role == "barge"
	})
	if _, err := s.Conference.SetRole(v.ID, "no-such-leg", "listen"); code(err) != "no_such_participant" {
		t.Fatalf("SetRole of an unknown participant: %v", err)
	}
	if _, err := s.Conference.Remove(v.ID, lead.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvConference, "the lead gone", func(cv ConferenceView) bool { return cv.CallID == v.ID && len(cv.Participants) == 1 })

	// A join link in Japanese: the page answers in Japanese until revoked.
	if _, err := s.Conference.CreateJoinLink("no-such-call", "en"); code(err) != "no_such_call" {
		t.Fatalf("CreateJoinLink for no call: %v", err)
	}
	if _, err := s.Conference.CreateJoinLink(v.ID, "fr"); code(err) != CodeInvalidArgument {
		t.Fatalf("CreateJoinLink in French: %v", err)
	}
	jl, err := s.Conference.CreateJoinLink(v.ID, "ja")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(jl.URL, "http://127.0.0.1:") || !strings.HasSuffix(jl.URL, "?lang=ja") || jl.CallID != v.ID || jl.Expires == "" {
		t.Fatalf("join link: %+v", jl)
	}
	get := func() (int, string) {
		t.Helper()
		resp, err := http.Get(jl.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if st, body := get(); st != 200 || !strings.Contains(body, "通話に参加") {
		t.Fatalf("join page: %d %q", st, body)
	}
	if ok, err := s.Conference.RevokeJoinLink(jl.URL); !ok || err != nil {
		t.Fatalf("RevokeJoinLink: %v %v", ok, err)
	}
	if st, _ := get(); st != http.StatusNotFound {
		t.Fatalf("revoked join page: %d", st)
	}
	if _, err := s.Conference.RevokeJoinLink(jl.URL); code(err) != "join_link_gone" {
		t.Fatalf("second RevokeJoinLink: %v", err)
	}

	// The team leads: a bad address is named in the sentence and nothing
	// is saved; a good list is saved (blank lines and duplicates dropped).
	if _, err := s.Conference.SetLeads([]string{"sip:dana@127.0.0.1", "not an address"}); code(err) != "invalid_lead" ||
		!strings.Contains(a.ErrorFormatter().Payload(err).Detail, `"not an address"`) {
		t.Fatalf("SetLeads with a bad address: %v", err)
	}
	if got, err := s.Conference.Leads(); err != nil || len(got) != 0 {
		t.Fatalf("Leads after a refused save: %v %v", got, err)
	}
	if got, err := s.Conference.SetLeads([]string{" sip:dana@127.0.0.1 ", "", "sip:dana@127.0.0.1", "lee@127.0.0.1"}); err != nil || strings.Join(got, ",") != "sip:dana@127.0.0.1,lee@127.0.0.1" {
		t.Fatalf("SetLeads: %v %v", got, err)
	}
	if got, err := s.Conference.Leads(); err != nil || len(got) != 2 {
		t.Fatalf("Leads: %v %v", got, err)
	}

	// A monitor call (the lead's side): the role is checked; the demo
	// line answers it like any call and takes the lead's role changes.
	if _, err := s.Conference.Monitor("100", "participant"); code(err) != CodeInvalidArgument {
		t.Fatalf("Monitor as a participant: %v", err)
	}
	if _, err := s.Conference.SetMonitorRole(v.ID, "whisper"); code(err) != "invalid_state" {
		t.Fatalf("SetMonitorRole on a plain call: %v", err)
	}
	if _, err := s.Calls.Hangup(v.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "ended")
	m, err := s.Conference.Monitor("100", "listen")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, m.ID, "connected")
	if _, err := s.Conference.SetMonitorRole(m.ID, "whisper"); err != nil {
		t.Fatalf("SetMonitorRole: %v", err)
	}
	if _, err := s.Conference.SetMonitorRole(m.ID, "participant"); code(err) != CodeInvalidArgument {
		t.Fatalf("SetMonitorRole to participant: %v", err)
	}
	if _, err := s.Calls.Hangup(m.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, log, m.ID, "ended")
}

package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/dialer"
)

// demoAOR returns the demo line's address "host:port" (what a SIP URI in a
// call list names to reach the demo peer).
func demoHost(t *testing.T, a *App) string {
	t.Helper()
	for _, v := range a.core.accountViews() {
		if v.Demo {
			host, ok := strings.CutPrefix(v.AOR, "sip:"+"rep@")
			if ok {
				return host
			}
		}
	}
	t.Fatal("no demo account")
	return ""
}

// TestDialerServiceListsAndReport: a dry run reports every row and saves
// nothing; the import saves the good rows; rename, settings (valid and
// not), contacts with their status, delete.
func TestDialerServiceListsAndReport(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	s := a.svcs.Dialer
	csvText := "Full Name,Tel,Firm,Notes\n" +
		"Ada Lovelace,+1 212 555 0100,Analytical,likes maths\n" +
		"No Phone,,Nowhere,\n" +
		"Bad Number,12,Bad Co,\n" +
		"Ada Again,(212) 555-0100,Analytical,\n" +
		"Grace Hopper,sip:100@127.0.0.1,Navy,\n"

	cols, err := s.Columns(csvText)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "phone", "extra", "extra"}
	for i, c := range cols {
		if c.Field != want[i] {
			t.Errorf("column %q maps to %q, want %q", c.Header, c.Field, want[i])
		}
	}
	if cols[0].Sample != "Ada Lovelace" {
		t.Errorf("sample %q", cols[0].Sample)
	}

	mapping := map[string]string{"Firm": "company", "Notes": "ignore"}
	dry, err := s.Import(DialerImportInput{Name: "Q3", CSV: csvText, Mapping: mapping, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.List != nil || dry.Imported != 2 || dry.Rejected != 3 || len(dry.Rows) != 5 {
		t.Fatalf("dry run: %+v", dry)
	}
	reasons := []string{"", "empty_phone", "invalid_number", "duplicate", ""}
	for i, r := range dry.Rows {
		if r.Reason != reasons[i] || r.Line != i+2 {
			t.Errorf("row %d: %+v, want reason %q line %d", i, r, reasons[i], i+2)
		}
		if r.Status == "rejected" && r.Message == "" {
			t.Errorf("row %d rejected without a message", i)
		}
	}
	if ls, _ := s.Lists(); len(ls) != 0 {
		t.Fatalf("a dry run saved a list: %+v", ls)
	}
	if _, err := s.Import(DialerImportInput{CSV: csvText, Mapping: map[string]string{"Firm": "boss"}}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad mapping: %v", err)
	}
	if _, err := s.Import(DialerImportInput{CSV: "a,b\n1,2\n"}); codeOf(a, err) != CodeBadCSV {
		t.Fatalf("no name/phone columns: %v -> %+v", err, codeOf(a, err))
	}

	rep, err := s.Import(DialerImportInput{Name: "Q3", CSV: csvText, Mapping: mapping})
	if err != nil {
		t.Fatal(err)
	}
	if rep.List == nil || rep.List.Contacts != 2 || rep.List.Name != "Q3" || rep.List.Settings.Mode != "preview" || rep.List.Settings.Hours != "09:00-20:00" {
		t.Fatalf("import: %+v", rep.List)
	}
	id := rep.List.ID

	if v, err := s.Rename(id, "Q3 east"); err != nil || v.Name != "Q3 east" || v.Contacts != 2 {
		t.Fatalf("rename: %+v %v", v, err)
	}
	if _, err := s.Rename(id, "  "); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("empty name: %v", err)
	}
	set := rep.List.Settings
	set.Lines = 3 // only parallel mode has more than one line
	if _, err := s.SaveSettings(id, set); codeOf(a, err) != CodeDialerSettings {
		t.Fatalf("3 lines in preview mode: %v", err)
	}
	set.Mode, set.Hours, set.WrapUpMs = "parallel", "00:00-24:00", 5000
	v, err := s.SaveSettings(id, set)
	if err != nil || v.Settings.Lines != 3 || v.Settings.Mode != "parallel" || v.Settings.Hours != "00:00-24:00" || v.Settings.WrapUpMs != 5000 {
		t.Fatalf("settings: %+v %v", v, err)
	}

	page, err := s.Contacts(id, 0, 10)
	if err != nil || page.Total != 2 || len(page.Contacts) != 2 {
		t.Fatalf("contacts: %+v %v", page, err)
	}
	if c := page.Contacts[0]; c.Name != "Ada Lovelace" || c.Company != "Analytical" || c.Status != "ready" || c.Numbers[0].Key != "+12125550100" {
		t.Fatalf("contact 0: %+v", c)
	}

	ls, err := s.Delete(id)
	if err != nil || len(ls) != 0 {
		t.Fatalf("delete: %+v %v", ls, err)
	}
	if _, err := s.Preview(id, 0); codeOf(a, err) != "not_found" {
		t.Fatalf("preview of a deleted list: %v", err)
	}
}

// TestDialerServicePreviewDNCAndDial: the preview card's verdict follows
// the DNC list and the calling hours, Dial refuses (with the reason's
// code) what the verdict refuses and sends nothing, and dials the demo
// peer through the dialpad's path when allowed.
func TestDialerServicePreviewDNCAndDial(t *testing.T) {
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs.Dialer
	host := demoHost(t, a)
	rep, err := s.Import(DialerImportInput{Name: "Demo", CSV: fmt.Sprintf("name,phone,company\nEcho,sip:100@%s,Demo Co\nBusy,sip:486@%s,\n", host, host)})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	id := rep.List.ID
	// SIP addresses have no zone of their own: the rep's applies. A window
	// that starts two hours from now excludes now.
	now := time.Now()
	start := (now.Hour() + 2) % 24
	set := rep.List.Settings
	set.Hours = fmt.Sprintf("%02d:00-%02d:00", start, (start+1)%24)
	if _, err := s.SaveSettings(id, set); err != nil {
		t.Fatal(err)
	}
	p, err := s.Preview(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	if p.Allowed || p.Reason != "calling_hours" || p.ZoneSource != "rep" || p.Total != 2 || p.Contact.Company != "Demo Co" || p.Message == "" {
		t.Fatalf("out-of-hours preview: %+v", p)
	}
	if _, err := s.Dial(id, 0); codeOf(a, err) != CodeSkipHours {
		t.Fatalf("out-of-hours dial: %v", err)
	}

	set.Hours = "00:00-24:00"
	if _, err := s.SaveSettings(id, set); err != nil {
		t.Fatal(err)
	}
	if p, err = s.Preview(id, 0); err != nil || !p.Allowed || p.Contact.Status != "ready" || p.Number != "sip:100@"+host {
		t.Fatalf("preview: %+v %v", p, err)
	}

	if _, err := s.AddDNC("sip:100@"+host, "asked not to be called", "form"); err != nil {
		t.Fatal(err)
	}
	dnc, err := s.DNC()
	if err != nil || len(dnc) != 1 || dnc[0].Source != "form" || dnc[0].Note != "asked not to be called" {
		t.Fatalf("dnc: %+v %v", dnc, err)
	}
	if p, _ = s.Preview(id, 0); p.Allowed || p.Reason != "dnc" || p.Contact.Status != "dnc" {
		t.Fatalf("DNC preview: %+v", p)
	}
	_, err = s.Dial(id, 0)
	if r, ok := errRefused(err); !ok || r != dialer.ReasonDNC || codeOf(a, err) != CodeSkipDNC {
		t.Fatalf("DNC dial: %v", err)
	}
	if calls, _ := a.svcs.Calls.List(); len(calls) != 0 {
		t.Fatalf("a refused dial placed a call: %+v", calls)
	}
	if _, err := s.AddDNC("sip:100@"+host, "", "robot"); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("bad source: %v", err)
	}
	if _, err := s.AddDNC("12", "", ""); codeOf(a, err) != CodeInvalidNumber {
		t.Fatalf("bad number: %v -> %+v", err, codeOf(a, err))
	}
	if dnc, err = s.RemoveDNC("sip:100@" + host); err != nil || len(dnc) != 0 {
		t.Fatalf("remove: %+v %v", dnc, err)
	}
	if _, err := s.RemoveDNC("sip:100@" + host); codeOf(a, err) != "not_found" {
		t.Fatalf("remove twice: %v", err)
	}
	imp, err := s.ImportDNC("phone\n+1 212 555 0100\n(212) 555-0100\nnonsense\n")
	if err != nil || imp.Added != 1 || imp.Already != 1 || len(imp.Rejected) != 1 || len(imp.Entries) != 1 || imp.Rejected[0].Line != 4 {
		t.Fatalf("import DNC: %+v %v", imp, err)
	}

	v, err := s.Dial(id, 0)
	if err != nil {
		t.Fatal(err)
	}
	callState(t, l, v.ID, "connected")
	if _, err := a.svcs.Calls.Hangup(v.ID); err != nil {
		t.Fatal(err)
	}
	callState(t, l, v.ID, "ended")
	if _, err := s.Preview(id, 2); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("position past the end: %v", err)
	}
}

// codeOf is the frontend code of err ("" for nil).
func codeOf(a *App, err error) string {
	if err == nil {
		return ""
	}
	return a.errfmt.Payload(err).Code
}

// TestDialerSessionOnDemoLine runs the session runner on the demo line:
// the card of the first contact, a dial through the session (connected,
// hung up by the rep), a DNC contact skipped with its reason without an
// INVITE, a skip by the rep, and the counters and progress on EvDialer.
func TestDialerSessionOnDemoLine(t *testing.T) {
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs.Dialer
	host := demoHost(t, a)
	rep, err := s.Import(DialerImportInput{Name: "Demo", CSV: fmt.Sprintf("name,phone\nEcho,sip:100@%s\nNo answer,sip:408@%s\nBusy,sip:486@%s\n", host, host, host)})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	id := rep.List.ID
	set := rep.List.Settings
	set.Hours = "00:00-24:00"
	if _, err := s.SaveSettings(id, set); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddDNC("sip:408@"+host, "", ""); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Session(); err != nil || v.Active {
		t.Fatalf("session before start: %+v %v", v, err)
	}
	if _, err := s.SessionDial(); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("dial without a session: %v", err)
	}
	if _, err := s.StartSession(id); err != nil {
		t.Fatal(err)
	}
	ready := func(index int) DialerSessionView {
		return waitFor(t, l, EvDialer, fmt.Sprintf("card %d", index), func(v DialerSessionView) bool {
			return v.State == "ready" && v.Current != nil && v.Current.Position == index
		})
	}
	v := ready(0)
	if v.Total != 3 || v.Current.Contact.Name != "Echo" || !v.Current.Allowed || v.Mode != "preview" {
		t.Fatalf("first card: %+v", v)
	}
	if _, err := s.StartSession(id); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a second session: %v", err)
	}
	if _, err := s.SessionDial(); err != nil {
		t.Fatal(err)
	}
	c := callState(t, l, "", "connected")
	if _, err := a.svcs.Calls.Hangup(c.ID); err != nil {
		t.Fatal(err)
	}
	// "No answer" is on the DNC list: skipped on the way to Busy's card.
	v = ready(2)
	if len(v.Skips) != 1 || v.Skips[0].Index != 1 || v.Skips[0].Reason != "dnc" || v.Skips[0].Message == "" {
		t.Fatalf("skips: %+v", v.Skips)
	}
	if v.Counters.Dialled != 1 || v.Counters.Connected != 1 || v.Counters.Skipped != 1 {
		t.Fatalf("counters: %+v", v.Counters)
	}
	if _, err := s.SessionSkip(); err != nil {
		t.Fatal(err)
	}
	v = waitFor(t, l, EvDialer, "done", func(v DialerSessionView) bool { return v.State == "done" })
	if v.Done != 3 || v.Counters.Skipped != 2 || v.Skips[1].Reason != "rep" || v.Current != nil {
		t.Fatalf("done: %+v", v)
	}
	l.mu.Lock()
	events := append([]wireEvent(nil), l.list...)
	l.mu.Unlock()
	for _, e := range events {
		if e.name != EvCall.Name() {
			continue
		}
		var cv CallView
		if err := json.Unmarshal(e.data, &cv); err == nil && (strings.Contains(cv.Remote, "408") || strings.Contains(cv.Remote, "486")) {
			t.Fatalf("a skipped contact was called: %+v", cv)
		}
	}
}

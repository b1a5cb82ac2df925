package sync

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/store"
)

func listClient(t *testing.T, e *env) *hubspot.Client {
	t.Helper()
	c, err := hubspot.New("test-token", hubspot.WithBaseURL(e.base), hubspot.WithDoNotCallProperty("do_not_call"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func dncSource(t *testing.T, st *store.Store, number string) string {
	t.Helper()
	es, err := st.DNCEntries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Number == number {
			return e.Source
		}
	}
	return ""
}

// TestPullCallListAndRefresh pulls a HubSpot list into a call list,
// reports the records it cannot dial, carries the do-not-call flag onto
// the local DNC list, then refreshes it twice under a session with an
// attempt: positions, the session and its attempts stay intact.
func TestPullCallListAndRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	f := e.fake
	a := f.AddContact(map[string]string{"firstname": "Ann", "lastname": "Ames", "phone": "+12125550101", "do_not_call": "true", "company": "Acme",
		"hs_timezone": "mars_slash_olympus"})
	b := f.AddContact(map[string]string{"firstname": "Bob", "lastname": "Best"})
	c := f.AddContact(map[string]string{"firstname": "Cy", "lastname": "Cole", "phone": "12"})
	d := f.AddContact(map[string]string{"firstname": "Di", "lastname": "Dunn", "mobilephone": "(212) 555-0104", "hs_timezone": "america_slash_chicago"})
	dup := f.AddContact(map[string]string{"firstname": "Ed", "lastname": "Eve", "phone": "+1 212 555 0101"})
	listID := f.AddList("Hot leads", a, b, c, d, dup)
	src := listClient(t, e)

	var prog [][2]int
	res, err := PullCallList(ctx, e.st, src, listID, ListPullOptions{Progress: func(done, total int) { prog = append(prog, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(prog) != "[[5 5]]" || !res.Created || res.Pulled != 5 || res.Added != 2 || res.DoNotCall != 1 {
		t.Fatalf("result %+v, progress %v", res, prog)
	}
	reasons := map[string]dialer.RejectReason{}
	perName := map[string]int{}
	for _, p := range res.Problems {
		perName[p.Name]++
		if p.Reason != "" {
			reasons[p.Name] = p.Reason
		}
		if p.Message == "" {
			t.Fatalf("problem without a message: %+v", p)
		}
		// Every problem names its sentence, so the window can say it in
		// the rep's language.
		if p.Kind == "" || (p.Reason != "" && p.Kind != string(p.Reason)) {
			t.Fatalf("problem without its kind: %+v", p)
		}
	}
	if want := map[string]dialer.RejectReason{"Bob Best": dialer.RejectEmptyPhone, "Cy Cole": dialer.RejectInvalidNumber, "Ed Eve": dialer.RejectDuplicate}; fmt.Sprint(reasons) != fmt.Sprint(want) {
		t.Fatalf("problems %+v", res.Problems)
	}
	// A record left off for its bad numbers is one sentence, naming the
	// number, not one per number as well.
	// A time zone the CRM holds but no one knows is said, and the number's
	// zone is used: Ann stays on the list.
	tz := false
	for _, p := range res.Problems {
		tz = tz || (p.Name == "Ann Ames" && p.Kind == ProblemTimeZone && p.Other == "mars_slash_olympus" && p.Reason == "")
	}
	if !tz {
		t.Fatalf("no time_zone note for Ann's unknown time zone: %+v", res.Problems)
	}
	if perName["Cy Cole"] != 1 || perName["Ed Eve"] != 1 {
		t.Fatalf("Cy Cole has %d problems, Ed Eve %d, want 1 each: %+v", perName["Cy Cole"], perName["Ed Eve"], res.Problems)
	}
	l, err := dialer.LoadList(ctx, e.st, CallListID(crm.VendorHubSpot, listID))
	if err != nil {
		t.Fatal(err)
	}
	if l.Name != "Hot leads" || len(l.Contacts) != 2 || l.Contacts[0].Name != "Ann Ames" || l.Contacts[1].Name != "Di Dunn" {
		t.Fatalf("list %+v", l)
	}
	if ann := l.Contacts[0]; ann.Extra[ExtraDoNotCall] != "true" || ann.Extra[ExtraCRMID] != a || ann.Extra[ExtraCRM] != "hubspot" || ann.Company != "Acme" {
		t.Fatalf("Ann %+v", ann)
	}
	if di := l.Contacts[1]; di.TimeZone != "America/Chicago" || di.Numbers[0].Key != "+12125550104" || di.Numbers[0].Label != "mobile" {
		t.Fatalf("Di %+v", di)
	}
	if s := dncSource(t, e.st, "+12125550101"); s != DNCSource(crm.VendorHubSpot) {
		t.Fatalf("Ann's number on the DNC list with source %q", s)
	}

	// A session has dialled Di (position 1).
	ds, err := e.st.CreateDialerSession(ctx, store.DialerSession{Name: "monday", ListID: l.ID, State: "paused"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AddDialerAttempt(ctx, store.DialerAttempt{SessionID: ds.ID, Position: 1, Number: "+12125550104",
		Status: store.AttemptDone, Result: "no_answer", Started: e.clk.Now()}, "paused", "{}"); err != nil {
		t.Fatal(err)
	}
	l.Settings.Mode, l.Settings.Lines = dialer.ModeParallel, 3
	if err := dialer.SaveList(ctx, e.st, l); err != nil {
		t.Fatal(err)
	}

	// Refresh 1: Ann's flag lifted in HubSpot, Bob got a number, Fay joins.
	if err := f.Update("contacts", a, map[string]string{"do_not_call": "false"}); err != nil {
		t.Fatal(err)
	}
	if err := f.Update("contacts", b, map[string]string{"phone": "+12125550102"}); err != nil {
		t.Fatal(err)
	}
	fay := f.AddContact(map[string]string{"firstname": "Fay", "phone": "+12125550106"})
	if err := f.SetListMembers(listID, a, b, c, d, dup, fay); err != nil {
		t.Fatal(err)
	}
	res, err = PullCallList(ctx, e.st, src, listID, ListPullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || res.Updated != 2 || res.Added != 2 || res.Removed != 0 || res.DoNotCall != 0 {
		t.Fatalf("refresh 1 %+v", res)
	}
	if s := dncSource(t, e.st, "+12125550101"); s != "" {
		t.Fatalf("Ann's number still on the DNC list (%q) after HubSpot lifted the flag", s)
	}
	l, err = dialer.LoadList(ctx, e.st, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range l.Contacts {
		names = append(names, c.Name)
	}
	if fmt.Sprint(names) != "[Ann Ames Di Dunn Bob Best Fay]" || l.Settings.Mode != dialer.ModeParallel || l.Name != "Hot leads" {
		t.Fatalf("refreshed list %v %+v", names, l.Settings)
	}

	// Refresh 2: Ann leaves the HubSpot list; a manual DNC entry of Fay's
	// number is not the CRM's to remove.
	if _, err := e.st.AddDNC(ctx, store.DNCEntry{Number: "+12125550106", Source: "manual"}); err != nil {
		t.Fatal(err)
	}
	if err := f.SetListMembers(listID, b, d, fay); err != nil {
		t.Fatal(err)
	}
	res, err = PullCallList(ctx, e.st, src, listID, ListPullOptions{Name: "Hot leads (Dec)"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Removed != 1 || res.Updated != 3 || res.Added != 0 {
		t.Fatalf("refresh 2 %+v", res)
	}
	l, err = dialer.LoadList(ctx, e.st, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Contacts) != 4 || l.Name != "Hot leads (Dec)" || l.Contacts[0].Extra[ExtraRemoved] != "true" || len(l.Contacts[0].Numbers) != 0 ||
		l.Contacts[1].Name != "Di Dunn" {
		t.Fatalf("list after Ann left: %+v", l)
	}
	if s := dncSource(t, e.st, "+12125550106"); s != "manual" {
		t.Fatalf("manual DNC entry now %q", s)
	}
	ds2, err := e.st.DialerSessionByName(ctx, "monday")
	if err != nil || ds2.ID != ds.ID {
		t.Fatalf("session after refresh: %+v %v", ds2, err)
	}
	at, err := e.st.DialerAttempts(ctx, ds.ID)
	if err != nil || len(at) != 1 || at[0].Position != 1 || l.Contacts[at[0].Position].Name != "Di Dunn" {
		t.Fatalf("attempts after refresh: %+v %v", at, err)
	}
}

// TestPullCallListFailureSavesNothing: an expired token ends the pull
// with crm.ErrAuth and no list.
func TestPullCallListFailureSavesNothing(t *testing.T) {
	e := newEnv(t)
	listID := e.fake.AddList("L", e.contactID)
	e.fake.ExpireToken("test-token")
	_, err := PullCallList(context.Background(), e.st, listClient(t, e), listID, ListPullOptions{})
	if !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("err %v", err)
	}
	if _, err := dialer.LoadList(context.Background(), e.st, CallListID(crm.VendorHubSpot, listID)); !errors.Is(err, dialer.ErrNotFound) {
		t.Fatalf("list saved after a failed pull: %v", err)
	}
}

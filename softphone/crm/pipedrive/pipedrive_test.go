package pipedrive_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
)

func setup(t *testing.T, fopts []pipedrivefake.Option, copts ...pipedrive.Option) (*pipedrivefake.Server, *pipedrive.Client) {
	t.Helper()
	f, err := pipedrivefake.New(fopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	opts := append([]pipedrive.Option{
		pipedrive.WithBaseURL(f.URL()),
		pipedrive.WithLogger(slog.New(slog.DiscardHandler)),
		pipedrive.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
	}, copts...)
	c, err := pipedrive.New(f.Token(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

var started = time.Date(2026, 3, 4, 10, 10, 11, 0, time.FixedZone("CET", 3600))

func testCall(id string) crm.Call {
	return crm.Call{
		ID: id, Direction: crm.Outbound, From: "+442071234567", To: "+15551234567",
		Started: started, Answered: started.Add(5 * time.Second), Ended: started.Add(47 * time.Second),
		Duration: 42 * time.Second, Status: crm.StatusCompleted, Outcome: pipedrive.OutcomeConnected,
		Title: "Call with Margaret Lee", Notes: "Wants a quote\n<b>soon</b>",
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := pipedrive.New(""); !errors.Is(err, pipedrive.ErrConfig) {
		t.Fatalf("empty token: %v", err)
	}
	if _, err := pipedrive.New("x", pipedrive.WithCompanyDomain("a/b")); !errors.Is(err, pipedrive.ErrConfig) {
		t.Fatalf("bad domain: %v", err)
	}
	if _, err := pipedrive.New("x", pipedrive.WithBaseURL("::")); !errors.Is(err, pipedrive.ErrConfig) {
		t.Fatalf("bad url: %v", err)
	}
	c, err := pipedrive.New("x", pipedrive.WithCompanyDomain("acme"))
	if err != nil || c.Vendor() != crm.VendorPipedrive || c.MaxBatch() != 1 {
		t.Fatalf("New: %v", err)
	}
}

func TestCheckAndOutcomes(t *testing.T) {
	_, c := setup(t, nil)
	acc, err := c.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if acc.Vendor != crm.VendorPipedrive || acc.ID != "example" || acc.User != "rep@example.com" {
		t.Fatalf("account %+v", acc)
	}
	out, _ := c.Outcomes(context.Background())
	if len(out) != 6 {
		t.Fatalf("%d outcomes", len(out))
	}
}

func TestAuthModes(t *testing.T) {
	for _, m := range []pipedrive.AuthMode{pipedrive.AuthHeader, pipedrive.AuthQuery} {
		_, c := setup(t, nil, pipedrive.WithAuth(m))
		if _, err := c.Check(context.Background()); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	f, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithOAuthToken("oauth-1")}, pipedrive.WithAuth(pipedrive.AuthBearer))
	if _, err := c.Check(context.Background()); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("api token as Bearer must fail: %v", err)
	}
	c2, _ := pipedrive.New("oauth-1", pipedrive.WithBaseURL(f.URL()), pipedrive.WithAuth(pipedrive.AuthBearer))
	if _, err := c2.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestCreateCallStoresVendorFormats(t *testing.T) {
	f, c := setup(t, nil)
	org := f.AddOrganization(pipedrivefake.Organization{Name: "Lee & Co"})
	p := f.AddPerson(pipedrivefake.Person{FirstName: "Margaret", LastName: "Lee", OrgID: org})
	d := f.AddDeal(pipedrivefake.Deal{Title: "Renewal", Value: "1500.50", Currency: "EUR", PersonID: p})
	call := testCall("0b6f6b0e-6f7e-4a57-9d38-9d8e0c1f2a3b")
	call.ContactID, call.DealID, call.CompanyID = itoa(p), itoa(d), itoa(org)
	call.RecordingURL = "https://rec.example/a.wav"
	res, err := c.CreateCalls(context.Background(), []crm.Call{call})
	if err != nil {
		t.Fatal(err)
	}
	logs := f.CallLogs()
	if len(res) != 1 || len(logs) != 1 || res[0].RemoteID != logs[0].ID || res[0].LocalID != call.ID {
		t.Fatalf("results %+v logs %+v", res, logs)
	}
	l := logs[0]
	want := map[string]string{
		"duration": "42", "start_time": "2026-03-04 09:10:11", "end_time": "2026-03-04 09:10:58",
		"outcome": "connected", "to": "+15551234567", "from": "+442071234567", "subject": "Call with Margaret Lee",
	}
	got := map[string]string{"duration": l.Duration, "start_time": l.StartTime, "end_time": l.EndTime,
		"outcome": l.Outcome, "to": l.ToPhoneNumber, "from": l.FromPhoneNumber, "subject": l.Subject}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if l.PersonID != p || l.DealID != d || l.OrgID != org {
		t.Errorf("associations %d/%d/%d", l.PersonID, l.DealID, l.OrgID)
	}
	if !strings.Contains(string(l.Raw), `"duration":"42"`) {
		t.Errorf("duration not sent as a string: %s", l.Raw)
	}
	if !strings.Contains(l.Note, pipedrive.Tag(call.ID)) || !strings.Contains(l.Note, "&lt;b&gt;soon&lt;/b&gt;") || !strings.Contains(l.Note, "rec.example") {
		t.Errorf("note %q", l.Note)
	}
	// The outcome defaults from the status when none was chosen.
	busy := testCall("busy-1")
	busy.Outcome, busy.Status, busy.Duration = "", crm.StatusBusy, 0
	if _, err := c.CreateCalls(context.Background(), []crm.Call{busy}); err != nil {
		t.Fatal(err)
	}
	if l := f.CallLogs()[1]; l.Outcome != "busy" || l.Duration != "0" {
		t.Errorf("busy call stored %+v", l)
	}
	if _, err := c.CreateCalls(context.Background(), []crm.Call{call, call}); !errors.Is(err, crm.ErrRejected) {
		t.Errorf("batch of 2: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestMissingRequiredFieldRejected(t *testing.T) {
	f, c := setup(t, nil)
	call := testCall("no-to")
	call.To = ""
	_, err := c.CreateCalls(context.Background(), []crm.Call{call})
	var apiErr *crm.APIError
	if !errors.Is(err, crm.ErrRejected) || !errors.As(err, &apiErr) || apiErr.Status != 400 || !strings.Contains(apiErr.Message, "to_phone_number is required") {
		t.Fatalf("err = %v", err)
	}
	bad := testCall("bad-outcome")
	bad.Outcome = "voicemail"
	if _, err := c.CreateCalls(context.Background(), []crm.Call{bad}); !errors.Is(err, crm.ErrRejected) || !strings.Contains(err.Error(), "outcome must be one of") {
		t.Fatalf("bad outcome: %v", err)
	}
	ghost := testCall("ghost")
	ghost.ContactID = "999999"
	if _, err := c.CreateCalls(context.Background(), []crm.Call{ghost}); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("unknown person: %v", err)
	}
	if n := len(f.CallLogs()); n != 0 {
		t.Fatalf("%d call logs stored after rejections", n)
	}
}

func TestCreateTask(t *testing.T) {
	f, c := setup(t, nil)
	p := f.AddPerson(pipedrivefake.Person{FirstName: "Ann", LastName: "Bo"})
	id, err := c.CreateTask(context.Background(), crm.Task{ID: "t-1", Title: "Send quote", Notes: "by Friday",
		Due: time.Date(2026, 3, 6, 15, 30, 0, 0, time.UTC), ContactID: itoa(p)})
	if err != nil {
		t.Fatal(err)
	}
	a := f.Activities()
	if len(a) != 1 || itoa(a[0].ID) != id || a[0].Type != "task" || a[0].DueDate != "2026-03-06" || a[0].DueTime != "15:30" || a[0].PersonID != p || a[0].Subject != "Send quote" {
		t.Fatalf("stored %+v (id %s)", a, id)
	}
	if _, err := c.CreateTask(context.Background(), crm.Task{}); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("empty task: %v", err)
	}
}

func TestLookupPhoneStages(t *testing.T) {
	f, c := setup(t, nil)
	org := f.AddOrganization(pipedrivefake.Organization{Name: "Acme"})
	a := f.AddPerson(pipedrivefake.Person{FirstName: "Exact", LastName: "E164", OrgID: org, Phones: []pipedrivefake.Value{{Label: "work", Value: "+15551230001"}}})
	b := f.AddPerson(pipedrivefake.Person{FirstName: "No", LastName: "Plus", Phones: []pipedrivefake.Value{{Label: "mobile", Value: "15551230002"}}})
	n := f.AddPerson(pipedrivefake.Person{FirstName: "National", LastName: "Only", Phones: []pipedrivefake.Value{{Value: "5551230003"}}})
	for num, want := range map[string]int64{"+15551230001": a, "+15551230002": b, "+15551230003": n} {
		got, err := c.LookupPhone(context.Background(), num)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != itoa(want) {
			t.Fatalf("%s: got %+v", num, got)
		}
	}
	got, _ := c.LookupPhone(context.Background(), "+15551230001")
	if got[0].FirstName != "Exact" || got[0].LastName != "E164" || got[0].Company != "Acme" || got[0].Phones[0].Number != "+15551230001" {
		t.Fatalf("contact %+v", got[0])
	}
	none, err := c.LookupPhone(context.Background(), "+15559999999")
	if err != nil || len(none) != 0 {
		t.Fatalf("no match: %v %v", none, err)
	}
	if v := crm.PhoneVariants("+442071234567"); len(v) != 3 || v[2] != "2071234567" {
		t.Fatalf("variants %v", v)
	}
}

func TestSearch(t *testing.T) {
	f, c := setup(t, nil)
	f.AddPerson(pipedrivefake.Person{FirstName: "Margaret", LastName: "Lee", Emails: []pipedrivefake.Value{{Value: "m@lee.example"}}})
	f.AddPerson(pipedrivefake.Person{FirstName: "Tom", LastName: "Leeson"})
	f.AddPerson(pipedrivefake.Person{FirstName: "Zed", LastName: "Zulu"})
	got, err := c.Search(context.Background(), "lee", 10)
	if err != nil || len(got) != 2 {
		t.Fatalf("search: %v %+v", err, got)
	}
	if got[0].Email != "m@lee.example" {
		t.Fatalf("%+v", got[0])
	}
	if got, _ := c.Search(context.Background(), "l", 10); len(got) != 0 {
		t.Fatal("1-char search must not hit the API")
	}
}

func TestPullFullAndIncremental(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f, c := setup(t, []pipedrivefake.Option{pipedrivefake.WithClock(clock)}, pipedrive.WithPageSize(2))
	org := f.AddOrganization(pipedrivefake.Organization{Name: "Acme", Address: "1 Main St"})
	var ids []int64
	for i := range 5 {
		ids = append(ids, f.AddPerson(pipedrivefake.Person{FirstName: "P", LastName: string(rune('A' + i)), OrgID: org,
			Phones: []pipedrivefake.Value{{Label: "work", Value: "+1555000000" + string(rune('0'+i))}}}))
	}
	f.AddDeal(pipedrivefake.Deal{Title: "D1", Value: "99.90", Currency: "USD", PersonID: ids[0], OrgID: org, StageID: 3})
	ctx := context.Background()
	var all []crm.Contact
	cursor, pages := "", 0
	for {
		p, err := c.Pull(ctx, crm.KindContacts, time.Time{}, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		all = append(all, p.Contacts...)
		if !p.More {
			break
		}
		cursor = p.Cursor
	}
	if len(all) != 5 || pages != 3 || all[0].CompanyID != itoa(org) || all[0].Company != "Acme" || all[4].LastName != "E" {
		t.Fatalf("full pull: %d contacts in %d pages: %+v", len(all), pages, all)
	}
	if !all[0].Updated.Equal(clock.Now()) {
		t.Fatalf("updated %v", all[0].Updated)
	}
	comp, err := c.Pull(ctx, crm.KindCompanies, time.Time{}, "")
	if err != nil || len(comp.Companies) != 1 || comp.Companies[0].Address != "1 Main St" {
		t.Fatalf("companies %+v %v", comp, err)
	}
	deals, err := c.Pull(ctx, crm.KindDeals, time.Time{}, "")
	if err != nil || len(deals.Deals) != 1 || deals.Deals[0].Amount != "99.90" || deals.Deals[0].ContactIDs[0] != itoa(ids[0]) || deals.Deals[0].Stage != "3" {
		t.Fatalf("deals %+v %v", deals, err)
	}

	// Incremental: two changes and one deletion after `since`.
	since := clock.Now().Add(time.Minute)
	clock.Advance(time.Hour)
	f.AddPerson(pipedrivefake.Person{ID: ids[1], FirstName: "P", LastName: "B2", Updated: clock.Now()})
	f.AddPerson(pipedrivefake.Person{ID: ids[2], FirstName: "P", LastName: "C", Deleted: true, Updated: clock.Now()})
	f.AddPerson(pipedrivefake.Person{FirstName: "New", LastName: "One", Updated: clock.Now()})
	var inc []crm.Contact
	cursor = ""
	for {
		p, err := c.Pull(ctx, crm.KindContacts, since, cursor)
		if err != nil {
			t.Fatal(err)
		}
		inc = append(inc, p.Contacts...)
		if !p.More {
			break
		}
		cursor = p.Cursor
	}
	if len(inc) != 3 || inc[0].LastName != "B2" || !inc[1].Deleted || inc[2].FirstName != "New" {
		t.Fatalf("incremental: %+v", inc)
	}
	if _, err := c.Pull(ctx, crm.KindContacts, time.Time{}, "x"); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("bad cursor: %v", err)
	}
}

package sell_test

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
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
)

func setup(t *testing.T, fopts []sellfake.Option, copts ...sell.Option) (*sellfake.Server, *sell.Client) {
	t.Helper()
	f, err := sellfake.New(fopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	opts := append([]sell.Option{
		sell.WithBaseURL(f.URL()),
		sell.WithLogger(slog.New(slog.DiscardHandler)),
		sell.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
	}, copts...)
	c, err := sell.New(f.Token(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

var started = time.Date(2026, 3, 4, 10, 10, 11, 0, time.FixedZone("CET", 3600))

func testCall(id string) crm.Call {
	return crm.Call{
		ID: id, Direction: crm.Inbound, From: "+15551234567", To: "+442071234567",
		Started: started, Answered: started.Add(5 * time.Second), Ended: started.Add(47 * time.Second),
		Duration: 42 * time.Second, Status: crm.StatusCompleted, Outcome: "101",
		Title: "Call with Margaret Lee", Notes: "Wants a quote",
	}
}

func TestNewValidates(t *testing.T) {
	if _, err := sell.New(""); !errors.Is(err, sell.ErrConfig) {
		t.Fatal(err)
	}
	if _, err := sell.New("x", sell.WithPageSize(101)); !errors.Is(err, sell.ErrConfig) {
		t.Fatal(err)
	}
	c, err := sell.New("x")
	if err != nil || c.Vendor() != crm.VendorSell || c.MaxBatch() != 1 {
		t.Fatal(err)
	}
}

func TestCheckAndOutcomes(t *testing.T) {
	_, c := setup(t, []sellfake.Option{sellfake.WithOutcomes([]sellfake.Outcome{{ID: 7, Name: "Hot"}, {ID: 8, Name: "Cold"}})})
	acc, err := c.Check(context.Background())
	if err != nil || acc.ID != "424242" || acc.User != "rep@example.com" || acc.Vendor != crm.VendorSell {
		t.Fatalf("%+v %v", acc, err)
	}
	out, err := c.Outcomes(context.Background())
	if err != nil || len(out) != 2 || out[0] != (crm.Outcome{Value: "7", Label: "Hot"}) {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestCreateCallStoresVendorFormats(t *testing.T) {
	f, c := setup(t, nil)
	org := f.AddContact(sellfake.Contact{IsOrganization: true, Name: "Lee & Co"})
	p := f.AddContact(sellfake.Contact{FirstName: "Margaret", LastName: "Lee", ContactID: org})
	d := f.AddDeal(sellfake.Deal{Name: "Renewal", Value: "1500.50", ContactID: p})
	call := testCall("0b6f6b0e-6f7e-4a57-9d38-9d8e0c1f2a3b")
	call.ContactID, call.DealID = itoa(p), itoa(d)
	call.RecordingURL = "https://rec.example/a.wav"
	res, err := c.CreateCalls(context.Background(), []crm.Call{call})
	if err != nil {
		t.Fatal(err)
	}
	calls := f.Calls()
	if len(res) != 1 || len(calls) != 1 || res[0].RemoteID != itoa(calls[0].ID) {
		t.Fatalf("%+v %+v", res, calls)
	}
	got := calls[0]
	if got.Duration != 42 || got.MadeAt != "2026-03-04T09:10:11Z" || !got.Incoming || got.Missed ||
		got.PhoneNumber != "+15551234567" || got.OutcomeID != 101 || got.ResourceType != "contact" || got.ResourceID != p ||
		len(got.AssociatedDealIDs) != 1 || got.AssociatedDealIDs[0] != d || got.ExternalID != call.ID ||
		got.Summary != "Wants a quote" || got.RecordingURL != call.RecordingURL {
		t.Fatalf("stored %+v", got)
	}
	if !strings.Contains(string(got.Raw), `"duration":42`) || !strings.HasPrefix(string(got.Raw), `{"data":{`) {
		t.Fatalf("raw %s", got.Raw)
	}
	// A missed inbound call without outcome.
	missed := testCall("missed-1")
	missed.Status, missed.Answered, missed.Duration, missed.Outcome = crm.StatusMissed, time.Time{}, 0, ""
	if _, err := c.CreateCalls(context.Background(), []crm.Call{missed}); err != nil {
		t.Fatal(err)
	}
	if m := f.Calls()[1]; !m.Missed || m.Duration != 0 || m.OutcomeID != 0 || strings.Contains(string(m.Raw), "outcome_id") {
		t.Fatalf("missed %+v", m)
	}
}

func TestMissingRequiredFieldRejected(t *testing.T) {
	f, c := setup(t, nil)
	call := testCall("no-number")
	call.From = ""
	_, err := c.CreateCalls(context.Background(), []crm.Call{call})
	var apiErr *crm.APIError
	if !errors.Is(err, crm.ErrRejected) || !errors.As(err, &apiErr) || apiErr.Status != 422 || apiErr.Code != "invalid" ||
		!strings.Contains(apiErr.Message, "phone_number can't be blank") {
		t.Fatalf("err = %v", err)
	}
	bad := testCall("bad-outcome")
	bad.Outcome = "999"
	if _, err := c.CreateCalls(context.Background(), []crm.Call{bad}); !errors.Is(err, crm.ErrRejected) || !strings.Contains(err.Error(), "outcome_id") {
		t.Fatalf("bad outcome: %v", err)
	}
	notNum := testCall("label-outcome")
	notNum.Outcome = "Interested"
	if _, err := c.CreateCalls(context.Background(), []crm.Call{notNum}); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("non-numeric outcome: %v", err)
	}
	if n := len(f.Calls()); n != 0 {
		t.Fatalf("%d calls stored", n)
	}
}

func TestUserAgentRequired(t *testing.T) {
	f, _ := setup(t, nil)
	req, _ := http.NewRequest(http.MethodGet, f.URL()+"/v2/users/self", nil)
	req.Header.Set("Authorization", "Bearer "+f.Token())
	req.Header.Set("User-Agent", "")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestCreateTask(t *testing.T) {
	f, c := setup(t, nil)
	p := f.AddContact(sellfake.Contact{FirstName: "Ann", LastName: "Bo"})
	id, err := c.CreateTask(context.Background(), crm.Task{ID: "t1", Title: "Send quote", Notes: "by Friday",
		Due: time.Date(2026, 3, 6, 15, 30, 0, 0, time.UTC), Reminder: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC), ContactID: itoa(p)})
	if err != nil {
		t.Fatal(err)
	}
	ts := f.Tasks()
	if len(ts) != 1 || itoa(ts[0].ID) != id || ts[0].Content != "Send quote\n\nby Friday\n\n[pitchline:t1]" || ts[0].DueDate != "2026-03-06T15:30:00Z" ||
		ts[0].RemindAt != "2026-03-06T15:00:00Z" || ts[0].ResourceType != "contact" || ts[0].ResourceID != p {
		t.Fatalf("%+v", ts)
	}
	found, err := c.FindTasks(context.Background(), []crm.Task{{ID: "t1"}, {ID: "t2"}})
	if err != nil || len(found) != 1 || found["t1"] != id {
		t.Fatalf("find tasks: %v %v", found, err)
	}
}

func TestLookupPhoneAndSearch(t *testing.T) {
	f, c := setup(t, nil)
	org := f.AddContact(sellfake.Contact{IsOrganization: true, Name: "Acme", Phone: "+15551230001"})
	a := f.AddContact(sellfake.Contact{FirstName: "Work", LastName: "Phone", Phone: "+15551230001", ContactID: org, Email: "w@acme.example"})
	b := f.AddContact(sellfake.Contact{FirstName: "Mobile", LastName: "Plus", Mobile: "15551230002"})
	n := f.AddContact(sellfake.Contact{FirstName: "National", LastName: "Only", Phone: "5551230003"})
	for num, want := range map[string]int64{"+15551230001": a, "+15551230002": b, "+15551230003": n} {
		got, err := c.LookupPhone(context.Background(), num)
		if err != nil || len(got) != 1 || got[0].ID != itoa(want) {
			t.Fatalf("%s: %+v %v", num, got, err)
		}
	}
	got, _ := c.LookupPhone(context.Background(), "+15551230001")
	if got[0].CompanyID != itoa(org) || got[0].Phones[0] != (crm.Phone{Label: "work", Number: "+15551230001"}) {
		t.Fatalf("%+v", got[0])
	}
	if none, err := c.LookupPhone(context.Background(), "+15559999999"); err != nil || len(none) != 0 {
		t.Fatalf("%v %v", none, err)
	}
	res, err := c.Search(context.Background(), "phone", 10)
	if err != nil || len(res) != 1 || res[0].ID != itoa(a) {
		t.Fatalf("search %+v %v", res, err)
	}
	res, _ = c.Search(context.Background(), "w@acme.example", 10)
	if len(res) != 1 {
		t.Fatalf("email search %+v", res)
	}
}

func TestPullFullAndIncremental(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f, c := setup(t, []sellfake.Option{sellfake.WithClock(clock)}, sell.WithPageSize(2))
	org := f.AddContact(sellfake.Contact{IsOrganization: true, Name: "Acme", Website: "acme.example", Line1: "1 Main St", City: "Springfield"})
	var ids []int64
	for i := range 5 {
		ids = append(ids, f.AddContact(sellfake.Contact{FirstName: "P", LastName: string(rune('A' + i)), ContactID: org}))
	}
	f.AddDeal(sellfake.Deal{Name: "D1", Value: "99.90", Currency: "USD", ContactID: ids[0], OrganizationID: org, StageID: 3})
	ctx := context.Background()
	pull := func(kind crm.ObjectKind, since time.Time) (crm.Page, int) {
		var all crm.Page
		cursor, pages := "", 0
		for {
			p, err := c.Pull(ctx, kind, since, cursor)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			all.Contacts = append(all.Contacts, p.Contacts...)
			all.Companies = append(all.Companies, p.Companies...)
			all.Deals = append(all.Deals, p.Deals...)
			if !p.More {
				return all, pages
			}
			cursor = p.Cursor
		}
	}
	all, pages := pull(crm.KindContacts, time.Time{})
	if len(all.Contacts) != 5 || pages != 3 || all.Contacts[0].CompanyID != itoa(org) || all.Contacts[4].LastName != "E" {
		t.Fatalf("full: %d in %d pages %+v", len(all.Contacts), pages, all.Contacts)
	}
	comp, _ := pull(crm.KindCompanies, time.Time{})
	if len(comp.Companies) != 1 || comp.Companies[0].Address != "1 Main St, Springfield" || comp.Companies[0].Domain != "acme.example" {
		t.Fatalf("companies %+v", comp.Companies)
	}
	deals, _ := pull(crm.KindDeals, time.Time{})
	if len(deals.Deals) != 1 || deals.Deals[0].Amount != "99.90" || deals.Deals[0].CompanyID != itoa(org) || deals.Deals[0].ContactIDs[0] != itoa(ids[0]) {
		t.Fatalf("deals %+v", deals.Deals)
	}
	since := clock.Now().Add(time.Minute)
	clock.Advance(time.Hour)
	f.AddContact(sellfake.Contact{ID: ids[1], FirstName: "P", LastName: "B2", ContactID: org, Updated: clock.Now()})
	clock.Advance(time.Second)
	f.AddContact(sellfake.Contact{FirstName: "New", LastName: "One", Updated: clock.Now()})
	inc, pages := pull(crm.KindContacts, since)
	if len(inc.Contacts) != 2 || inc.Contacts[0].FirstName != "New" || inc.Contacts[1].LastName != "B2" || pages != 2 {
		t.Fatalf("incremental: %d pages %+v", pages, inc.Contacts)
	}
}

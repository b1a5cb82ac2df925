package zoho_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
)

func setup(t *testing.T, fopts []zohofake.Option, copts ...zoho.Option) (*zohofake.Server, *zoho.Client) {
	t.Helper()
	f, err := zohofake.New(fopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	opts := append([]zoho.Option{
		zoho.WithBaseURL(f.URL()),
		zoho.WithLogger(slog.New(slog.DiscardHandler)),
		zoho.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}),
	}, copts...)
	c, err := zoho.New(f.Token(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

var started = time.Date(2026, 3, 4, 10, 10, 11, 0, time.FixedZone("IST", 5*3600+1800))

func testCall(id string) crm.Call {
	return crm.Call{
		ID: id, Direction: crm.Outbound, From: "+442071234567", To: "+15551234567",
		Started: started, Answered: started.Add(5 * time.Second), Ended: started.Add(47 * time.Second),
		Duration: 42 * time.Second, Status: crm.StatusCompleted, Outcome: "Interested",
		Title: "Call with Margaret Lee", Notes: "Wants a quote",
	}
}

func TestNewAndDuration(t *testing.T) {
	if _, err := zoho.New(""); !errors.Is(err, zoho.ErrConfig) {
		t.Fatal(err)
	}
	c, _ := zoho.New("x")
	if c.MaxBatch() != 100 || c.Vendor() != crm.VendorZoho {
		t.Fatal("batch/vendor")
	}
	for d, want := range map[time.Duration]string{0: "00:00", 42 * time.Second: "00:42", 61500 * time.Millisecond: "01:02", 75*time.Minute + 30*time.Second: "75:30"} {
		if got := zoho.Duration(d); got != want {
			t.Errorf("Duration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestCheckAndOutcomes(t *testing.T) {
	_, c := setup(t, []zohofake.Option{zohofake.WithCallResults([]string{"Hot", "Cold"})})
	acc, err := c.Check(context.Background())
	if err != nil || acc.ID != "20050001" || acc.User != "rep@example.com" {
		t.Fatalf("%+v %v", acc, err)
	}
	out, err := c.Outcomes(context.Background())
	if err != nil || len(out) != 2 || out[0].Value != "Hot" {
		t.Fatalf("%+v %v", out, err)
	}
}

func TestCreateCallsBatchStoresVendorFormats(t *testing.T) {
	f, c := setup(t, nil)
	acct := f.AddAccount(zohofake.Account{Name: "Lee & Co"})
	p := f.AddContact(zohofake.Contact{FirstName: "Margaret", LastName: "Lee", AccountID: acct})
	d := f.AddDeal(zohofake.Deal{Name: "Renewal", Amount: "1500.5", ContactID: p})
	a := testCall("call-a")
	a.ContactID, a.DealID, a.RecordingURL = p, d, "https://rec.example/a.wav"
	missed := testCall("call-missed")
	missed.Direction, missed.Status, missed.Duration, missed.Outcome, missed.ContactID = crm.Inbound, crm.StatusMissed, 0, "", p
	bad := testCall("call-bad")
	bad.Outcome = "Maybe later" // not in the Call_Result picklist
	res, err := c.CreateCalls(context.Background(), []crm.Call{a, missed, bad})
	if err != nil {
		t.Fatal(err)
	}
	recs := f.Records("Calls")
	if len(res) != 3 || len(recs) != 2 || res[0].RemoteID != recs[0].ID || res[1].RemoteID != recs[1].ID || res[0].Err != nil || res[1].Err != nil {
		t.Fatalf("results %+v, %d stored", res, len(recs))
	}
	var apiErr *crm.APIError
	if !errors.Is(res[2].Err, crm.ErrRejected) || !errors.As(res[2].Err, &apiErr) || apiErr.Code != "INVALID_DATA" || !strings.Contains(apiErr.Message, "Call_Result") || res[2].RemoteID != "" {
		t.Fatalf("bad record: %v", res[2].Err)
	}
	r := recs[0]
	want := map[string]string{"Call_Duration": "00:42", "Call_Start_Time": "2026-03-04T10:10:11+05:30", "Call_Type": "Outbound",
		"Call_Result": "Interested", "Subject": "Call with Margaret Lee", "Dialled_Number": "+15551234567", "Caller_ID": "+442071234567", "$se_module": "Deals"}
	for k, v := range want {
		if r.Str(k) != v {
			t.Errorf("%s = %q, want %q", k, r.Str(k), v)
		}
	}
	if r.Lookup("Who_Id") != p || r.Lookup("What_Id") != d || !strings.Contains(r.Str("Description"), zoho.Tag("call-a")) ||
		!strings.Contains(r.Str("Description"), "rec.example") || !strings.Contains(string(r.Raw), `"Call_Duration_in_seconds":42`) {
		t.Errorf("record %s", r.Raw)
	}
	if m := recs[1]; m.Str("Call_Type") != "Missed" || m.Str("Call_Duration") != "00:00" {
		t.Errorf("missed %s", m.Raw)
	}
}

func TestMissingRequiredFieldRejected(t *testing.T) {
	f, c := setup(t, nil)
	call := testCall("ghost-contact")
	call.ContactID = "404"
	res, err := c.CreateCalls(context.Background(), []crm.Call{call})
	if err != nil {
		t.Fatal(err)
	}
	var apiErr *crm.APIError
	if !errors.Is(res[0].Err, crm.ErrRejected) || !errors.As(res[0].Err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "INVALID_DATA" || !strings.Contains(apiErr.Message, "Who_Id") {
		t.Fatalf("%+v", res[0].Err)
	}
	// A record without Call_Type, straight to the fake: MANDATORY_NOT_FOUND.
	req, _ := http.NewRequest(http.MethodPost, f.URL()+"/Calls", strings.NewReader(`{"data":[{"Subject":"x","Call_Start_Time":"2026-03-04T10:10:11+05:30","Call_Duration":"00:10"}]}`))
	req.Header.Set("Authorization", "Zoho-oauthtoken "+f.Token())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ans struct {
		Data []struct {
			Code    string            `json:"code"`
			Status  string            `json:"status"`
			Details map[string]string `json:"details"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&ans); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 400 || len(ans.Data) != 1 || ans.Data[0].Code != "MANDATORY_NOT_FOUND" || ans.Data[0].Status != "error" ||
		ans.Data[0].Details["api_name"] != "Call_Type" || len(f.Records("Calls")) != 0 {
		t.Fatalf("status %d %+v", resp.StatusCode, ans)
	}
	if _, err := c.CreateCalls(context.Background(), make([]crm.Call, 101)); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("101 calls: %v", err)
	}
}

func TestCreateTask(t *testing.T) {
	f, c := setup(t, nil)
	p := f.AddContact(zohofake.Contact{FirstName: "Ann", LastName: "Bo"})
	d := f.AddDeal(zohofake.Deal{Name: "X"})
	id, err := c.CreateTask(context.Background(), crm.Task{ID: "t1", Title: "Send quote", Notes: "by Friday",
		Due: time.Date(2026, 3, 6, 15, 30, 0, 0, time.UTC), ContactID: p, DealID: d})
	if err != nil {
		t.Fatal(err)
	}
	ts := f.Records("Tasks")
	if len(ts) != 1 || ts[0].ID != id || ts[0].Str("Subject") != "Send quote" || ts[0].Str("Due_Date") != "2026-03-06" ||
		ts[0].Lookup("Who_Id") != p || ts[0].Lookup("What_Id") != d || !strings.Contains(ts[0].Str("Description"), "by Friday") {
		t.Fatalf("%+v", ts)
	}
	if _, err := c.CreateTask(context.Background(), crm.Task{Title: "x", ContactID: "404"}); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("unknown contact: %v", err)
	}
}

func TestLookupPhoneAndSearch(t *testing.T) {
	f, c := setup(t, nil)
	acct := f.AddAccount(zohofake.Account{Name: "Acme"})
	a := f.AddContact(zohofake.Contact{FirstName: "Work", LastName: "Phone", Phone: "+15551230001", AccountID: acct})
	b := f.AddContact(zohofake.Contact{FirstName: "Mobile", LastName: "Plus", Mobile: "15551230002"})
	n := f.AddContact(zohofake.Contact{FirstName: "National", LastName: "Only", Phone: "5551230003"})
	for num, want := range map[string]string{"+15551230001": a, "+15551230002": b, "+15551230003": n} {
		got, err := c.LookupPhone(context.Background(), num)
		if err != nil || len(got) != 1 || got[0].ID != want {
			t.Fatalf("%s: %+v %v", num, got, err)
		}
	}
	got, _ := c.LookupPhone(context.Background(), "+15551230001")
	if got[0].CompanyID != acct || got[0].Company != "Acme" {
		t.Fatalf("%+v", got[0])
	}
	if none, err := c.LookupPhone(context.Background(), "+15559999999"); err != nil || len(none) != 0 {
		t.Fatalf("204: %v %v", none, err)
	}
	res, err := c.Search(context.Background(), "plus", 10)
	if err != nil || len(res) != 1 || res[0].ID != b {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestPullFullAndIncremental(t *testing.T) {
	clock := crmtest.NewManualClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f, c := setup(t, []zohofake.Option{zohofake.WithClock(clock)}, zoho.WithPageSize(2))
	acct := f.AddAccount(zohofake.Account{Name: "Acme", Website: "acme.example", Street: "1 Main St", City: "Springfield"})
	var ids []string
	for i := range 5 {
		ids = append(ids, f.AddContact(zohofake.Contact{FirstName: "P", LastName: string(rune('A' + i)), AccountID: acct}))
	}
	f.AddDeal(zohofake.Deal{Name: "D1", Amount: "99.9", Currency: "EUR", Stage: "Qualification", ContactID: ids[0], AccountID: acct})
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
	if len(all.Contacts) != 5 || pages != 3 || all.Contacts[0].CompanyID != acct || !all.Contacts[0].Updated.Equal(clock.Now()) {
		t.Fatalf("full: %d in %d pages %+v", len(all.Contacts), pages, all.Contacts)
	}
	comp, _ := pull(crm.KindCompanies, time.Time{})
	if len(comp.Companies) != 1 || comp.Companies[0].Address != "1 Main St, Springfield" {
		t.Fatalf("%+v", comp.Companies)
	}
	deals, _ := pull(crm.KindDeals, time.Time{})
	if len(deals.Deals) != 1 || deals.Deals[0].Amount != "99.9" || deals.Deals[0].Stage != "Qualification" || deals.Deals[0].ContactIDs[0] != ids[0] {
		t.Fatalf("%+v", deals.Deals)
	}
	since := clock.Now().Add(time.Minute)
	if inc, _ := pull(crm.KindContacts, since); len(inc.Contacts) != 0 {
		t.Fatalf("304 expected: %+v", inc.Contacts)
	}
	clock.Advance(time.Hour)
	f.AddContact(zohofake.Contact{ID: ids[3], FirstName: "P", LastName: "D2", Modified: clock.Now()})
	clock.Advance(time.Second)
	f.AddContact(zohofake.Contact{FirstName: "New", LastName: "One", Modified: clock.Now()})
	inc, _ := pull(crm.KindContacts, since)
	if len(inc.Contacts) != 2 || inc.Contacts[0].LastName != "D2" || inc.Contacts[1].FirstName != "New" {
		t.Fatalf("incremental: %+v", inc.Contacts)
	}
}

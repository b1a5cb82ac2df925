package hubspot

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

func pullAll(t *testing.T, c *Client, kind crm.ObjectKind, since time.Time) (ids map[string]int, pages int) {
	t.Helper()
	ids = map[string]int{}
	cursor := ""
	for {
		page, err := c.Pull(t.Context(), kind, since, cursor)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, ct := range page.Contacts {
			ids[ct.ID]++
		}
		for _, co := range page.Companies {
			ids[co.ID]++
		}
		for _, d := range page.Deals {
			ids[d.ID]++
		}
		if !page.More {
			return ids, pages
		}
		cursor = page.Cursor
		if pages > 500 {
			t.Fatal("pull does not end")
		}
	}
}

func TestFullPullPaginates(t *testing.T) {
	fake, c := newPair(t, nil)
	for i := range 250 {
		fake.AddContact(map[string]string{"firstname": fmt.Sprint("c", i), "phone": fmt.Sprintf("+1555%07d", i)})
	}
	co := fake.AddCompany(map[string]string{"name": "Acme", "domain": "acme.test"})
	ct := fake.Contacts()[0].ID
	fake.AddDeal(map[string]string{"dealname": "Big", "amount": "1200.50", "dealstage": "appointmentscheduled"}, co, ct)

	ids, pages := pullAll(t, c, crm.KindContacts, time.Time{})
	if len(ids) != 250 || pages != 3 {
		t.Fatalf("contacts %d in %d pages", len(ids), pages)
	}
	page, err := c.Pull(t.Context(), crm.KindDeals, time.Time{}, "")
	if err != nil || len(page.Deals) != 1 || page.More {
		t.Fatalf("deals %+v %v", page, err)
	}
	d := page.Deals[0]
	if d.Name != "Big" || d.Amount != "1200.50" || d.CompanyID != co || len(d.ContactIDs) != 1 || d.ContactIDs[0] != ct {
		t.Fatalf("deal %+v", d)
	}
	page, err = c.Pull(t.Context(), crm.KindCompanies, time.Time{}, "")
	if err != nil || len(page.Companies) != 1 || page.Companies[0].Domain != "acme.test" {
		t.Fatalf("companies %+v %v", page, err)
	}
	if _, err := c.Pull(t.Context(), crm.KindContacts, time.Time{}, "garbage"); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestIncrementalPull(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clk := crmtest.NewManualClock(t0)
	fake, c := newPair(t, []hubspotfake.Option{hubspotfake.WithClock(clk), hubspotfake.WithSearchRate(1000)}, WithSearchRate(0))
	var ids []string
	for i := range 30 {
		ids = append(ids, fake.AddContact(map[string]string{"firstname": fmt.Sprint("c", i)}))
	}
	clk.Advance(time.Hour)
	since := clk.Now()
	for _, id := range ids[:5] {
		clk.Advance(time.Second)
		if err := fake.Update("contacts", id, map[string]string{"jobtitle": "CTO"}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := pullAll(t, c, crm.KindContacts, since)
	if len(got) != 5 {
		t.Fatalf("incremental got %d, want the 5 updated", len(got))
	}
	for _, id := range ids[:5] {
		if got[id] != 1 {
			t.Fatalf("%s seen %d times", id, got[id])
		}
	}
}

// TestIncrementalPullPastSearchCap: 10,250 changed contacts exceed
// search's 10,000-result cap; the cursor restarts the window and nothing
// is lost.
func TestIncrementalPullPastSearchCap(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,250 contacts")
	}
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	clk := crmtest.NewManualClock(t0)
	fake, c := newPair(t, []hubspotfake.Option{hubspotfake.WithClock(clk), hubspotfake.WithSearchRate(100_000)}, WithSearchRate(0))
	const n = 10_250
	for i := range n {
		clk.Advance(time.Millisecond)
		fake.AddContact(map[string]string{"firstname": fmt.Sprint("c", i)})
	}
	got, pages := pullAll(t, c, crm.KindContacts, t0)
	if len(got) != n {
		t.Fatalf("pulled %d distinct contacts, want %d (pages %d)", len(got), n, pages)
	}
	dups := 0
	for _, k := range got {
		dups += k - 1
	}
	if dups > 1 {
		t.Fatalf("%d contacts re-sent; only the one at the restart instant should be", dups)
	}
	for _, e := range fake.Faults().Log() {
		if e.Status != 200 {
			t.Fatalf("request %s answered %d", e.Path, e.Status)
		}
	}
}

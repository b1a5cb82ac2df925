package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

// seedList stores n contacts (every 7th without a phone, every 5th
// flagged do-not-call in the custom property "do_not_call") in a list.
func seedList(fake *hubspotfake.Server, name string, n int) (string, []string) {
	ids := make([]string, n)
	for i := range ids {
		p := map[string]string{"firstname": fmt.Sprintf("First%03d", i), "lastname": "Last", "company": "Acme",
			"hs_timezone": "america_slash_new_york"}
		if i%7 != 3 {
			p["phone"] = fmt.Sprintf("+1212555%04d", i)
		}
		if i%3 == 0 {
			p["mobilephone"] = fmt.Sprintf("+1917555%04d", i)
		}
		if i%5 == 0 {
			p["do_not_call"] = "true"
		}
		ids[i] = fake.AddContact(p)
	}
	return fake.AddList(name, ids...), ids
}

func TestListsOnlyContactLists(t *testing.T) {
	fake, c := newPair(t, nil)
	id, _ := seedList(fake, "Q3 prospects", 3)
	fake.AddObjectList("Key accounts", "0-2")
	lists, err := c.Lists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].ID != id || lists[0].Name != "Q3 prospects" || lists[0].Size != 3 || lists[0].Object != "contacts" {
		t.Fatalf("lists %+v", lists)
	}
}

func TestPullListPagesProgressRetryAndFlags(t *testing.T) {
	fake, c := newPair(t, nil, WithDoNotCallProperty("do_not_call"))
	const n = 250
	id, ids := seedList(fake, "Big list", n)
	var calls [][2]int
	armed := false
	got, err := c.PullList(context.Background(), id, func(done, total int) {
		calls = append(calls, [2]int{done, total})
		if !armed {
			// A burst 429 on the next memberships page, mid-pull.
			armed = true
			body := `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","policyName":"TEN_SECONDLY_ROLLING"}`
			if err := fake.Faults().FailPath(http.MethodGet, "/crm/v3/lists/*/memberships", 1,
				crmtest.Status(http.StatusTooManyRequests, body, http.Header{"Retry-After": {"1"}})); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][2]int{{100, n}, {200, n}, {250, n}}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("progress %v, want %v", calls, want)
	}
	if c := fake.Faults().Counters(); c.Faults[crmtest.KindStatus] != 1 || fake.Faults().Pending() != 0 {
		t.Fatalf("the 429 was not served: %+v", c)
	}
	if len(got) != n {
		t.Fatalf("%d contacts, want %d", len(got), n)
	}
	noPhone, dnc := 0, 0
	for i, lc := range got {
		if lc.ID != ids[i] {
			t.Fatalf("contact %d is %s, want %s (membership order)", i, lc.ID, ids[i])
		}
		if lc.DisplayName() != fmt.Sprintf("First%03d Last", i) || lc.Company != "Acme" || lc.TimeZone != "America/New_York" {
			t.Fatalf("contact %d: %+v", i, lc)
		}
		if len(lc.Phones) == 0 {
			noPhone++
		} else if i%7 != 3 && (lc.Phones[0].Label != "work" || lc.Phones[0].Number != fmt.Sprintf("+1212555%04d", i)) {
			t.Fatalf("contact %d phones %+v", i, lc.Phones)
		}
		if i%3 == 0 && lc.Phones[len(lc.Phones)-1].Label != "mobile" {
			t.Fatalf("contact %d phones %+v", i, lc.Phones)
		}
		if lc.DoNotCall != (i%5 == 0) {
			t.Fatalf("contact %d DoNotCall %v", i, lc.DoNotCall)
		}
		if lc.DoNotCall {
			dnc++
		}
	}
	// i%7==3 and not i%3==0: contacts with no number at all, still returned.
	want := 0
	for i := range n {
		if i%7 == 3 && i%3 != 0 {
			want++
		}
	}
	if noPhone != want || dnc != 50 {
		t.Fatalf("%d without phone (want %d), %d do-not-call", noPhone, want, dnc)
	}
}

func TestPullListNoDNCPropertyByDefault(t *testing.T) {
	fake, c := newPair(t, nil)
	id, _ := seedList(fake, "L", 6)
	got, err := c.PullList(context.Background(), id, nil)
	if err != nil || len(got) != 6 {
		t.Fatalf("%d %v", len(got), err)
	}
	for _, lc := range got {
		if lc.DoNotCall {
			t.Fatalf("flag set without a property: %+v", lc)
		}
	}
}

func TestPullListErrors(t *testing.T) {
	fake, c := newPair(t, nil)
	ctx := context.Background()
	if _, err := c.PullList(ctx, "424242", nil); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown list: %v", err)
	}
	other := fake.AddObjectList("Companies", "0-2")
	if _, err := c.PullList(ctx, other, nil); !errors.Is(err, crm.ErrUnsupported) {
		t.Fatalf("company list: %v", err)
	}
	id, _ := seedList(fake, "L", 3)
	fake.ExpireToken(token)
	if _, err := c.PullList(ctx, id, nil); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired token: %v", err)
	}
	if _, err := c.Lists(ctx); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired token: %v", err)
	}
}

func TestPullListDailyLimitEnds(t *testing.T) {
	fake, c := newPair(t, nil)
	id, _ := seedList(fake, "L", 3)
	body := `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`
	if err := fake.Faults().FailPath(http.MethodGet, "/crm/v3/lists/*/memberships", 1, crmtest.Status(http.StatusTooManyRequests, body, nil)); err != nil {
		t.Fatal(err)
	}
	_, err := c.PullList(context.Background(), id, nil)
	var rl *crm.RateLimitError
	if !errors.As(err, &rl) || !rl.Daily {
		t.Fatalf("daily limit: %v", err)
	}
}

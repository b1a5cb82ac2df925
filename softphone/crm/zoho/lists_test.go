package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
)

func TestCustomViewListsAndPull(t *testing.T) {
	f, c := setup(t, nil, zoho.WithPageSize(3), zoho.WithDoNotCallField("Do_Not_Call"))
	acct := f.AddAccount(zohofake.Account{Name: "Acme"})
	const n = 8
	var ids []string
	for i := range n {
		ct := zohofake.Contact{FirstName: fmt.Sprintf("Z%02d", i), LastName: "Sato", AccountID: acct, Custom: map[string]any{"Do_Not_Call": i%4 == 1}}
		if i != 2 {
			ct.Phone = fmt.Sprintf("+81 3 1234 %04d", i)
		}
		if i%2 == 0 {
			ct.Mobile = fmt.Sprintf("+81 90 1234 %04d", i)
		}
		ids = append(ids, f.AddContact(ct))
	}
	vid := f.AddView("Tokyo prospects", "Contacts", ids...)
	f.AddView("Hot leads", "Leads")

	lists, err := c.Lists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].ID != vid || lists[0].Name != "Tokyo prospects" {
		t.Fatalf("lists %+v", lists)
	}
	var prog []int
	armed := false
	got, err := c.PullList(context.Background(), vid, func(done, total int) {
		prog = append(prog, done)
		if !armed {
			armed = true
			// Zoho's concurrency limit, mid-pull (crm-apis.md §4.3).
			if err := f.Faults().FailPath(http.MethodGet, "/crm/v2/Contacts", 1, crmtest.Status(http.StatusTooManyRequests,
				`{"code":"TOO_MANY_REQUESTS","details":{},"message":"concurrency limit exceeded","status":"error"}`, http.Header{"Retry-After": {"1"}})); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(prog) != "[3 6 8]" || len(got) != n || f.Faults().Pending() != 0 {
		t.Fatalf("progress %v, %d contacts, %d faults pending", prog, len(got), f.Faults().Pending())
	}
	for i, lc := range got {
		if lc.ID != ids[i] || lc.DisplayName() != fmt.Sprintf("Z%02d Sato", i) || lc.Company != "Acme" || lc.DoNotCall != (i%4 == 1) {
			t.Fatalf("contact %d: %+v", i, lc)
		}
		want := 0
		if i != 2 {
			want++
		}
		if i%2 == 0 {
			want++
		}
		if len(lc.Phones) != want {
			t.Fatalf("contact %d phones %+v", i, lc.Phones)
		}
	}
}

func TestCustomViewPullErrors(t *testing.T) {
	f, c := setup(t, nil)
	ctx := context.Background()
	if _, err := c.PullList(ctx, "4150868000000999999", nil); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown view: %v", err)
	}
	empty := f.AddView("Empty", "Contacts")
	if got, err := c.PullList(ctx, empty, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty view: %v %v", got, err)
	}
	f.ExpireToken()
	if _, err := c.PullList(ctx, empty, nil); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := c.Lists(ctx); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}
}

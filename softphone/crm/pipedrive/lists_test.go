package pipedrive_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
)

const dncKey = "5f0c6c8e2a1b4d7e9f3a0b1c2d3e4f5a6b7c8d9e"

func listPair(t *testing.T, opts ...pipedrive.Option) (*pipedrivefake.Server, *pipedrive.Client) {
	t.Helper()
	fake, err := pipedrivefake.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	c, err := pipedrive.New(fake.Token(), append([]pipedrive.Option{pipedrive.WithBaseURL(fake.URL())}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func TestFilterListsAndPull(t *testing.T) {
	fake, c := listPair(t, pipedrive.WithPageSize(4), pipedrive.WithDoNotCallField(dncKey))
	org := fake.AddOrganization(pipedrivefake.Organization{Name: "Acme"})
	const n = 10
	var ids []int64
	for i := range n {
		p := pipedrivefake.Person{FirstName: fmt.Sprintf("P%02d", i), LastName: "Doe", OrgID: org}
		if i != 4 {
			p.Phones = []pipedrivefake.Value{{Label: "work", Value: fmt.Sprintf("+1212555%04d", i)}, {Label: "mobile", Value: fmt.Sprintf("+1917555%04d", i), Primary: true}}
		}
		if i%3 == 0 {
			p.Custom = map[string]any{dncKey: "Yes"}
		}
		ids = append(ids, fake.AddPerson(p))
	}
	fake.AddPerson(pipedrivefake.Person{FirstName: "Not", LastName: "Member", Phones: []pipedrivefake.Value{{Value: "+12125559999"}}})
	fid := fake.AddFilter("Open leads", ids...)
	fake.AddTypedFilter("Big deals", "deals")

	lists, err := c.Lists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 1 || lists[0].ID != fmt.Sprint(fid) || lists[0].Name != "Open leads" || lists[0].Size != -1 {
		t.Fatalf("lists %+v", lists)
	}

	var prog []int
	armed := false
	got, err := c.PullList(context.Background(), fmt.Sprint(fid), func(done, total int) {
		if total != -1 {
			t.Errorf("total %d", total)
		}
		prog = append(prog, done)
		if !armed {
			armed = true
			if err := fake.Faults().FailPath(http.MethodGet, "/v1/persons", 1, crmtest.Status(http.StatusTooManyRequests,
				`{"success":false,"error":"Request over limit","error_info":"Please wait"}`, http.Header{"Retry-After": {"1"}})); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(prog) != "[4 8 10]" || len(got) != n || fake.Faults().Pending() != 0 {
		t.Fatalf("progress %v, %d contacts, %d faults pending", prog, len(got), fake.Faults().Pending())
	}
	for i, lc := range got {
		if lc.ID != fmt.Sprint(ids[i]) || lc.DisplayName() != fmt.Sprintf("P%02d Doe", i) || lc.Company != "Acme" || lc.DoNotCall != (i%3 == 0) {
			t.Fatalf("contact %d: %+v", i, lc)
		}
		if i == 4 {
			if len(lc.Phones) != 0 {
				t.Fatalf("phoneless person got %+v", lc.Phones)
			}
			continue
		}
		if len(lc.Phones) != 2 || lc.Phones[0].Label != "mobile" || lc.Phones[1].Number != fmt.Sprintf("+1212555%04d", i) {
			t.Fatalf("contact %d phones %+v (primary first)", i, lc.Phones)
		}
	}
}

func TestFilterPullErrors(t *testing.T) {
	fake, c := listPair(t)
	ctx := context.Background()
	if _, err := c.PullList(ctx, "777", nil); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown filter: %v", err)
	}
	if _, err := c.PullList(ctx, "abc", nil); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("bad id: %v", err)
	}
	fid := fake.AddFilter("F")
	fake.ExpireToken()
	if _, err := c.PullList(ctx, fmt.Sprint(fid), nil); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := c.Lists(ctx); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}
}

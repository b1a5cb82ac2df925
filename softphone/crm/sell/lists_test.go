package sell_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
)

// TestTagListsAndPull: Sell's contact and lead tags are the lists (deal
// tags are not), paged; a contact tag is pulled through the Search API a
// page at a time with progress against total_count, through a 429 in the
// middle, in id order, with phones and the do-not-call custom field; a
// lead tag gives leads with their organisation; a refresh sees a contact
// that lost the tag.
func TestTagListsAndPull(t *testing.T) {
	f, c := setup(t, nil, sell.WithPageSize(3), sell.WithDoNotCallField("Do not call"))
	const n = 8
	var ids []int64
	for i := range n {
		ct := sellfake.Contact{FirstName: fmt.Sprintf("S%02d", i), LastName: "Kato", Tags: []string{"q3"},
			Custom: map[string]any{"Do not call": i%4 == 1}}
		if i != 2 {
			ct.Phone = fmt.Sprintf("+81 3 1234 %04d", i)
		}
		if i%2 == 0 {
			ct.Mobile = fmt.Sprintf("+81 90 1234 %04d", i)
		}
		if i == 5 {
			ct.Tags = append(ct.Tags, "vip")
			ct.Custom = map[string]any{"Do not call": "yes"}
		}
		ids = append(ids, f.AddContact(ct))
	}
	f.AddContact(sellfake.Contact{FirstName: "Not", LastName: "Tagged", Phone: "+81312340099"})
	f.AddContact(sellfake.Contact{IsOrganization: true, Name: "Kato Trading", Phone: "+81312340100", Tags: []string{"alpha"}})
	f.AddTag("zeta", "contact")
	lead := f.AddLead(sellfake.Lead{FirstName: "Mia", LastName: "Wong", OrganizationName: "Wong Foods", Mobile: "+85291234567", Tags: []string{"webinar"}})
	f.AddLead(sellfake.Lead{FirstName: "Other", LastName: "Lead", Phone: "+85221234567"})
	f.AddTag("big deals", "deal")

	lists, err := c.Lists(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tagID := map[string]string{}
	for _, l := range lists {
		if l.Size != -1 {
			t.Errorf("list %+v: size should be unknown", l)
		}
		got = append(got, l.Object+":"+l.Name)
		tagID[l.Object+":"+l.Name] = l.ID
	}
	if fmt.Sprint(got) != "[contacts:alpha contacts:q3 contacts:vip contacts:zeta leads:webinar]" {
		t.Fatalf("lists %v", got)
	}

	var prog []string
	armed := false
	recs, err := c.PullList(context.Background(), tagID["contacts:q3"], func(done, total int) {
		prog = append(prog, fmt.Sprintf("%d/%d", done, total))
		if !armed {
			armed = true
			// Sell's hourly limit, mid-pull: a bare 429.
			if err := f.Faults().FailPath(http.MethodPost, "/v3/contacts/search", 1, crmtest.Status(http.StatusTooManyRequests,
				`{"errors":[{"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded"}}],"meta":{"http_status":"429 Too Many Requests"}}`,
				http.Header{"Retry-After": {"1"}})); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(prog) != "[3/8 6/8 8/8]" || len(recs) != n || f.Faults().Pending() != 0 {
		t.Fatalf("progress %v, %d records, %d faults pending", prog, len(recs), f.Faults().Pending())
	}
	for i, r := range recs {
		dnc := i%4 == 1 || i == 5
		if r.ID != itoa(ids[i]) || r.DisplayName() != fmt.Sprintf("S%02d Kato", i) || r.DoNotCall != dnc {
			t.Fatalf("record %d: %+v", i, r)
		}
		want := 0
		if i != 2 {
			want++
			if r.Phones[0].Label != "work" || r.Phones[0].Number != fmt.Sprintf("+81 3 1234 %04d", i) {
				t.Fatalf("record %d phones %+v", i, r.Phones)
			}
		}
		if i%2 == 0 {
			want++
		}
		if len(r.Phones) != want {
			t.Fatalf("record %d phones %+v", i, r.Phones)
		}
	}

	recs, err = c.PullList(context.Background(), tagID["contacts:alpha"], nil)
	if err != nil || len(recs) != 1 || recs[0].DisplayName() != "Kato Trading" {
		t.Fatalf("organisation tag: %+v %v", recs, err)
	}
	recs, err = c.PullList(context.Background(), tagID["leads:webinar"], nil)
	if err != nil || len(recs) != 1 || recs[0].ID != itoa(lead) || recs[0].DisplayName() != "Mia Wong" || recs[0].Company != "Wong Foods" ||
		len(recs[0].Phones) != 1 || recs[0].Phones[0].Label != "mobile" {
		t.Fatalf("lead tag: %+v %v", recs, err)
	}
	var empty []string
	recs, err = c.PullList(context.Background(), tagID["contacts:zeta"], func(done, total int) { empty = append(empty, fmt.Sprintf("%d/%d", done, total)) })
	if err != nil || len(recs) != 0 || fmt.Sprint(empty) != "[0/0]" {
		t.Fatalf("empty tag: %+v %v %v", recs, err, empty)
	}

	// Refresh: S03 lost the tag in Sell.
	if !f.SetContactTags(ids[3]) {
		t.Fatal("no contact to untag")
	}
	recs, err = c.PullList(context.Background(), tagID["contacts:q3"], nil)
	if err != nil || len(recs) != n-1 {
		t.Fatalf("refresh: %d records, %v", len(recs), err)
	}
	for _, r := range recs {
		if r.ID == itoa(ids[3]) {
			t.Fatalf("untagged contact still pulled: %+v", r)
		}
	}
}

// TestTagPullErrors: a bad id, an unknown tag, a deal tag, an account
// without the Search API and an expired token each end the pull with the
// right crm sentinel.
func TestTagPullErrors(t *testing.T) {
	f, c := setup(t, nil)
	ctx := context.Background()
	if _, err := c.PullList(ctx, "vip", nil); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("non-numeric id: %v", err)
	}
	if _, err := c.PullList(ctx, "999999", nil); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown tag: %v", err)
	}
	if _, err := c.PullList(ctx, itoa(f.AddTag("big deals", "deal")), nil); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("deal tag: %v", err)
	}
	vip := itoa(f.AddTag("vip", "contact"))
	f.ExpireToken()
	if _, err := c.PullList(ctx, vip, nil); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := c.Lists(ctx); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired: %v", err)
	}

	f2, c2 := setup(t, []sellfake.Option{sellfake.WithoutSearchAPI()})
	id := itoa(f2.AddTag("vip", "contact"))
	if _, err := c2.PullList(ctx, id, nil); !errors.Is(err, crm.ErrForbidden) {
		t.Fatalf("no Search API: %v", err)
	}
}

// TestSearchFakeRules holds the fake to the Search API's documented rules:
// the default projection (id and version), total_count, cursor paging
// bound to its query, the per_page range, cursor/offset/page exclusion,
// unknown projections, and the and/not/all filters.
func TestSearchFakeRules(t *testing.T) {
	f, _ := setup(t, nil)
	a := f.AddContact(sellfake.Contact{FirstName: "A", Tags: []string{"x", "y"}})
	b := f.AddContact(sellfake.Contact{FirstName: "B", Tags: []string{"x"}})
	f.AddContact(sellfake.Contact{FirstName: "C"})
	post := func(data string) (int, map[string]any) {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, f.URL()+"/v3/contacts/search", bytes.NewBufferString(`{"items":[{"data":`+data+`}]}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+f.Token())
		req.Header.Set("User-Agent", "test")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, out
	}
	first := func(out map[string]any) map[string]any { return out["items"].([]any)[0].(map[string]any) }
	tagX := `{"filter":{"attribute":{"name":"tags"},"parameter":{"any":["x"]}}}`

	code, out := post(`{"query":{"filter":` + tagX + `},"per_page":1}`)
	if code != 200 {
		t.Fatalf("search: %d %v", code, out)
	}
	r := first(out)
	meta := r["meta"].(map[string]any)
	hit := r["items"].([]any)[0].(map[string]any)["data"].(map[string]any)
	next, _ := meta["links"].(map[string]any)["next_page"].(string)
	if r["successful"] != true || meta["total_count"] != float64(2) || len(hit) != 2 || hit["id"] != float64(a) || hit["version"] == nil || next == "" {
		t.Fatalf("first page %v", r)
	}
	code, out = post(`{"query":{"filter":` + tagX + `},"per_page":1,"cursor":"` + next + `"}`)
	if r := first(out); code != 200 || r["items"].([]any)[0].(map[string]any)["data"].(map[string]any)["id"] != float64(b) ||
		r["meta"].(map[string]any)["links"].(map[string]any)["next_page"] != nil {
		t.Fatalf("second page: %d %v", code, out)
	}
	for _, bad := range []string{
		`{"query":{"filter":` + tagX + `},"per_page":201}`,
		`{"query":{"filter":` + tagX + `},"per_page":1,"page":1,"cursor":"` + next + `"}`,
		`{"query":{"filter":{"filter":{"attribute":{"name":"tags"},"parameter":{"any":["y"]}}}},"per_page":1,"cursor":"` + next + `"}`,
		`{"query":{"projection":[{"name":"no_such_attribute"}]}}`,
		`{"query":{"filter":{"filter":{"attribute":{"name":"tags"},"parameter":{"any":"x"}}}}}`,
		`{"query":{"sort":[{"attribute":{"name":"id"},"order":"ascending"}]}}`,
	} {
		if code, out := post(bad); code != http.StatusUnprocessableEntity || out["errors"] == nil {
			t.Errorf("%s: %d %v", bad, code, out)
		}
	}
	code, out = post(`{"query":{"projection":[{"name":"display_name"},{"name":"tags"}],"filter":{"and":[{"filter":{"attribute":{"name":"tags"},"parameter":{"all":["x","y"]}}},{"not":{"filter":{"attribute":{"name":"first_name"},"parameter":{"eq":"B"}}}}]}}}`)
	items := first(out)["items"].([]any)
	if code != 200 || len(items) != 1 || items[0].(map[string]any)["data"].(map[string]any)["display_name"] != "A" {
		t.Fatalf("and/all/not with projection: %d %v", code, out)
	}
}

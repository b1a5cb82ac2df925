package sell

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// Call lists from Zendesk Sell: its contact and lead tags.
//
// Sell's smart lists (saved filters in Sell's web app) are not in any API
// Zendesk documents: neither the Core API v2 reference nor the official
// clients (zendesk/basecrm-ruby, basecrm-python, basecrm-node, generated
// from Sell's API discovery schema) have a smart-list resource. A tag is
// the closest list a Sell user keeps that the API can read, so a Sell "call
// list" here is "the contacts (or the leads) that carry tag X":
//
//   - the tags: GET /v2/tags?resource_type=contact|lead, paged with page
//     (from 1) and per_page (at most 100), sort_by=name; one tag with
//     GET /v2/tags/{id}: {id, name, resource_type, creator_id, ...}
//     (https://developer.zendesk.com/api-reference/sales-crm/resources/tags/);
//   - the tagged records' ids: Sell's Search API,
//     POST /v3/contacts/search or /v3/leads/search with the body
//     {"items":[{"data":{"query":{"filter":{"filter":{"attribute":{"name":"tags"},
//     "parameter":{"any":[NAME]}}}},"per_page":N}}]} and, for the next pages,
//     the same body with "cursor" set to the previous answer's
//     items[0].meta.links.next_page; the answer is
//     {"items":[{"successful":true,"items":[{"data":{"id","version"},"meta":{"type"}}],
//     "meta":{"count","total_count","links":{"next_page"},"type":"collection"}}]}
//     (quick start, query language, filtering and projections:
//     https://developer.zendesk.com/api-reference/sales-crm/search/quick-start/,
//     .../search/query-language/, .../search/filtering/, .../search/projections/).
//     per_page is 0..200; cursor, offset and page are mutually exclusive;
//     "any" means the attribute has one of the values given.
//     UNCONFIRMED, three readings the pages imply but do not show
//     literally: any's values as a JSON array (the pages show only
//     {"eq": true}); the cursor being links.next_page (the pages say the
//     first answer "returns a cursor value" and show only next_page as
//     one); and the attribute name "tags" (an array of keywords on
//     contacts and leads), which GET /v3/contacts/schema and
//     /v3/leads/schema list in a schema captured by a public Singer tap
//     (leag/tap-zendesk-sell, tap_zendesk_sell/schemas/search/*.json),
//     not in Zendesk's prose. Only the default projection (id, version)
//     is asked for;
//   - the records themselves: GET /v2/contacts?ids=a,b,c or
//     GET /v2/leads?ids=a,b,c (per_page at most 100), the v2 shapes the
//     rest of this adapter reads (basecrm-ruby ContactsService and
//     LeadsService "ids" option).
//
// The Search API is sold with some Sell plans only ("the account used to
// generate the token must have the right plan enabled", quick start); a
// refusal arrives as an HTTP error and is reported as one (403:
// crm.ErrForbidden). Sell has no standard do-not-call field; a custom
// field holding one is named with WithDoNotCallField. Records carry no
// time zone.

// WithDoNotCallField names the contact and lead custom field (its name as
// Sell shows it, e.g. "Do not call") that holds a do-not-call flag: a
// checkbox, or text "true"/"yes".
func WithDoNotCallField(name string) Option {
	return func(c *Client) error {
		c.dncField = strings.TrimSpace(name)
		return nil
	}
}

var _ crm.ListSource = (*Client)(nil)

// retryAfter is the clock ReadWithRetry waits on.
var retryAfter = time.After

// tag is a v2 tag.
type tag struct {
	ID           json.Number `json:"id"`
	Name         string      `json:"name"`
	ResourceType string      `json:"resource_type"`
}

// listObject is the ListRef.Object of a tag's resource type ("" for deal
// tags, which hold no one to call).
func listObject(resourceType string) string {
	switch resourceType {
	case "contact":
		return "contacts"
	case "lead":
		return "leads"
	}
	return ""
}

// Lists returns Sell's contact tags, then its lead tags, each by name:
// a list's ID is the tag's id, Object "contacts" or "leads", Size -1 (the
// tags list does not count records).
func (c *Client) Lists(ctx context.Context) ([]crm.ListRef, error) {
	var out []crm.ListRef
	seen := map[string]bool{}
	for _, rt := range []string{"contact", "lead"} {
		for page := 1; ; page++ {
			q := url.Values{"resource_type": {rt}, "sort_by": {"name"}, "page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.pageSize)}}
			var raws []json.RawMessage
			var more bool
			if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
				var err error
				raws, more, err = c.list(ctx, "tags", "/v2/tags", q)
				return err
			}); err != nil {
				return nil, err
			}
			fresh := false
			for _, raw := range raws {
				var t tag
				if err := json.Unmarshal(raw, &t); err != nil || t.ID == "" {
					return nil, crm.BadResponse(crm.VendorSell, "tags", fmt.Errorf("tag without id (%v)", err))
				}
				if seen[t.ID.String()] {
					continue
				}
				seen[t.ID.String()], fresh = true, true
				if t.ResourceType != "" && t.ResourceType != rt {
					continue
				}
				out = append(out, crm.ListRef{ID: t.ID.String(), Name: t.Name, Size: -1, Object: listObject(rt)})
			}
			if !more || len(raws) < c.pageSize {
				break
			}
			if !fresh { // a next_page that repeats a page would never end
				return nil, crm.BadResponse(crm.VendorSell, "tags", fmt.Errorf("page %d repeats tags already read", page))
			}
		}
	}
	return out, nil
}

// searchAnswer is the Search API's answer to a one-request batch.
type searchAnswer struct {
	Items []struct {
		Successful *bool `json:"successful"`
		Items      []struct {
			Data struct {
				ID json.Number `json:"id"`
			} `json:"data"`
		} `json:"items"`
		Meta struct {
			TotalCount *int `json:"total_count"`
			Links      struct {
				NextPage string `json:"next_page"`
			} `json:"links"`
		} `json:"meta"`
	} `json:"items"`
}

// searchTagged reads one page of the ids of the records (contacts or
// leads) tagged name, from cursor ("" for the first page). total is the
// answer's total_count (-1 when absent); next is the cursor of the next
// page ("" after the last).
func (c *Client) searchTagged(ctx context.Context, object, name, cursor string) (ids []string, total int, next string, err error) {
	data := map[string]any{
		"query": map[string]any{"filter": map[string]any{"filter": map[string]any{
			"attribute": map[string]any{"name": "tags"},
			"parameter": map[string]any{"any": []string{name}},
		}}},
		"per_page": c.pageSize,
	}
	if cursor != "" {
		data["cursor"] = cursor
	}
	body := map[string]any{"items": []any{map[string]any{"data": data}}}
	op := "search " + object
	var ans searchAnswer
	if err := c.send(ctx, op, http.MethodPost, "/v3/"+object+"/search", nil, body, &ans); err != nil {
		return nil, 0, "", err
	}
	if len(ans.Items) != 1 {
		return nil, 0, "", crm.BadResponse(crm.VendorSell, op, fmt.Errorf("%d answers to one search", len(ans.Items)))
	}
	a := ans.Items[0]
	if a.Successful != nil && !*a.Successful {
		return nil, 0, "", fmt.Errorf("sell: %s: %w: the search was not successful", op, crm.ErrRejected)
	}
	total = -1
	if a.Meta.TotalCount != nil {
		total = *a.Meta.TotalCount
	}
	for _, it := range a.Items {
		if it.Data.ID == "" {
			return nil, 0, "", crm.BadResponse(crm.VendorSell, op, fmt.Errorf("search hit without id"))
		}
		ids = append(ids, it.Data.ID.String())
	}
	return ids, total, a.Meta.Links.NextPage, nil
}

// listRecord is a v2 contact or lead, in the fields a call list needs.
type listRecord struct {
	ID               json.Number                `json:"id"`
	IsOrganization   bool                       `json:"is_organization"`
	Name             string                     `json:"name"`
	FirstName        string                     `json:"first_name"`
	LastName         string                     `json:"last_name"`
	OrganizationName string                     `json:"organization_name"`
	Email            string                     `json:"email"`
	Phone            string                     `json:"phone"`
	Mobile           string                     `json:"mobile"`
	CustomFields     map[string]json.RawMessage `json:"custom_fields"`
}

func (c *Client) listContact(r listRecord) crm.ListContact {
	lc := crm.ListContact{ID: r.ID.String(), FirstName: r.FirstName, LastName: r.LastName, Email: r.Email, Company: r.OrganizationName}
	if r.IsOrganization {
		lc.Name = r.Name
	}
	for _, p := range []crm.Phone{{Label: "work", Number: r.Phone}, {Label: "mobile", Number: r.Mobile}} {
		if v := strings.TrimSpace(p.Number); v != "" {
			lc.Phones = append(lc.Phones, crm.Phone{Label: p.Label, Number: v})
		}
	}
	if c.dncField != "" {
		var v any
		if b := r.CustomFields[c.dncField]; len(b) > 0 && json.Unmarshal(b, &v) == nil {
			switch x := v.(type) {
			case bool:
				lc.DoNotCall = x
			case string:
				lc.DoNotCall = strings.EqualFold(x, "true") || strings.EqualFold(x, "yes")
			}
		}
	}
	return lc
}

// records reads the v2 records ids of object, in the order of ids; a
// record gone since the search is left out.
func (c *Client) records(ctx context.Context, object string, ids []string) ([]crm.ListContact, error) {
	op := "tagged " + object
	q := url.Values{"ids": {strings.Join(ids, ",")}, "per_page": {strconv.Itoa(len(ids))}}
	var raws []json.RawMessage
	if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
		var err error
		raws, _, err = c.list(ctx, op, "/v2/"+object, q)
		return err
	}); err != nil {
		return nil, err
	}
	byID := make(map[string]listRecord, len(raws))
	for _, raw := range raws {
		var r listRecord
		if err := json.Unmarshal(raw, &r); err != nil || r.ID == "" {
			return nil, crm.BadResponse(crm.VendorSell, op, fmt.Errorf("record without id (%v)", err))
		}
		byID[r.ID.String()] = r
	}
	out := make([]crm.ListContact, 0, len(ids))
	for _, id := range ids {
		if r, ok := byID[id]; ok {
			out = append(out, c.listContact(r))
		}
	}
	return out, nil
}

// PullList reads the contacts or leads carrying tag id: the tag (its name
// and whether it tags contacts or leads), then the tagged records' ids a
// page at a time through the Search API, each page's records through the
// v2 list. progress gets the hits read so far and the Search API's
// total_count.
func (c *Client) PullList(ctx context.Context, id string, progress func(done, total int)) ([]crm.ListContact, error) {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return nil, fmt.Errorf("sell: %w: tag id %q is not a number", crm.ErrRejected, id)
	}
	var t tag
	if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
		return c.get(ctx, "tag", "/v2/tags/"+id, nil, &t)
	}); err != nil {
		return nil, err
	}
	object := listObject(t.ResourceType)
	if object == "" {
		return nil, fmt.Errorf("sell: %w: tag %s (%q) tags %ss; only contact and lead tags make call lists", crm.ErrRejected, id, t.Name, t.ResourceType)
	}
	var out []crm.ListContact
	cursor, read := "", 0
	seen := map[string]bool{}
	for {
		var ids []string
		var total int
		var next string
		if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
			var err error
			ids, total, next, err = c.searchTagged(ctx, object, t.Name, cursor)
			return err
		}); err != nil {
			return out, err
		}
		if len(ids) > 0 {
			recs, err := c.records(ctx, object, ids)
			if err != nil {
				return out, err
			}
			out = append(out, recs...)
			read += len(ids)
		}
		if progress != nil {
			progress(read, total)
		}
		if next == "" || len(ids) == 0 {
			break
		}
		if seen[next] {
			return out, crm.BadResponse(crm.VendorSell, "search "+object, fmt.Errorf("the search returned the same cursor twice"))
		}
		seen[next] = true
		cursor = next
	}
	return out, nil
}

package hubspot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	// phonenumbers gives the national significant number of an E.164
	// string for the second lookup stage (crm-apis notes §6).
	"github.com/nyaruka/phonenumbers"

	"github.com/pitchline/pitchline/softphone/crm"
)

// Properties read per object type.
var (
	contactProps = []string{"firstname", "lastname", "email", "jobtitle", "phone", "mobilephone", "company",
		"associatedcompanyid", "address", "city", "state", "zip", "country", "hs_timezone", "lastmodifieddate"}
	companyProps = []string{"name", "phone", "address", "city", "state", "zip", "country", "domain", "hs_lastmodifieddate"}
	dealProps    = []string{"dealname", "amount", "deal_currency_code", "dealstage", "hs_lastmodifieddate"}
)

// modifiedProp is the last-modified property per type.
var modifiedProp = map[crm.ObjectKind]string{
	crm.KindContacts:  "lastmodifieddate",
	crm.KindCompanies: "hs_lastmodifieddate",
	crm.KindDeals:     "hs_lastmodifieddate",
}

// CreateTask creates a follow-up task with POST .../tasks
// (https://developers.hubspot.com/docs/api/crm/tasks). Tasks have no
// external-id property, so unlike calls a task is not protected against
// duplicates by a lookup.
func (c *Client) CreateTask(ctx context.Context, t crm.Task) (string, error) {
	if t.Due.IsZero() {
		return "", fmt.Errorf("%w: task %s has no due time (hs_timestamp is required)", crm.ErrRejected, t.ID)
	}
	p := map[string]string{
		"hs_timestamp":    ms(t.Due),
		"hs_task_subject": t.Title,
		"hs_task_status":  "NOT_STARTED",
		"hs_task_type":    "CALL",
	}
	if t.Notes != "" {
		p["hs_task_body"] = t.Notes
	}
	if !t.Reminder.IsZero() {
		p["hs_task_reminders"] = ms(t.Reminder)
	}
	in := createInput{Properties: p, Associations: []assocInput{}}
	if t.ContactID != "" {
		in.Associations = append(in.Associations, assoc(t.ContactID, assocTaskContact))
	}
	if t.DealID != "" {
		in.Associations = append(in.Associations, assoc(t.DealID, assocTaskDeal))
	}
	var o object
	if _, err := c.do(ctx, request{method: http.MethodPost, path: c.objectPath("tasks"), body: in}, &o); err != nil {
		return "", err
	}
	if o.ID == "" {
		return "", fmt.Errorf("%w: created task without id", crm.ErrBadResponse)
	}
	return o.ID, nil
}

func phoneGroups(values ...string) []filterGroup {
	var gs []filterGroup
	for _, v := range values {
		for _, p := range []string{"phone", "mobilephone"} {
			gs = append(gs, filterGroup{Filters: []searchFilter{{PropertyName: p, Operator: "EQ", Value: v}}})
		}
	}
	return gs
}

// LookupPhone finds contacts by number in stages (crm-apis notes §1.6,
// §6): EQ on phone and mobilephone with the E.164 string; then the digits
// without "+" and the national significant number; then a token search on
// the national number. Matching in HubSpot is literal on what users typed.
func (c *Client) LookupPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	e164 = strings.TrimSpace(e164)
	if e164 == "" {
		return nil, fmt.Errorf("%w: empty phone number", crm.ErrRejected)
	}
	stages := [][]filterGroup{phoneGroups(e164)}
	if num, err := phonenumbers.Parse(e164, ""); err == nil {
		national := phonenumbers.GetNationalSignificantNumber(num)
		stages = append(stages,
			phoneGroups(strings.TrimPrefix(e164, "+"), national),
			[]filterGroup{
				{Filters: []searchFilter{{PropertyName: "phone", Operator: "CONTAINS_TOKEN", Value: "*" + national}}},
				{Filters: []searchFilter{{PropertyName: "mobilephone", Operator: "CONTAINS_TOKEN", Value: "*" + national}}},
			})
	}
	for _, groups := range stages {
		page, err := c.searchObjects(ctx, "contacts", searchBody{FilterGroups: groups, Properties: contactProps, Limit: 20})
		if err != nil {
			return nil, err
		}
		if len(page.Results) > 0 {
			return toContacts(page.Results)
		}
	}
	return nil, nil
}

// Search finds contacts by free text with the search `query` field.
func (c *Client) Search(ctx context.Context, query string, limit int) ([]crm.Contact, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 10
	}
	page, err := c.searchObjects(ctx, "contacts", searchBody{Query: query, Properties: contactProps, Limit: min(limit, 200)})
	if err != nil {
		return nil, err
	}
	return toContacts(page.Results)
}

func toContacts(objs []object) ([]crm.Contact, error) {
	out := make([]crm.Contact, 0, len(objs))
	for i := range objs {
		ct, err := toContact(&objs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, ct)
	}
	return out, nil
}

func parseTime(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(n).UTC()
	}
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// hubspotZone turns hs_timezone values such as "america_slash_new_york"
// into IANA names; "" when it is not one.
func hubspotZone(v string) string {
	if v == "" {
		return ""
	}
	parts := strings.Split(strings.ReplaceAll(v, "_slash_", "/"), "/")
	for i, p := range parts {
		words := strings.Split(p, "_")
		for j, w := range words {
			if len(w) > 0 {
				words[j] = strings.ToUpper(w[:1]) + w[1:]
			}
		}
		parts[i] = strings.Join(words, "_")
	}
	name := strings.Join(parts, "/")
	if _, err := time.LoadLocation(name); err != nil {
		if _, err := time.LoadLocation(v); err == nil {
			return v
		}
		return ""
	}
	return name
}

func joinNonEmpty(sep string, vs ...string) string {
	var out []string
	for _, v := range vs {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return strings.Join(out, sep)
}

func toContact(o *object) (crm.Contact, error) {
	if o.ID == "" {
		return crm.Contact{}, fmt.Errorf("%w: contact without id", crm.ErrBadResponse)
	}
	ct := crm.Contact{
		ID: o.ID, FirstName: o.prop("firstname"), LastName: o.prop("lastname"), Email: o.prop("email"),
		Title: o.prop("jobtitle"), CompanyID: o.prop("associatedcompanyid"), Company: o.prop("company"),
		Address:  joinNonEmpty(", ", o.prop("address"), o.prop("city"), o.prop("state"), o.prop("zip"), o.prop("country")),
		TimeZone: hubspotZone(o.prop("hs_timezone")),
		Updated:  parseTime(o.prop("lastmodifieddate")),
		Deleted:  o.Archived,
	}
	if ct.Updated.IsZero() {
		ct.Updated = parseTime(o.UpdatedAt)
	}
	if v := o.prop("phone"); v != "" {
		ct.Phones = append(ct.Phones, crm.Phone{Label: "work", Number: v})
	}
	if v := o.prop("mobilephone"); v != "" {
		ct.Phones = append(ct.Phones, crm.Phone{Label: "mobile", Number: v})
	}
	return ct, nil
}

func updated(o *object) time.Time {
	if t := parseTime(o.prop("hs_lastmodifieddate")); !t.IsZero() {
		return t
	}
	return parseTime(o.UpdatedAt)
}

// pullCursor is Pull's opaque cursor (base64 JSON): Mode "f" pages the
// list endpoint with After; mode "s" pages search from Since (ms) with
// After an offset.
type pullCursor struct {
	Mode  string `json:"m"`
	After string `json:"a,omitempty"`
	Since int64  `json:"s,omitempty"`
}

func (pc pullCursor) encode() string {
	b, _ := json.Marshal(pc)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (pullCursor, error) {
	var pc pullCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err == nil {
		err = json.Unmarshal(b, &pc)
	}
	if err != nil || (pc.Mode != "f" && pc.Mode != "s") {
		return pullCursor{}, fmt.Errorf("%w: %q", ErrBadCursor, s)
	}
	return pc, nil
}

// pullLimit is the page size for pulls (the list endpoints' maximum).
const pullLimit = 100

// searchCap is the most results HubSpot's search pages through
// (https://developers.hubspot.com/docs/api/crm/search#limitations).
const searchCap = 10_000

// Pull fetches one page. since zero: a full sync through GET
// /crm/v3/objects/{kind}?limit=100&after=...; otherwise an incremental
// sync through search on the last-modified property GTE since, sorted
// ascending. Search stops at 10,000 results; before the cursor would pass
// that cap, the next page restarts the search from the last record's
// modification time.
func (c *Client) Pull(ctx context.Context, kind crm.ObjectKind, since time.Time, cursor string) (crm.Page, error) {
	var props []string
	switch kind {
	case crm.KindContacts:
		props = contactProps
	case crm.KindCompanies:
		props = companyProps
	case crm.KindDeals:
		props = dealProps
	default:
		return crm.Page{}, fmt.Errorf("%w: pull %q", crm.ErrUnsupported, kind)
	}
	pc := pullCursor{Mode: "f"}
	if !since.IsZero() {
		pc = pullCursor{Mode: "s", Since: since.UnixMilli()}
	}
	if cursor != "" {
		var err error
		if pc, err = decodeCursor(cursor); err != nil {
			return crm.Page{}, err
		}
	}
	var page searchPage
	var next pullCursor
	if pc.Mode == "f" {
		q := url.Values{"limit": {strconv.Itoa(pullLimit)}, "properties": {strings.Join(props, ",")}, "archived": {"false"}}
		if kind == crm.KindDeals {
			q.Set("associations", "contacts,companies")
		}
		if kind == crm.KindContacts {
			q.Set("associations", "companies")
		}
		if pc.After != "" {
			q.Set("after", pc.After)
		}
		if _, err := c.do(ctx, request{method: http.MethodGet, path: c.objectPath(string(kind)), query: q}, &page); err != nil {
			return crm.Page{}, err
		}
		next = pullCursor{Mode: "f", After: page.next()}
	} else {
		mod := modifiedProp[kind]
		var err error
		page, err = c.searchObjects(ctx, string(kind), searchBody{
			FilterGroups: []filterGroup{{Filters: []searchFilter{{PropertyName: mod, Operator: "GTE", Value: strconv.FormatInt(pc.Since, 10)}}}},
			Sorts:        []string{mod},
			Properties:   props,
			Limit:        pullLimit,
			After:        pc.After,
		})
		if err != nil {
			return crm.Page{}, err
		}
		next = pullCursor{Mode: "s", Since: pc.Since, After: page.next()}
		start, _ := strconv.Atoi(pc.After)
		end := start + len(page.Results)
		if len(page.Results) > 0 && page.Total > end && (next.After == "" || end+pullLimit > searchCap) {
			// The search cap is near: restart the window at the last
			// record's modification time.
			last := &page.Results[len(page.Results)-1]
			t := parseTime(last.prop(mod))
			if t.IsZero() {
				t = parseTime(last.UpdatedAt)
			}
			newSince := t.UnixMilli()
			if newSince <= pc.Since {
				// More than 10,000 records share one instant: skip
				// past it rather than loop forever.
				c.log.Warn("hubspot pull: over 10,000 records modified in the same millisecond; skipping ahead", "kind", kind, "since", pc.Since)
				newSince = pc.Since + 1
			}
			next = pullCursor{Mode: "s", Since: newSince}
		}
	}
	out := crm.Page{More: next.After != "" || (next.Mode == "s" && next.Since != pc.Since)}
	if out.More {
		out.Cursor = next.encode()
	}
	for i := range page.Results {
		o := &page.Results[i]
		if o.ID == "" {
			return crm.Page{}, fmt.Errorf("%w: %s record without id", crm.ErrBadResponse, kind)
		}
		switch kind {
		case crm.KindContacts:
			ct, _ := toContact(o)
			if ct.CompanyID == "" {
				if a := o.Associations["companies"].Results; len(a) > 0 {
					ct.CompanyID = a[0].ID
				}
			}
			out.Contacts = append(out.Contacts, ct)
		case crm.KindCompanies:
			out.Companies = append(out.Companies, crm.Company{
				ID: o.ID, Name: o.prop("name"), Phone: o.prop("phone"), Domain: o.prop("domain"),
				Address: joinNonEmpty(", ", o.prop("address"), o.prop("city"), o.prop("state"), o.prop("zip"), o.prop("country")),
				Updated: updated(o), Deleted: o.Archived,
			})
		case crm.KindDeals:
			d := crm.Deal{
				ID: o.ID, Name: o.prop("dealname"), Amount: o.prop("amount"), Currency: o.prop("deal_currency_code"),
				Stage: o.prop("dealstage"), Updated: updated(o), Deleted: o.Archived,
			}
			for _, a := range o.Associations["contacts"].Results {
				d.ContactIDs = append(d.ContactIDs, a.ID)
			}
			if a := o.Associations["companies"].Results; len(a) > 0 {
				d.CompanyID = a[0].ID
			}
			out.Deals = append(out.Deals, d)
		}
	}
	return out, nil
}

package hubspot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
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

// TaskMarker returns the token CreateTask writes into a task's body
// (hs_task_body) so that FindTasks can find the task by its local id:
// HubSpot tasks have no external-id property. It is letters and digits
// only, so HubSpot's search keeps it as one token.
func TaskMarker(localID string) string {
	var b strings.Builder
	b.WriteString("pitchlinetask")
	for _, r := range strings.ToLower(localID) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// CreateTask creates a follow-up task with POST .../tasks
// (https://developers.hubspot.com/docs/api/crm/tasks), associated with the
// contact and the deal, then links it to the call it follows
// (Task.CallID) with the v4 default association. The body carries
// TaskMarker(t.ID) so that FindTasks can tell whether an attempt whose
// result was lost created it. A task created whose call link failed
// temporarily is reported as a transient error: the worker then finds it
// with FindTasks, which makes the link.
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
	body := t.Notes
	if t.ID != "" {
		body = strings.TrimSpace(body + "\n\nPitchline ref " + TaskMarker(t.ID))
	}
	if body != "" {
		p["hs_task_body"] = body
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
	if err := c.linkTaskToCall(ctx, o.ID, t.CallID); err != nil {
		return "", fmt.Errorf("hubspot: task %s created as %s: %w", t.ID, o.ID, err)
	}
	return o.ID, nil
}

// linkTaskToCall associates a task with a call through PUT
// /crm/v4/objects/tasks/{id}/associations/default/calls/{callId}
// (idempotent). There is no documented HUBSPOT_DEFINED task→call type id
// to give at creation, so the default association is used. A call HubSpot
// does not know (deleted meanwhile) is not worth failing the task for:
// only temporary failures are returned.
func (c *Client) linkTaskToCall(ctx context.Context, taskID, callID string) error {
	if callID == "" {
		return nil
	}
	path := "/crm/v4/objects/tasks/" + url.PathEscape(taskID) + "/associations/default/calls/" + url.PathEscape(callID)
	var raw json.RawMessage
	_, err := c.do(ctx, request{method: http.MethodPut, path: path}, &raw)
	if err != nil && (crm.Retryable(err) || errors.Is(err, crm.ErrAuth) || errors.Is(err, crm.ErrForbidden)) {
		return err
	}
	if err != nil {
		c.log.Warn("task not linked to its call", "task", taskID, "call", callID, "err", err)
	}
	return nil
}

// FindTasks searches tasks whose body holds TaskMarker of each local id
// (CONTAINS_TOKEN, five filter groups per request) and links each task it
// finds to Task.CallID, which the lost attempt may not have done.
func (c *Client) FindTasks(ctx context.Context, tasks []crm.Task) (map[string]string, error) {
	found := map[string]string{}
	byMarker := map[string]crm.Task{}
	var markers []string
	for _, t := range tasks {
		if t.ID == "" {
			continue
		}
		m := TaskMarker(t.ID)
		byMarker[m] = t
		markers = append(markers, m)
	}
	for start := 0; start < len(markers); start += 5 {
		var groups []filterGroup
		for _, m := range markers[start:min(start+5, len(markers))] {
			groups = append(groups, filterGroup{Filters: []searchFilter{{PropertyName: "hs_task_body", Operator: "CONTAINS_TOKEN", Value: m}}})
		}
		body := searchBody{FilterGroups: groups, Properties: []string{"hs_task_body"}, Sorts: []string{"hs_object_id"}, Limit: 100}
		for {
			page, err := c.searchObjects(ctx, "tasks", body)
			if err != nil {
				return nil, err
			}
			for _, o := range page.Results {
				if o.ID == "" {
					return nil, fmt.Errorf("%w: task search result without id", crm.ErrBadResponse)
				}
				for _, tok := range strings.Fields(o.prop("hs_task_body")) {
					if t, ok := byMarker[tok]; ok {
						if _, seen := found[t.ID]; !seen { // the oldest wins if duplicates exist
							found[t.ID] = o.ID
						}
					}
				}
			}
			after := page.next()
			if after == "" {
				break
			}
			body.After = after
		}
	}
	for _, t := range tasks {
		if id, ok := found[t.ID]; ok {
			if err := c.linkTaskToCall(ctx, id, t.CallID); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
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

package pipedrive

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

// person is a v1 person (GET /v1/persons, /v1/recents data).
type person struct {
	ID         flexID     `json:"id"`
	Name       string     `json:"name"`
	FirstName  string     `json:"first_name"`
	LastName   string     `json:"last_name"`
	OrgID      flexID     `json:"org_id"`
	OrgName    string     `json:"org_name"`
	Phone      []valueRow `json:"phone"`
	Email      []valueRow `json:"email"`
	JobTitle   string     `json:"job_title"`
	UpdateTime string     `json:"update_time"`
	ActiveFlag *bool      `json:"active_flag"`
}

// valueRow is one phone or email of a v1 person.
type valueRow struct {
	Label   string `json:"label"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// organization is a v1 organization.
type organization struct {
	ID         flexID `json:"id"`
	Name       string `json:"name"`
	Address    string `json:"address"`
	UpdateTime string `json:"update_time"`
	ActiveFlag *bool  `json:"active_flag"`
}

// deal is a v1 deal.
type deal struct {
	ID         flexID      `json:"id"`
	Title      string      `json:"title"`
	Value      json.Number `json:"value"`
	Currency   string      `json:"currency"`
	StageID    flexID      `json:"stage_id"`
	PersonID   flexID      `json:"person_id"`
	OrgID      flexID      `json:"org_id"`
	UpdateTime string      `json:"update_time"`
	Status     string      `json:"status"`
	Deleted    bool        `json:"deleted"`
}

func parseTime(s string) time.Time {
	t, err := time.Parse(TimeLayout, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func (p person) contact() crm.Contact {
	c := crm.Contact{
		ID: string(p.ID), FirstName: p.FirstName, LastName: p.LastName,
		Title: p.JobTitle, CompanyID: string(p.OrgID), Company: p.OrgName,
		Updated: parseTime(p.UpdateTime),
		Deleted: p.ActiveFlag != nil && !*p.ActiveFlag,
	}
	if c.FirstName == "" && c.LastName == "" {
		c.FirstName, c.LastName = splitName(p.Name)
	}
	for _, e := range p.Email {
		if e.Value != "" && (c.Email == "" || e.Primary) {
			c.Email = e.Value
		}
	}
	for _, ph := range p.Phone {
		if ph.Value != "" {
			c.Phones = append(c.Phones, crm.Phone{Label: ph.Label, Number: ph.Value})
		}
	}
	return c
}

func splitName(n string) (string, string) {
	n = strings.TrimSpace(n)
	if i := strings.LastIndexByte(n, ' '); i > 0 {
		return n[:i], n[i+1:]
	}
	return n, ""
}

// searchItem is one item of GET /v1/persons/search
// (https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons).
type searchItem struct {
	ResultScore float64 `json:"result_score"`
	Item        struct {
		ID           flexID   `json:"id"`
		Name         string   `json:"name"`
		Phones       []string `json:"phones"`
		Emails       []string `json:"emails"`
		Organization *struct {
			ID   flexID `json:"id"`
			Name string `json:"name"`
		} `json:"organization"`
	} `json:"item"`
}

func (s searchItem) contact() crm.Contact {
	c := crm.Contact{ID: string(s.Item.ID)}
	c.FirstName, c.LastName = splitName(s.Item.Name)
	if len(s.Item.Emails) > 0 {
		c.Email = s.Item.Emails[0]
	}
	for _, p := range s.Item.Phones {
		c.Phones = append(c.Phones, crm.Phone{Number: p})
	}
	if o := s.Item.Organization; o != nil {
		c.CompanyID, c.Company = string(o.ID), o.Name
	}
	return c
}

func (c *Client) searchPersons(ctx context.Context, op, term, fields string, exact bool, limit int) ([]crm.Contact, error) {
	q := url.Values{"term": {term}, "limit": {strconv.Itoa(limit)}}
	if fields != "" {
		q.Set("fields", fields)
	}
	if exact {
		q.Set("exact_match", "true")
	}
	env, err := c.do(ctx, op, http.MethodGet, "/persons/search", q, nil)
	if err != nil {
		return nil, err
	}
	var data struct {
		Items []searchItem `json:"items"`
	}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return nil, crm.BadResponse(crm.VendorPipedrive, op, err)
		}
	}
	out := make([]crm.Contact, 0, len(data.Items))
	for _, it := range data.Items {
		if it.Item.ID == "" {
			return nil, crm.BadResponse(crm.VendorPipedrive, op, fmt.Errorf("search item without id"))
		}
		out = append(out, it.contact())
	}
	return out, nil
}

// LookupPhone searches persons by phone with exact_match, trying the E.164
// form, then without "+", then the national number, and stops at the
// first stage that matches. UNCONFIRMED (crm-apis.md §2.3): how Pipedrive
// normalises phone formats.
func (c *Client) LookupPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	for _, v := range crm.PhoneVariants(e164) {
		got, err := c.searchPersons(ctx, "lookup phone", v, "phone", true, 50)
		if err != nil {
			return nil, err
		}
		if len(got) > 0 {
			return got, nil
		}
	}
	return nil, nil
}

// Search runs GET /v1/persons/search over name, email and phone. Pipedrive
// needs at least two characters.
func (c *Client) Search(ctx context.Context, query string, limit int) ([]crm.Contact, error) {
	query = strings.TrimSpace(query)
	if len([]rune(query)) < 2 {
		return nil, nil
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	return c.searchPersons(ctx, "search", query, "name,email,phone", false, limit)
}

// Pull fetches one page. A full sync lists /v1/persons, /v1/organizations
// or /v1/deals; an incremental one reads /v1/recents?since_timestamp=
// (UTC, TimeLayout), where removed records come back with active_flag
// false (UNCONFIRMED, crm-apis.md does not cover /recents). The cursor is
// the next "start" offset.
func (c *Client) Pull(ctx context.Context, kind crm.ObjectKind, since time.Time, cursor string) (crm.Page, error) {
	start := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return crm.Page{}, fmt.Errorf("pipedrive: pull: %w: bad cursor %q", crm.ErrRejected, cursor)
		}
		start = n
	}
	var path, item string
	switch kind {
	case crm.KindContacts:
		path, item = "/persons", "person"
	case crm.KindCompanies:
		path, item = "/organizations", "organization"
	case crm.KindDeals:
		path, item = "/deals", "deal"
	default:
		return crm.Page{}, fmt.Errorf("pipedrive: pull: %w: kind %q", crm.ErrUnsupported, kind)
	}
	q := url.Values{"start": {strconv.Itoa(start)}, "limit": {strconv.Itoa(c.pageSize)}}
	op := "pull " + kind.String()
	if !since.IsZero() {
		path = "/recents"
		q.Set("items", item)
		q.Set("since_timestamp", since.UTC().Format(TimeLayout))
	}
	env, err := c.do(ctx, op, http.MethodGet, path, q, nil)
	if err != nil {
		return crm.Page{}, err
	}
	var raws []json.RawMessage
	if since.IsZero() {
		if len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, &raws); err != nil {
				return crm.Page{}, crm.BadResponse(crm.VendorPipedrive, op, err)
			}
		}
	} else {
		var recents []struct {
			Item string          `json:"item"`
			ID   flexID          `json:"id"`
			Data json.RawMessage `json:"data"`
		}
		if len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, &recents); err != nil {
				return crm.Page{}, crm.BadResponse(crm.VendorPipedrive, op, err)
			}
		}
		for _, r := range recents {
			if r.Item != item {
				continue
			}
			if len(r.Data) == 0 || string(r.Data) == "null" {
				// A removed record without data: keep the id as deleted.
				r.Data, _ = json.Marshal(map[string]any{"id": string(r.ID), "active_flag": false, "deleted": true})
			}
			raws = append(raws, r.Data)
		}
	}
	page, err := decodePage(kind, raws)
	if err != nil {
		return crm.Page{}, crm.BadResponse(crm.VendorPipedrive, op, err)
	}
	p, err := readPagination(env.AdditionalData)
	if err != nil {
		return crm.Page{}, crm.BadResponse(crm.VendorPipedrive, op, err)
	}
	if p.More {
		if p.NextStart <= start {
			return crm.Page{}, crm.BadResponse(crm.VendorPipedrive, op, fmt.Errorf("next_start %d does not advance past %d", p.NextStart, start))
		}
		page.More = true
		page.Cursor = strconv.Itoa(p.NextStart)
	}
	return page, nil
}

func decodePage(kind crm.ObjectKind, raws []json.RawMessage) (crm.Page, error) {
	var page crm.Page
	for _, raw := range raws {
		switch kind {
		case crm.KindContacts:
			var p person
			if err := json.Unmarshal(raw, &p); err != nil {
				return page, err
			}
			if p.ID == "" {
				return page, fmt.Errorf("person without id")
			}
			page.Contacts = append(page.Contacts, p.contact())
		case crm.KindCompanies:
			var o organization
			if err := json.Unmarshal(raw, &o); err != nil {
				return page, err
			}
			if o.ID == "" {
				return page, fmt.Errorf("organization without id")
			}
			page.Companies = append(page.Companies, crm.Company{
				ID: string(o.ID), Name: o.Name, Address: o.Address,
				Updated: parseTime(o.UpdateTime),
				Deleted: o.ActiveFlag != nil && !*o.ActiveFlag,
			})
		case crm.KindDeals:
			var d deal
			if err := json.Unmarshal(raw, &d); err != nil {
				return page, err
			}
			if d.ID == "" {
				return page, fmt.Errorf("deal without id")
			}
			cd := crm.Deal{
				ID: string(d.ID), Name: d.Title, Amount: d.Value.String(),
				Currency: d.Currency, Stage: string(d.StageID), CompanyID: string(d.OrgID),
				Updated: parseTime(d.UpdateTime),
				Deleted: d.Deleted || d.Status == "deleted",
			}
			if d.PersonID != "" {
				cd.ContactIDs = []string{string(d.PersonID)}
			}
			page.Deals = append(page.Deals, cd)
		}
	}
	return page, nil
}

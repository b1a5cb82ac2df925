package sell

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// contact is a v2 contact (person or organisation).
type contact struct {
	ID             json.Number `json:"id"`
	IsOrganization bool        `json:"is_organization"`
	ContactID      json.Number `json:"contact_id"`
	Name           string      `json:"name"`
	FirstName      string      `json:"first_name"`
	LastName       string      `json:"last_name"`
	Title          string      `json:"title"`
	Email          string      `json:"email"`
	Phone          string      `json:"phone"`
	Mobile         string      `json:"mobile"`
	Website        string      `json:"website"`
	Address        *struct {
		Line1      string `json:"line1"`
		City       string `json:"city"`
		PostalCode string `json:"postal_code"`
		State      string `json:"state"`
		Country    string `json:"country"`
	} `json:"address"`
	UpdatedAt string `json:"updated_at"`
}

func (c contact) address() string {
	if c.Address == nil {
		return ""
	}
	var parts []string
	for _, p := range []string{c.Address.Line1, c.Address.City, c.Address.PostalCode, c.Address.State, c.Address.Country} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func (c contact) toContact() crm.Contact {
	out := crm.Contact{ID: c.ID.String(), FirstName: c.FirstName, LastName: c.LastName, Email: c.Email,
		Title: c.Title, CompanyID: c.ContactID.String(), Address: c.address(), Updated: parseTime(c.UpdatedAt)}
	if c.Phone != "" {
		out.Phones = append(out.Phones, crm.Phone{Label: "work", Number: c.Phone})
	}
	if c.Mobile != "" {
		out.Phones = append(out.Phones, crm.Phone{Label: "mobile", Number: c.Mobile})
	}
	return out
}

func (c contact) toCompany() crm.Company {
	ph := c.Phone
	if ph == "" {
		ph = c.Mobile
	}
	return crm.Company{ID: c.ID.String(), Name: c.Name, Phone: ph, Address: c.address(), Domain: c.Website, Updated: parseTime(c.UpdatedAt)}
}

// deal is a v2 deal.
type deal struct {
	ID             json.Number `json:"id"`
	Name           string      `json:"name"`
	Value          json.Number `json:"value"`
	Currency       string      `json:"currency"`
	StageID        json.Number `json:"stage_id"`
	ContactID      json.Number `json:"contact_id"`
	OrganizationID json.Number `json:"organization_id"`
	UpdatedAt      string      `json:"updated_at"`
}

func (c *Client) contacts(ctx context.Context, op string, q url.Values) ([]crm.Contact, error) {
	raws, _, err := c.list(ctx, op, "/v2/contacts", q)
	if err != nil {
		return nil, err
	}
	out := make([]crm.Contact, 0, len(raws))
	for _, raw := range raws {
		var ct contact
		if err := json.Unmarshal(raw, &ct); err != nil {
			return nil, crm.BadResponse(crm.VendorSell, op, err)
		}
		if ct.ID == "" {
			return nil, crm.BadResponse(crm.VendorSell, op, fmt.Errorf("contact without id"))
		}
		out = append(out, ct.toContact())
	}
	return out, nil
}

// LookupPhone filters GET /v2/contacts by phone, then by mobile, for each
// stage of PhoneVariants, and returns the first stage's matches (people
// only). UNCONFIRMED (crm-apis.md §3.2): the phone and mobile filters of
// the contacts list; Sell's REST API documents no other lookup by number.
func (c *Client) LookupPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	for _, v := range crm.PhoneVariants(e164) {
		var got []crm.Contact
		seen := map[string]bool{}
		for _, field := range []string{"phone", "mobile"} {
			q := url.Values{field: {v}, "is_organization": {"false"}, "per_page": {"100"}}
			cs, err := c.contacts(ctx, "lookup phone", q)
			if err != nil {
				return nil, err
			}
			for _, ct := range cs {
				if !seen[ct.ID] {
					seen[ct.ID] = true
					got = append(got, ct)
				}
			}
		}
		if len(got) > 0 {
			return got, nil
		}
	}
	return nil, nil
}

// Search finds people by name (the v2 name filter), by email when the
// query contains "@", or by number when it starts with "+".
// UNCONFIRMED (crm-apis.md §3.2): the fake matches name case-insensitively
// as a substring.
func (c *Client) Search(ctx context.Context, query string, limit int) ([]crm.Contact, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	if strings.HasPrefix(query, "+") {
		return c.LookupPhone(ctx, query)
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	field := "name"
	if strings.Contains(query, "@") {
		field = "email"
	}
	return c.contacts(ctx, "search", url.Values{field: {query}, "is_organization": {"false"}, "per_page": {strconv.Itoa(limit)}})
}

// Pull fetches one page. People and companies come from GET /v2/contacts
// (is_organization false/true), deals from GET /v2/deals; the cursor is
// the page number. A full sync sorts by id; an incremental one sorts by
// updated_at descending and stops at the first record older than since
// (UNCONFIRMED sort_by value "updated_at:desc"). The v2 lists do not
// return deleted records, so Deleted is never set (Sell's Sync API would).
func (c *Client) Pull(ctx context.Context, kind crm.ObjectKind, since time.Time, cursor string) (crm.Page, error) {
	page := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return crm.Page{}, fmt.Errorf("sell: pull: %w: bad cursor %q", crm.ErrRejected, cursor)
		}
		page = n
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.pageSize)}, "sort_by": {"id"}}
	if !since.IsZero() {
		q.Set("sort_by", "updated_at:desc")
	}
	path := "/v2/contacts"
	switch kind {
	case crm.KindContacts:
		q.Set("is_organization", "false")
	case crm.KindCompanies:
		q.Set("is_organization", "true")
	case crm.KindDeals:
		path = "/v2/deals"
	default:
		return crm.Page{}, fmt.Errorf("sell: pull: %w: kind %q", crm.ErrUnsupported, kind)
	}
	op := "pull " + kind.String()
	raws, more, err := c.list(ctx, op, path, q)
	if err != nil {
		return crm.Page{}, err
	}
	var out crm.Page
	older := false
	for _, raw := range raws {
		var updated time.Time
		if kind == crm.KindDeals {
			var d deal
			if err := json.Unmarshal(raw, &d); err != nil || d.ID == "" {
				return crm.Page{}, crm.BadResponse(crm.VendorSell, op, fmt.Errorf("deal: %v", err))
			}
			updated = parseTime(d.UpdatedAt)
			if !since.IsZero() && updated.Before(since) {
				older = true
				continue
			}
			cd := crm.Deal{ID: d.ID.String(), Name: d.Name, Amount: d.Value.String(), Currency: d.Currency,
				Stage: d.StageID.String(), CompanyID: d.OrganizationID.String(), Updated: updated}
			if d.ContactID != "" {
				cd.ContactIDs = []string{d.ContactID.String()}
			}
			out.Deals = append(out.Deals, cd)
			continue
		}
		var ct contact
		if err := json.Unmarshal(raw, &ct); err != nil || ct.ID == "" {
			return crm.Page{}, crm.BadResponse(crm.VendorSell, op, fmt.Errorf("contact: %v", err))
		}
		updated = parseTime(ct.UpdatedAt)
		if !since.IsZero() && updated.Before(since) {
			older = true
			continue
		}
		if kind == crm.KindCompanies {
			out.Companies = append(out.Companies, ct.toCompany())
		} else {
			out.Contacts = append(out.Contacts, ct.toContact())
		}
	}
	if more && !older && len(raws) > 0 {
		out.More = true
		out.Cursor = strconv.Itoa(page + 1)
	}
	return out, nil
}

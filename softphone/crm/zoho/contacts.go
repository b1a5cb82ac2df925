package zoho

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

type ref struct {
	ID   json.Number `json:"id"`
	Name string      `json:"name"`
}

type contact struct {
	ID            json.Number `json:"id"`
	FirstName     string      `json:"First_Name"`
	LastName      string      `json:"Last_Name"`
	Email         string      `json:"Email"`
	Title         string      `json:"Title"`
	Phone         string      `json:"Phone"`
	Mobile        string      `json:"Mobile"`
	HomePhone     string      `json:"Home_Phone"`
	Account       *ref        `json:"Account_Name"`
	MailingStreet string      `json:"Mailing_Street"`
	MailingCity   string      `json:"Mailing_City"`
	Modified      string      `json:"Modified_Time"`
}

type account struct {
	ID            json.Number `json:"id"`
	Name          string      `json:"Account_Name"`
	Phone         string      `json:"Phone"`
	Website       string      `json:"Website"`
	BillingStreet string      `json:"Billing_Street"`
	BillingCity   string      `json:"Billing_City"`
	Modified      string      `json:"Modified_Time"`
}

type deal struct {
	ID       json.Number `json:"id"`
	Name     string      `json:"Deal_Name"`
	Amount   json.Number `json:"Amount"`
	Currency string      `json:"Currency"`
	Stage    string      `json:"Stage"`
	Contact  *ref        `json:"Contact_Name"`
	Account  *ref        `json:"Account_Name"`
	Modified string      `json:"Modified_Time"`
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func (c contact) toContact() crm.Contact {
	out := crm.Contact{ID: c.ID.String(), FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Title: c.Title,
		Address: join(c.MailingStreet, c.MailingCity), Updated: parseTime(c.Modified)}
	if c.Account != nil {
		out.CompanyID, out.Company = c.Account.ID.String(), c.Account.Name
	}
	for _, p := range []crm.Phone{{Label: "work", Number: c.Phone}, {Label: "mobile", Number: c.Mobile}, {Label: "home", Number: c.HomePhone}} {
		if p.Number != "" {
			out.Phones = append(out.Phones, p)
		}
	}
	return out
}

// page is a v2 list or search answer.
type page struct {
	Data []json.RawMessage `json:"data"`
	Info struct {
		More bool `json:"more_records"`
	} `json:"info"`
}

func (c *Client) searchContacts(ctx context.Context, op string, q url.Values) ([]crm.Contact, error) {
	var p page
	if _, err := c.getJSON(ctx, op, "/Contacts/search", q, nil, &p); err != nil {
		return nil, err
	}
	out := make([]crm.Contact, 0, len(p.Data))
	for _, raw := range p.Data {
		var ct contact
		if err := json.Unmarshal(raw, &ct); err != nil || ct.ID == "" {
			return nil, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("contact: %v", err))
		}
		out = append(out, ct.toContact())
	}
	return out, nil
}

// LookupPhone runs GET /crm/v2/Contacts/search?phone= for each stage of
// PhoneVariants and returns the first stage's matches (204 means none).
// Zoho's own phone normalisation is UNCONFIRMED (crm-apis.md §4.2).
func (c *Client) LookupPhone(ctx context.Context, e164 string) ([]crm.Contact, error) {
	for _, v := range crm.PhoneVariants(e164) {
		got, err := c.searchContacts(ctx, "lookup phone", url.Values{"phone": {v}})
		if err != nil {
			return nil, err
		}
		if len(got) > 0 {
			return got, nil
		}
	}
	return nil, nil
}

// Search runs GET /crm/v2/Contacts/search?word= (per_page at most 200).
func (c *Client) Search(ctx context.Context, query string, limit int) ([]crm.Contact, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, nil
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	return c.searchContacts(ctx, "search", url.Values{"word": {query}, "per_page": {strconv.Itoa(limit)}})
}

// Pull fetches one page of Contacts, Accounts or Deals sorted by
// Modified_Time. An incremental sync sends If-Modified-Since (ISO-8601
// with offset); Zoho answers 304 when nothing changed. The cursor is the
// page number. Deleted records are not reported (Zoho lists them at
// /{module}/deleted, which this adapter does not read yet).
func (c *Client) Pull(ctx context.Context, kind crm.ObjectKind, since time.Time, cursor string) (crm.Page, error) {
	pg := 1
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 1 {
			return crm.Page{}, fmt.Errorf("zoho: pull: %w: bad cursor %q", crm.ErrRejected, cursor)
		}
		pg = n
	}
	var module string
	switch kind {
	case crm.KindContacts:
		module = "Contacts"
	case crm.KindCompanies:
		module = "Accounts"
	case crm.KindDeals:
		module = "Deals"
	default:
		return crm.Page{}, fmt.Errorf("zoho: pull: %w: kind %q", crm.ErrUnsupported, kind)
	}
	q := url.Values{"page": {strconv.Itoa(pg)}, "per_page": {strconv.Itoa(c.pageSize)},
		"sort_by": {"Modified_Time"}, "sort_order": {"asc"}}
	var hdr http.Header
	if !since.IsZero() {
		hdr = http.Header{"If-Modified-Since": {since.Format(TimeLayout)}}
	}
	op := "pull " + kind.String()
	var p page
	if _, err := c.getJSON(ctx, op, "/"+module, q, hdr, &p); err != nil {
		return crm.Page{}, err
	}
	var out crm.Page
	for _, raw := range p.Data {
		switch kind {
		case crm.KindContacts:
			var ct contact
			if err := json.Unmarshal(raw, &ct); err != nil || ct.ID == "" {
				return crm.Page{}, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("contact: %v", err))
			}
			out.Contacts = append(out.Contacts, ct.toContact())
		case crm.KindCompanies:
			var a account
			if err := json.Unmarshal(raw, &a); err != nil || a.ID == "" {
				return crm.Page{}, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("account: %v", err))
			}
			out.Companies = append(out.Companies, crm.Company{ID: a.ID.String(), Name: a.Name, Phone: a.Phone,
				Domain: a.Website, Address: join(a.BillingStreet, a.BillingCity), Updated: parseTime(a.Modified)})
		case crm.KindDeals:
			var d deal
			if err := json.Unmarshal(raw, &d); err != nil || d.ID == "" {
				return crm.Page{}, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("deal: %v", err))
			}
			cd := crm.Deal{ID: d.ID.String(), Name: d.Name, Amount: d.Amount.String(), Currency: d.Currency,
				Stage: d.Stage, Updated: parseTime(d.Modified)}
			if d.Contact != nil && d.Contact.ID != "" {
				cd.ContactIDs = []string{d.Contact.ID.String()}
			}
			if d.Account != nil {
				cd.CompanyID = d.Account.ID.String()
			}
			out.Deals = append(out.Deals, cd)
		}
	}
	if p.Info.More && len(p.Data) > 0 {
		out.More, out.Cursor = true, strconv.Itoa(pg+1)
	}
	return out, nil
}

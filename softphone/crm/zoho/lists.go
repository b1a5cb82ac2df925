package zoho

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// Call lists from Zoho CRM custom views of the Contacts module. The shapes
// are FROM MEMORY of Zoho's v2 reference, not from
// the team's CRM API notes, which do not cover custom views:
//   - GET /crm/v2/settings/custom_views?module=Contacts: {"custom_views":
//     [{id, name, display_value, system_name, default, ...}], "info"};
//     (https://www.zoho.com/crm/developer/docs/api/v2/custom-view-meta.html)
//   - GET /crm/v2/Contacts?cvid=ID&page=&per_page=: the view's records,
//     {"data": [...], "info": {more_records, ...}}, 204 when empty
//     (https://www.zoho.com/crm/developer/docs/api/v2/get-records.html).
//
// Zoho has no standard do-not-call field on contacts (Email_Opt_Out is for
// e-mail); an account's own checkbox is named with WithDoNotCallField.
// Contacts carry no time zone.

// WithDoNotCallField names the Contacts field (its API name, e.g. a custom
// "Do_Not_Call" checkbox) that holds a do-not-call flag.
func WithDoNotCallField(apiName string) Option {
	return func(c *Client) error {
		c.dncField = strings.TrimSpace(apiName)
		return nil
	}
}

var _ crm.ListSource = (*Client)(nil)

// retryAfter is the clock ReadWithRetry waits on.
var retryAfter = time.After

// Lists returns the Contacts module's custom views.
func (c *Client) Lists(ctx context.Context) ([]crm.ListRef, error) {
	var resp struct {
		CustomViews []struct {
			ID           json.Number `json:"id"`
			Name         string      `json:"name"`
			DisplayValue string      `json:"display_value"`
		} `json:"custom_views"`
	}
	if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
		_, err := c.getJSON(ctx, "custom views", "/settings/custom_views", url.Values{"module": {"Contacts"}}, nil, &resp)
		return err
	}); err != nil {
		return nil, err
	}
	out := make([]crm.ListRef, 0, len(resp.CustomViews))
	for _, v := range resp.CustomViews {
		if v.ID == "" {
			return nil, crm.BadResponse(crm.VendorZoho, "custom views", fmt.Errorf("custom view without id"))
		}
		name := v.DisplayValue
		if name == "" {
			name = v.Name
		}
		out = append(out, crm.ListRef{ID: v.ID.String(), Name: name, Size: -1, Object: "contacts"})
	}
	return out, nil
}

// PullList reads the contacts of custom view id, c's page size at a time.
// progress gets total -1: the list answer does not say how many records
// the view holds.
func (c *Client) PullList(ctx context.Context, id string, progress func(done, total int)) ([]crm.ListContact, error) {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return nil, fmt.Errorf("zoho: %w: custom view id %q is not a number", crm.ErrRejected, id)
	}
	var out []crm.ListContact
	for pg := 1; ; pg++ {
		q := url.Values{"cvid": {id}, "page": {strconv.Itoa(pg)}, "per_page": {strconv.Itoa(c.pageSize)}}
		var p page
		var got bool
		err := crm.ReadWithRetry(ctx, retryAfter, func() error {
			var err error
			got, err = c.getJSON(ctx, "custom view contacts", "/Contacts", q, nil, &p)
			return err
		})
		var apiErr *crm.APIError
		if pg == 1 && errors.Is(err, crm.ErrRejected) && errors.As(err, &apiErr) && apiErr.Code == "INVALID_DATA" {
			return nil, fmt.Errorf("zoho: custom view contacts: %w: no Contacts custom view %s: %w", crm.ErrNotFound, id, apiErr)
		}
		if err != nil {
			return out, err
		}
		if !got { // 204: nothing (more)
			break
		}
		for _, raw := range p.Data {
			lc, err := c.listContact(raw)
			if err != nil {
				return out, crm.BadResponse(crm.VendorZoho, "custom view contacts", err)
			}
			out = append(out, lc)
		}
		if progress != nil {
			progress(len(out), -1)
		}
		if !p.Info.More || len(p.Data) == 0 {
			break
		}
	}
	return out, nil
}

func (c *Client) listContact(raw json.RawMessage) (crm.ListContact, error) {
	var ct contact
	if err := json.Unmarshal(raw, &ct); err != nil {
		return crm.ListContact{}, err
	}
	if ct.ID == "" {
		return crm.ListContact{}, fmt.Errorf("contact without id")
	}
	x := ct.toContact()
	lc := crm.ListContact{ID: x.ID, FirstName: x.FirstName, LastName: x.LastName, Company: x.Company, Email: x.Email}
	for _, p := range x.Phones {
		if v := strings.TrimSpace(p.Number); v != "" {
			lc.Phones = append(lc.Phones, crm.Phone{Label: p.Label, Number: v})
		}
	}
	if c.dncField != "" {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return crm.ListContact{}, err
		}
		var v any
		if b := fields[c.dncField]; len(b) > 0 && json.Unmarshal(b, &v) == nil {
			switch x := v.(type) {
			case bool:
				lc.DoNotCall = x
			case string:
				lc.DoNotCall = strings.EqualFold(x, "true") || strings.EqualFold(x, "yes")
			}
		}
	}
	return lc, nil
}

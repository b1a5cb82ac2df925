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

// Call lists from Pipedrive's saved people filters. The shapes are FROM
// MEMORY of Pipedrive's v1 reference
// (https://developers.pipedrive.com/docs/api/v1/Filters#getFilters,
// .../Persons#getPersons), not from the team's CRM API notes,
// which does not cover filters:
//   - GET /v1/filters?type=people: data is an array of {id, name,
//     active_flag, type, user_id, add_time, update_time, ...};
//   - GET /v1/persons?filter_id=ID&start=&limit=: the persons the filter
//     matches, paged with additional_data.pagination (start, limit,
//     more_items_in_collection, next_start). No total is returned.
//
// Pipedrive has no standard do-not-call person field; accounts keep one
// as a custom field, whose key (a 40-character hash) is given with
// WithDoNotCallField. Persons carry no time zone.

// WithDoNotCallField names the person custom field (its API key) that
// holds a do-not-call flag. A value is read as set when it is true, "1",
// "yes", "true" or "on" (a checkbox-like text or single-option label).
func WithDoNotCallField(key string) Option {
	return func(c *Client) error {
		c.dncField = strings.TrimSpace(key)
		return nil
	}
}

var _ crm.ListSource = (*Client)(nil)

// retryAfter is the clock ReadWithRetry waits on.
var retryAfter = time.After

// Lists returns the account's people filters (GET /v1/filters?type=people).
func (c *Client) Lists(ctx context.Context) ([]crm.ListRef, error) {
	var env envelope
	if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
		var err error
		env, err = c.do(ctx, "filters", http.MethodGet, "/filters", url.Values{"type": {"people"}}, nil)
		return err
	}); err != nil {
		return nil, err
	}
	var fs []struct {
		ID         flexID `json:"id"`
		Name       string `json:"name"`
		Type       string `json:"type"`
		ActiveFlag *bool  `json:"active_flag"`
	}
	if len(env.Data) > 0 && string(env.Data) != "null" {
		if err := json.Unmarshal(env.Data, &fs); err != nil {
			return nil, crm.BadResponse(crm.VendorPipedrive, "filters", err)
		}
	}
	out := make([]crm.ListRef, 0, len(fs))
	for _, f := range fs {
		if f.ID == "" {
			return nil, crm.BadResponse(crm.VendorPipedrive, "filters", fmt.Errorf("filter without id"))
		}
		if (f.Type != "" && f.Type != "people") || (f.ActiveFlag != nil && !*f.ActiveFlag) {
			continue
		}
		out = append(out, crm.ListRef{ID: string(f.ID), Name: f.Name, Size: -1, Object: "persons"})
	}
	return out, nil
}

// PullList reads the persons of people filter id, c's page size at a time
// (GET /v1/persons?filter_id=). progress gets total -1: Pipedrive does not
// say how many persons a filter matches.
func (c *Client) PullList(ctx context.Context, id string, progress func(done, total int)) ([]crm.ListContact, error) {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return nil, fmt.Errorf("pipedrive: %w: filter id %q is not a number", crm.ErrRejected, id)
	}
	var out []crm.ListContact
	start := 0
	for {
		q := url.Values{"filter_id": {id}, "start": {strconv.Itoa(start)}, "limit": {strconv.Itoa(c.pageSize)}}
		var env envelope
		if err := crm.ReadWithRetry(ctx, retryAfter, func() error {
			var err error
			env, err = c.do(ctx, "filter persons", http.MethodGet, "/persons", q, nil)
			return err
		}); err != nil {
			return out, err
		}
		var raws []json.RawMessage
		if len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, &raws); err != nil {
				return out, crm.BadResponse(crm.VendorPipedrive, "filter persons", err)
			}
		}
		for _, raw := range raws {
			lc, err := c.listContact(raw)
			if err != nil {
				return out, crm.BadResponse(crm.VendorPipedrive, "filter persons", err)
			}
			out = append(out, lc)
		}
		if progress != nil {
			progress(len(out), -1)
		}
		p, err := readPagination(env.AdditionalData)
		if err != nil {
			return out, crm.BadResponse(crm.VendorPipedrive, "filter persons", err)
		}
		if !p.More {
			return out, nil
		}
		if p.NextStart <= start {
			return out, crm.BadResponse(crm.VendorPipedrive, "filter persons", fmt.Errorf("next_start %d does not advance past %d", p.NextStart, start))
		}
		start = p.NextStart
	}
}

func (c *Client) listContact(raw json.RawMessage) (crm.ListContact, error) {
	var p person
	if err := json.Unmarshal(raw, &p); err != nil {
		return crm.ListContact{}, err
	}
	if p.ID == "" {
		return crm.ListContact{}, fmt.Errorf("person without id")
	}
	ct := p.contact()
	lc := crm.ListContact{ID: ct.ID, FirstName: ct.FirstName, LastName: ct.LastName, Name: strings.TrimSpace(p.Name),
		Company: ct.Company, Email: ct.Email}
	// The primary number first.
	for _, ph := range p.Phone {
		if v := strings.TrimSpace(ph.Value); v != "" && ph.Primary {
			lc.Phones = append(lc.Phones, crm.Phone{Label: ph.Label, Number: v})
		}
	}
	for _, ph := range p.Phone {
		if v := strings.TrimSpace(ph.Value); v != "" && !ph.Primary {
			lc.Phones = append(lc.Phones, crm.Phone{Label: ph.Label, Number: v})
		}
	}
	if c.dncField != "" {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return crm.ListContact{}, err
		}
		lc.DoNotCall = truthy(fields[c.dncField])
	}
	return lc, nil
}

// truthy reads a custom field value: JSON true, a number 1, or text such
// as "yes".
func truthy(raw json.RawMessage) bool {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return false
	}
	switch x := v.(type) {
	case bool:
		return x
	case float64:
		return x == 1
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "true", "yes", "1", "on", "y":
			return true
		}
	}
	return false
}

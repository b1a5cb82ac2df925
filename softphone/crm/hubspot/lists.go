package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
)

// Call lists from HubSpot's Lists API v3 (shapes from HubSpot's own
// OpenAPI description of the Lists API (lists.json), vendored in
// hubspotfake/openapi/lists.json) and the contacts batch read
// (contacts.json).

// contactsObjectType is HubSpot's object type id of contacts.
const contactsObjectType = "0-1"

// membershipLimit is the memberships page size (the API's maximum is 250;
// 100 matches the batch read's maximum, one read per page).
const membershipLimit = 100

// listContactProps are the properties a list pull reads.
var listContactProps = []string{"firstname", "lastname", "email", "phone", "mobilephone", "company", "hs_timezone"}

// WithDoNotCallProperty names the contact property that holds a
// do-not-call flag ("true" when set, as HubSpot's boolean checkboxes
// read). HubSpot has no standard do-not-call contact property that its
// reference documents; portals keep one as a custom property. Empty (the
// default): pulled contacts carry no flag.
func WithDoNotCallProperty(name string) Option {
	return func(c *Client) error {
		if strings.ContainsAny(name, " ,") {
			return fmt.Errorf("%w: do-not-call property %q", ErrBadOption, name)
		}
		c.dncProp = name
		return nil
	}
}

var _ crm.ListSource = (*Client)(nil)

// listInfo is PublicObjectList and PublicObjectListSearchResult, the
// fields Pitchline reads.
type listInfo struct {
	ListID               string            `json:"listId"`
	Name                 string            `json:"name"`
	ObjectTypeID         string            `json:"objectTypeId"`
	ProcessingType       string            `json:"processingType"`
	Size                 *int64            `json:"size"`
	AdditionalProperties map[string]string `json:"additionalProperties"`
}

func (l listInfo) size() int {
	if l.Size != nil {
		return int(*l.Size)
	}
	if n, err := strconv.Atoi(l.AdditionalProperties["hs_list_size"]); err == nil {
		return n
	}
	return -1
}

// Lists returns the portal's contact lists through POST
// /crm/v3/lists/search (ListSearchRequest: offset paging, at most 500
// per page), keeping those of object type 0-1 (contacts).
func (c *Client) Lists(ctx context.Context) ([]crm.ListRef, error) {
	var out []crm.ListRef
	offset := 0
	for {
		body := map[string]any{"additionalProperties": []string{"hs_list_size"}, "offset": offset, "count": 500,
			"objectTypeId": contactsObjectType}
		var resp struct {
			HasMore bool       `json:"hasMore"`
			Lists   []listInfo `json:"lists"`
			Offset  int        `json:"offset"`
			Total   int        `json:"total"`
		}
		err := crm.ReadWithRetry(ctx, c.clock.After, func() error {
			_, err := c.do(ctx, request{method: http.MethodPost, path: "/crm/v3/lists/search", body: body}, &resp)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("hubspot: lists: %w", err)
		}
		for _, l := range resp.Lists {
			if l.ListID == "" {
				return nil, fmt.Errorf("%w: hubspot list without listId", crm.ErrBadResponse)
			}
			if l.ObjectTypeID != "" && l.ObjectTypeID != contactsObjectType {
				continue
			}
			out = append(out, crm.ListRef{ID: l.ListID, Name: l.Name, Size: l.size(), Object: "contacts"})
		}
		if !resp.HasMore || resp.Offset <= offset {
			return out, nil
		}
		offset = resp.Offset
	}
}

// PullList reads contact list id: GET /crm/v3/lists/{listId} for its size
// and object type, then GET /crm/v3/lists/{listId}/memberships paged with
// after, and for each page POST /crm/v3/objects/contacts/batch/read with
// the dialer's properties. Members the batch read no longer finds
// (deleted since) are left out.
func (c *Client) PullList(ctx context.Context, id string, progress func(done, total int)) ([]crm.ListContact, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("%w: empty list id", crm.ErrRejected)
	}
	var lr struct {
		List listInfo `json:"list"`
	}
	path := "/crm/v3/lists/" + url.PathEscape(id)
	if err := crm.ReadWithRetry(ctx, c.clock.After, func() error {
		_, err := c.do(ctx, request{method: http.MethodGet, path: path}, &lr)
		return err
	}); err != nil {
		return nil, fmt.Errorf("hubspot: list %s: %w", id, err)
	}
	if lr.List.ObjectTypeID != "" && lr.List.ObjectTypeID != contactsObjectType {
		return nil, fmt.Errorf("%w: HubSpot list %q holds objects of type %s, not contacts", crm.ErrUnsupported, lr.List.Name, lr.List.ObjectTypeID)
	}
	total := lr.List.size()
	props := listContactProps
	if c.dncProp != "" {
		props = append(append([]string(nil), props...), c.dncProp)
	}
	var out []crm.ListContact
	after := ""
	for {
		q := url.Values{"limit": {strconv.Itoa(membershipLimit)}}
		if after != "" {
			q.Set("after", after)
		}
		var page struct {
			Results []struct {
				RecordID string `json:"recordId"`
			} `json:"results"`
			Total  *int `json:"total"`
			Paging *struct {
				Next *struct {
					After string `json:"after"`
				} `json:"next"`
			} `json:"paging"`
		}
		if err := crm.ReadWithRetry(ctx, c.clock.After, func() error {
			_, err := c.do(ctx, request{method: http.MethodGet, path: path + "/memberships", query: q}, &page)
			return err
		}); err != nil {
			return out, fmt.Errorf("hubspot: list %s memberships: %w", id, err)
		}
		if page.Total != nil && total < 0 {
			total = *page.Total
		}
		ids := make([]string, 0, len(page.Results))
		for _, m := range page.Results {
			if m.RecordID == "" {
				return out, fmt.Errorf("%w: hubspot membership without recordId", crm.ErrBadResponse)
			}
			ids = append(ids, m.RecordID)
		}
		cs, err := c.readContacts(ctx, ids, props)
		if err != nil {
			return out, fmt.Errorf("hubspot: list %s contacts: %w", id, err)
		}
		out = append(out, cs...)
		if progress != nil {
			progress(len(out), total)
		}
		next := ""
		if page.Paging != nil && page.Paging.Next != nil {
			next = page.Paging.Next.After
		}
		if next == "" || len(page.Results) == 0 {
			return out, nil
		}
		after = next
	}
}

// readContacts reads ids (at most 100) with the batch read, in the order
// of ids.
func (c *Client) readContacts(ctx context.Context, ids, props []string) ([]crm.ListContact, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	inputs := make([]map[string]string, len(ids))
	for i, id := range ids {
		inputs[i] = map[string]string{"id": id}
	}
	body := map[string]any{"inputs": inputs, "properties": props, "propertiesWithHistory": []string{}}
	var resp struct {
		Results []object `json:"results"`
	}
	if err := crm.ReadWithRetry(ctx, c.clock.After, func() error {
		// 207: some ids were not found; the results hold the others.
		_, err := c.do(ctx, request{method: http.MethodPost, path: c.objectPath("contacts") + "/batch/read", body: body}, &resp)
		return err
	}); err != nil {
		return nil, err
	}
	byID := make(map[string]*object, len(resp.Results))
	for i := range resp.Results {
		byID[resp.Results[i].ID] = &resp.Results[i]
	}
	out := make([]crm.ListContact, 0, len(ids))
	for _, id := range ids {
		o, ok := byID[id]
		if !ok {
			continue
		}
		lc := crm.ListContact{ID: id, FirstName: o.prop("firstname"), LastName: o.prop("lastname"), Email: o.prop("email"),
			Company: o.prop("company"), TimeZone: listZone(o.prop("hs_timezone"))}
		if v := strings.TrimSpace(o.prop("phone")); v != "" {
			lc.Phones = append(lc.Phones, crm.Phone{Label: "work", Number: v})
		}
		if v := strings.TrimSpace(o.prop("mobilephone")); v != "" {
			lc.Phones = append(lc.Phones, crm.Phone{Label: "mobile", Number: v})
		}
		if c.dncProp != "" {
			lc.DoNotCall = truthy(o.prop(c.dncProp))
		}
		out = append(out, lc)
	}
	return out, nil
}

// truthy reads a boolean checkbox or enumeration value.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "1", "on":
		return true
	}
	return false
}

// listZone is a list record's time zone: the IANA name of HubSpot's
// hs_timezone value, or the value as HubSpot has it when no IANA zone
// matches, so that the list pull says it is unknown (crm/sync) instead of
// dropping it without a word.
func listZone(v string) string {
	if z := hubspotZone(v); z != "" {
		return z
	}
	return strings.TrimSpace(v)
}

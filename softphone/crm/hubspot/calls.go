package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// Association type ids (HUBSPOT_DEFINED). 194 is HubSpot's own example in
// the calls guide; 206 (call→deal), 204 (task→contact) and 216 (task→deal)
// are widely quoted but UNCONFIRMED here (crm-apis notes §1.3).
const (
	assocCallContact = 194
	assocCallDeal    = 206
	assocTaskContact = 204
	assocTaskDeal    = 216
)

// object is SimplePublicObject(WithAssociations). Unset properties come
// back as JSON null.
type object struct {
	ID           string             `json:"id"`
	Properties   map[string]*string `json:"properties"`
	CreatedAt    string             `json:"createdAt"`
	UpdatedAt    string             `json:"updatedAt"`
	Archived     bool               `json:"archived"`
	TraceID      string             `json:"objectWriteTraceId"`
	Associations map[string]struct {
		Results []struct {
			ID   string `json:"id"`
			Type string `json:"type"`
		} `json:"results"`
	} `json:"associations"`
}

func (o *object) prop(k string) string {
	if v := o.Properties[k]; v != nil {
		return *v
	}
	return ""
}

type assocSpec struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

type assocInput struct {
	To struct {
		ID string `json:"id"`
	} `json:"to"`
	Types []assocSpec `json:"types"`
}

func assoc(id string, typeID int) assocInput {
	a := assocInput{Types: []assocSpec{{Category: "HUBSPOT_DEFINED", TypeID: typeID}}}
	a.To.ID = id
	return a
}

// createInput is SimplePublicObjectBatchInputForCreate; the spec requires
// both properties and associations.
type createInput struct {
	Properties   map[string]string `json:"properties"`
	Associations []assocInput      `json:"associations"`
	TraceID      string            `json:"objectWriteTraceId,omitempty"`
}

// Check reads GET /account-info/v3/details
// (https://developers.hubspot.com/docs/api/settings/account-information-api)
// and remembers the portal's time zone for daily-limit resets.
func (c *Client) Check(ctx context.Context) (crm.Account, error) {
	var info struct {
		PortalID int64  `json:"portalId"`
		TimeZone string `json:"timeZone"`
		UIDomain string `json:"uiDomain"`
		Type     string `json:"accountType"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/account-info/v3/details"}, &info); err != nil {
		return crm.Account{}, err
	}
	if info.PortalID == 0 {
		return crm.Account{}, fmt.Errorf("%w: account info without portalId", crm.ErrBadResponse)
	}
	if loc, err := time.LoadLocation(info.TimeZone); err == nil && info.TimeZone != "" {
		c.loc.Store(loc)
	}
	id := strconv.FormatInt(info.PortalID, 10)
	return crm.Account{Vendor: crm.VendorHubSpot, ID: id, Name: "HubSpot portal " + id + " (" + info.UIDomain + ")"}, nil
}

// Outcomes reads GET /calling/v1/dispositions (crm-apis notes §1.2).
func (c *Client) Outcomes(ctx context.Context) ([]crm.Outcome, error) {
	var ds []struct {
		ID    string `json:"id"`
		Label string `json:"label"`
	}
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/calling/v1/dispositions"}, &ds); err != nil {
		return nil, err
	}
	out := make([]crm.Outcome, 0, len(ds))
	for _, d := range ds {
		if d.ID == "" {
			return nil, fmt.Errorf("%w: disposition without id", crm.ErrBadResponse)
		}
		out = append(out, crm.Outcome{Value: d.ID, Label: d.Label})
	}
	return out, nil
}

// callStatus maps Pitchline's status to hs_call_status. HubSpot's list has
// no MISSED for call objects (only the inbound-call API has it), so a
// missed inbound call is NO_ANSWER with direction INBOUND.
func callStatus(s crm.CallStatus) string {
	switch s {
	case crm.StatusCompleted:
		return "COMPLETED"
	case crm.StatusNoAnswer, crm.StatusMissed:
		return "NO_ANSWER"
	case crm.StatusBusy:
		return "BUSY"
	case crm.StatusFailed:
		return "FAILED"
	case crm.StatusCanceled:
		return "CANCELED"
	}
	return ""
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// callInput builds one input, or an error for a call HubSpot would refuse.
func callInput(call crm.Call) (createInput, error) {
	if call.ID == "" {
		return createInput{}, fmt.Errorf("%w: call without local id", crm.ErrRejected)
	}
	at := call.Started
	if at.IsZero() {
		at = call.Ended
	}
	if at.IsZero() {
		return createInput{}, fmt.Errorf("%w: call %s has no start or end time (hs_timestamp is required)", crm.ErrRejected, call.ID)
	}
	p := map[string]string{
		"hs_timestamp":        ms(at),
		"hs_call_external_id": call.ID,
		"hs_call_duration":    strconv.FormatInt(max(0, call.Duration.Milliseconds()), 10),
	}
	set := func(k, v string) {
		if v != "" {
			p[k] = v
		}
	}
	set("hs_call_title", call.Title)
	body, _ := crm.FitNotes(call.Notes, NotesLimit, nil)
	set("hs_call_body", body)
	set("hs_call_from_number", call.From)
	set("hs_call_to_number", call.To)
	set("hs_call_status", callStatus(call.Status))
	set("hs_call_disposition", call.Outcome)
	switch call.Direction {
	case crm.Inbound:
		p["hs_call_direction"] = "INBOUND"
	case crm.Outbound:
		p["hs_call_direction"] = "OUTBOUND"
	}
	if strings.HasPrefix(call.RecordingURL, "https://") {
		p["hs_call_recording_url"] = call.RecordingURL
	}
	in := createInput{Properties: p, Associations: []assocInput{}, TraceID: call.ID}
	if call.ContactID != "" {
		in.Associations = append(in.Associations, assoc(call.ContactID, assocCallContact))
	}
	if call.DealID != "" {
		in.Associations = append(in.Associations, assoc(call.DealID, assocCallDeal))
	}
	return in, nil
}

// CreateCalls creates up to 100 calls with POST .../calls/batch/create
// (201 all created, 207 some failed).
func (c *Client) CreateCalls(ctx context.Context, calls []crm.Call) ([]crm.Result, error) {
	if len(calls) > maxBatch {
		return nil, fmt.Errorf("%w: %d calls", ErrTooMany, len(calls))
	}
	results := make([]crm.Result, len(calls))
	var inputs []createInput
	var ids []string
	idx := map[string]int{}
	for i, call := range calls {
		results[i].LocalID = call.ID
		in, err := callInput(call)
		if err == nil {
			if _, dup := idx[call.ID]; dup {
				err = fmt.Errorf("%w: call %s twice in one batch", crm.ErrRejected, call.ID)
			}
		}
		if err != nil {
			results[i].Err = err
			continue
		}
		idx[call.ID] = i
		inputs = append(inputs, in)
		ids = append(ids, call.ID)
	}
	if len(inputs) == 0 {
		return results, nil
	}
	var raw json.RawMessage
	_, err := c.do(ctx, request{method: http.MethodPost, path: c.callsPath + "/batch/create", body: map[string]any{"inputs": inputs}}, &raw)
	if err != nil {
		return nil, err
	}
	sent, err := decodeBatchResponse(raw, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range sent {
		results[idx[r.LocalID]] = r
	}
	return results, nil
}

// batchResponse is BatchResponseSimplePublicObject(WithErrors).
type batchResponse struct {
	Status  string   `json:"status"`
	Results []object `json:"results"`
	Errors  []struct {
		Status   string              `json:"status"`
		Category string              `json:"category"`
		Message  string              `json:"message"`
		Context  map[string][]string `json:"context"`
	} `json:"errors"`
}

// decodeBatchResponse matches a 201/207 batch-create body to the inputs'
// local ids: by objectWriteTraceId, else hs_call_external_id, else (a
// response without either, no errors, same count) by position. An input
// with no result: ErrRejected when the response reported errors it could
// not attribute, else ErrTransient (outcome unknown: FindCalls, then
// retry).
func decodeBatchResponse(body []byte, localIDs []string) ([]crm.Result, error) {
	var br batchResponse
	if err := decodeJSON(body, &br); err != nil {
		return nil, err
	}
	out := make([]crm.Result, len(localIDs))
	pos := make(map[string]int, len(localIDs))
	for i, id := range localIDs {
		out[i].LocalID = id
		pos[id] = i
	}
	var unkeyed []object
	for _, o := range br.Results {
		if o.ID == "" {
			return nil, fmt.Errorf("%w: batch result without id", crm.ErrBadResponse)
		}
		key := o.TraceID
		if key == "" {
			key = o.prop("hs_call_external_id")
		}
		i, ok := pos[key]
		if !ok {
			unkeyed = append(unkeyed, o)
			continue
		}
		out[i].RemoteID = o.ID
	}
	if len(unkeyed) > 0 {
		if len(unkeyed) != len(br.Results) || len(unkeyed) != len(localIDs) || len(br.Errors) > 0 {
			return nil, fmt.Errorf("%w: %d batch results match no input", crm.ErrBadResponse, len(unkeyed))
		}
		for i, o := range unkeyed {
			out[i].RemoteID = o.ID
		}
	}
	var loose []string
	for _, e := range br.Errors {
		status, _ := strconv.Atoi(e.Status)
		if status == 0 {
			status = http.StatusBadRequest
		}
		apiErr := &crm.APIError{Status: status, Code: e.Category, Message: e.Message}
		var err error
		switch {
		case strings.Contains(e.Category, "RATE_LIMIT"):
			err = fmt.Errorf("%w: %w", &crm.RateLimitError{Message: e.Message}, apiErr)
		case status >= 500:
			err = fmt.Errorf("%w: %w", crm.ErrTransient, apiErr)
		default:
			err = fmt.Errorf("%w: %w", crm.ErrRejected, apiErr)
		}
		attributed := false
		for _, k := range append(e.Context["objectWriteTraceId"], e.Context["hs_call_external_id"]...) {
			if i, ok := pos[k]; ok && out[i].RemoteID == "" && out[i].Err == nil {
				out[i].Err = err
				attributed = true
			}
		}
		if !attributed {
			loose = append(loose, apiErr.Error())
		}
	}
	for i := range out {
		if out[i].RemoteID != "" || out[i].Err != nil {
			continue
		}
		if len(loose) > 0 {
			out[i].Err = fmt.Errorf("%w: %s", crm.ErrRejected, strings.Join(loose, "; "))
		} else {
			out[i].Err = fmt.Errorf("%w: no result for call %s in HubSpot's batch response", crm.ErrTransient, out[i].LocalID)
		}
	}
	return out, nil
}

// searchPage is CollectionResponseWithTotalSimplePublicObject (and the
// list endpoints' CollectionResponse...ForwardPaging).
type searchPage struct {
	Total   int      `json:"total"`
	Results []object `json:"results"`
	Paging  *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

func (p *searchPage) next() string {
	if p.Paging == nil || p.Paging.Next == nil {
		return ""
	}
	return p.Paging.Next.After
}

type searchFilter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	Values       []string `json:"values,omitempty"`
}

type filterGroup struct {
	Filters []searchFilter `json:"filters"`
}

// searchBody is PublicObjectSearchRequest; the spec requires after,
// filterGroups, limit, properties and sorts, and types sorts as strings.
type searchBody struct {
	Query        string        `json:"query,omitempty"`
	FilterGroups []filterGroup `json:"filterGroups"`
	Sorts        []string      `json:"sorts"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

func (c *Client) searchObjects(ctx context.Context, typ string, b searchBody) (searchPage, error) {
	if b.FilterGroups == nil {
		b.FilterGroups = []filterGroup{}
	}
	if b.Sorts == nil {
		b.Sorts = []string{}
	}
	if b.After == "" {
		b.After = "0"
	}
	var page searchPage
	_, err := c.do(ctx, request{method: http.MethodPost, path: c.objectPath(typ) + "/search", body: b, search: true}, &page)
	return page, err
}

// FindCalls searches calls whose hs_call_external_id is one of localIDs
// (IN filter, 100 values per request, paged).
func (c *Client) FindCalls(ctx context.Context, localIDs []string) (map[string]string, error) {
	found := map[string]string{}
	for start := 0; start < len(localIDs); start += 100 {
		chunk := localIDs[start:min(start+100, len(localIDs))]
		body := searchBody{
			FilterGroups: []filterGroup{{Filters: []searchFilter{{PropertyName: "hs_call_external_id", Operator: "IN", Values: chunk}}}},
			Properties:   []string{"hs_call_external_id"},
			Sorts:        []string{"hs_object_id"},
			Limit:        200,
		}
		for {
			page, err := c.searchObjects(ctx, "calls", body)
			if err != nil {
				return nil, err
			}
			for _, o := range page.Results {
				ext := o.prop("hs_call_external_id")
				if o.ID == "" || ext == "" {
					return nil, fmt.Errorf("%w: call search result without id or hs_call_external_id", crm.ErrBadResponse)
				}
				if _, seen := found[ext]; !seen { // the oldest wins if duplicates exist
					found[ext] = o.ID
				}
			}
			after := page.next()
			if after == "" {
				break
			}
			body.After = after
		}
	}
	return found, nil
}

// NotesLimit is hs_call_body's limit: HubSpot limits text property values
// set through the CRM to 65,536 characters (knowledge.hubspot.com,
// "Property field types in HubSpot"; not in crm-apis.md). Longer notes are
// sent cut with a marker; Pitchline keeps the full text.
var NotesLimit = crm.NotesLimit{Field: "HubSpot's call notes field (hs_call_body)", Chars: 65536}

package zoho

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// TimeLayout is Zoho's date-time format: ISO-8601 with a numeric offset
// (Kaizen #38, e.g. 2020-06-25T10:30:00+05:30).
const TimeLayout = "2006-01-02T15:04:05-07:00"

// Call_Type values (Kaizen #38).
const (
	CallTypeInbound  = "Inbound"
	CallTypeOutbound = "Outbound"
	CallTypeMissed   = "Missed"
)

// Tag returns the marker written into a call's Description so that
// FindCalls can find it by local id.
func Tag(localID string) string { return "[pitchline:" + localID + "]" }

// Outcomes reads the Calls module's Call_Result picklist from
// GET /crm/v2/settings/fields?module=Calls
// (https://www.zoho.com/crm/developer/docs/api/v2/field-meta.html).
func (c *Client) Outcomes(ctx context.Context) ([]crm.Outcome, error) {
	var meta struct {
		Fields []struct {
			APIName  string `json:"api_name"`
			Picklist []struct {
				DisplayValue string `json:"display_value"`
				ActualValue  string `json:"actual_value"`
			} `json:"pick_list_values"`
		} `json:"fields"`
	}
	if _, err := c.getJSON(ctx, "outcomes", "/settings/fields", url.Values{"module": {"Calls"}}, nil, &meta); err != nil {
		return nil, err
	}
	var out []crm.Outcome
	for _, f := range meta.Fields {
		if f.APIName != "Call_Result" {
			continue
		}
		for _, p := range f.Picklist {
			if p.ActualValue == "" || p.ActualValue == "-None-" {
				continue
			}
			out = append(out, crm.Outcome{Value: p.ActualValue, Label: p.DisplayValue})
		}
		return out, nil
	}
	return nil, crm.BadResponse(crm.VendorZoho, "outcomes", fmt.Errorf("the Calls module has no Call_Result field"))
}

// MaxBatch is 100, the insert-records limit per request.
func (c *Client) MaxBatch() int { return 100 }

// Duration formats d as Zoho's Call_Duration "mm:ss" (minutes may exceed
// 59). UNCONFIRMED (crm-apis.md §4.1): Kaizen #38 calls it hh:mm while
// integrator code uses mm:ss; Call_Duration_in_seconds is sent as well.
func Duration(d time.Duration) string {
	s := int64(d.Round(time.Second) / time.Second)
	if s < 0 {
		s = 0
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

type lookup struct {
	ID string `json:"id"`
}

func record(call crm.Call) (map[string]any, error) {
	if call.ID == "" {
		return nil, fmt.Errorf("%w: call without local id", crm.ErrRejected)
	}
	typ := CallTypeOutbound
	switch {
	case call.Status == crm.StatusMissed:
		typ = CallTypeMissed
	case call.Direction == crm.Inbound:
		typ = CallTypeInbound
	}
	subject := call.Title
	if subject == "" {
		other := call.To
		if call.Direction == crm.Inbound {
			other = call.From
		}
		subject = "Call " + other
	}
	description, _ := crm.FitNotes(call.Notes, NotesLimit, func(text string) string {
		var desc []string
		if text != "" {
			desc = append(desc, text)
		}
		if call.RecordingURL != "" {
			// Zoho has no native recording field (crm-apis.md §7).
			desc = append(desc, "Recording: "+call.RecordingURL)
		}
		return strings.Join(append(desc, Tag(call.ID)), "\n\n")
	})
	secs := int64(call.Duration.Round(time.Second) / time.Second)
	r := map[string]any{
		"Subject":                  subject,
		"Call_Type":                typ,
		"Call_Start_Time":          call.Started.Format(TimeLayout),
		"Call_Duration":            Duration(call.Duration),
		"Call_Duration_in_seconds": secs,
		"Description":              description,
		"Caller_ID":                call.From,
		"Dialled_Number":           call.To,
	}
	if call.Outcome != "" {
		r["Call_Result"] = call.Outcome
	}
	if call.ContactID != "" {
		r["Who_Id"] = lookup{call.ContactID}
	}
	switch {
	case call.DealID != "":
		r["What_Id"], r["$se_module"] = lookup{call.DealID}, "Deals"
	case call.CompanyID != "":
		r["What_Id"], r["$se_module"] = lookup{call.CompanyID}, "Accounts"
	}
	return r, nil
}

// insertResult is one element of the insert answer's data array.
type insertResult struct {
	status
	ID string
}

// insert posts records to a module and returns one result per record.
func (c *Client) insert(ctx context.Context, op, module string, records []map[string]any) ([]insertResult, error) {
	st, data, err := c.do(ctx, op, http.MethodPost, "/"+module, nil, nil, map[string]any{"data": records},
		http.StatusBadRequest, http.StatusMultiStatus)
	if err != nil {
		return nil, err
	}
	var ans struct {
		Data []status `json:"data"`
	}
	if err := json.Unmarshal(data, &ans); err != nil {
		return nil, crm.BadResponse(crm.VendorZoho, op, err)
	}
	if len(ans.Data) != len(records) {
		if st >= 400 {
			// A 400 whose data does not map to the records: whole-request failure.
			return nil, fmt.Errorf("zoho: %s: %w: %w", op, crm.ErrRejected, &crm.APIError{Status: st, Message: string(crm.Truncate(data, 200))})
		}
		return nil, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("%d results for %d records", len(ans.Data), len(records)))
	}
	out := make([]insertResult, len(ans.Data))
	for i, s := range ans.Data {
		out[i].status = s
		if s.Status == "success" {
			var d struct {
				ID json.Number `json:"id"`
			}
			if err := json.Unmarshal(s.Details, &d); err != nil || d.ID == "" {
				return nil, crm.BadResponse(crm.VendorZoho, op, fmt.Errorf("record %d: success without id", i))
			}
			out[i].ID = d.ID.String()
		}
	}
	return out, nil
}

func (r insertResult) err(st int) error {
	if r.Status == "success" {
		return nil
	}
	return fmt.Errorf("%w: %w", crm.ErrRejected, r.apiError(st))
}

// CreateCalls inserts up to 100 calls with one POST /crm/v2/Calls.
// A record Zoho refuses gets its own Result.Err (crm.ErrRejected with the
// code and field); the others are created.
func (c *Client) CreateCalls(ctx context.Context, calls []crm.Call) ([]crm.Result, error) {
	if len(calls) == 0 {
		return nil, nil
	}
	if len(calls) > c.MaxBatch() {
		return nil, fmt.Errorf("zoho: create calls: %w: %d calls, at most %d per request", crm.ErrRejected, len(calls), c.MaxBatch())
	}
	recs := make([]map[string]any, len(calls))
	for i, call := range calls {
		r, err := record(call)
		if err != nil {
			return nil, fmt.Errorf("zoho: create calls: %w", err)
		}
		recs[i] = r
	}
	res, err := c.insert(ctx, "create calls", "Calls", recs)
	if err != nil {
		return nil, err
	}
	out := make([]crm.Result, len(calls))
	for i, r := range res {
		out[i] = crm.Result{LocalID: calls[i].ID, RemoteID: r.ID}
		if e := r.err(http.StatusBadRequest); e != nil {
			out[i].Err = fmt.Errorf("zoho: create call %s: %w", calls[i].ID, e)
		}
	}
	return out, nil
}

// FindCalls runs GET /crm/v2/Calls/search?word=<id> for each id and keeps
// records whose Description carries the tag. UNCONFIRMED (crm-apis.md
// §4.2): that word search covers Description.
func (c *Client) FindCalls(ctx context.Context, localIDs []string) (map[string]string, error) {
	return c.findTagged(ctx, "find calls", "/Calls/search", localIDs)
}

// FindTasks runs GET /crm/v2/Tasks/search?word=<id> for each id and keeps
// records whose Description carries the tag CreateTask writes.
func (c *Client) FindTasks(ctx context.Context, tasks []crm.Task) (map[string]string, error) {
	ids := make([]string, 0, len(tasks))
	for _, t := range tasks {
		ids = append(ids, t.ID)
	}
	return c.findTagged(ctx, "find tasks", "/Tasks/search", ids)
}

// findTagged word-searches path for each local id and maps it to the first
// record whose Description carries Tag(id).
func (c *Client) findTagged(ctx context.Context, what, path string, localIDs []string) (map[string]string, error) {
	found := map[string]string{}
	for _, id := range localIDs {
		if id == "" {
			continue
		}
		var ans struct {
			Data []struct {
				ID          json.Number `json:"id"`
				Description string      `json:"Description"`
			} `json:"data"`
		}
		if _, err := c.getJSON(ctx, what, path, url.Values{"word": {id}}, nil, &ans); err != nil {
			return nil, err
		}
		for _, r := range ans.Data {
			if r.ID != "" && strings.Contains(r.Description, Tag(id)) {
				found[id] = r.ID.String()
				break
			}
		}
	}
	return found, nil
}

// CreateTask inserts a task with POST /crm/v2/Tasks. Due_Date is the due
// day in the due time's zone; Zoho's reminder (Remind_At) is not set
// (the reminder time goes into the description).
func (c *Client) CreateTask(ctx context.Context, t crm.Task) (string, error) {
	if t.Title == "" {
		return "", fmt.Errorf("zoho: create task: %w: empty title", crm.ErrRejected)
	}
	r := map[string]any{"Subject": t.Title, "Status": "Not Started"}
	desc := t.Notes
	if !t.Reminder.IsZero() {
		desc = strings.TrimSpace(desc + "\n\nReminder: " + t.Reminder.Format(TimeLayout))
	}
	if t.ID != "" {
		desc = strings.TrimSpace(desc + "\n\n" + Tag(t.ID))
	}
	if desc != "" {
		r["Description"] = desc
	}
	if !t.Due.IsZero() {
		r["Due_Date"] = t.Due.Format("2006-01-02")
	}
	if t.ContactID != "" {
		r["Who_Id"] = lookup{t.ContactID}
	}
	if t.DealID != "" {
		r["What_Id"], r["$se_module"] = lookup{t.DealID}, "Deals"
	}
	res, err := c.insert(ctx, "create task", "Tasks", []map[string]any{r})
	if err != nil {
		return "", err
	}
	if e := res[0].err(http.StatusBadRequest); e != nil {
		return "", fmt.Errorf("zoho: create task: %w", e)
	}
	return res[0].ID, nil
}

// NotesLimit is the limit of a Zoho call's Description, a multi-line
// (large) text field: 32,000 characters (Zoho CRM help, field types; not in
// crm-apis.md). The notes are cut with a marker so that the recording link
// and the idempotency tag after them always fit; Pitchline keeps the full
// text.
var NotesLimit = crm.NotesLimit{Field: "Zoho CRM's call Description field", Chars: 32000}

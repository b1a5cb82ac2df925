package sell

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

// Outcomes reads the account's call outcomes from GET /v2/call_outcomes.
// UNCONFIRMED (crm-apis.md §3.1): the path comes from the client
// library's service naming. Value is the outcome id, the Call.Outcome to
// send.
func (c *Client) Outcomes(ctx context.Context) ([]crm.Outcome, error) {
	var out []crm.Outcome
	seen := map[string]bool{}
	for page := 1; ; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {"100"}}
		raws, more, err := c.list(ctx, "outcomes", "/v2/call_outcomes", q)
		if err != nil {
			return nil, err
		}
		for _, raw := range raws {
			var o struct {
				ID   json.Number `json:"id"`
				Name string      `json:"name"`
			}
			if err := json.Unmarshal(raw, &o); err != nil || o.ID == "" {
				return nil, crm.BadResponse(crm.VendorSell, "outcomes", fmt.Errorf("call outcome without id: %v", err))
			}
			if seen[o.ID.String()] {
				return nil, crm.BadResponse(crm.VendorSell, "outcomes", fmt.Errorf("page %d repeats outcome %s", page, o.ID))
			}
			seen[o.ID.String()] = true
			out = append(out, crm.Outcome{Value: o.ID.String(), Label: o.Name})
		}
		if !more || len(raws) == 0 {
			return out, nil
		}
	}
}

// MaxBatch is 1: Sell has no batch create for calls.
func (c *Client) MaxBatch() int { return 1 }

// callBody is the data of POST /v2/calls (basecrm-ruby models/call.rb).
type callBody struct {
	PhoneNumber       string  `json:"phone_number"`
	Incoming          bool    `json:"incoming"`
	Missed            bool    `json:"missed"`
	Duration          int64   `json:"duration"`
	MadeAt            string  `json:"made_at"`
	OutcomeID         *int64  `json:"outcome_id,omitempty"`
	ResourceType      string  `json:"resource_type,omitempty"`
	ResourceID        *int64  `json:"resource_id,omitempty"`
	AssociatedDealIDs []int64 `json:"associated_deal_ids,omitempty"`
	Summary           string  `json:"summary,omitempty"`
	RecordingURL      string  `json:"recording_url,omitempty"`
	ExternalID        string  `json:"external_id"`
}

func optID(field, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("%w: %s %q is not a Sell id", crm.ErrRejected, field, s)
	}
	return &n, nil
}

func buildCall(call crm.Call) (callBody, error) {
	if call.ID == "" {
		return callBody{}, fmt.Errorf("%w: call without local id", crm.ErrRejected)
	}
	b := callBody{
		Incoming:     call.Direction == crm.Inbound,
		Missed:       call.Status == crm.StatusMissed || (call.Direction == crm.Inbound && call.Answered.IsZero() && call.Duration == 0),
		Duration:     int64(call.Duration.Round(time.Second) / time.Second),
		MadeAt:       call.Started.UTC().Format(time.RFC3339),
		RecordingURL: call.RecordingURL,
		ExternalID:   call.ID,
	}
	// phone_number is the other party's number.
	b.PhoneNumber = call.To
	if b.Incoming {
		b.PhoneNumber = call.From
	}
	b.Summary, _ = crm.FitNotes(call.Notes, NotesLimit, func(text string) string {
		var notes []string
		if text != "" {
			notes = append(notes, text)
		}
		if call.OutcomeLabel != "" && call.Outcome == "" {
			notes = append(notes, "Outcome: "+call.OutcomeLabel)
		}
		return strings.Join(notes, "\n\n")
	})
	var err error
	if b.OutcomeID, err = optID("outcome_id", call.Outcome); err != nil {
		return b, err
	}
	contact, err := optID("contact", call.ContactID)
	if err != nil {
		return b, err
	}
	deal, err := optID("deal", call.DealID)
	if err != nil {
		return b, err
	}
	switch {
	case contact != nil:
		b.ResourceType, b.ResourceID = "contact", contact
	case deal != nil:
		// UNCONFIRMED (crm-apis.md §3.1): resource_type "deal".
		b.ResourceType, b.ResourceID = "deal", deal
	}
	if deal != nil {
		b.AssociatedDealIDs = []int64{*deal}
	}
	return b, nil
}

// CreateCalls creates one call with POST /v2/calls
// (https://developer.zendesk.com/api-reference/sales-crm/resources/calls/).
func (c *Client) CreateCalls(ctx context.Context, calls []crm.Call) ([]crm.Result, error) {
	if len(calls) > c.MaxBatch() {
		return nil, fmt.Errorf("sell: create calls: %w: %d calls, at most %d per request", crm.ErrRejected, len(calls), c.MaxBatch())
	}
	res := make([]crm.Result, 0, len(calls))
	for _, call := range calls {
		body, err := buildCall(call)
		if err != nil {
			return nil, fmt.Errorf("sell: create call: %w", err)
		}
		var it item
		if err := c.do(ctx, "create call", http.MethodPost, "/v2/calls", nil, body, &it); err != nil {
			return nil, err
		}
		var created struct {
			ID json.Number `json:"id"`
		}
		if err := json.Unmarshal(it.Data, &created); err != nil || created.ID == "" {
			return nil, crm.BadResponse(crm.VendorSell, "create call", fmt.Errorf("call without id: %v", err))
		}
		res = append(res, crm.Result{LocalID: call.ID, RemoteID: created.ID.String()})
	}
	return res, nil
}

// FindCalls pages through GET /v2/calls and matches external_id.
// UNCONFIRMED (crm-apis.md §3.1): no external_id filter is documented, so
// the scan reads every call visible to the token.
func (c *Client) FindCalls(ctx context.Context, localIDs []string) (map[string]string, error) {
	found := map[string]string{}
	want := map[string]bool{}
	for _, id := range localIDs {
		if id != "" {
			want[id] = true
		}
	}
	seen := map[string]bool{}
	for page := 1; len(want) > 0; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.pageSize)}}
		raws, more, err := c.list(ctx, "find calls", "/v2/calls", q)
		if err != nil {
			return nil, err
		}
		for _, raw := range raws {
			var cl struct {
				ID         json.Number `json:"id"`
				ExternalID string      `json:"external_id"`
			}
			if err := json.Unmarshal(raw, &cl); err != nil {
				return nil, crm.BadResponse(crm.VendorSell, "find calls", err)
			}
			if seen[cl.ID.String()] {
				// A server that repeats a page would make the scan endless.
				return nil, crm.BadResponse(crm.VendorSell, "find calls", fmt.Errorf("page %d repeats call %s", page, cl.ID))
			}
			seen[cl.ID.String()] = true
			if want[cl.ExternalID] && cl.ID != "" {
				found[cl.ExternalID] = cl.ID.String()
				delete(want, cl.ExternalID)
			}
		}
		if !more || len(raws) == 0 {
			break
		}
	}
	return found, nil
}

// taskBody is the data of POST /v2/tasks
// (https://developer.zendesk.com/api-reference/sales-crm/resources/tasks/).
type taskBody struct {
	Content      string `json:"content"`
	DueDate      string `json:"due_date,omitempty"`
	RemindAt     string `json:"remind_at,omitempty"`
	ResourceType string `json:"resource_type,omitempty"`
	ResourceID   *int64 `json:"resource_id,omitempty"`
	Completed    bool   `json:"completed"`
}

// Tag returns the marker CreateTask appends to a task's content so that
// FindTasks can find the task by its local id (Sell tasks have no
// external_id).
func Tag(localID string) string { return "[pitchline:" + localID + "]" }

// FindTasks pages through GET /v2/tasks and matches the tag in content.
// Like FindCalls it reads every task visible to the token.
func (c *Client) FindTasks(ctx context.Context, tasks []crm.Task) (map[string]string, error) {
	found := map[string]string{}
	want := map[string]bool{}
	for _, t := range tasks {
		if id := t.ID; id != "" {
			want[id] = true
		}
	}
	seen := map[string]bool{}
	for page := 1; len(want) > 0; page++ {
		q := url.Values{"page": {strconv.Itoa(page)}, "per_page": {strconv.Itoa(c.pageSize)}}
		raws, more, err := c.list(ctx, "find tasks", "/v2/tasks", q)
		if err != nil {
			return nil, err
		}
		for _, raw := range raws {
			var t struct {
				ID      json.Number `json:"id"`
				Content string      `json:"content"`
			}
			if err := json.Unmarshal(raw, &t); err != nil {
				return nil, crm.BadResponse(crm.VendorSell, "find tasks", err)
			}
			if seen[t.ID.String()] {
				return nil, crm.BadResponse(crm.VendorSell, "find tasks", fmt.Errorf("page %d repeats task %s", page, t.ID))
			}
			seen[t.ID.String()] = true
			for id := range want {
				if t.ID != "" && strings.Contains(t.Content, Tag(id)) {
					found[id] = t.ID.String()
					delete(want, id)
				}
			}
		}
		if !more || len(raws) == 0 {
			break
		}
	}
	return found, nil
}

// CreateTask creates a task on the contact (or the deal when there is no
// contact). The title and notes go into content, Sell's only text field,
// followed by the Tag of the local id.
func (c *Client) CreateTask(ctx context.Context, t crm.Task) (string, error) {
	if t.Title == "" {
		return "", fmt.Errorf("sell: create task: %w: empty title", crm.ErrRejected)
	}
	b := taskBody{Content: t.Title}
	if t.Notes != "" {
		b.Content += "\n\n" + t.Notes
	}
	if t.ID != "" {
		b.Content += "\n\n" + Tag(t.ID)
	}
	if !t.Due.IsZero() {
		b.DueDate = t.Due.UTC().Format(time.RFC3339)
	}
	if !t.Reminder.IsZero() {
		b.RemindAt = t.Reminder.UTC().Format(time.RFC3339)
	}
	contact, err := optID("contact", t.ContactID)
	if err != nil {
		return "", fmt.Errorf("sell: create task: %w", err)
	}
	deal, err := optID("deal", t.DealID)
	if err != nil {
		return "", fmt.Errorf("sell: create task: %w", err)
	}
	switch {
	case contact != nil:
		b.ResourceType, b.ResourceID = "contact", contact
	case deal != nil:
		b.ResourceType, b.ResourceID = "deal", deal
	}
	var it item
	if err := c.do(ctx, "create task", http.MethodPost, "/v2/tasks", nil, b, &it); err != nil {
		return "", err
	}
	var created struct {
		ID json.Number `json:"id"`
	}
	if err := json.Unmarshal(it.Data, &created); err != nil || created.ID == "" {
		return "", crm.BadResponse(crm.VendorSell, "create task", fmt.Errorf("task without id: %v", err))
	}
	return created.ID.String(), nil
}

// NotesLimit is the limit Pitchline assumes for a Sell call's summary.
// UNCONFIRMED: neither crm-apis.md nor the Sell API reference read gives
// one; 65,536 characters matches the other vendors' text fields. Longer
// notes are sent cut with a marker; Pitchline keeps the full text.
var NotesLimit = crm.NotesLimit{Field: "Zendesk Sell's call summary field", Chars: 65536}

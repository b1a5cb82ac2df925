package pipedrive

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// TimeLayout is Pipedrive's timestamp format, always UTC
// (https://developers.pipedrive.com/docs/api/v1/CallLogs#addCallLog).
const TimeLayout = "2006-01-02 15:04:05"

// Outcome values of POST /v1/callLogs (the fixed enum of AddCallLogRequest).
const (
	OutcomeConnected     = "connected"
	OutcomeNoAnswer      = "no_answer"
	OutcomeLeftMessage   = "left_message"
	OutcomeLeftVoicemail = "left_voicemail"
	OutcomeWrongNumber   = "wrong_number"
	OutcomeBusy          = "busy"
)

var outcomes = []crm.Outcome{
	{Value: OutcomeConnected, Label: "Connected"},
	{Value: OutcomeNoAnswer, Label: "No answer"},
	{Value: OutcomeLeftMessage, Label: "Left message"},
	{Value: OutcomeLeftVoicemail, Label: "Left voicemail"},
	{Value: OutcomeWrongNumber, Label: "Wrong number"},
	{Value: OutcomeBusy, Label: "Busy"},
}

// Outcomes returns Pipedrive's six call-log outcomes; the enum is fixed, so
// no request is made.
func (c *Client) Outcomes(ctx context.Context) ([]crm.Outcome, error) {
	return append([]crm.Outcome(nil), outcomes...), nil
}

// MaxBatch is 1: Pipedrive has no batch create for call logs.
func (c *Client) MaxBatch() int { return 1 }

// Tag returns the marker the adapter puts in a call log's note so that
// FindCalls can find the call by its local id.
func Tag(localID string) string { return "[pitchline:" + localID + "]" }

// callLog is the body of POST /v1/callLogs and an item of GET /v1/callLogs.
type callLog struct {
	ID              flexID `json:"id,omitempty"`
	Outcome         string `json:"outcome"`
	ToPhoneNumber   string `json:"to_phone_number"`
	FromPhoneNumber string `json:"from_phone_number,omitempty"`
	StartTime       string `json:"start_time"`
	EndTime         string `json:"end_time"`
	Duration        string `json:"duration,omitempty"`
	Subject         string `json:"subject,omitempty"`
	Note            string `json:"note,omitempty"`
	PersonID        *int64 `json:"person_id,omitempty"`
	OrgID           *int64 `json:"org_id,omitempty"`
	DealID          *int64 `json:"deal_id,omitempty"`
}

// outcomeFor maps a call to the Pipedrive outcome enum, using the chosen
// outcome when there is one.
func outcomeFor(call crm.Call) string {
	if call.Outcome != "" {
		return call.Outcome
	}
	switch call.Status {
	case crm.StatusCompleted:
		return OutcomeConnected
	case crm.StatusBusy:
		return OutcomeBusy
	default:
		return OutcomeNoAnswer
	}
}

func optID(field, s string) (*int64, error) {
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("%w: %s %q is not a Pipedrive id", crm.ErrRejected, field, s)
	}
	return &n, nil
}

// note renders the call's notes as HTML with the idempotency tag, cut to
// NotesLimit with a marker when too long (crm.FitNotes).
func note(call crm.Call) string {
	n, _ := crm.FitNotes(call.Notes, NotesLimit, func(text string) string { return noteHTML(call, text) })
	return n
}

func noteHTML(call crm.Call, notes string) string {
	var b strings.Builder
	if notes != "" {
		for _, line := range strings.Split(notes, "\n") {
			b.WriteString("<p>" + html.EscapeString(line) + "</p>")
		}
	}
	if call.OutcomeLabel != "" {
		b.WriteString("<p>Outcome: " + html.EscapeString(call.OutcomeLabel) + "</p>")
	}
	if call.RecordingURL != "" {
		u := html.EscapeString(call.RecordingURL)
		b.WriteString(`<p>Recording: <a href="` + u + `">` + u + `</a></p>`)
	}
	b.WriteString("<p>" + html.EscapeString(Tag(call.ID)) + "</p>")
	return b.String()
}

func buildCallLog(call crm.Call) (callLog, error) {
	if call.ID == "" {
		return callLog{}, fmt.Errorf("%w: call without local id", crm.ErrRejected)
	}
	end := call.Ended
	if end.IsZero() {
		end = call.Started.Add(call.Duration)
	}
	cl := callLog{
		Outcome:         outcomeFor(call),
		ToPhoneNumber:   call.To,
		FromPhoneNumber: call.From,
		StartTime:       call.Started.UTC().Format(TimeLayout),
		EndTime:         end.UTC().Format(TimeLayout),
		Duration:        strconv.FormatInt(int64(call.Duration.Round(time.Second)/time.Second), 10),
		Subject:         call.Title,
		Note:            note(call),
	}
	var err error
	if cl.PersonID, err = optID("person_id", call.ContactID); err != nil {
		return cl, err
	}
	if cl.OrgID, err = optID("org_id", call.CompanyID); err != nil {
		return cl, err
	}
	if cl.DealID, err = optID("deal_id", call.DealID); err != nil {
		return cl, err
	}
	return cl, nil
}

// CreateCalls creates one call log (MaxBatch is 1) with POST /v1/callLogs
// (https://developers.pipedrive.com/docs/api/v1/CallLogs#addCallLog).
func (c *Client) CreateCalls(ctx context.Context, calls []crm.Call) ([]crm.Result, error) {
	if len(calls) > c.MaxBatch() {
		return nil, fmt.Errorf("pipedrive: create calls: %w: %d calls, at most %d per request", crm.ErrRejected, len(calls), c.MaxBatch())
	}
	res := make([]crm.Result, 0, len(calls))
	for _, call := range calls {
		body, err := buildCallLog(call)
		if err != nil {
			return nil, fmt.Errorf("pipedrive: create call: %w", err)
		}
		env, err := c.do(ctx, "create call", http.MethodPost, "/callLogs", nil, body)
		if err != nil {
			return nil, err
		}
		var created struct {
			ID flexID `json:"id"`
		}
		if err := json.Unmarshal(env.Data, &created); err != nil {
			return nil, crm.BadResponse(crm.VendorPipedrive, "create call", err)
		}
		if created.ID == "" {
			return nil, crm.BadResponse(crm.VendorPipedrive, "create call", fmt.Errorf("call log without id"))
		}
		res = append(res, crm.Result{LocalID: call.ID, RemoteID: string(created.ID)})
	}
	return res, nil
}

// FindCalls pages through GET /v1/callLogs (limit 50, the documented
// maximum) and matches the [pitchline:<id>] tag in each note.
func (c *Client) FindCalls(ctx context.Context, localIDs []string) (map[string]string, error) {
	found := make(map[string]string)
	want := make(map[string]bool, len(localIDs))
	for _, id := range localIDs {
		if id != "" {
			want[id] = true
		}
	}
	start := 0
	for len(want) > 0 {
		q := url.Values{"start": {strconv.Itoa(start)}, "limit": {"50"}}
		env, err := c.do(ctx, "find calls", http.MethodGet, "/callLogs", q, nil)
		if err != nil {
			return nil, err
		}
		var logs []struct {
			ID   flexID `json:"id"`
			Note string `json:"note"`
		}
		if len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, &logs); err != nil {
				return nil, crm.BadResponse(crm.VendorPipedrive, "find calls", err)
			}
		}
		for _, l := range logs {
			for id := range want {
				if strings.Contains(l.Note, html.EscapeString(Tag(id))) || strings.Contains(l.Note, Tag(id)) {
					found[id] = string(l.ID)
					delete(want, id)
				}
			}
		}
		p, err := readPagination(env.AdditionalData)
		if err != nil {
			return nil, crm.BadResponse(crm.VendorPipedrive, "find calls", err)
		}
		if !p.More || p.NextStart <= start {
			break
		}
		start = p.NextStart
	}
	return found, nil
}

// FindTasks pages through GET /v1/activities?type=task (limit 500) and
// matches the [pitchline:<id>] tag CreateTask writes into each note.
func (c *Client) FindTasks(ctx context.Context, tasks []crm.Task) (map[string]string, error) {
	found := make(map[string]string)
	want := make(map[string]bool, len(tasks))
	for _, t := range tasks {
		if id := t.ID; id != "" {
			want[id] = true
		}
	}
	start := 0
	for len(want) > 0 {
		q := url.Values{"type": {"task"}, "start": {strconv.Itoa(start)}, "limit": {"500"}}
		env, err := c.do(ctx, "find tasks", http.MethodGet, "/activities", q, nil)
		if err != nil {
			return nil, err
		}
		var acts []struct {
			ID   flexID `json:"id"`
			Note string `json:"note"`
		}
		if len(env.Data) > 0 && string(env.Data) != "null" {
			if err := json.Unmarshal(env.Data, &acts); err != nil {
				return nil, crm.BadResponse(crm.VendorPipedrive, "find tasks", err)
			}
		}
		for _, a := range acts {
			for id := range want {
				if strings.Contains(a.Note, html.EscapeString(Tag(id))) || strings.Contains(a.Note, Tag(id)) {
					found[id] = string(a.ID)
					delete(want, id)
				}
			}
		}
		p, err := readPagination(env.AdditionalData)
		if err != nil {
			return nil, crm.BadResponse(crm.VendorPipedrive, "find tasks", err)
		}
		if !p.More || p.NextStart <= start {
			break
		}
		start = p.NextStart
	}
	return found, nil
}

func readPagination(raw json.RawMessage) (pagination, error) {
	var ad struct {
		Pagination pagination `json:"pagination"`
	}
	if len(raw) == 0 || string(raw) == "null" {
		return pagination{}, nil
	}
	err := json.Unmarshal(raw, &ad)
	return ad.Pagination, err
}

// activity is the body of POST /v1/activities
// (https://developers.pipedrive.com/docs/api/v1/Activities#addActivity).
type activity struct {
	ID       flexID `json:"id,omitempty"`
	Subject  string `json:"subject"`
	Type     string `json:"type"`
	Done     int    `json:"done"`
	DueDate  string `json:"due_date,omitempty"`
	DueTime  string `json:"due_time,omitempty"`
	Note     string `json:"note,omitempty"`
	PersonID *int64 `json:"person_id,omitempty"`
	DealID   *int64 `json:"deal_id,omitempty"`
}

// CreateTask creates an activity of type "task".
// UNCONFIRMED (crm-apis.md §2.2): due_date "YYYY-MM-DD" and due_time
// "HH:MM" in UTC; Pipedrive activities have no separate reminder, so
// Task.Reminder is written into the note.
func (c *Client) CreateTask(ctx context.Context, t crm.Task) (string, error) {
	if t.Title == "" {
		return "", fmt.Errorf("pipedrive: create task: %w: empty title", crm.ErrRejected)
	}
	a := activity{Subject: t.Title, Type: "task"}
	if !t.Due.IsZero() {
		a.DueDate = t.Due.UTC().Format("2006-01-02")
		a.DueTime = t.Due.UTC().Format("15:04")
	}
	var b strings.Builder
	if t.Notes != "" {
		b.WriteString("<p>" + html.EscapeString(t.Notes) + "</p>")
	}
	if !t.Reminder.IsZero() {
		b.WriteString("<p>Reminder: " + t.Reminder.UTC().Format(TimeLayout) + " UTC</p>")
	}
	if t.ID != "" {
		b.WriteString("<p>" + html.EscapeString(Tag(t.ID)) + "</p>")
	}
	a.Note = b.String()
	var err error
	if a.PersonID, err = optID("person_id", t.ContactID); err != nil {
		return "", fmt.Errorf("pipedrive: create task: %w", err)
	}
	if a.DealID, err = optID("deal_id", t.DealID); err != nil {
		return "", fmt.Errorf("pipedrive: create task: %w", err)
	}
	env, err := c.do(ctx, "create task", http.MethodPost, "/activities", nil, a)
	if err != nil {
		return "", err
	}
	var created struct {
		ID flexID `json:"id"`
	}
	if err := json.Unmarshal(env.Data, &created); err != nil {
		return "", crm.BadResponse(crm.VendorPipedrive, "create task", err)
	}
	if created.ID == "" {
		return "", crm.BadResponse(crm.VendorPipedrive, "create task", fmt.Errorf("activity without id"))
	}
	return string(created.ID), nil
}

// NotesLimit is the limit Pitchline assumes for a call log's note (HTML,
// counted after escaping). UNCONFIRMED: crm-apis.md and the callLogs
// reference give none; 65,536 characters matches HubSpot's. Longer notes
// are sent cut with a marker; Pitchline keeps the full text.
var NotesLimit = crm.NotesLimit{Field: "Pipedrive's call note field", Chars: 65536}

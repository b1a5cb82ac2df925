package sellfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v2/users/self", s.auth(func(w http.ResponseWriter, r *http.Request) {
		writeItem(w, "user", map[string]any{"id": 1, "name": "Test Rep", "email": "rep@example.com", "role": "user", "status": "active"})
	}))
	mux.HandleFunc("GET /v2/accounts/self", s.auth(func(w http.ResponseWriter, r *http.Request) {
		writeItem(w, "account", map[string]any{"id": 424242, "name": "Example Ltd", "currency": "USD", "time_format": "24H", "timezone": "UTC+00:00"})
	}))
	mux.HandleFunc("GET /v2/call_outcomes", s.auth(s.listOutcomes))
	mux.HandleFunc("POST /v2/calls", s.auth(s.createCall))
	mux.HandleFunc("GET /v2/calls", s.auth(s.listCalls))
	mux.HandleFunc("POST /v2/tasks", s.auth(s.createTask))
	mux.HandleFunc("GET /v2/tasks", s.auth(s.listTasks))
	mux.HandleFunc("GET /v2/contacts", s.auth(s.listContacts))
	mux.HandleFunc("GET /v2/deals", s.auth(s.listDeals))
	mux.HandleFunc("GET /v2/leads", s.auth(s.listLeads))
	mux.HandleFunc("GET /v2/tags", s.auth(s.listTags))
	mux.HandleFunc("GET /v2/tags/{id}", s.auth(s.getTag))
	mux.HandleFunc("POST /v3/contacts/search", s.auth(s.search("contact")))
	mux.HandleFunc("POST /v3/leads/search", s.auth(s.search("lead")))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, http.StatusNotFound, "not_found", "Resource not found", "The requested resource does not exist", "")
	})
	return mux
}

// auth requires a User-Agent and "Authorization: Bearer <token>".
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("User-Agent") == "" {
			s.writeError(w, http.StatusBadRequest, "invalid_user_agent", "User-Agent header is required", "Every request must carry a User-Agent", "")
			return
		}
		s.mu.Lock()
		expired, token := s.expired, s.token
		s.mu.Unlock()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || tok != token || expired {
			s.writeError(w, http.StatusUnauthorized, "unauthorized", "Unauthorized", "Access token is invalid, expired or revoked", "")
			return
		}
		h(w, r)
	}
}

// paging reads page (from 1) and per_page (1..100, default 25).
func (s *Server) paging(w http.ResponseWriter, r *http.Request) (int, int, bool) {
	page, per := 1, 25
	q := r.URL.Query()
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, http.StatusUnprocessableEntity, "invalid_param", "page must be a positive integer", "", "page")
			return 0, 0, false
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			s.writeError(w, http.StatusUnprocessableEntity, "invalid_param", "per_page must be between 1 and 100", "", "per_page")
			return 0, 0, false
		}
		per = n
	}
	return page, per, true
}

func (s *Server) listOutcomes(w http.ResponseWriter, r *http.Request) {
	page, per, ok := s.paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	var all []map[string]any
	for _, o := range s.outcomes {
		all = append(all, map[string]any{"id": o.ID, "name": o.Name, "creator_id": 1,
			"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"})
	}
	s.mu.Unlock()
	writeCollection(w, r, "call_outcome", all, page, per)
}

// data decodes the {"data":{...}} request envelope.
func (s *Server) data(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, []byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		s.writeError(w, http.StatusBadRequest, "invalid_request", "Could not read the request body", "", "")
		return nil, nil, false
	}
	var env struct {
		Data map[string]json.RawMessage `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&env); err != nil {
		s.writeError(w, http.StatusBadRequest, "invalid_json", "Request body is not valid JSON", err.Error(), "")
		return nil, nil, false
	}
	if env.Data == nil {
		s.writeError(w, http.StatusUnprocessableEntity, "invalid_envelope", "Request body must be wrapped in a data object", "", "data")
		return nil, nil, false
	}
	return env.Data, body, true
}

type fieldErr struct{ field, msg string }

func (e fieldErr) Error() string { return e.field + " " + e.msg }

func getStr(m map[string]json.RawMessage, k string, required bool) (string, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		if required {
			return "", fieldErr{k, "can't be blank"}
		}
		return "", nil
	}
	var v string
	if json.Unmarshal(raw, &v) != nil {
		return "", fieldErr{k, "must be a string"}
	}
	if required && v == "" {
		return "", fieldErr{k, "can't be blank"}
	}
	return v, nil
}

func getInt(m map[string]json.RawMessage, k string) (int64, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fieldErr{k, "must be an integer"}
	}
	return n, nil
}

func getBool(m map[string]json.RawMessage, k string) (bool, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		return false, nil
	}
	switch string(raw) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fieldErr{k, "must be a boolean"}
}

func isoTime(v, k string) error {
	if v == "" {
		return nil
	}
	if _, err := time.Parse(time.RFC3339, v); err != nil {
		return fieldErr{k, "must be an ISO8601 date-time"}
	}
	return nil
}

func (s *Server) invalid(w http.ResponseWriter, err error) {
	fe, ok := err.(fieldErr)
	if !ok {
		fe = fieldErr{"", err.Error()}
	}
	s.writeError(w, http.StatusUnprocessableEntity, "invalid", fe.Error(), "", fe.field)
}

// createCall implements POST /v2/calls. UNCONFIRMED (crm-apis.md §3.1,
// §7 "not confirmed"): phone_number and made_at are required.
func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	m, body, ok := s.data(w, r)
	if !ok {
		return
	}
	c := Call{Raw: body}
	var err error
	check := func(e error) bool {
		if e != nil && err == nil {
			err = e
		}
		return err == nil
	}
	c.PhoneNumber, err = getStr(m, "phone_number", true)
	if check(err) {
		c.MadeAt, err = getStr(m, "made_at", true)
	}
	if check(err) {
		err = isoTime(c.MadeAt, "made_at")
	}
	if check(err) {
		c.Incoming, err = getBool(m, "incoming")
	}
	if check(err) {
		c.Missed, err = getBool(m, "missed")
	}
	if check(err) {
		c.Duration, err = getInt(m, "duration")
	}
	if check(err) && c.Duration < 0 {
		err = fieldErr{"duration", "must be greater than or equal to 0"}
	}
	if check(err) {
		c.OutcomeID, err = getInt(m, "outcome_id")
	}
	if check(err) {
		c.ResourceType, err = getStr(m, "resource_type", false)
	}
	if check(err) {
		c.ResourceID, err = getInt(m, "resource_id")
	}
	for _, k := range []string{"summary", "recording_url", "external_id"} {
		var v string
		if check(err) {
			v, err = getStr(m, k, false)
		}
		switch k {
		case "summary":
			c.Summary = v
		case "recording_url":
			c.RecordingURL = v
		case "external_id":
			c.ExternalID = v
		}
	}
	if check(err) {
		if raw, ok := m["associated_deal_ids"]; ok && string(raw) != "null" {
			if json.Unmarshal(raw, &c.AssociatedDealIDs) != nil {
				err = fieldErr{"associated_deal_ids", "must be an array of integers"}
			}
		}
	}
	if err != nil {
		s.invalid(w, err)
		return
	}
	s.mu.Lock()
	err = s.checkRefs(c)
	if err == nil {
		c.ID = s.id()
		s.calls = append(s.calls, c)
	}
	now := s.clock.Now()
	s.mu.Unlock()
	if err != nil {
		s.invalid(w, err)
		return
	}
	writeItem(w, "call", callJSON(c, now))
}

// checkRefs validates outcome and resource ids; s.mu is held.
func (s *Server) checkRefs(c Call) error {
	if c.OutcomeID != 0 {
		found := false
		for _, o := range s.outcomes {
			found = found || o.ID == c.OutcomeID
		}
		if !found {
			return fieldErr{"outcome_id", "is not a valid call outcome"}
		}
	}
	if c.ResourceType != "" || c.ResourceID != 0 {
		var exists bool
		switch c.ResourceType {
		case "contact":
			exists = s.contacts[c.ResourceID] != nil
		case "deal":
			exists = s.deals[c.ResourceID] != nil
		case "lead":
			exists = false // the fake holds no leads
		default:
			return fieldErr{"resource_type", "must be one of lead, contact, deal"}
		}
		if !exists {
			return fieldErr{"resource_id", "does not reference an existing " + c.ResourceType}
		}
	}
	for _, d := range c.AssociatedDealIDs {
		if s.deals[d] == nil {
			return fieldErr{"associated_deal_ids", fmt.Sprintf("deal %d does not exist", d)}
		}
	}
	return nil
}

func callJSON(c Call, now time.Time) map[string]any {
	return map[string]any{"id": c.ID, "user_id": 1, "phone_number": c.PhoneNumber, "incoming": c.Incoming,
		"missed": c.Missed, "duration": c.Duration, "made_at": c.MadeAt, "outcome_id": nilIfZero(c.OutcomeID),
		"resource_type": c.ResourceType, "resource_id": nilIfZero(c.ResourceID), "associated_deal_ids": orEmpty(c.AssociatedDealIDs),
		"summary": c.Summary, "recording_url": c.RecordingURL, "external_id": c.ExternalID,
		"updated_at": now.UTC().Format(time.RFC3339)}
}

func orEmpty(v []int64) []int64 {
	if v == nil {
		return []int64{}
	}
	return v
}

func nilIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func (s *Server) listCalls(w http.ResponseWriter, r *http.Request) {
	page, per, ok := s.paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	now := s.clock.Now()
	all := make([]map[string]any, 0, len(s.calls))
	for _, c := range s.calls {
		all = append(all, callJSON(c, now))
	}
	s.mu.Unlock()
	writeCollection(w, r, "call", all, page, per)
}

// createTask implements POST /v2/tasks (content is required).
func (s *Server) createTask(w http.ResponseWriter, r *http.Request) {
	m, body, ok := s.data(w, r)
	if !ok {
		return
	}
	t := Task{Raw: body}
	var err error
	if t.Content, err = getStr(m, "content", true); err != nil {
		s.invalid(w, err)
		return
	}
	for k, dst := range map[string]*string{"due_date": &t.DueDate, "remind_at": &t.RemindAt, "resource_type": &t.ResourceType} {
		if *dst, err = getStr(m, k, false); err == nil && k != "resource_type" {
			err = isoTime(*dst, k)
		}
		if err != nil {
			s.invalid(w, err)
			return
		}
	}
	if t.ResourceID, err = getInt(m, "resource_id"); err != nil {
		s.invalid(w, err)
		return
	}
	if t.Completed, err = getBool(m, "completed"); err != nil {
		s.invalid(w, err)
		return
	}
	switch t.ResourceType {
	case "", "contact", "deal", "lead":
	default:
		s.invalid(w, fieldErr{"resource_type", "must be one of lead, contact, deal"})
		return
	}
	s.mu.Lock()
	t.ID = s.id()
	s.tasks = append(s.tasks, t)
	s.mu.Unlock()
	writeItem(w, "task", taskJSON(t))
}

func taskJSON(t Task) map[string]any {
	return map[string]any{"id": t.ID, "content": t.Content, "due_date": t.DueDate, "remind_at": t.RemindAt,
		"resource_type": t.ResourceType, "resource_id": nilIfZero(t.ResourceID), "completed": t.Completed}
}

// listTasks implements GET /v2/tasks
// (https://developer.zendesk.com/api-reference/sales-crm/resources/tasks/#retrieve-all-tasks).
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) {
	page, per, ok := s.paging(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	all := make([]map[string]any, 0, len(s.tasks))
	for _, t := range s.tasks {
		all = append(all, taskJSON(t))
	}
	s.mu.Unlock()
	writeCollection(w, r, "task", all, page, per)
}

func contactJSON(c *Contact) map[string]any {
	name := c.Name
	if !c.IsOrganization {
		name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	return map[string]any{"id": c.ID, "is_organization": c.IsOrganization, "contact_id": nilIfZero(c.ContactID),
		"name": name, "first_name": c.FirstName, "last_name": c.LastName, "title": c.Title, "email": c.Email,
		"phone": c.Phone, "mobile": c.Mobile, "website": c.Website, "tags": orNone(c.Tags), "custom_fields": orNoFields(c.Custom),
		"address":    map[string]any{"line1": c.Line1, "city": c.City, "postal_code": "", "state": "", "country": ""},
		"updated_at": c.Updated.UTC().Format(time.RFC3339), "created_at": c.Updated.UTC().Format(time.RFC3339)}
}

type stamped struct {
	json    map[string]any
	id      int64
	updated time.Time
}

// writeSorted sorts recs by the request's sort_by (id, updated_at; 422
// for any other) and writes them as a page of a kind collection.
func (s *Server) writeSorted(w http.ResponseWriter, r *http.Request, kind string, recs []stamped, page, per int) {
	less := func(i, j int) bool { return recs[i].id < recs[j].id }
	switch r.URL.Query().Get("sort_by") {
	case "", "id", "id:asc":
	case "updated_at", "updated_at:asc":
		less = func(i, j int) bool { return recs[i].updated.Before(recs[j].updated) }
	case "updated_at:desc":
		less = func(i, j int) bool { return recs[i].updated.After(recs[j].updated) }
	default:
		s.invalid(w, fieldErr{"sort_by", "is not a sortable attribute"})
		return
	}
	for i := 1; i < len(recs); i++ { // insertion sort: stable, small sets
		for j := i; j > 0 && less(j, j-1); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
	all := make([]map[string]any, len(recs))
	for i, rc := range recs {
		all[i] = rc.json
	}
	writeCollection(w, r, kind, all, page, per)
}

// listContacts implements GET /v2/contacts with the filters the adapter
// uses: is_organization, phone, mobile, email (exact, as stored), ids
// (comma-separated) and name (case-insensitive substring).
func (s *Server) listContacts(w http.ResponseWriter, r *http.Request) {
	page, per, want, ok := s.pagedIDs(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var recs []stamped
	s.mu.Lock()
	for _, id := range sortedIDs(s.contacts) {
		c := s.contacts[id]
		if v := q.Get("is_organization"); v != "" && v != strconv.FormatBool(c.IsOrganization) {
			continue
		}
		if v := q.Get("phone"); v != "" && v != c.Phone {
			continue
		}
		if v := q.Get("mobile"); v != "" && v != c.Mobile {
			continue
		}
		if v := q.Get("email"); v != "" && !strings.EqualFold(v, c.Email) {
			continue
		}
		if !want(c.ID) {
			continue
		}
		j := contactJSON(c)
		if v := q.Get("name"); v != "" && !strings.Contains(strings.ToLower(j["name"].(string)), strings.ToLower(v)) {
			continue
		}
		recs = append(recs, stamped{j, c.ID, c.Updated})
	}
	s.mu.Unlock()
	s.writeSorted(w, r, "contact", recs, page, per)
}

func (s *Server) listDeals(w http.ResponseWriter, r *http.Request) {
	page, per, ok := s.paging(w, r)
	if !ok {
		return
	}
	var recs []stamped
	s.mu.Lock()
	for _, id := range sortedIDs(s.deals) {
		d := s.deals[id]
		recs = append(recs, stamped{map[string]any{"id": d.ID, "name": d.Name, "value": d.Value, "currency": d.Currency,
			"stage_id": d.StageID, "contact_id": nilIfZero(d.ContactID), "organization_id": nilIfZero(d.OrganizationID),
			"updated_at": d.Updated.UTC().Format(time.RFC3339)}, d.ID, d.Updated})
	}
	s.mu.Unlock()
	s.writeSorted(w, r, "deal", recs, page, per)
}

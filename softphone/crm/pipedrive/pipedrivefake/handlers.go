package pipedrivefake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const errInfo = "Please check developers.pipedrive.com for more information about Pipedrive API."

// outcomes is the AddCallLogRequest outcome enum.
var outcomes = map[string]bool{
	"connected": true, "no_answer": true, "left_message": true,
	"left_voicemail": true, "wrong_number": true, "busy": true,
}

var timeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$`)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/users/me", s.auth(s.usersMe))
	mux.HandleFunc("POST /v1/callLogs", s.auth(s.addCallLog))
	mux.HandleFunc("GET /v1/callLogs", s.auth(s.listCallLogs))
	mux.HandleFunc("POST /v1/activities", s.auth(s.addActivity))
	mux.HandleFunc("GET /v1/activities", s.auth(s.listActivities))
	mux.HandleFunc("GET /v1/persons/search", s.auth(s.searchPersons))
	mux.HandleFunc("GET /v1/persons", s.auth(s.listPersons))
	mux.HandleFunc("GET /v1/filters", s.auth(s.listFilters))
	mux.HandleFunc("GET /v1/organizations", s.auth(s.listOrgs))
	mux.HandleFunc("GET /v1/deals", s.auth(s.listDeals))
	mux.HandleFunc("GET /v1/recents", s.auth(s.recents))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Unknown method .", errInfo)
	})
	return mux
}

// auth accepts x-api-token, ?api_token= or an OAuth Bearer token
// (https://pipedrive.readme.io/docs/core-api-concepts-authentication).
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		expired, token := s.expired, s.token
		s.mu.Unlock()
		ok := false
		switch {
		case r.Header.Get("x-api-token") != "":
			ok = r.Header.Get("x-api-token") == token
		case r.URL.Query().Get("api_token") != "":
			ok = r.URL.Query().Get("api_token") == token
		case strings.HasPrefix(r.Header.Get("Authorization"), "Bearer "):
			ok = s.oauthToken != "" && strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") == s.oauthToken
		}
		if !ok || expired {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"success":false,"error":"unauthorized access","errorCode":401,"error_info":"`+errInfo+`"}`)
			return
		}
		h(w, r)
	}
}

func (s *Server) usersMe(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": 1, "name": "Test User", "email": "rep@example.com",
		"company_id": 77, "company_name": "Example Ltd", "company_domain": "example",
	}, nil)
}

// fields decodes a JSON object body, answering 400 when it is not one.
func fields(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, []byte, bool) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Could not read the request body", errInfo)
		return nil, nil, false
	}
	var m map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		writeError(w, http.StatusBadRequest, "Invalid JSON in the request body", errInfo)
		return nil, nil, false
	}
	return m, body, true
}

// str reads an optional string field; a non-string value is an error.
func str(m map[string]json.RawMessage, k string) (string, bool, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		return "", false, nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", true, fmt.Errorf("%s must be a string", k)
	}
	return v, true, nil
}

// integer reads an optional integer field.
func integer(m map[string]json.RawMessage, k string) (int64, error) {
	raw, ok := m[k]
	if !ok || string(raw) == "null" {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s must be an integer", k)
	}
	return n, nil
}

// addCallLog implements POST /v1/callLogs
// (https://developers.pipedrive.com/docs/api/v1/CallLogs#addCallLog).
func (s *Server) addCallLog(w http.ResponseWriter, r *http.Request) {
	m, body, ok := fields(w, r)
	if !ok {
		return
	}
	cl := CallLog{Raw: body}
	strs := map[string]*string{
		"outcome": &cl.Outcome, "to_phone_number": &cl.ToPhoneNumber, "from_phone_number": &cl.FromPhoneNumber,
		"start_time": &cl.StartTime, "end_time": &cl.EndTime, "duration": &cl.Duration,
		"subject": &cl.Subject, "note": &cl.Note,
	}
	for _, k := range []string{"outcome", "to_phone_number", "start_time", "end_time", "from_phone_number", "duration", "subject", "note"} {
		v, present, err := str(m, k)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), errInfo)
			return
		}
		switch k {
		case "outcome", "to_phone_number", "start_time", "end_time":
			if !present || v == "" {
				writeError(w, http.StatusBadRequest, k+" is required", errInfo)
				return
			}
		}
		*strs[k] = v
	}
	if !outcomes[cl.Outcome] {
		writeError(w, http.StatusBadRequest, "outcome must be one of connected, no_answer, left_message, left_voicemail, wrong_number, busy", errInfo)
		return
	}
	for _, t := range []string{cl.StartTime, cl.EndTime} {
		if !timeRE.MatchString(t) {
			writeError(w, http.StatusBadRequest, "start_time and end_time must be in UTC, format YYYY-MM-DD HH:MM:SS", errInfo)
			return
		}
		if _, err := time.Parse(TimeLayout, t); err != nil {
			writeError(w, http.StatusBadRequest, "invalid date "+t, errInfo)
			return
		}
	}
	if cl.Duration != "" {
		if n, err := strconv.Atoi(cl.Duration); err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "duration must be a number of seconds", errInfo)
			return
		}
	}
	var err error
	for k, dst := range map[string]*int64{"person_id": &cl.PersonID, "org_id": &cl.OrgID, "deal_id": &cl.DealID} {
		if *dst, err = integer(m, k); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), errInfo)
			return
		}
	}
	if _, ok := m["lead_id"]; ok && cl.DealID != 0 {
		writeError(w, http.StatusBadRequest, "A call log can be linked to a deal or a lead, not both", errInfo)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cl.PersonID != 0 && s.persons[cl.PersonID] == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Person with id %d not found", cl.PersonID), errInfo)
		return
	}
	if cl.DealID != 0 && s.deals[cl.DealID] == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Deal with id %d not found", cl.DealID), errInfo)
		return
	}
	if cl.OrgID != 0 && s.orgs[cl.OrgID] == nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Organization with id %d not found", cl.OrgID), errInfo)
		return
	}
	cl.ID = fmt.Sprintf("%032x", s.id()) // call log ids are strings
	s.callLogs = append(s.callLogs, cl)
	writeJSON(w, http.StatusOK, callLogJSON(cl), nil)
}

func callLogJSON(cl CallLog) map[string]any {
	out := map[string]any{
		"id": cl.ID, "outcome": cl.Outcome, "to_phone_number": cl.ToPhoneNumber,
		"from_phone_number": cl.FromPhoneNumber, "start_time": cl.StartTime, "end_time": cl.EndTime,
		"duration": cl.Duration, "subject": cl.Subject, "note": cl.Note,
		"has_recording": false, "user_id": 1, "company_id": 77, "activity_id": nil,
		"person_id": nil, "org_id": nil, "deal_id": nil,
	}
	for k, v := range map[string]int64{"person_id": cl.PersonID, "org_id": cl.OrgID, "deal_id": cl.DealID} {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// listCallLogs implements GET /v1/callLogs (limit at most 50).
func (s *Server) listCallLogs(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	logs := append([]CallLog(nil), s.callLogs...)
	s.mu.Unlock()
	start, end, p, err := paginate(r, len(logs), 50, 50)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	out := make([]map[string]any, 0, end-start)
	for _, cl := range logs[start:end] {
		out = append(out, callLogJSON(cl))
	}
	writeJSON(w, http.StatusOK, out, map[string]any{"pagination": p})
}

var dateRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
var hhmmRE = regexp.MustCompile(`^\d{2}:\d{2}$`)

// addActivity implements POST /v1/activities
// (https://developers.pipedrive.com/docs/api/v1/Activities#addActivity).
func (s *Server) addActivity(w http.ResponseWriter, r *http.Request) {
	m, body, ok := fields(w, r)
	if !ok {
		return
	}
	a := Activity{Raw: body, Type: "call", Subject: "Call"}
	for k, dst := range map[string]*string{"subject": &a.Subject, "type": &a.Type, "due_date": &a.DueDate, "due_time": &a.DueTime, "note": &a.Note} {
		v, present, err := str(m, k)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), errInfo)
			return
		}
		if present {
			*dst = v
		}
	}
	switch a.Type {
	case "call", "meeting", "task", "deadline", "email", "lunch":
	default:
		writeError(w, http.StatusBadRequest, "Activity type "+a.Type+" does not exist", errInfo)
		return
	}
	if a.DueDate != "" && !dateRE.MatchString(a.DueDate) {
		writeError(w, http.StatusBadRequest, "due_date must be YYYY-MM-DD", errInfo)
		return
	}
	if a.DueTime != "" && !hhmmRE.MatchString(a.DueTime) {
		writeError(w, http.StatusBadRequest, "due_time must be HH:MM", errInfo)
		return
	}
	done, err := integer(m, "done")
	if err != nil || done < 0 || done > 1 {
		writeError(w, http.StatusBadRequest, "done must be 0 or 1", errInfo)
		return
	}
	a.Done = int(done)
	for k, dst := range map[string]*int64{"person_id": &a.PersonID, "deal_id": &a.DealID} {
		if *dst, err = integer(m, k); err != nil {
			writeError(w, http.StatusBadRequest, err.Error(), errInfo)
			return
		}
	}
	s.mu.Lock()
	a.ID = s.id()
	s.activities = append(s.activities, a)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, activityJSON(a), nil)
}

func activityJSON(a Activity) map[string]any {
	return map[string]any{
		"id": a.ID, "subject": a.Subject, "type": a.Type, "done": a.Done == 1,
		"due_date": a.DueDate, "due_time": a.DueTime, "note": a.Note,
		"person_id": nilIfZero(a.PersonID), "deal_id": nilIfZero(a.DealID),
	}
}

// listActivities implements GET /v1/activities
// (https://developers.pipedrive.com/docs/api/v1/Activities#getActivities):
// the token user's activities, done and undone, start/limit paging
// (limit at most 500).
func (s *Server) listActivities(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	acts := append([]Activity(nil), s.activities...)
	s.mu.Unlock()
	if t := r.URL.Query().Get("type"); t != "" {
		kept := acts[:0]
		for _, a := range acts {
			if a.Type == t {
				kept = append(kept, a)
			}
		}
		acts = kept
	}
	start, end, p, err := paginate(r, len(acts), 100, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	out := make([]map[string]any, 0, end-start)
	for _, a := range acts[start:end] {
		out = append(out, activityJSON(a))
	}
	writeJSON(w, http.StatusOK, out, map[string]any{"pagination": p})
}

func nilIfZero(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// searchPersons implements GET /v1/persons/search
// (https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons).
// Phone matching is literal on the stored text (crm-apis.md §6); with
// exact_match the whole value must match, without it a substring does.
func (s *Server) searchPersons(w http.ResponseWriter, r *http.Request) {
	if ok, info := s.search.Take(s.clock.Now()); !ok {
		s.rateHeaders(w, r, info)
		writeError(w, http.StatusTooManyRequests, "Request over limit", "The Search API allows 10 requests per 2 seconds")
		return
	}
	q := r.URL.Query()
	term := q.Get("term")
	exact := q.Get("exact_match") == "true"
	if n := len([]rune(term)); n < 2 && !(exact && n == 1) {
		writeError(w, http.StatusBadRequest, "term must be at least 2 characters long", errInfo)
		return
	}
	want := map[string]bool{}
	if f := q.Get("fields"); f != "" {
		for _, x := range strings.Split(f, ",") {
			switch x {
			case "custom_fields", "email", "notes", "phone", "name":
				want[x] = true
			default:
				writeError(w, http.StatusBadRequest, "fields must be any of custom_fields, email, notes, phone, name", errInfo)
				return
			}
		}
	} else {
		want = map[string]bool{"email": true, "phone": true, "name": true}
	}
	match := func(v string) bool {
		if exact {
			return strings.EqualFold(v, term)
		}
		return strings.Contains(strings.ToLower(v), strings.ToLower(term))
	}
	s.mu.Lock()
	var items []map[string]any
	for _, id := range sortedIDs(s.persons) {
		p := s.persons[id]
		if p.Deleted {
			continue
		}
		hit := want["name"] && match(strings.TrimSpace(p.FirstName+" "+p.LastName))
		phones, emails := []string{}, []string{}
		for _, v := range p.Phones {
			phones = append(phones, v.Value)
			hit = hit || (want["phone"] && match(v.Value))
		}
		for _, v := range p.Emails {
			emails = append(emails, v.Value)
			hit = hit || (want["email"] && match(v.Value))
		}
		if !hit {
			continue
		}
		item := map[string]any{"id": p.ID, "type": "person", "name": strings.TrimSpace(p.FirstName + " " + p.LastName),
			"phones": phones, "emails": emails, "visible_to": 3, "owner": map[string]any{"id": 1},
			"custom_fields": []string{}, "notes": []string{}}
		if o := s.orgs[p.OrgID]; o != nil {
			item["organization"] = map[string]any{"id": o.ID, "name": o.Name, "address": o.Address}
		}
		items = append(items, map[string]any{"result_score": 1.0, "item": item})
	}
	s.mu.Unlock()
	start, end, p, err := paginate(r, len(items), 100, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": append([]map[string]any{}, items[start:end]...)}, map[string]any{"pagination": p})
}

func (s *Server) personJSON(p *Person) map[string]any {
	out := map[string]any{
		"id": p.ID, "name": strings.TrimSpace(p.FirstName + " " + p.LastName),
		"first_name": p.FirstName, "last_name": p.LastName, "job_title": p.JobTitle,
		"phone": orEmpty(p.Phones), "email": orEmpty(p.Emails),
		"update_time": p.Updated.UTC().Format(TimeLayout), "active_flag": !p.Deleted,
		"org_id": nil, "org_name": nil,
	}
	for k, v := range p.Custom {
		out[k] = v
	}
	if o := s.orgs[p.OrgID]; o != nil {
		// v1 returns related objects with "value" holding the id.
		out["org_id"] = map[string]any{"value": o.ID, "name": o.Name, "address": o.Address, "active_flag": !o.Deleted}
		out["org_name"] = o.Name
	}
	return out
}

func orEmpty(v []Value) []Value {
	if len(v) == 0 {
		return []Value{{Label: "work", Value: "", Primary: true}} // what v1 returns for no value
	}
	return v
}

func orgJSON(o *Organization) map[string]any {
	return map[string]any{"id": o.ID, "name": o.Name, "address": o.Address,
		"update_time": o.Updated.UTC().Format(TimeLayout), "active_flag": !o.Deleted}
}

func (s *Server) dealJSON(d *Deal) map[string]any {
	out := map[string]any{"id": d.ID, "title": d.Title, "value": json.Number(orZero(d.Value)), "currency": d.Currency,
		"stage_id": d.StageID, "status": d.Status, "deleted": d.Status == "deleted", "active": d.Status == "open",
		"update_time": d.Updated.UTC().Format(TimeLayout), "person_id": nil, "org_id": nil}
	if p := s.persons[d.PersonID]; p != nil {
		out["person_id"] = map[string]any{"value": p.ID, "name": strings.TrimSpace(p.FirstName + " " + p.LastName)}
	}
	if o := s.orgs[d.OrgID]; o != nil {
		out["org_id"] = map[string]any{"value": o.ID, "name": o.Name}
	}
	return out
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// objects returns the JSON of every record of an item type with its
// update time, in id order; deleted records are included only when all.
func (s *Server) objects(item string, all bool) ([]map[string]any, []time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	var ts []time.Time
	switch item {
	case "person":
		for _, id := range sortedIDs(s.persons) {
			if p := s.persons[id]; all || !p.Deleted {
				out, ts = append(out, s.personJSON(p)), append(ts, p.Updated)
			}
		}
	case "organization":
		for _, id := range sortedIDs(s.orgs) {
			if o := s.orgs[id]; all || !o.Deleted {
				out, ts = append(out, orgJSON(o)), append(ts, o.Updated)
			}
		}
	case "deal":
		for _, id := range sortedIDs(s.deals) {
			if d := s.deals[id]; all || d.Status != "deleted" {
				out, ts = append(out, s.dealJSON(d)), append(ts, d.Updated)
			}
		}
	}
	return out, ts
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, item string) {
	objs, _ := s.objects(item, false)
	start, end, p, err := paginate(r, len(objs), 100, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, objs[start:end]...), map[string]any{"pagination": p})
}

func (s *Server) listPersons(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("filter_id") {
		s.listFilterPersons(w, r)
		return
	}
	s.list(w, r, "person")
}
func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request)  { s.list(w, r, "organization") }
func (s *Server) listDeals(w http.ResponseWriter, r *http.Request) { s.list(w, r, "deal") }

// recents implements GET /v1/recents
// (https://developers.pipedrive.com/docs/api/v1/Recents#getRecents):
// records of the given item type updated at or after since_timestamp,
// oldest first, deleted ones included with active_flag false.
func (s *Server) recents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := time.Parse(TimeLayout, q.Get("since_timestamp"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "since_timestamp is required, format YYYY-MM-DD HH:MM:SS", errInfo)
		return
	}
	item := q.Get("items")
	switch item {
	case "person", "organization", "deal":
	default:
		writeError(w, http.StatusBadRequest, "items must be one of activity, activityType, deal, file, filter, note, person, organization, pipeline, product, stage, user", errInfo)
		return
	}
	objs, ts := s.objects(item, true)
	type rec struct {
		obj map[string]any
		t   time.Time
	}
	var recs []rec
	for i, o := range objs {
		if !ts[i].Before(since) {
			recs = append(recs, rec{o, ts[i]})
		}
	}
	// oldest first, stable by id
	for i := 1; i < len(recs); i++ {
		for j := i; j > 0 && recs[j].t.Before(recs[j-1].t); j-- {
			recs[j], recs[j-1] = recs[j-1], recs[j]
		}
	}
	start, end, p, err := paginate(r, len(recs), 100, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	out := []map[string]any{}
	last := ""
	for _, rc := range recs[start:end] {
		out = append(out, map[string]any{"item": item, "id": rc.obj["id"], "data": rc.obj})
		last = rc.t.UTC().Format(TimeLayout)
	}
	writeJSON(w, http.StatusOK, out, map[string]any{"since_timestamp": q.Get("since_timestamp"), "last_timestamp_on_page": last, "pagination": p})
}

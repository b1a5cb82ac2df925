package zohofake

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /crm/v2/org", s.auth(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"org": []any{map[string]any{"id": "20050001", "company_name": "Example Ltd", "primary_email": "admin@example.com", "domain_name": "org20050001"}}})
	}))
	mux.HandleFunc("GET /crm/v2/users", s.auth(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("type") != "CurrentUser" {
			writeStatus(w, 400, "INVALID_DATA", "the fake serves type=CurrentUser only", map[string]any{"param_name": "type"})
			return
		}
		writeJSON(w, 200, map[string]any{"users": []any{map[string]any{"id": "20050002", "full_name": "Test Rep", "email": "rep@example.com"}}})
	}))
	mux.HandleFunc("GET /crm/v2/settings/fields", s.auth(s.fields))
	mux.HandleFunc("POST /crm/v2/Calls", s.auth(func(w http.ResponseWriter, r *http.Request) { s.insert(w, r, "Calls") }))
	mux.HandleFunc("POST /crm/v2/Tasks", s.auth(func(w http.ResponseWriter, r *http.Request) { s.insert(w, r, "Tasks") }))
	mux.HandleFunc("GET /crm/v2/Calls/search", s.auth(func(w http.ResponseWriter, r *http.Request) { s.searchWord(w, r, "Calls") }))
	mux.HandleFunc("GET /crm/v2/Tasks/search", s.auth(func(w http.ResponseWriter, r *http.Request) { s.searchWord(w, r, "Tasks") }))
	mux.HandleFunc("GET /crm/v2/Contacts/search", s.auth(s.searchContacts))
	mux.HandleFunc("GET /crm/v2/settings/custom_views", s.auth(s.listViews))
	mux.HandleFunc("GET /crm/v2/{module}", s.auth(s.list))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeStatus(w, 404, "INVALID_URL_PATTERN", "Please check if the URL trying to access is a correct one", nil)
	})
	return mux
}

// auth requires "Authorization: Zoho-oauthtoken <token>".
func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		expired, token := s.expired, s.token
		s.mu.Unlock()
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Zoho-oauthtoken ")
		if !ok {
			writeStatus(w, 401, "AUTHENTICATION_FAILURE", "Authentication failed", nil)
			return
		}
		if tok != token || expired {
			writeStatus(w, 401, "INVALID_TOKEN", "invalid oauth token", nil)
			return
		}
		h(w, r)
	}
}

// fields serves the Call_Result and Call_Type picklists of the Calls
// module (https://www.zoho.com/crm/developer/docs/api/v2/field-meta.html).
func (s *Server) fields(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("module") != "Calls" {
		writeStatus(w, 400, "INVALID_MODULE", "the module name given seems to be invalid", nil)
		return
	}
	pl := func(vals []string) []any {
		out := []any{map[string]any{"display_value": "-None-", "actual_value": "-None-"}}
		for _, v := range vals {
			out = append(out, map[string]any{"display_value": v, "actual_value": v})
		}
		return out
	}
	writeJSON(w, 200, map[string]any{"fields": []any{
		map[string]any{"api_name": "Call_Type", "data_type": "picklist", "pick_list_values": pl([]string{"Inbound", "Outbound", "Missed"})},
		map[string]any{"api_name": "Call_Result", "data_type": "picklist", "pick_list_values": pl(s.results)},
	}})
}

var (
	startRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$`)
	durationRE = regexp.MustCompile(`^\d{1,4}:[0-5]\d$`)
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

type recErr struct {
	code, msg, field string
}

func (s *Server) lookupExists(module, id string) bool {
	switch module {
	case "Contacts":
		return s.contacts[id] != nil
	case "Accounts":
		return s.accounts[id] != nil
	case "Deals":
		return s.deals[id] != nil
	}
	return false
}

func lookupID(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case map[string]any:
		id, ok := x["id"].(string)
		return id, ok
	}
	return "", false
}

// validate checks one record; s.mu is held.
func (s *Server) validate(module string, f map[string]any) *recErr {
	str := func(k string) (string, *recErr) {
		v, ok := f[k]
		if !ok || v == nil {
			return "", nil
		}
		sv, ok := v.(string)
		if !ok {
			return "", &recErr{"INVALID_DATA", "invalid data", k}
		}
		return sv, nil
	}
	mandatory := []string{"Subject"}
	if module == "Calls" {
		// Kaizen #38: Call_Type and Call_Start_Time are mandatory.
		// UNCONFIRMED (crm-apis.md §4.1): Subject is mandatory too.
		mandatory = append(mandatory, "Call_Type", "Call_Start_Time")
	}
	for _, k := range mandatory {
		v, e := str(k)
		if e != nil {
			return e
		}
		if v == "" {
			return &recErr{"MANDATORY_NOT_FOUND", "required field not found", k}
		}
	}
	for _, k := range []string{"Description", "Call_Result", "Call_Duration", "Caller_ID", "Dialled_Number", "Due_Date", "Status"} {
		if _, e := str(k); e != nil {
			return e
		}
	}
	if module == "Calls" {
		typ, _ := str("Call_Type")
		if typ != "Inbound" && typ != "Outbound" && typ != "Missed" {
			return &recErr{"INVALID_DATA", "invalid data", "Call_Type"}
		}
		start, _ := str("Call_Start_Time")
		if !startRE.MatchString(start) {
			return &recErr{"INVALID_DATA", "invalid data", "Call_Start_Time"}
		}
		if _, err := time.Parse(TimeLayout, start); err != nil {
			return &recErr{"INVALID_DATA", "invalid data", "Call_Start_Time"}
		}
		dur, _ := str("Call_Duration")
		if dur == "" && typ != "Missed" {
			return &recErr{"MANDATORY_NOT_FOUND", "required field not found", "Call_Duration"}
		}
		if dur != "" && !durationRE.MatchString(dur) {
			return &recErr{"INVALID_DATA", "invalid data", "Call_Duration"}
		}
		if v, ok := f["Call_Duration_in_seconds"]; ok && v != nil {
			n, ok := v.(json.Number)
			if _, err := n.Int64(); !ok || err != nil {
				return &recErr{"INVALID_DATA", "invalid data", "Call_Duration_in_seconds"}
			}
		}
		if res, _ := str("Call_Result"); res != "" {
			ok := false
			for _, v := range s.results {
				ok = ok || v == res
			}
			if !ok {
				return &recErr{"INVALID_DATA", "invalid data", "Call_Result"}
			}
		}
	}
	if d, _ := str("Due_Date"); d != "" && !dateRE.MatchString(d) {
		return &recErr{"INVALID_DATA", "invalid data", "Due_Date"}
	}
	if v, ok := f["Who_Id"]; ok && v != nil {
		id, ok := lookupID(v)
		if !ok || !s.lookupExists("Contacts", id) {
			return &recErr{"INVALID_DATA", "invalid data", "Who_Id"}
		}
	}
	if v, ok := f["What_Id"]; ok && v != nil {
		mod, _ := f["$se_module"].(string)
		if mod == "" {
			return &recErr{"MANDATORY_NOT_FOUND", "required field not found", "$se_module"}
		}
		id, ok := lookupID(v)
		if !ok || !s.lookupExists(mod, id) {
			return &recErr{"INVALID_DATA", "invalid data", "What_Id"}
		}
	}
	return nil
}

// insert implements POST /crm/v2/{Calls,Tasks}
// (https://www.zoho.com/crm/developer/docs/api/v2/insert-records.html).
// UNCONFIRMED (crm-apis.md §4.4): 201 when every record was created, 207
// when some were, 400 when none.
func (s *Server) insert(w http.ResponseWriter, r *http.Request, module string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		writeStatus(w, 400, "INVALID_DATA", "could not read the body", nil)
		return
	}
	var env struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		writeStatus(w, 400, "INVALID_DATA", "body is not valid JSON", nil)
		return
	}
	if len(env.Data) == 0 {
		writeStatus(w, 400, "MANDATORY_NOT_FOUND", "required field not found", map[string]any{"api_name": "data"})
		return
	}
	if len(env.Data) > 100 {
		writeStatus(w, 400, "LIMIT_REACHED", "the number of records exceeds the limit of 100", map[string]any{"limit": 100})
		return
	}
	results := make([]any, len(env.Data))
	ok, failed := 0, 0
	s.mu.Lock()
	now := s.clock.Now().Format(TimeLayout)
	for i, raw := range env.Data {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var f map[string]any
		if err := dec.Decode(&f); err != nil || f == nil {
			results[i] = map[string]any{"code": "INVALID_DATA", "details": map[string]any{}, "message": "invalid data", "status": "error"}
			failed++
			continue
		}
		if e := s.validate(module, f); e != nil {
			results[i] = map[string]any{"code": e.code, "details": map[string]any{"api_name": e.field}, "message": e.msg, "status": "error"}
			failed++
			continue
		}
		id := s.id()
		s.records = append(s.records, Record{ID: id, Module: module, Fields: f, Raw: raw})
		results[i] = map[string]any{"code": "SUCCESS", "status": "success", "message": "record added",
			"details": map[string]any{"id": id, "Created_Time": now, "Modified_Time": now,
				"Created_By": map[string]any{"id": "20050002", "name": "Test Rep"}, "Modified_By": map[string]any{"id": "20050002", "name": "Test Rep"}}}
		ok++
	}
	s.mu.Unlock()
	code := http.StatusCreated
	switch {
	case ok == 0:
		code = http.StatusBadRequest
	case failed > 0:
		code = http.StatusMultiStatus
	}
	writeJSON(w, code, map[string]any{"data": results})
}

// page answers a list or search: 204 when empty.
func page(w http.ResponseWriter, r *http.Request, all []map[string]any) {
	q := r.URL.Query()
	pg, per := 1, 200
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeStatus(w, 400, "INVALID_DATA", "invalid page", map[string]any{"param_name": "page"})
			return
		}
		pg = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 200 {
			writeStatus(w, 400, "INVALID_DATA", "per_page must be between 1 and 200", map[string]any{"param_name": "per_page"})
			return
		}
		per = n
	}
	start := min((pg-1)*per, len(all))
	end := min(start+per, len(all))
	if end == start {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, 200, map[string]any{"data": all[start:end],
		"info": map[string]any{"per_page": per, "count": end - start, "page": pg, "more_records": end < len(all)}})
}

func (s *Server) contactJSON(c *Contact) map[string]any {
	out := map[string]any{"id": c.ID, "First_Name": c.FirstName, "Last_Name": c.LastName, "Full_Name": strings.TrimSpace(c.FirstName + " " + c.LastName),
		"Email": c.Email, "Title": c.Title, "Phone": c.Phone, "Mobile": c.Mobile,
		"Mailing_Street": c.Street, "Mailing_City": c.City, "Modified_Time": c.Modified.Format(TimeLayout), "Account_Name": nil}
	if a := s.accounts[c.AccountID]; a != nil {
		out["Account_Name"] = map[string]any{"id": a.ID, "name": a.Name}
	}
	for k, v := range c.Custom {
		out[k] = v
	}
	return out
}

// searchContacts implements GET /crm/v2/Contacts/search with exactly one
// of criteria, email, phone or word
// (https://www.zoho.com/crm/developer/docs/api/v2/search-records.html).
// phone matches Phone or Mobile literally (crm-apis.md §6).
func (s *Server) searchContacts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	n := 0
	for _, k := range []string{"criteria", "email", "phone", "word"} {
		if q.Get(k) != "" {
			n++
		}
	}
	if n != 1 {
		writeStatus(w, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", map[string]any{"param": []string{"criteria", "email", "phone", "word"}})
		return
	}
	if q.Get("criteria") != "" {
		writeStatus(w, 400, "INVALID_QUERY", "the fake does not evaluate criteria", nil)
		return
	}
	var all []map[string]any
	s.mu.Lock()
	for _, id := range sortedKeys(s.contacts) {
		c := s.contacts[id]
		hit := false
		switch {
		case q.Get("phone") != "":
			hit = q.Get("phone") == c.Phone || q.Get("phone") == c.Mobile
		case q.Get("email") != "":
			hit = strings.EqualFold(q.Get("email"), c.Email)
		default:
			word := strings.ToLower(q.Get("word"))
			for _, v := range []string{c.FirstName, c.LastName, c.Email, c.Phone, c.Mobile} {
				hit = hit || strings.Contains(strings.ToLower(v), word)
			}
		}
		if hit {
			all = append(all, s.contactJSON(c))
		}
	}
	s.mu.Unlock()
	page(w, r, all)
}

// searchWord implements GET /crm/v2/{Calls,Tasks}/search?word= over
// Subject and Description.
func (s *Server) searchWord(w http.ResponseWriter, r *http.Request, module string) {
	word := strings.ToLower(r.URL.Query().Get("word"))
	if word == "" {
		writeStatus(w, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", nil)
		return
	}
	var all []map[string]any
	s.mu.Lock()
	for _, rec := range s.records {
		if rec.Module != module {
			continue
		}
		if strings.Contains(strings.ToLower(rec.Str("Subject")), word) || strings.Contains(strings.ToLower(rec.Str("Description")), word) {
			m := map[string]any{"id": rec.ID}
			for k, v := range rec.Fields {
				m[k] = v
			}
			all = append(all, m)
		}
	}
	s.mu.Unlock()
	page(w, r, all)
}

// list implements GET /crm/v2/{Contacts,Accounts,Deals} sorted by
// Modified_Time with If-Modified-Since
// (https://www.zoho.com/crm/developer/docs/api/v2/get-records.html):
// 304 when nothing changed since, 204 when the module is empty.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	module := r.PathValue("module")
	if r.URL.Query().Has("cvid") {
		s.listView(w, r, module)
		return
	}
	var since time.Time
	if v := r.Header.Get("If-Modified-Since"); v != "" {
		t, err := time.Parse(TimeLayout, v)
		if err != nil {
			writeStatus(w, 400, "INVALID_DATA", "If-Modified-Since must be ISO-8601 with offset", nil)
			return
		}
		since = t
	}
	type rec struct {
		j map[string]any
		t time.Time
	}
	var recs []rec
	s.mu.Lock()
	switch module {
	case "Contacts":
		for _, id := range sortedKeys(s.contacts) {
			recs = append(recs, rec{s.contactJSON(s.contacts[id]), s.contacts[id].Modified})
		}
	case "Accounts":
		for _, id := range sortedKeys(s.accounts) {
			a := s.accounts[id]
			recs = append(recs, rec{map[string]any{"id": a.ID, "Account_Name": a.Name, "Phone": a.Phone, "Website": a.Website,
				"Billing_Street": a.Street, "Billing_City": a.City, "Modified_Time": a.Modified.Format(TimeLayout)}, a.Modified})
		}
	case "Deals":
		for _, id := range sortedKeys(s.deals) {
			d := s.deals[id]
			j := map[string]any{"id": d.ID, "Deal_Name": d.Name, "Amount": json.Number(orZero(d.Amount)), "Currency": d.Currency,
				"Stage": d.Stage, "Modified_Time": d.Modified.Format(TimeLayout), "Contact_Name": nil, "Account_Name": nil}
			if c := s.contacts[d.ContactID]; c != nil {
				j["Contact_Name"] = map[string]any{"id": c.ID, "name": strings.TrimSpace(c.FirstName + " " + c.LastName)}
			}
			if a := s.accounts[d.AccountID]; a != nil {
				j["Account_Name"] = map[string]any{"id": a.ID, "name": a.Name}
			}
			recs = append(recs, rec{j, d.Modified})
		}
	default:
		s.mu.Unlock()
		writeStatus(w, 400, "INVALID_MODULE", "the module name given seems to be invalid", nil)
		return
	}
	s.mu.Unlock()
	q := r.URL.Query()
	if sb := q.Get("sort_by"); sb != "" && sb != "Modified_Time" && sb != "Created_Time" && sb != "id" {
		writeStatus(w, 400, "INVALID_DATA", "invalid sort_by", map[string]any{"param_name": "sort_by"})
		return
	}
	if q.Get("sort_by") == "Modified_Time" {
		desc := q.Get("sort_order") == "desc"
		for i := 1; i < len(recs); i++ {
			for j := i; j > 0 && (recs[j].t.Before(recs[j-1].t) != desc) && !recs[j].t.Equal(recs[j-1].t); j-- {
				recs[j], recs[j-1] = recs[j-1], recs[j]
			}
		}
	}
	var all []map[string]any
	for _, rc := range recs {
		if since.IsZero() || !rc.t.Before(since) {
			all = append(all, rc.j)
		}
	}
	if !since.IsZero() && len(all) == 0 {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	page(w, r, all)
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

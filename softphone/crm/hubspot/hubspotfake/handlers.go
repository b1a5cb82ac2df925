package hubspotfake

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// controlPrefix serves read-only views of the store, without auth, faults
// or limits, for a test driving a fake that runs in another process.
const controlPrefix = "/_fake/"

// searchCap is the most results HubSpot's search pages through
// (crm-apis notes §1.6).
const searchCap = 10_000

// callStatuses are hs_call_status's options (crm-apis notes §1.1).
var callStatuses = []string{"BUSY", "CALLING_CRM_USER", "CANCELED", "COMPLETED", "CONNECTING", "FAILED", "IN_PROGRESS", "NO_ANSWER", "QUEUED", "RINGING"}

// assocTargets maps (from type, associationTypeId) to the target type.
// 194 (call→contact) is in HubSpot's own example; 182, 206 and the task
// ids 204, 192, 216 are the widely quoted HUBSPOT_DEFINED ids, UNCONFIRMED
// here (crm-apis notes §1.3).
var assocTargets = map[string]map[int]string{
	"calls": {194: "contacts", 182: "companies", 206: "deals"},
	"tasks": {204: "contacts", 192: "companies", 216: "deals"},
}

// defaultProps are returned when a read names no properties.
var defaultProps = map[string][]string{
	"contacts":  {"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
	"companies": {"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
	"deals":     {"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"},
	"calls":     {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	"tasks":     {"hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// apiError is HubSpot's error body (calls.json #/components/schemas/Error).
type apiError struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	Context       map[string][]string `json:"context,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
}

type errorDetail struct {
	Message string `json:"message"`
	In      string `json:"in,omitempty"`
	Code    string `json:"code,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, category, msg string, ctx map[string][]string, details ...errorDetail) {
	writeJSON(w, status, apiError{Status: "error", Message: msg, CorrelationID: newUUID(), Category: category, Context: ctx, Errors: details})
}

func writeRateLimit(w http.ResponseWriter, msg, policy string) {
	writeJSON(w, http.StatusTooManyRequests, map[string]string{
		"status": "error", "message": msg, "errorType": "RATE_LIMIT",
		"correlationId": newUUID(), "policyName": policy, "requestId": newUUID(),
	})
}

// serve is the fake behind the fault injector.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	if !s.checkAuth(w, r) {
		return
	}
	if !s.takeDaily() {
		writeRateLimit(w, "You have reached your daily limit.", "DAILY")
		return
	}
	if err := s.specs.validate(r); err != nil {
		if errors.Is(err, errNoRoute) {
			if !strings.HasPrefix(r.URL.Path, "/crm/") {
				goto dispatch
			}
			writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to infer object type from: "+r.URL.Path, nil)
			return
		}
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
dispatch:
	path := r.URL.Path
	switch {
	case r.Method == http.MethodGet && path == "/account-info/v3/details":
		writeJSON(w, http.StatusOK, map[string]any{
			"portalId": s.cfg.portalID, "accountType": "STANDARD", "timeZone": s.cfg.timeZone,
			"companyCurrency": "USD", "additionalCurrencies": []string{}, "utcOffset": "+00:00",
			"utcOffsetMilliseconds": 0, "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1",
		})
	case r.Method == http.MethodGet && path == "/calling/v1/dispositions":
		writeJSON(w, http.StatusOK, s.cfg.dispositions)
	case path == "/crm/v3/lists" || strings.HasPrefix(path, "/crm/v3/lists/"):
		s.serveLists(w, r, strings.TrimPrefix(strings.TrimPrefix(path, "/crm/v3/lists"), "/"))
	case strings.HasPrefix(path, "/crm/v3/objects/"):
		s.serveObjects(w, r, strings.TrimPrefix(path, "/crm/v3/objects/"))
	case r.Method == http.MethodPut && strings.HasPrefix(path, "/crm/v4/objects/"):
		s.serveAssociateDefault(w, r, strings.TrimPrefix(path, "/crm/v4/objects/"))
	default:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route for "+r.Method+" "+path, nil)
	}
}

func (s *Server) checkAuth(w http.ResponseWriter, r *http.Request) bool {
	tok := bearer(r)
	s.mu.Lock()
	exp, ok := s.tokens[tok]
	now := s.cfg.clock.Now()
	s.mu.Unlock()
	switch {
	case tok == "" || !ok:
		writeError(w, http.StatusUnauthorized, "INVALID_AUTHENTICATION",
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview", nil)
		return false
	case !exp.IsZero() && !now.Before(exp):
		writeError(w, http.StatusUnauthorized, "EXPIRED_AUTHENTICATION",
			fmt.Sprintf("The OAuth token used to make this call expired %d second(s) ago.", int(now.Sub(exp).Seconds())), nil)
		return false
	}
	return true
}

func (s *Server) serveObjects(w http.ResponseWriter, r *http.Request, rest string) {
	typ, tail, _ := strings.Cut(rest, "/")
	if _, ok := s.objects[typ]; !ok {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "Unable to infer object type from: "+typ, nil)
		return
	}
	switch {
	case r.Method == http.MethodGet && tail == "":
		s.serveList(w, r, typ)
	case r.Method == http.MethodPost && tail == "search":
		s.serveSearch(w, r, typ)
	case r.Method == http.MethodPost && tail == "batch/read":
		s.serveBatchRead(w, r, typ)
	case r.Method == http.MethodPost && tail == "batch/create":
		s.serveBatchCreate(w, r, typ)
	case r.Method == http.MethodPost && tail == "":
		s.serveCreate(w, r, typ)
	default:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route for "+r.Method+" "+r.URL.Path, nil)
	}
}

// publicObject is SimplePublicObject(WithAssociations).
type publicObject struct {
	ID                 string                   `json:"id"`
	Properties         map[string]string        `json:"properties"`
	CreatedAt          string                   `json:"createdAt"`
	UpdatedAt          string                   `json:"updatedAt"`
	Archived           bool                     `json:"archived"`
	ObjectWriteTraceID string                   `json:"objectWriteTraceId,omitempty"`
	Associations       map[string]assocResponse `json:"associations,omitempty"`
}

type assocResponse struct {
	Results []assocID `json:"results"`
}

type assocID struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func singular(typ string) string { return strings.TrimSuffix(strings.TrimSuffix(typ, "s"), "ie") }

func (o *Object) public(props []string, assocTypes []string) publicObject {
	p := map[string]string{}
	if props == nil {
		props = defaultProps[o.Type]
	}
	for _, k := range props {
		if v, ok := o.Properties[k]; ok {
			p[k] = v
		}
	}
	p["hs_object_id"] = o.ID
	po := publicObject{ID: o.ID, Properties: p, CreatedAt: isoTime(o.CreatedAt), UpdatedAt: isoTime(o.UpdatedAt)}
	for _, at := range assocTypes {
		var res []assocID
		for _, a := range o.Associations {
			if a.ToType == at {
				res = append(res, assocID{ID: a.ToID, Type: singular(o.Type) + "_to_" + singular(at)})
			}
		}
		if res != nil {
			if po.Associations == nil {
				po.Associations = map[string]assocResponse{}
			}
			po.Associations[at] = assocResponse{Results: res}
		}
	}
	return po
}

// queryList reads a form-exploded or comma-separated list parameter.
func queryList(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

type paging struct {
	Next *struct {
		After string `json:"after"`
		Link  string `json:"link,omitempty"`
	} `json:"next,omitempty"`
}

func nextPage(after string) *paging {
	p := &paging{}
	p.Next = &struct {
		After string `json:"after"`
		Link  string `json:"link,omitempty"`
	}{After: after, Link: "?after=" + after}
	return p
}

// serveList is GET /crm/v3/objects/{type}: pages in id order; after is
// the next id (HubSpot's cursor is opaque; clients pass it back).
func (s *Server) serveList(w http.ResponseWriter, r *http.Request, typ string) {
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v) // the spec validated it as int32
	}
	limit = min(max(limit, 1), 100)
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	props := queryList(r, "properties")
	assocs := queryList(r, "associations")
	s.mu.Lock()
	var page []publicObject
	var next string
	for _, id := range s.order[typ] {
		n, _ := strconv.ParseInt(id, 10, 64)
		if n < after {
			continue
		}
		if len(page) == limit {
			next = id
			break
		}
		page = append(page, s.objects[typ][id].public(props, assocs))
	}
	s.mu.Unlock()
	resp := map[string]any{"results": nonNil(page)}
	if next != "" {
		resp["paging"] = nextPage(next)
	}
	writeJSON(w, http.StatusOK, resp)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) serveSearch(w http.ResponseWriter, r *http.Request, typ string) {
	var req searchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	if len(req.FilterGroups) > 5 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Too many filter groups (max 5)", nil)
		return
	}
	for _, g := range req.FilterGroups {
		if len(g.Filters) > 6 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Too many filters in a group (max 6)", nil)
			return
		}
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	if limit > 200 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "limit must be at most 200", nil)
		return
	}
	offset := 0
	if req.After != "" {
		n, err := strconv.Atoi(req.After)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "invalid after: "+req.After, nil)
			return
		}
		offset = n
	}
	if offset >= searchCap {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("There was a problem with the request. The search API returns at most %d results; narrow the filters.", searchCap), nil)
		return
	}
	cutoff := s.cfg.clock.Now().Add(-s.cfg.searchLag)
	s.mu.Lock()
	var hits []*Object
	for _, id := range s.order[typ] {
		o := s.objects[typ][id]
		if s.cfg.searchLag > 0 && o.UpdatedAt.After(cutoff) {
			continue // not indexed yet
		}
		if req.matches(o) {
			hits = append(hits, o)
		}
	}
	for i := len(req.Sorts) - 1; i >= 0; i-- {
		prop, desc := strings.CutPrefix(req.Sorts[i], "-")
		slices.SortStableFunc(hits, func(a, b *Object) int {
			c := compare(a.Properties[prop], b.Properties[prop])
			if desc {
				c = -c
			}
			return c
		})
	}
	total := len(hits)
	end := min(offset+limit, total)
	var page []publicObject
	props := req.Properties
	if len(props) == 0 {
		props = nil
	}
	for _, o := range hits[min(offset, total):end] {
		page = append(page, o.public(props, nil))
	}
	s.mu.Unlock()
	resp := map[string]any{"total": total, "results": nonNil(page)}
	if end < total && end < searchCap {
		resp["paging"] = nextPage(strconv.Itoa(end))
	}
	writeJSON(w, http.StatusOK, resp)
}

// createInput is SimplePublicObjectBatchInputForCreate.
type createInput struct {
	Properties         map[string]string `json:"properties"`
	ObjectWriteTraceID string            `json:"objectWriteTraceId"`
	Associations       []struct {
		To struct {
			ID string `json:"id"`
		} `json:"to"`
		Types []struct {
			Category string `json:"associationCategory"`
			TypeID   int    `json:"associationTypeId"`
		} `json:"types"`
	} `json:"associations"`
}

// check validates one input beyond the schema: required and enumerated
// properties, association targets. It returns the associations to store.
func (s *Server) checkInput(typ string, in *createInput) ([]Association, *apiError) {
	bad := func(cat, msg string) *apiError {
		e := &apiError{Status: "error", Category: cat, Message: msg, CorrelationID: newUUID()}
		if in.ObjectWriteTraceID != "" {
			e.Context = map[string][]string{"objectWriteTraceId": {in.ObjectWriteTraceID}}
		}
		return e
	}
	p := in.Properties
	ts, ok := p["hs_timestamp"]
	if !ok {
		return nil, bad("VALIDATION_ERROR", "Property values were not valid: hs_timestamp is required")
	}
	if _, ok := timeValue(ts); !ok {
		return nil, bad("VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: %q is not a valid hs_timestamp", ts))
	}
	if typ == "calls" {
		if d, ok := p["hs_call_direction"]; ok && d != "INBOUND" && d != "OUTBOUND" {
			return nil, bad("VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: %q was not one of the allowed options for hs_call_direction", d))
		}
		if st, ok := p["hs_call_status"]; ok && !slices.Contains(callStatuses, st) {
			return nil, bad("VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: %q was not one of the allowed options for hs_call_status", st))
		}
		if d, ok := p["hs_call_disposition"]; ok && d != "" && !slices.ContainsFunc(s.cfg.dispositions, func(x Disposition) bool { return x.ID == d }) {
			return nil, bad("VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: %q was not one of the allowed options for hs_call_disposition", d))
		}
		if d, ok := p["hs_call_duration"]; ok {
			if n, err := strconv.ParseInt(d, 10, 64); err != nil || n < 0 {
				return nil, bad("VALIDATION_ERROR", fmt.Sprintf("Property values were not valid: %q is not a valid number for hs_call_duration", d))
			}
		}
		if u, ok := p["hs_call_recording_url"]; ok && !strings.HasPrefix(u, "https://") {
			return nil, bad("VALIDATION_ERROR", "Property values were not valid: hs_call_recording_url must be an https URL")
		}
	}
	var out []Association
	for _, a := range in.Associations {
		for _, t := range a.Types {
			target, ok := assocTargets[typ][t.TypeID]
			if !ok || t.Category != "HUBSPOT_DEFINED" {
				return nil, bad("VALIDATION_ERROR", fmt.Sprintf("%s association type %d is not valid from %s", t.Category, t.TypeID, typ))
			}
			if s.objects[target][a.To.ID] == nil {
				return nil, bad("VALIDATION_ERROR", fmt.Sprintf("One or more associations are invalid: %s %s does not exist", singular(target), a.To.ID))
			}
			out = append(out, Association{ToType: target, ToID: a.To.ID, TypeID: t.TypeID, Category: t.Category})
		}
	}
	return out, nil
}

// serveBatchCreate is POST /crm/v3/objects/{type}/batch/create: 201 when
// every input was created, 207 with errors when only some were, 400 when
// none was. (Which of HubSpot's validation failures are reported per item
// rather than for the whole batch is UNCONFIRMED; crm-apis notes §1.4.)
func (s *Server) serveBatchCreate(w http.ResponseWriter, r *http.Request, typ string) {
	started := s.cfg.clock.Now()
	var req struct {
		Inputs []createInput `json:"inputs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	if len(req.Inputs) > s.cfg.maxBatch {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR",
			fmt.Sprintf("Batch input size %d exceeds the maximum of %d", len(req.Inputs), s.cfg.maxBatch), nil)
		return
	}
	s.mu.Lock()
	var results []publicObject
	var errs []*apiError
	for i := range req.Inputs {
		in := &req.Inputs[i]
		assoc, e := s.checkInput(typ, in)
		if e != nil {
			errs = append(errs, e)
			continue
		}
		o := s.insertLocked(typ, in.Properties, assoc, in.ObjectWriteTraceID)
		po := o.public(slices.Collect(mapsKeys(o.Properties)), nil)
		po.ObjectWriteTraceID = in.ObjectWriteTraceID
		results = append(results, po)
	}
	s.mu.Unlock()
	if len(results) == 0 && len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, errs[0])
		return
	}
	resp := map[string]any{
		"status": "COMPLETE", "results": nonNil(results),
		"requestedAt": isoTime(started), "startedAt": isoTime(started), "completedAt": isoTime(s.cfg.clock.Now()),
	}
	status := http.StatusCreated
	if len(errs) > 0 {
		status = http.StatusMultiStatus
		se := make([]map[string]any, len(errs))
		for i, e := range errs {
			se[i] = map[string]any{
				"status": "error", "category": e.Category, "message": e.Message,
				"context": nonNilMap(e.Context), "errors": []any{}, "links": map[string]string{},
			}
		}
		resp["errors"] = se
		resp["numErrors"] = len(errs)
	}
	writeJSON(w, status, resp)
}

func nonNilMap(m map[string][]string) map[string][]string {
	if m == nil {
		return map[string][]string{}
	}
	return m
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// serveCreate is POST /crm/v3/objects/{type} (one object).
func (s *Server) serveCreate(w http.ResponseWriter, r *http.Request, typ string) {
	var in createInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	s.mu.Lock()
	assoc, e := s.checkInput(typ, &in)
	var po publicObject
	if e == nil {
		o := s.insertLocked(typ, in.Properties, assoc, in.ObjectWriteTraceID)
		po = o.public(slices.Collect(mapsKeys(o.Properties)), nil)
	}
	s.mu.Unlock()
	if e != nil {
		writeJSON(w, http.StatusBadRequest, e)
		return
	}
	writeJSON(w, http.StatusCreated, po)
}

// serveControl answers GET /_fake/calls and /_fake/tasks with the stored
// objects as JSON (for a test whose fake runs in another process).
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	typ := strings.TrimPrefix(r.URL.Path, controlPrefix)
	if r.Method != http.MethodGet || s.objects[typ] == nil {
		http.NotFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, s.list(typ))
}

// defaultAssocTypes are the association type ids the fake reports for a
// default (unlabelled) association made with the v4 API. HubSpot picks
// the id itself; task→call is UNCONFIRMED (no documented HUBSPOT_DEFINED
// id), the others are the ids of assocTargets.
var defaultAssocTypes = map[string]map[string]int{
	"calls": {"contacts": 194, "companies": 182, "deals": 206},
	"tasks": {"contacts": 204, "companies": 192, "deals": 216, "calls": 9204},
}

// serveAssociateDefault is PUT /crm/v4/objects/{fromType}/{fromId}/
// associations/default/{toType}/{toId}
// (https://developers.hubspot.com/docs/api-reference/crm-associations-v4/basic/put-crm-v4-objects-fromObjectType-fromObjectId-associations-default-toObjectType-toObjectId):
// it is idempotent, and answers 200 with BatchResponsePublicDefaultAssociation.
func (s *Server) serveAssociateDefault(w http.ResponseWriter, r *http.Request, rest string) {
	started := s.cfg.clock.Now()
	parts := strings.Split(rest, "/")
	if len(parts) != 6 || parts[2] != "associations" || parts[3] != "default" {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route for "+r.Method+" "+r.URL.Path, nil)
		return
	}
	fromType, fromID, toType, toID := parts[0], parts[1], parts[4], parts[5]
	typeID, ok := defaultAssocTypes[fromType][toType]
	if !ok {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("no default association from %s to %s", fromType, toType), nil)
		return
	}
	s.mu.Lock()
	from, to := s.objects[fromType][fromID], s.objects[toType][toID]
	if from == nil || to == nil {
		s.mu.Unlock()
		missing, id := fromType, fromID
		if from != nil {
			missing, id = toType, toID
		}
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", fmt.Sprintf("%s %s does not exist", singular(missing), id), nil)
		return
	}
	a := Association{ToType: toType, ToID: toID, TypeID: typeID, Category: "HUBSPOT_DEFINED"}
	if !slices.Contains(from.Associations, a) {
		from.Associations = append(from.Associations, a)
		from.UpdatedAt = s.cfg.clock.Now()
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"status": "COMPLETE", "startedAt": isoTime(started), "completedAt": isoTime(s.cfg.clock.Now()),
		"results": []any{map[string]any{
			"from": map[string]string{"id": fromID}, "to": map[string]string{"id": toID},
			"associationSpec": map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID},
		}},
	})
}

package sellfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Tags, leads and the Search API (the parts a tag call list reads):
//   - GET /v2/tags (resource_type, name, ids, sort_by name|created_at|updated_at,
//     page/per_page) and GET /v2/tags/{id}
//     (https://developer.zendesk.com/api-reference/sales-crm/resources/tags/);
//   - GET /v2/leads (ids, page/per_page);
//   - POST /v3/contacts/search and /v3/leads/search: the request envelope
//     {"items":[{"data":QueryRequest}]}, QueryRequest {query{projection,
//     filter}, cursor, page, per_page, offset, hits}, with the documented
//     rules (cursor, offset and page mutually exclusive, page >= 0,
//     per_page 0..200, default 50), projections (id and version by
//     default, an unknown attribute is an error), filters (and, or, not,
//     and attribute filters eq, any, all, contains, starts_with, missing,
//     is_null on the attributes below), and the answer
//     {"items":[{"successful":true,"items":[{"data","meta":{"type"}}],
//     "meta":{"count","http_status","links":{"next_page"},"total_count","type":"collection"}}]}
//     (https://developer.zendesk.com/api-reference/sales-crm/search/query-language/,
//     .../search/filtering/, .../search/projections/). Hits come in id
//     order; sort, aggregations and suggestions, which the adapter does not
//     send, are refused (422) rather than ignored. A cursor is opaque
//     (base64) and is refused for a different query. Errors use Sell's
//     error envelope (https://developer.zendesk.com/api-reference/sales-crm/errors/).

func orNone(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func orNoFields(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// pagedIDs reads a v2 collection's paging and its ids filter, answering
// 422 itself when either is invalid.
func (s *Server) pagedIDs(w http.ResponseWriter, r *http.Request) (page, per int, want func(int64) bool, ok bool) {
	if page, per, ok = s.paging(w, r); !ok {
		return
	}
	want, ok = s.idsFilter(w, r)
	return
}

// idsFilter reads the ids parameter (comma-separated integers); the
// returned func is true for every id when the parameter is absent.
func (s *Server) idsFilter(w http.ResponseWriter, r *http.Request) (func(int64) bool, bool) {
	v := r.URL.Query().Get("ids")
	if v == "" {
		return func(int64) bool { return true }, true
	}
	set := map[int64]bool{}
	for _, p := range strings.Split(v, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil {
			s.invalid(w, fieldErr{"ids", "must be a comma-separated list of integers"})
			return nil, false
		}
		set[n] = true
	}
	return func(id int64) bool { return set[id] }, true
}

func leadJSON(l *Lead) map[string]any {
	return map[string]any{"id": l.ID, "first_name": l.FirstName, "last_name": l.LastName,
		"organization_name": l.OrganizationName, "title": l.Title, "email": l.Email, "phone": l.Phone, "mobile": l.Mobile,
		"tags": orNone(l.Tags), "custom_fields": orNoFields(l.Custom), "status": "New",
		"updated_at": l.Updated.UTC().Format(time.RFC3339), "created_at": l.Updated.UTC().Format(time.RFC3339)}
}

// listLeads implements GET /v2/leads with the ids filter.
func (s *Server) listLeads(w http.ResponseWriter, r *http.Request) {
	page, per, want, ok := s.pagedIDs(w, r)
	if !ok {
		return
	}
	var recs []stamped
	s.mu.Lock()
	for _, id := range sortedIDs(s.leads) {
		if l := s.leads[id]; want(id) {
			recs = append(recs, stamped{leadJSON(l), l.ID, l.Updated})
		}
	}
	s.mu.Unlock()
	s.writeSorted(w, r, "lead", recs, page, per)
}

func tagJSON(t *Tag) map[string]any {
	return map[string]any{"id": t.ID, "creator_id": 1, "name": t.Name, "resource_type": t.ResourceType,
		"created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"}
}

// listTags implements GET /v2/tags.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	page, per, want, ok := s.pagedIDs(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	rt := q.Get("resource_type")
	switch rt {
	case "", "lead", "contact", "deal":
	default:
		s.invalid(w, fieldErr{"resource_type", "must be one of lead, contact, deal"})
		return
	}
	order, desc := strings.CutSuffix(q.Get("sort_by"), ":desc")
	order = strings.TrimSuffix(order, ":asc")
	switch order {
	case "", "updated_at", "created_at", "name":
	default:
		s.invalid(w, fieldErr{"sort_by", "is not a sortable attribute"})
		return
	}
	var tags []*Tag
	s.mu.Lock()
	for _, id := range sortedIDs(s.tags) {
		t := s.tags[id]
		if (rt == "" || t.ResourceType == rt) && (q.Get("name") == "" || q.Get("name") == t.Name) && want(id) {
			tags = append(tags, t)
		}
	}
	s.mu.Unlock()
	if order == "name" {
		sort.SliceStable(tags, func(i, j int) bool { return tags[i].Name < tags[j].Name })
	}
	if desc {
		for i, j := 0, len(tags)-1; i < j; i, j = i+1, j-1 {
			tags[i], tags[j] = tags[j], tags[i]
		}
	}
	all := make([]map[string]any, len(tags))
	for i, t := range tags {
		all[i] = tagJSON(t)
	}
	writeCollection(w, r, "tag", all, page, per)
}

// getTag implements GET /v2/tags/{id}.
func (s *Server) getTag(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	t := s.tags[id]
	s.mu.Unlock()
	if err != nil || t == nil {
		s.writeError(w, http.StatusNotFound, "not_found", "Tag not found", "The requested resource does not exist", "")
		return
	}
	writeItem(w, "tag", tagJSON(t))
}

// searchRecord is a contact or lead as the Search API indexes it.
type searchRecord struct {
	id     int64
	values map[string][]any // attribute -> values (arrays flattened)
	object map[string]any   // projectable attributes
}

func contactRecord(c *Contact) searchRecord {
	name := c.Name
	if !c.IsOrganization {
		name = strings.TrimSpace(c.FirstName + " " + c.LastName)
	}
	return newSearchRecord(c.ID, map[string]any{"display_name": name, "first_name": c.FirstName, "last_name": c.LastName,
		"email": c.Email, "is_organisation": c.IsOrganization, "tags": orNone(c.Tags),
		"phone_numbers": map[string]any{"phone": c.Phone, "mobile": c.Mobile}})
}

func leadRecord(l *Lead) searchRecord {
	name := strings.TrimSpace(l.FirstName + " " + l.LastName)
	if name == "" {
		name = l.OrganizationName
	}
	return newSearchRecord(l.ID, map[string]any{"display_name": name, "first_name": l.FirstName, "last_name": l.LastName,
		"email": l.Email, "company_name": l.OrganizationName, "tags": orNone(l.Tags),
		"phone_numbers": map[string]any{"phone": l.Phone, "mobile": l.Mobile}})
}

func newSearchRecord(id int64, attrs map[string]any) searchRecord {
	rec := searchRecord{id: id, values: map[string][]any{"id": {float64(id)}}, object: attrs}
	for k, v := range attrs {
		switch x := v.(type) {
		case []string:
			for _, e := range x {
				rec.values[k] = append(rec.values[k], e)
			}
		case map[string]any:
			for sk, sv := range x {
				if sv != "" {
					rec.values[k+"."+sk] = []any{sv}
				}
			}
		case string:
			if x != "" {
				rec.values[k] = []any{x}
			}
		default:
			rec.values[k] = []any{x}
		}
	}
	return rec
}

// filterable reports whether the fake indexes attribute name.
func filterable(name string) bool {
	switch name {
	case "id", "display_name", "first_name", "last_name", "email", "is_organisation", "company_name", "tags",
		"phone_numbers.phone", "phone_numbers.mobile":
		return true
	}
	return false
}

// filterNode is a Filter: exactly one of and, or, not, filter.
type filterNode struct {
	And    []json.RawMessage `json:"and"`
	Or     []json.RawMessage `json:"or"`
	Not    json.RawMessage   `json:"not"`
	Filter *struct {
		Attribute struct {
			Name string `json:"name"`
		} `json:"attribute"`
		Parameter map[string]json.RawMessage `json:"parameter"`
	} `json:"filter"`
}

// matcher compiles a Filter.
func matcher(raw json.RawMessage) (func(searchRecord) bool, error) {
	var n filterNode
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return nil, fmt.Errorf("invalid filter: %v", err)
	}
	set := 0
	for _, b := range []bool{n.And != nil, n.Or != nil, n.Not != nil, n.Filter != nil} {
		if b {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("a filter must have exactly one of and, or, not, filter")
	}
	switch {
	case n.And != nil || n.Or != nil:
		subs := n.And
		if n.Or != nil {
			subs = n.Or
		}
		var ms []func(searchRecord) bool
		for _, sub := range subs {
			m, err := matcher(sub)
			if err != nil {
				return nil, err
			}
			ms = append(ms, m)
		}
		all := n.And != nil
		return func(r searchRecord) bool {
			for _, m := range ms {
				if m(r) != all {
					return !all
				}
			}
			return all
		}, nil
	case n.Not != nil:
		m, err := matcher(n.Not)
		if err != nil {
			return nil, err
		}
		return func(r searchRecord) bool { return !m(r) }, nil
	}
	return attributeMatcher(n.Filter.Attribute.Name, n.Filter.Parameter)
}

func attributeMatcher(name string, param map[string]json.RawMessage) (func(searchRecord) bool, error) {
	if !filterable(name) {
		return nil, fmt.Errorf("attribute %q is not filterable", name)
	}
	if len(param) != 1 {
		return nil, fmt.Errorf("parameter of %q must have exactly one condition", name)
	}
	for op, raw := range param {
		switch op {
		case "eq":
			var v any
			if json.Unmarshal(raw, &v) != nil || v == nil {
				return nil, fmt.Errorf("eq of %q needs a value", name)
			}
			return func(r searchRecord) bool { return hasAny(r.values[name], []any{v}) }, nil
		case "any", "all":
			var vs []any
			if json.Unmarshal(raw, &vs) != nil || len(vs) == 0 {
				return nil, fmt.Errorf("%s of %q needs an array of values", op, name)
			}
			if op == "any" {
				return func(r searchRecord) bool { return hasAny(r.values[name], vs) }, nil
			}
			if name != "tags" {
				return nil, fmt.Errorf("all only applies to array attributes, not %q", name)
			}
			return func(r searchRecord) bool {
				for _, v := range vs {
					if !hasAny(r.values[name], []any{v}) {
						return false
					}
				}
				return true
			}, nil
		case "missing", "is_null":
			var b bool
			if json.Unmarshal(raw, &b) != nil {
				return nil, fmt.Errorf("%s of %q must be a boolean", op, name)
			}
			return func(r searchRecord) bool { return (len(r.values[name]) == 0) == b }, nil
		case "contains", "starts_with":
			var p string
			if json.Unmarshal(raw, &p) != nil {
				return nil, fmt.Errorf("%s of %q must be a string", op, name)
			}
			p = strings.ToLower(p)
			return func(r searchRecord) bool {
				for _, v := range r.values[name] {
					sv, ok := v.(string)
					if ok && ((op == "contains" && strings.Contains(strings.ToLower(sv), p)) || (op == "starts_with" && strings.HasPrefix(strings.ToLower(sv), p))) {
						return true
					}
				}
				return false
			}, nil
		default:
			return nil, fmt.Errorf("parameter %q is not supported by this fake", op)
		}
	}
	return nil, fmt.Errorf("empty parameter")
}

func hasAny(have, want []any) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

// queryRequest is one SearchRequest's data.
type queryRequest struct {
	Query *struct {
		Projection []struct {
			Name string `json:"name"`
		} `json:"projection"`
		Filter json.RawMessage `json:"filter"`
		Sort   json.RawMessage `json:"sort"`
	} `json:"query"`
	Aggregations json.RawMessage `json:"aggregations"`
	Suggestions  json.RawMessage `json:"suggestions"`
	Hits         *bool           `json:"hits"`
	Cursor       *string         `json:"cursor"`
	Page         *int            `json:"page"`
	PerPage      *int            `json:"per_page"`
	Offset       *int            `json:"offset"`
}

// search implements POST /v3/{contacts,leads}/search for resource type rt.
func (s *Server) search(rt string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		off := s.noSearch
		s.mu.Unlock()
		if off {
			s.writeError(w, http.StatusForbidden, "forbidden", "Search API is not available", "The account's plan does not include the Search API", "")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			s.writeError(w, http.StatusBadRequest, "invalid_request", "Could not read the request body", "", "")
			return
		}
		var env struct {
			Items []struct {
				Data json.RawMessage `json:"data"`
			} `json:"items"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			s.writeError(w, http.StatusBadRequest, "invalid_json", "Request body is not valid JSON", err.Error(), "")
			return
		}
		if len(env.Items) == 0 {
			s.invalid(w, fieldErr{"items", "must hold at least one search request"})
			return
		}
		var out []any
		for _, it := range env.Items {
			if len(it.Data) == 0 || string(it.Data) == "null" {
				s.invalid(w, fieldErr{"items.data", "can't be blank"})
				return
			}
			res, err := s.runQuery(rt, it.Data)
			if err != nil {
				s.invalid(w, err)
				return
			}
			out = append(out, res)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_ = json.NewEncoder(w).Encode(map[string]any{"items": out})
	}
}

func (s *Server) runQuery(rt string, data json.RawMessage) (map[string]any, error) {
	var q queryRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return nil, fieldErr{"data", "is not a valid query request: " + err.Error()}
	}
	n := 0
	for _, set := range []bool{q.Cursor != nil, q.Offset != nil, q.Page != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return nil, fieldErr{"cursor", "cursor, offset and page are mutually exclusive"}
	case q.Page != nil && *q.Page < 0:
		return nil, fieldErr{"page", "must be non-negative"}
	case q.Offset != nil && *q.Offset < 0:
		return nil, fieldErr{"offset", "must be non-negative"}
	case q.PerPage != nil && (*q.PerPage < 0 || *q.PerPage > 200):
		return nil, fieldErr{"per_page", "must be within range 0-200"}
	case len(q.Aggregations) > 0 && string(q.Aggregations) != "null", len(q.Suggestions) > 0 && string(q.Suggestions) != "null":
		return nil, fieldErr{"data", "aggregations and suggestions are not supported by this fake"}
	}
	per := 50
	if q.PerPage != nil {
		per = *q.PerPage
	}
	match := func(searchRecord) bool { return true }
	projection := []string{}
	if q.Query != nil {
		if len(q.Query.Sort) > 0 && string(q.Query.Sort) != "null" {
			return nil, fieldErr{"query.sort", "is not supported by this fake (hits come in id order)"}
		}
		for _, p := range q.Query.Projection {
			if p.Name != "id" && p.Name != "version" && !filterable(p.Name) && p.Name != "phone_numbers" {
				return nil, fieldErr{"query.projection", fmt.Sprintf("attribute %q does not exist", p.Name)}
			}
			projection = append(projection, p.Name)
		}
		if len(q.Query.Filter) > 0 && string(q.Query.Filter) != "null" {
			m, err := matcher(q.Query.Filter)
			if err != nil {
				return nil, fieldErr{"query.filter", err.Error()}
			}
			match = m
		}
	}
	// The cursor is bound to the query it came from.
	var key []byte
	if q.Query != nil {
		key, _ = json.Marshal(q.Query)
	}
	sum := sha256.Sum256(append(key, []byte(fmt.Sprint(per))...))
	qkey := hex.EncodeToString(sum[:8])

	var recs []searchRecord
	s.mu.Lock()
	if rt == "contact" {
		for _, id := range sortedIDs(s.contacts) {
			recs = append(recs, contactRecord(s.contacts[id]))
		}
	} else {
		for _, id := range sortedIDs(s.leads) {
			recs = append(recs, leadRecord(s.leads[id]))
		}
	}
	s.mu.Unlock()
	var hits []searchRecord
	for _, rc := range recs {
		if match(rc) {
			hits = append(hits, rc)
		}
	}
	start := 0
	switch {
	case q.Cursor != nil:
		raw, err := base64.StdEncoding.DecodeString(*q.Cursor)
		at, k, ok := strings.Cut(string(raw), ":")
		v, aerr := strconv.Atoi(at)
		if err != nil || !ok || aerr != nil || k != qkey || v < 0 {
			return nil, fieldErr{"cursor", "is not a cursor of this query"}
		}
		start = v
	case q.Offset != nil:
		start = *q.Offset
	case q.Page != nil:
		start = *q.Page * per
	}
	start = min(start, len(hits))
	end := min(start+per, len(hits))
	items := []any{}
	if q.Hits == nil || *q.Hits {
		for _, h := range hits[start:end] {
			d := map[string]any{"id": h.id, "version": 1}
			for _, p := range projection {
				if p != "id" && p != "version" {
					d[p] = h.object[p]
				}
			}
			items = append(items, map[string]any{"data": d, "meta": map[string]any{"type": rt}})
		}
	}
	links := map[string]any{}
	if per > 0 && end < len(hits) {
		links["next_page"] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%d:%s", end, qkey)))
	}
	return map[string]any{"successful": true, "items": items, "meta": map[string]any{"count": len(items),
		"http_status": "200 OK", "links": links, "total_count": len(hits), "type": "collection"}}, nil
}

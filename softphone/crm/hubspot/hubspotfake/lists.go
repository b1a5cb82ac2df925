package hubspotfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Contact lists (Lists API v3, openapi/lists.json): POST
// /crm/v3/lists/search, GET /crm/v3/lists/{listId} and GET
// /crm/v3/lists/{listId}/memberships, plus POST
// /crm/v3/objects/contacts/batch/read (contacts.json). Request shapes are
// validated against the vendored specs before these handlers run.

// List is a stored contact list.
type List struct {
	ID             string
	Name           string
	ObjectTypeID   string // "0-1" for contacts
	ProcessingType string // MANUAL, DYNAMIC, SNAPSHOT
	Members        []string
	Created        time.Time
}

// maxMembershipLimit is the memberships page size cap (lists.json: "The
// maximum limit is 250").
const maxMembershipLimit = 250

// AddList stores a MANUAL contact list (object type 0-1) holding the
// contacts with the given ids, in that order, and returns its listId.
func (s *Server) AddList(name string, contactIDs ...string) string {
	return s.AddObjectList(name, "0-1", contactIDs...)
}

// AddObjectList stores a list of another object type (e.g. "0-2"
// companies), for the adapter's refusal of non-contact lists.
func (s *Server) AddObjectList(name, objectTypeID string, ids ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	l := &List{ID: strconv.FormatInt(s.nextID, 10), Name: name, ObjectTypeID: objectTypeID, ProcessingType: "MANUAL",
		Members: slices.Clone(ids), Created: s.cfg.clock.Now()}
	s.lists = append(s.lists, l)
	return l.ID
}

// SetListMembers replaces a list's members (what a rep's edit in HubSpot
// does between two pulls).
func (s *Server) SetListMembers(listID string, ids ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lists {
		if l.ID == listID {
			l.Members = slices.Clone(ids)
			return nil
		}
	}
	return fmt.Errorf("hubspotfake: no list %s", listID)
}

func (s *Server) findListLocked(id string) *List {
	for _, l := range s.lists {
		if l.ID == id {
			return l
		}
	}
	return nil
}

// sortedMembers returns the members ordered by record id, as "Fetch List
// Memberships Ordered by ID" does.
func (l *List) sortedMembers() []string {
	m := slices.Clone(l.Members)
	slices.SortFunc(m, func(a, b string) int {
		x, _ := strconv.ParseInt(a, 10, 64)
		y, _ := strconv.ParseInt(b, 10, 64)
		return int(x - y)
	})
	return m
}

// public is PublicObjectList (with size) or, for search,
// PublicObjectListSearchResult (with additionalProperties).
func (l *List) public(search bool) map[string]any {
	o := map[string]any{
		"listId": l.ID, "listVersion": 1, "name": l.Name, "objectTypeId": l.ObjectTypeID,
		"processingStatus": "COMPLETE", "processingType": l.ProcessingType,
		"createdAt": isoTime(l.Created), "updatedAt": isoTime(l.Created), "createdById": "1", "updatedById": "1",
	}
	if search {
		o["additionalProperties"] = map[string]string{"hs_list_size": strconv.Itoa(len(l.Members)),
			"hs_list_reference_count": "0"}
	} else {
		o["size"] = len(l.Members)
	}
	return o
}

func (s *Server) serveLists(w http.ResponseWriter, r *http.Request, rest string) {
	id, tail, _ := strings.Cut(rest, "/")
	switch {
	case r.Method == http.MethodPost && rest == "search":
		s.serveListSearch(w, r)
	case r.Method == http.MethodGet && id != "" && tail == "":
		s.mu.Lock()
		l := s.findListLocked(id)
		var body map[string]any
		if l != nil {
			body = map[string]any{"list": l.public(false)}
		}
		s.mu.Unlock()
		if l == nil {
			writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "List "+id+" does not exist.", nil)
			return
		}
		writeJSON(w, http.StatusOK, body)
	case r.Method == http.MethodGet && id != "" && tail == "memberships":
		s.serveMemberships(w, r, id)
	default:
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "No route for "+r.Method+" "+r.URL.Path, nil)
	}
}

// serveListSearch is POST /crm/v3/lists/search: query matches the name
// (case-insensitive substring), objectTypeId and listIds filter, offset
// and count (default 20, at most 500) page.
func (s *Server) serveListSearch(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Offset       int      `json:"offset"`
		Count        int      `json:"count"`
		Query        string   `json:"query"`
		ObjectTypeID string   `json:"objectTypeId"`
		ListIDs      []string `json:"listIds"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	count := req.Count
	if count <= 0 {
		count = 20
	}
	if count > 500 {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "count must be at most 500", nil)
		return
	}
	s.mu.Lock()
	var hits []*List
	for _, l := range s.lists {
		if req.ObjectTypeID != "" && l.ObjectTypeID != req.ObjectTypeID {
			continue
		}
		if req.Query != "" && !strings.Contains(strings.ToLower(l.Name), strings.ToLower(req.Query)) {
			continue
		}
		if len(req.ListIDs) > 0 && !slices.Contains(req.ListIDs, l.ID) {
			continue
		}
		hits = append(hits, l)
	}
	start := min(max(req.Offset, 0), len(hits))
	end := min(start+count, len(hits))
	out := []map[string]any{}
	for _, l := range hits[start:end] {
		out = append(out, l.public(true))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"lists": out, "hasMore": end < len(hits), "offset": end, "total": len(hits)})
}

// serveMemberships is GET /crm/v3/lists/{listId}/memberships: record ids
// in ascending order, limit (default 100, at most 250) per page, after the
// opaque cursor of the previous page's paging.next.
func (s *Server) serveMemberships(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	limit := 100
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if limit < 1 || limit > maxMembershipLimit {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("limit must be between 1 and %d", maxMembershipLimit), nil)
		return
	}
	start := 0
	if a := q.Get("after"); a != "" {
		n, err := decodeAfter(a)
		if err != nil {
			writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid after cursor: "+a, nil)
			return
		}
		start = n
	}
	s.mu.Lock()
	l := s.findListLocked(id)
	var members []string
	var joined time.Time
	if l != nil {
		members, joined = l.sortedMembers(), l.Created
	}
	s.mu.Unlock()
	if l == nil {
		writeError(w, http.StatusNotFound, "OBJECT_NOT_FOUND", "List "+id+" does not exist.", nil)
		return
	}
	start = min(start, len(members))
	end := min(start+limit, len(members))
	res := []map[string]string{}
	for _, m := range members[start:end] {
		res = append(res, map[string]string{"recordId": m, "membershipTimestamp": isoTime(joined)})
	}
	resp := map[string]any{"results": res, "total": len(members)}
	if end < len(members) {
		resp["paging"] = nextPage(encodeAfter(end))
	}
	writeJSON(w, http.StatusOK, resp)
}

// The memberships cursor is opaque at HubSpot; the fake's is a prefixed
// offset, so that a client passing anything else gets a 400.
func encodeAfter(n int) string { return "m" + strconv.Itoa(n) }

func decodeAfter(s string) (int, error) {
	v, ok := strings.CutPrefix(s, "m")
	n, err := strconv.Atoi(v)
	if !ok || err != nil || n < 0 {
		return 0, fmt.Errorf("bad cursor %q", s)
	}
	return n, nil
}

// serveBatchRead is POST /crm/v3/objects/{type}/batch/read: 200 with every
// record, or 207 with the found ones and an OBJECT_NOT_FOUND error listing
// the missing ids. At most 100 inputs.
func (s *Server) serveBatchRead(w http.ResponseWriter, r *http.Request, typ string) {
	var req struct {
		Inputs []struct {
			ID string `json:"id"`
		} `json:"inputs"`
		Properties []string `json:"properties"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", "Invalid input JSON: "+err.Error(), nil)
		return
	}
	if len(req.Inputs) > s.cfg.maxBatch {
		writeError(w, http.StatusBadRequest, "VALIDATION_ERROR", fmt.Sprintf("Batch input limit exceeded: %d > %d", len(req.Inputs), s.cfg.maxBatch), nil)
		return
	}
	now := isoTime(s.cfg.clock.Now())
	s.mu.Lock()
	results := []publicObject{}
	var missing []string
	for _, in := range req.Inputs {
		if o, ok := s.objects[typ][in.ID]; ok {
			results = append(results, o.public(req.Properties, nil))
		} else {
			missing = append(missing, in.ID)
		}
	}
	s.mu.Unlock()
	body := map[string]any{"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
	if len(missing) == 0 {
		writeJSON(w, http.StatusOK, body)
		return
	}
	body["numErrors"] = 1
	body["errors"] = []map[string]any{{"status": "error", "category": "OBJECT_NOT_FOUND",
		"message": "Could not get some " + singular(typ) + " objects, they may be deleted or not exist. Check that ids are valid.",
		"context": map[string][]string{"ids": missing}}}
	writeJSON(w, http.StatusMultiStatus, body)
}

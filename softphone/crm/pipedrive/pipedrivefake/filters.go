package pipedrivefake

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Filters. Shapes FROM MEMORY of Pipedrive's v1 reference
// (https://developers.pipedrive.com/docs/api/v1/Filters#getFilters);
// crm-apis.md does not cover them. A real filter holds conditions; the
// fake's holds the ids of the persons it matches.

// Filter is a stored people filter.
type Filter struct {
	ID        int64
	Name      string
	Type      string // "people" (default), "deals", "org", ...
	PersonIDs []int64
	Added     time.Time
}

// AddFilter stores a people filter matching the given persons and returns
// its id.
func (s *Server) AddFilter(name string, personIDs ...int64) int64 {
	return s.AddTypedFilter(name, "people", personIDs...)
}

// AddTypedFilter stores a filter of another type ("deals", "org").
func (s *Server) AddTypedFilter(name, typ string, ids ...int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &Filter{ID: s.id(), Name: name, Type: typ, PersonIDs: slices.Clone(ids), Added: s.clock.Now()}
	s.filters = append(s.filters, f)
	return f.ID
}

// SetFilterPersons changes which persons a filter matches.
func (s *Server) SetFilterPersons(id int64, personIDs ...int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.filters {
		if f.ID == id {
			f.PersonIDs = slices.Clone(personIDs)
		}
	}
}

// listFilters is GET /v1/filters[?type=people].
func (s *Server) listFilters(w http.ResponseWriter, r *http.Request) {
	typ := r.URL.Query().Get("type")
	s.mu.Lock()
	out := []map[string]any{}
	for _, f := range s.filters {
		if typ != "" && f.Type != typ {
			continue
		}
		ts := f.Added.UTC().Format(TimeLayout)
		out = append(out, map[string]any{"id": f.ID, "name": f.Name, "active_flag": true, "type": f.Type,
			"temporary_flag": nil, "user_id": 1, "add_time": ts, "update_time": ts, "visible_to": "3", "custom_view_id": nil})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out, nil)
}

// listFilterPersons is GET /v1/persons?filter_id=: the filter's persons
// in id order, deleted ones left out, paged like every v1 list.
func (s *Server) listFilterPersons(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.URL.Query().Get("filter_id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "filter_id must be an integer", errInfo)
		return
	}
	s.mu.Lock()
	var f *Filter
	for _, x := range s.filters {
		if x.ID == id {
			f = x
		}
	}
	if f == nil || f.Type != "people" {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Filter not found", errInfo)
		return
	}
	ids := slices.Clone(f.PersonIDs)
	slices.Sort(ids)
	var objs []map[string]any
	for _, pid := range ids {
		if p := s.persons[pid]; p != nil && !p.Deleted {
			objs = append(objs, s.personJSON(p))
		}
	}
	s.mu.Unlock()
	start, end, p, err := paginate(r, len(objs), 100, 500)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), errInfo)
		return
	}
	writeJSON(w, http.StatusOK, append([]map[string]any{}, objs[start:end]...), map[string]any{"pagination": p})
}

package zohofake

import (
	"net/http"
	"slices"
)

// Custom views. Shapes FROM MEMORY of Zoho CRM's v2 reference
// (https://www.zoho.com/crm/developer/docs/api/v2/custom-view-meta.html,
// .../get-records.html with cvid); crm-apis.md does not cover them. A
// real view holds criteria; the fake's holds the ids of its records.

// CustomView is a stored custom view of the Contacts module.
type CustomView struct {
	ID, Name, Module string
	ContactIDs       []string
}

// AddView stores a custom view of module ("Contacts", "Leads", ...)
// holding the given contacts and returns its id.
func (s *Server) AddView(name, module string, contactIDs ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := &CustomView{ID: s.id(), Name: name, Module: module, ContactIDs: slices.Clone(contactIDs)}
	s.views = append(s.views, v)
	return v.ID
}

// listViews is GET /crm/v2/settings/custom_views?module=Contacts.
func (s *Server) listViews(w http.ResponseWriter, r *http.Request) {
	module := r.URL.Query().Get("module")
	if module == "" {
		writeStatus(w, 400, "REQUIRED_PARAM_MISSING", "One of the expected parameter is missing", map[string]any{"param_name": "module"})
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for _, v := range s.views {
		if v.Module != module {
			continue
		}
		out = append(out, map[string]any{"id": v.ID, "name": v.Name, "display_value": v.Name, "system_name": nil,
			"default": false, "system_defined": false, "category": "created_by_me", "favorite": nil, "module": v.Module})
	}
	s.mu.Unlock()
	writeJSON(w, 200, map[string]any{"custom_views": out, "info": map[string]any{"per_page": 200, "count": len(out), "page": 1, "more_records": false}})
}

// listView is GET /crm/v2/{module}?cvid=: the view's records in id order,
// paged with page/per_page; 204 when it is empty; 400 INVALID_DATA for
// a cvid the module does not have.
func (s *Server) listView(w http.ResponseWriter, r *http.Request, module string) {
	id := r.URL.Query().Get("cvid")
	s.mu.Lock()
	var view *CustomView
	for _, v := range s.views {
		if v.ID == id && v.Module == module {
			view = v
		}
	}
	if view == nil {
		s.mu.Unlock()
		writeStatus(w, 400, "INVALID_DATA", "invalid cvid", map[string]any{"param_name": "cvid"})
		return
	}
	ids := slices.Clone(view.ContactIDs)
	slices.Sort(ids)
	var all []map[string]any
	for _, cid := range ids {
		if c := s.contacts[cid]; c != nil {
			all = append(all, s.contactJSON(c))
		}
	}
	s.mu.Unlock()
	page(w, r, all)
}

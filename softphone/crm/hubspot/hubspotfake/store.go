package hubspotfake

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// objectTypes are the CRM object types the fake stores.
var objectTypes = []string{"contacts", "companies", "deals", "calls", "tasks"}

// modifiedProp is the "last modified" property HubSpot keeps per type:
// contacts use lastmodifieddate, the other objects hs_lastmodifieddate.
var modifiedProp = map[string]string{
	"contacts":  "lastmodifieddate",
	"companies": "hs_lastmodifieddate",
	"deals":     "hs_lastmodifieddate",
	"calls":     "hs_lastmodifieddate",
	"tasks":     "hs_lastmodifieddate",
}

// createdProp is the "created" property per type.
var createdProp = map[string]string{
	"contacts":  "createdate",
	"companies": "createdate",
	"deals":     "createdate",
	"calls":     "hs_createdate",
	"tasks":     "hs_createdate",
}

// Association is one edge from a stored object to another record.
type Association struct {
	ToType   string // "contacts", "deals", ...
	ToID     string
	TypeID   int    // HubSpot associationTypeId, e.g. 194 call→contact
	Category string // HUBSPOT_DEFINED, USER_DEFINED, ...
}

// Object is a stored CRM record.
type Object struct {
	Type         string
	ID           string
	Properties   map[string]string
	Associations []Association
	CreatedAt    time.Time
	UpdatedAt    time.Time
	TraceID      string // objectWriteTraceId given at creation
}

func (o *Object) clone() Object {
	c := *o
	c.Properties = maps.Clone(o.Properties)
	c.Associations = slices.Clone(o.Associations)
	return c
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// insertLocked stores a new object; s.mu must be held.
func (s *Server) insertLocked(typ string, props map[string]string, assoc []Association, trace string) *Object {
	now := s.cfg.clock.Now()
	s.nextID++
	id := strconv.FormatInt(s.nextID, 10)
	p := maps.Clone(props)
	if p == nil {
		p = map[string]string{}
	}
	p["hs_object_id"] = id
	p[createdProp[typ]] = isoTime(now)
	p[modifiedProp[typ]] = isoTime(now)
	o := &Object{Type: typ, ID: id, Properties: p, Associations: assoc, CreatedAt: now, UpdatedAt: now, TraceID: trace}
	s.objects[typ][id] = o
	s.order[typ] = append(s.order[typ], id)
	return o
}

// Seed stores a contact, company or deal (or any stored type) with the
// given properties and returns its id. Associations from deals to
// contacts and companies are given with AssociateDeal.
func (s *Server) Seed(typ string, props map[string]string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.objects[typ]; !ok {
		return "", fmt.Errorf("%w: type %q", ErrUnknownObject, typ)
	}
	return s.insertLocked(typ, props, nil, "").ID, nil
}

// AddContact seeds a contact and returns its id.
func (s *Server) AddContact(props map[string]string) string {
	id, _ := s.Seed("contacts", props)
	return id
}

// AddCompany seeds a company and returns its id.
func (s *Server) AddCompany(props map[string]string) string {
	id, _ := s.Seed("companies", props)
	return id
}

// AddDeal seeds a deal associated with the given contacts and company
// (companyID may be empty) and returns its id.
func (s *Server) AddDeal(props map[string]string, companyID string, contactIDs ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var as []Association
	for _, c := range contactIDs {
		as = append(as, Association{ToType: "contacts", ToID: c, TypeID: 3, Category: "HUBSPOT_DEFINED"})
	}
	if companyID != "" {
		as = append(as, Association{ToType: "companies", ToID: companyID, TypeID: 5, Category: "HUBSPOT_DEFINED"})
	}
	return s.insertLocked("deals", props, as, "").ID
}

// Update sets properties on a stored object and bumps its last-modified
// time, as an edit in HubSpot's UI would.
func (s *Server) Update(typ, id string, props map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[typ][id]
	if o == nil {
		return fmt.Errorf("%w: %s %s", ErrUnknownObject, typ, id)
	}
	now := s.cfg.clock.Now()
	maps.Copy(o.Properties, props)
	o.UpdatedAt = now
	o.Properties[modifiedProp[typ]] = isoTime(now)
	return nil
}

func (s *Server) list(typ string) []Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Object, 0, len(s.order[typ]))
	for _, id := range s.order[typ] {
		out = append(out, s.objects[typ][id].clone())
	}
	return out
}

// Calls returns the stored calls in creation order.
func (s *Server) Calls() []Object { return s.list("calls") }

// Tasks returns the stored tasks in creation order.
func (s *Server) Tasks() []Object { return s.list("tasks") }

// Contacts returns the stored contacts in creation order.
func (s *Server) Contacts() []Object { return s.list("contacts") }

// CallByExternalID returns the call whose hs_call_external_id is ext.
func (s *Server) CallByExternalID(ext string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.order["calls"] {
		if o := s.objects["calls"][id]; o.Properties["hs_call_external_id"] == ext {
			return o.clone(), true
		}
	}
	return Object{}, false
}

// CallsByExternalID counts stored calls per hs_call_external_id, to find
// duplicates.
func (s *Server) CallsByExternalID() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, o := range s.objects["calls"] {
		out[o.Properties["hs_call_external_id"]]++
	}
	return out
}

// filter is a search filter as sent on the wire.
type filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value"`
	HighValue    string   `json:"highValue"`
	Values       []string `json:"values"`
}

// searchRequest is PublicObjectSearchRequest.
type searchRequest struct {
	Query        string `json:"query"`
	FilterGroups []struct {
		Filters []filter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []string `json:"sorts"`
	Properties []string `json:"properties"`
	Limit      int      `json:"limit"`
	After      string   `json:"after"`
}

// searchableText are the properties a free-text query looks at.
var searchableText = []string{"firstname", "lastname", "email", "phone", "mobilephone", "company", "name", "domain", "dealname"}

// timeValue parses epoch milliseconds or an ISO-8601 date-time.
func timeValue(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.UnixMilli(ms), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// compare orders two property values: as times, then numbers, then text.
func compare(a, b string) int {
	if ta, ok := timeValue(a); ok {
		if tb, ok := timeValue(b); ok {
			return ta.Compare(tb)
		}
	}
	if fa, err := strconv.ParseFloat(a, 64); err == nil {
		if fb, err := strconv.ParseFloat(b, 64); err == nil {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(a, b)
}

func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '+' || r == '@' || r == '.')
	})
}

// match applies one filter. Matching is literal on the stored string
// (crm-apis notes §6: the fake does not normalise phone numbers).
func (f filter) match(o *Object) bool {
	v, has := o.Properties[f.PropertyName]
	switch f.Operator {
	case "HAS_PROPERTY":
		return has && v != ""
	case "NOT_HAS_PROPERTY":
		return !has || v == ""
	}
	if !has {
		return f.Operator == "NEQ" || f.Operator == "NOT_IN" || f.Operator == "NOT_CONTAINS_TOKEN"
	}
	switch f.Operator {
	case "EQ":
		return strings.EqualFold(v, f.Value)
	case "NEQ":
		return !strings.EqualFold(v, f.Value)
	case "IN", "NOT_IN":
		in := slices.ContainsFunc(f.Values, func(x string) bool { return strings.EqualFold(x, v) })
		return in == (f.Operator == "IN")
	case "LT":
		return compare(v, f.Value) < 0
	case "LTE":
		return compare(v, f.Value) <= 0
	case "GT":
		return compare(v, f.Value) > 0
	case "GTE":
		return compare(v, f.Value) >= 0
	case "BETWEEN":
		return compare(v, f.Value) >= 0 && compare(v, f.HighValue) <= 0
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		want := strings.ToLower(f.Value)
		found := false
		for _, t := range tokens(v) {
			if ok, _ := pathMatch(want, t); ok {
				found = true
				break
			}
		}
		return found == (f.Operator == "CONTAINS_TOKEN")
	}
	return false
}

// pathMatch supports HubSpot's "*" wildcard in CONTAINS_TOKEN values.
func pathMatch(pattern, s string) (bool, error) {
	if !strings.Contains(pattern, "*") {
		return pattern == s, nil
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false, nil
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p), nil
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false, nil
		}
		s = s[j+len(p):]
	}
	return true, nil
}

func (req *searchRequest) matches(o *Object) bool {
	if q := strings.TrimSpace(strings.ToLower(req.Query)); q != "" {
		hit := false
		for _, p := range searchableText {
			if strings.Contains(strings.ToLower(o.Properties[p]), q) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	if len(req.FilterGroups) == 0 {
		return true
	}
	for _, g := range req.FilterGroups { // groups are ORed, filters ANDed
		all := true
		for _, f := range g.Filters {
			if !f.match(o) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

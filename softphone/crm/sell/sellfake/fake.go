package sellfake

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/crmtest"
)

// Contact is a seeded person or organisation.
type Contact struct {
	ID             int64
	IsOrganization bool
	ContactID      int64 // the organisation a person belongs to
	Name           string
	FirstName      string
	LastName       string
	Title          string
	Email          string
	Phone          string
	Mobile         string
	Website        string
	Line1, City    string
	// Tags are the contact's tag names; a tag not seeded with AddTag is
	// created, as Sell creates a tag on first use.
	Tags []string
	// Custom are custom field values by the field's name.
	Custom  map[string]any
	Updated time.Time
}

// Lead is a seeded lead.
type Lead struct {
	ID               int64
	FirstName        string
	LastName         string
	OrganizationName string
	Title            string
	Email            string
	Phone            string
	Mobile           string
	// Tags and Custom are as for Contact.
	Tags    []string
	Custom  map[string]any
	Updated time.Time
}

// Tag is a tag of one resource type ("contact", "lead" or "deal").
type Tag struct {
	ID           int64
	Name         string
	ResourceType string
}

// Deal is a seeded deal. Value is decimal text, sent as a JSON string as
// Sell does.
type Deal struct {
	ID             int64
	Name           string
	Value          string
	Currency       string
	StageID        int64
	ContactID      int64
	OrganizationID int64
	Updated        time.Time
}

// Outcome is one account-defined call outcome.
type Outcome struct {
	ID   int64
	Name string
}

// Call is a call as the fake received it.
type Call struct {
	ID                int64
	PhoneNumber       string
	Incoming          bool
	Missed            bool
	Duration          int64
	MadeAt            string
	OutcomeID         int64
	ResourceType      string
	ResourceID        int64
	AssociatedDealIDs []int64
	Summary           string
	RecordingURL      string
	ExternalID        string
	Raw               json.RawMessage
}

// Task is a task as the fake received it.
type Task struct {
	ID           int64
	Content      string
	DueDate      string
	RemindAt     string
	ResourceType string
	ResourceID   int64
	Completed    bool
	Raw          json.RawMessage
}

// DefaultOutcomes is the outcome list a new fake serves (ids are
// account-specific in Sell; these are the fake's).
var DefaultOutcomes = []Outcome{
	{ID: 101, Name: "Interested"}, {ID: 102, Name: "Not interested"}, {ID: 103, Name: "Left voicemail"},
	{ID: 104, Name: "No answer"}, {ID: 105, Name: "Busy"}, {ID: 106, Name: "Wrong number"},
}

// Server is the fake. Create it with New and Close it when done.
type Server struct {
	token  string
	clock  crmtest.Clock
	log    *slog.Logger
	hourly int

	inj *crmtest.Injector
	srv *httptest.Server

	mu       sync.Mutex
	nextID   int64
	logref   int64
	outcomes []Outcome
	contacts map[int64]*Contact
	leads    map[int64]*Lead
	tags     map[int64]*Tag
	deals    map[int64]*Deal
	calls    []Call
	tasks    []Task
	expired  bool
	noSearch bool
}

// Option configures a Server.
type Option func(*Server) error

// WithToken sets the accepted token (default "sell-test-token").
func WithToken(t string) Option { return func(s *Server) error { s.token = t; return nil } }

// WithClock sets the clock for timestamps and the rate-limit window.
func WithClock(c crmtest.Clock) Option {
	return func(s *Server) error {
		if c == nil {
			return fmt.Errorf("%w: nil clock", ErrConfig)
		}
		s.clock = c
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) error {
		if l != nil {
			s.log = l
		}
		return nil
	}
}

// WithHourlyLimit sets requests per rolling hour (default 36,000,
// https://developer.zendesk.com/api-reference/sales-crm/rate-limits/).
func WithHourlyLimit(n int) Option {
	return func(s *Server) error {
		if n <= 0 {
			return fmt.Errorf("%w: hourly limit %d", ErrConfig, n)
		}
		s.hourly = n
		return nil
	}
}

// WithoutSearchAPI makes the Search API (/v3/.../search) answer 403, as
// for an account whose plan does not include it. UNCONFIRMED: the status
// and error code Sell sends then (the quick start only says the plan must
// include the Search API).
func WithoutSearchAPI() Option { return func(s *Server) error { s.noSearch = true; return nil } }

// WithOutcomes replaces the served call outcomes.
func WithOutcomes(o []Outcome) Option {
	return func(s *Server) error { s.outcomes = append([]Outcome(nil), o...); return nil }
}

// New starts a fake on 127.0.0.1 (a free port).
func New(opts ...Option) (*Server, error) {
	s := &Server{token: "sell-test-token", clock: crmtest.SystemClock(), log: slog.New(slog.DiscardHandler),
		hourly: 36000, nextID: 5000, outcomes: DefaultOutcomes,
		contacts: map[int64]*Contact{}, leads: map[int64]*Lead{}, tags: map[int64]*Tag{}, deals: map[int64]*Deal{}}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	lim, err := crmtest.NewLimiter("hourly", s.hourly, time.Hour)
	if err != nil {
		return nil, err
	}
	lim.Reject = func(w http.ResponseWriter, r *http.Request, _ crmtest.LimitInfo) {
		// Sell documents no rate-limit headers on the 429.
		s.writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "Rate limit exceeded", "36,000 requests per hour per token", "")
	}
	s.inj, err = crmtest.New(s.routes(), crmtest.WithClock(s.clock), crmtest.WithLogger(s.log), crmtest.WithLimiter(lim))
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(s.inj)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	return s, nil
}

// URL is the API root to pass to sell.WithBaseURL.
func (s *Server) URL() string { return s.srv.URL }

// Token returns the accepted token.
func (s *Server) Token() string { s.mu.Lock(); defer s.mu.Unlock(); return s.token }

// Faults returns the fault injector in front of the fake.
func (s *Server) Faults() *crmtest.Injector { return s.inj }

// Close stops the server.
func (s *Server) Close() {
	_ = s.inj.Close()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// ExpireToken makes the token invalid (401 from now on).
func (s *Server) ExpireToken() { s.mu.Lock(); s.expired = true; s.mu.Unlock() }

func (s *Server) id() int64 { s.nextID++; return s.nextID }

// AddContact seeds a person or organisation and returns its id.
func (s *Server) AddContact(c Contact) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed(&c.ID, &c.Updated, c.Tags, "contact")
	s.contacts[c.ID] = &c
	return c.ID
}

// seed gives a seeded record of resourceType its id and update time when
// unset, and its tags their ids. s.mu is held.
func (s *Server) seed(id *int64, updated *time.Time, tags []string, resourceType string) {
	if *id == 0 {
		*id = s.id()
	}
	if updated.IsZero() {
		*updated = s.clock.Now()
	}
	for _, t := range tags {
		s.tagID(t, resourceType)
	}
}

// AddLead seeds a lead and returns its id.
func (s *Server) AddLead(l Lead) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seed(&l.ID, &l.Updated, l.Tags, "lead")
	s.leads[l.ID] = &l
	return l.ID
}

// AddTag seeds a tag of resourceType ("contact", "lead" or "deal") and
// returns its id; an existing tag of that name and type keeps its id
// (Sell's tag names are unique per resource type).
func (s *Server) AddTag(name, resourceType string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tagID(name, resourceType)
}

// tagID returns the id of tag name of resourceType, creating it; s.mu is
// held.
func (s *Server) tagID(name, resourceType string) int64 {
	for _, t := range s.tags {
		if t.Name == name && t.ResourceType == resourceType {
			return t.ID
		}
	}
	t := &Tag{ID: s.id(), Name: name, ResourceType: resourceType}
	s.tags[t.ID] = t
	return t.ID
}

// SetContactTags replaces contact id's tags (as PUT /v2/contacts/{id} with
// tags does); false when there is no such contact.
func (s *Server) SetContactTags(id int64, tags ...string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.contacts[id]
	if c == nil {
		return false
	}
	for _, t := range tags {
		s.tagID(t, "contact")
	}
	c.Tags = append([]string(nil), tags...)
	return true
}

// AddDeal seeds a deal and returns its id.
func (s *Server) AddDeal(d Deal) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == 0 {
		d.ID = s.id()
	}
	if d.Updated.IsZero() {
		d.Updated = s.clock.Now()
	}
	s.deals[d.ID] = &d
	return d.ID
}

// Calls returns the stored calls in creation order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Tasks returns the stored tasks in creation order.
func (s *Server) Tasks() []Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Task(nil), s.tasks...)
}

// writeError writes Sell's error envelope.
func (s *Server) writeError(w http.ResponseWriter, status int, code, msg, details, field string) {
	s.mu.Lock()
	s.logref++
	ref := s.logref
	s.mu.Unlock()
	e := map[string]any{"code": code, "message": msg, "details": details}
	if field != "" {
		e["field"] = field
		e["resource"] = "call"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"error": e, "meta": map[string]any{"type": "error"}}},
		"meta":   map[string]any{"type": "errors", "http_status": fmt.Sprintf("%d %s", status, http.StatusText(status)), "logref": fmt.Sprintf("sellfake-%06d", ref)},
	})
}

func writeItem(w http.ResponseWriter, typ string, data any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{"data": data, "meta": map[string]any{"type": typ}})
}

func writeCollection(w http.ResponseWriter, r *http.Request, typ string, all []map[string]any, page, perPage int) {
	start := min((page-1)*perPage, len(all))
	end := min(start+perPage, len(all))
	items := make([]any, 0, end-start)
	for _, d := range all[start:end] {
		items = append(items, map[string]any{"data": d, "meta": map[string]any{"type": typ}})
	}
	links := map[string]any{"self": r.URL.String()}
	if end < len(all) {
		q := r.URL.Query()
		q.Set("page", fmt.Sprint(page+1))
		links["next_page"] = r.URL.Path + "?" + q.Encode()
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "meta": map[string]any{"type": "collection", "count": len(items), "links": links}})
}

func sortedIDs[T any](m map[int64]T) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// RenewToken makes tok the accepted token and clears ExpireToken (the user
// reconnected the CRM with a new token).
func (s *Server) RenewToken(tok string) {
	s.mu.Lock()
	s.token, s.expired = tok, false
	s.mu.Unlock()
}

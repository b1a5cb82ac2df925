package pipedrivefake

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/crmtest"
)

// TimeLayout is Pipedrive's timestamp format (UTC).
const TimeLayout = "2006-01-02 15:04:05"

// Value is one phone or email of a person.
type Value struct {
	Label   string `json:"label"`
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// Person is a seeded or stored person.
type Person struct {
	ID        int64
	FirstName string
	LastName  string
	OrgID     int64
	Phones    []Value
	Emails    []Value
	JobTitle  string
	Updated   time.Time
	Deleted   bool
	// Custom holds custom field values by field key, returned at the top
	// level of the person as v1 does.
	Custom map[string]any
}

// Organization is a seeded organization.
type Organization struct {
	ID      int64
	Name    string
	Address string
	Updated time.Time
	Deleted bool
}

// Deal is a seeded deal. Value is decimal text, sent as a JSON number.
type Deal struct {
	ID       int64
	Title    string
	Value    string
	Currency string
	StageID  int64
	PersonID int64
	OrgID    int64
	Status   string // open, won, lost, deleted
	Updated  time.Time
}

// CallLog is a call log as the fake received it (strings verbatim).
type CallLog struct {
	ID              string
	Outcome         string
	ToPhoneNumber   string
	FromPhoneNumber string
	StartTime       string
	EndTime         string
	Duration        string
	Subject         string
	Note            string
	PersonID        int64
	OrgID           int64
	DealID          int64
	Raw             json.RawMessage // the request body
}

// Activity is an activity as the fake received it.
type Activity struct {
	ID       int64
	Subject  string
	Type     string
	Done     int
	DueDate  string
	DueTime  string
	Note     string
	PersonID int64
	DealID   int64
	Raw      json.RawMessage
}

// Server is the fake. Create it with New and Close it when done.
type Server struct {
	token      string
	oauthToken string
	clock      crmtest.Clock
	log        *slog.Logger
	burst      int
	daily      int
	search     *crmtest.Limiter
	dailyLim   *crmtest.Limiter

	inj *crmtest.Injector
	srv *httptest.Server

	mu         sync.Mutex
	nextID     int64
	persons    map[int64]*Person
	orgs       map[int64]*Organization
	deals      map[int64]*Deal
	callLogs   []CallLog
	activities []Activity
	filters    []*Filter // filters.go
	expired    bool
}

// Option configures a Server.
type Option func(*Server) error

// WithToken sets the accepted API token (default "pd-test-token").
func WithToken(t string) Option {
	return func(s *Server) error { s.token = t; return nil }
}

// WithOAuthToken sets an accepted OAuth access token (Bearer).
func WithOAuthToken(t string) Option {
	return func(s *Server) error { s.oauthToken = t; return nil }
}

// WithClock sets the clock for timestamps and rate-limit windows.
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

// WithBurstLimit sets the requests allowed per rolling 2 s window
// (default 20, the Essential plan's api_token limit,
// https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting).
func WithBurstLimit(n int) Option {
	return func(s *Server) error {
		if n <= 0 {
			return fmt.Errorf("%w: burst limit %d", ErrConfig, n)
		}
		s.burst = n
		return nil
	}
}

// WithDailyLimit enables a daily request budget (0, the default, disables
// it). UNCONFIRMED (crm-apis.md §2.5): Pipedrive counts weighted tokens per
// endpoint; the fake counts requests.
func WithDailyLimit(n int) Option {
	return func(s *Server) error {
		if n < 0 {
			return fmt.Errorf("%w: daily limit %d", ErrConfig, n)
		}
		s.daily = n
		return nil
	}
}

// New starts a fake on 127.0.0.1 (a free port).
func New(opts ...Option) (*Server, error) {
	s := &Server{
		token:   "pd-test-token",
		clock:   crmtest.SystemClock(),
		log:     slog.New(slog.DiscardHandler),
		burst:   20,
		nextID:  1000,
		persons: map[int64]*Person{},
		orgs:    map[int64]*Organization{},
		deals:   map[int64]*Deal{},
	}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	burst, err := crmtest.NewLimiter("burst", s.burst, 2*time.Second)
	if err != nil {
		return nil, err
	}
	burst.Admit = func(w http.ResponseWriter, r *http.Request, info crmtest.LimitInfo) {
		s.rateHeaders(w, r, info)
	}
	burst.Reject = func(w http.ResponseWriter, r *http.Request, info crmtest.LimitInfo) {
		s.rateHeaders(w, r, info)
		writeError(w, http.StatusTooManyRequests, "Request over limit", "Please wait and try again; see https://pipedrive.readme.io/docs/core-api-concepts-rate-limiting")
	}
	iopts := []crmtest.Option{crmtest.WithClock(s.clock), crmtest.WithLogger(s.log), crmtest.WithLimiter(burst)}
	if s.daily > 0 {
		day, err := crmtest.NewLimiter("daily", s.daily, 24*time.Hour)
		if err != nil {
			return nil, err
		}
		day.Reject = func(w http.ResponseWriter, r *http.Request, info crmtest.LimitInfo) {
			w.Header().Set("x-daily-requests-left", "0")
			w.Header().Set("Retry-After", strconv.Itoa(int((info.RetryAfter+time.Second-1)/time.Second)))
			writeError(w, http.StatusTooManyRequests, "Daily token budget exceeded", "The company's daily API token budget is used up; it resets daily")
		}
		s.dailyLim = day
		iopts = append(iopts, crmtest.WithLimiter(day))
	}
	if s.search, err = crmtest.NewLimiter("search", 10, 2*time.Second); err != nil {
		return nil, err
	}
	s.inj, err = crmtest.New(s.routes(), iopts...)
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

// URL is the API root to pass to pipedrive.WithBaseURL (ends in /v1).
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Token returns the accepted API token.
func (s *Server) Token() string { s.mu.Lock(); defer s.mu.Unlock(); return s.token }

// Faults returns the fault injector in front of the fake.
func (s *Server) Faults() *crmtest.Injector { return s.inj }

// Close stops the server, releasing requests held by timeout faults.
func (s *Server) Close() {
	_ = s.inj.Close()
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// ExpireToken makes the accepted tokens invalid (401 from now on).
func (s *Server) ExpireToken() {
	s.mu.Lock()
	s.expired = true
	s.mu.Unlock()
}

func (s *Server) id() int64 { s.nextID++; return s.nextID }

// AddPerson seeds a person and returns its id (assigned when zero).
func (s *Server) AddPerson(p Person) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		p.ID = s.id()
	}
	if p.Updated.IsZero() {
		p.Updated = s.clock.Now()
	}
	s.persons[p.ID] = &p
	return p.ID
}

// AddOrganization seeds an organization and returns its id.
func (s *Server) AddOrganization(o Organization) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if o.ID == 0 {
		o.ID = s.id()
	}
	if o.Updated.IsZero() {
		o.Updated = s.clock.Now()
	}
	s.orgs[o.ID] = &o
	return o.ID
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
	if d.Status == "" {
		d.Status = "open"
	}
	s.deals[d.ID] = &d
	return d.ID
}

// CallLogs returns the stored call logs in creation order.
func (s *Server) CallLogs() []CallLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]CallLog(nil), s.callLogs...)
}

// Activities returns the stored activities in creation order.
func (s *Server) Activities() []Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Activity(nil), s.activities...)
}

// rateHeaders writes the documented x-ratelimit-* headers.
func (s *Server) rateHeaders(w http.ResponseWriter, r *http.Request, info crmtest.LimitInfo) {
	h := w.Header()
	h.Set("x-ratelimit-limit", strconv.Itoa(info.Limit))
	h.Set("x-ratelimit-remaining", strconv.Itoa(info.Remaining))
	reset := info.Window
	if info.RetryAfter > 0 {
		reset = info.RetryAfter
	}
	h.Set("x-ratelimit-reset", strconv.Itoa(int((reset+time.Second-1)/time.Second)))
	// x-daily-requests-left: POST/PUT with an api_token only.
	if (r.Method == http.MethodPost || r.Method == http.MethodPut) && r.Header.Get("Authorization") == "" && s.dailyLim != nil {
		h.Set("x-daily-requests-left", strconv.Itoa(s.dailyLim.Peek(s.clock.Now()).Remaining))
	}
}

// writeJSON writes a success envelope.
func writeJSON(w http.ResponseWriter, status int, data any, additional any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "data": data, "additional_data": additional})
}

// writeError writes Pipedrive's error envelope (call-log-bad-request-response).
func writeError(w http.ResponseWriter, status int, msg, info string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"success": false, "error": msg, "error_info": info, "data": nil, "additional_data": nil})
}

// paginate returns the [start, end) window and the pagination object.
func paginate(r *http.Request, total, def, max int) (int, int, map[string]any, error) {
	start, limit := 0, def
	if v := r.URL.Query().Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, nil, fmt.Errorf("start must be a non-negative integer")
		}
		start = n
	}
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, nil, fmt.Errorf("limit must be a positive integer")
		}
		if n > max {
			return 0, 0, nil, fmt.Errorf("limit must not exceed %d", max)
		}
		limit = n
	}
	if start > total {
		start = total
	}
	end := min(start+limit, total)
	p := map[string]any{"start": start, "limit": limit, "more_items_in_collection": end < total}
	if end < total {
		p["next_start"] = end
	}
	return start, end, p, nil
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

package zohofake

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

// TimeLayout is Zoho's date-time format (ISO-8601 with offset).
const TimeLayout = "2006-01-02T15:04:05-07:00"

// Contact is a seeded contact.
type Contact struct {
	ID                  string
	FirstName, LastName string
	Email, Title        string
	Phone, Mobile       string
	AccountID           string
	Street, City        string
	Modified            time.Time
	// Custom holds other fields by API name (a custom do-not-call
	// checkbox, ...), returned with the record.
	Custom map[string]any
}

// Account is a seeded account.
type Account struct {
	ID, Name, Phone, Website, Street, City string
	Modified                               time.Time
}

// Deal is a seeded deal; Amount is decimal text, sent as a JSON number.
type Deal struct {
	ID, Name, Amount, Currency, Stage string
	ContactID, AccountID              string
	Modified                          time.Time
}

// Record is an inserted Calls or Tasks record: the fields as received.
type Record struct {
	ID     string
	Module string
	Fields map[string]any
	Raw    json.RawMessage // the record's JSON
}

// Str returns a string field of the record ("" when absent or not a
// string).
func (r Record) Str(k string) string { s, _ := r.Fields[k].(string); return s }

// Lookup returns the id of a lookup field sent as {"id":...} or a string.
func (r Record) Lookup(k string) string {
	switch v := r.Fields[k].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

// DefaultCallResults is the Call_Result picklist a new fake serves.
var DefaultCallResults = []string{"Interested", "Not interested", "No response/Busy", "Requested more info", "Requested call back", "Invalid number"}

// Server is the fake. Create it with New and Close it when done.
type Server struct {
	token       string
	clock       crmtest.Clock
	log         *slog.Logger
	credits     int
	concurrency int
	results     []string

	inj      *crmtest.Injector
	srv      *httptest.Server
	inflight chan struct{}

	mu       sync.Mutex
	nextID   int64
	contacts map[string]*Contact
	accounts map[string]*Account
	deals    map[string]*Deal
	records  []Record
	views    []*CustomView // views.go
	expired  bool
}

// Option configures a Server.
type Option func(*Server) error

// WithToken sets the accepted access token (default "zoho-test-token").
func WithToken(t string) Option { return func(s *Server) error { s.token = t; return nil } }

// WithClock sets the clock for timestamps and the credit window.
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

// WithCredits sets the API credits per rolling 24 hours (default 5,000,
// the Free edition; https://www.zoho.com/crm/developer/docs/api/v2/api-limits.html).
// Every request costs one credit.
func WithCredits(n int) Option {
	return func(s *Server) error {
		if n <= 0 {
			return fmt.Errorf("%w: credits %d", ErrConfig, n)
		}
		s.credits = n
		return nil
	}
}

// WithConcurrency sets how many requests may be in flight at once
// (default 10). UNCONFIRMED (crm-apis.md §4.3): the per-edition numbers.
func WithConcurrency(n int) Option {
	return func(s *Server) error {
		if n <= 0 {
			return fmt.Errorf("%w: concurrency %d", ErrConfig, n)
		}
		s.concurrency = n
		return nil
	}
}

// WithCallResults replaces the Call_Result picklist.
func WithCallResults(v []string) Option {
	return func(s *Server) error { s.results = append([]string(nil), v...); return nil }
}

// New starts a fake on 127.0.0.1 (a free port).
func New(opts ...Option) (*Server, error) {
	s := &Server{token: "zoho-test-token", clock: crmtest.SystemClock(), log: slog.New(slog.DiscardHandler),
		credits: 5000, concurrency: 10, results: DefaultCallResults, nextID: 4150868000000620000,
		contacts: map[string]*Contact{}, accounts: map[string]*Account{}, deals: map[string]*Deal{}}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	lim, err := crmtest.NewLimiter("credits", s.credits, 24*time.Hour)
	if err != nil {
		return nil, err
	}
	lim.Reject = func(w http.ResponseWriter, r *http.Request, info crmtest.LimitInfo) {
		// UNCONFIRMED (crm-apis.md §4.3): the code for exhausted credits.
		writeStatus(w, http.StatusTooManyRequests, "LIMIT_EXCEEDED", "API credits for the last 24 hours are used up", nil)
	}
	s.inj, err = crmtest.New(s.routes(), crmtest.WithClock(s.clock), crmtest.WithLogger(s.log), crmtest.WithLimiter(lim))
	if err != nil {
		return nil, err
	}
	s.inflight = make(chan struct{}, s.concurrency)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	return s, nil
}

// serve applies the concurrency cap outside the injector, so requests the
// injector holds (timeout faults) count as in flight.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	select {
	case s.inflight <- struct{}{}:
		defer func() { <-s.inflight }()
		s.inj.ServeHTTP(w, r)
	default:
		// UNCONFIRMED (crm-apis.md §4.3): code TOO_MANY_REQUESTS.
		writeStatus(w, http.StatusTooManyRequests, "TOO_MANY_REQUESTS", "concurrency limit exceeded", nil)
	}
}

// URL is the API root to pass to zoho.WithBaseURL (ends in /crm/v2).
func (s *Server) URL() string { return s.srv.URL + "/crm/v2" }

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

// ExpireToken makes the token invalid (401 INVALID_TOKEN from now on).
func (s *Server) ExpireToken() { s.mu.Lock(); s.expired = true; s.mu.Unlock() }

func (s *Server) id() string { s.nextID++; return fmt.Sprint(s.nextID) }

// AddContact seeds a contact and returns its id.
func (s *Server) AddContact(c Contact) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == "" {
		c.ID = s.id()
	}
	if c.Modified.IsZero() {
		c.Modified = s.clock.Now()
	}
	s.contacts[c.ID] = &c
	return c.ID
}

// AddAccount seeds an account and returns its id.
func (s *Server) AddAccount(a Account) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.ID == "" {
		a.ID = s.id()
	}
	if a.Modified.IsZero() {
		a.Modified = s.clock.Now()
	}
	s.accounts[a.ID] = &a
	return a.ID
}

// AddDeal seeds a deal and returns its id.
func (s *Server) AddDeal(d Deal) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d.ID == "" {
		d.ID = s.id()
	}
	if d.Modified.IsZero() {
		d.Modified = s.clock.Now()
	}
	s.deals[d.ID] = &d
	return d.ID
}

// Records returns the inserted records of a module ("Calls", "Tasks") in
// creation order.
func (s *Server) Records(module string) []Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Record
	for _, r := range s.records {
		if r.Module == module {
			out = append(out, r)
		}
	}
	return out
}

// writeStatus writes Zoho's {code,details,message,status:"error"} object.
func writeStatus(w http.ResponseWriter, code int, zcode, msg string, details map[string]any) {
	if details == nil {
		details = map[string]any{}
	}
	writeJSON(w, code, map[string]any{"code": zcode, "details": details, "message": msg, "status": "error"})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func sortedKeys[T any](m map[string]T) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// RenewToken makes tok the accepted token and clears ExpireToken (the user
// reconnected the CRM with a new token).
func (s *Server) RenewToken(tok string) {
	s.mu.Lock()
	s.token, s.expired = tok, false
	s.mu.Unlock()
}

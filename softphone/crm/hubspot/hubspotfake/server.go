package hubspotfake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/crmtest"
)

// Default limits of a Free/Starter private app (crm-apis notes §1.8,
// https://developers.hubspot.com/docs/api/usage-details).
const (
	DefaultBurstLimit  = 100
	DefaultBurstWindow = 10 * time.Second
	DefaultDailyLimit  = 250_000
	// DefaultSearchPerSecond is the CRM search limit per token
	// (https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase).
	DefaultSearchPerSecond = 4
)

// Default dispositions (call outcomes) of a HubSpot account, plus one
// custom outcome as accounts may add (crm-apis notes §1.2).
var DefaultDispositions = []Disposition{
	{ID: "9d9162e7-6cf3-4944-bf63-4dff82258764", Label: "Busy"},
	{ID: "f240bbac-87c9-4f6e-bf70-924b57d47db7", Label: "Connected"},
	{ID: "a4c4c377-d246-4b32-a13b-75a56a4cd0ff", Label: "Left live message"},
	{ID: "b2cf5968-551e-4856-9783-52b3da59a7d0", Label: "Left voicemail"},
	{ID: "73a0d17f-1163-4015-bdd5-ec830791da20", Label: "No answer"},
	{ID: "17b47fee-58de-441e-a44c-c6300d46f273", Label: "Wrong number"},
	{ID: "5c1f7bd0-3a0e-4d1e-9d5c-7c1c0e5b1a11", Label: "Demo booked"}, // custom
}

// Disposition is one call outcome of GET /calling/v1/dispositions.
type Disposition struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Option configures a Server.
type Option func(*config) error

type config struct {
	tokens       []string
	clock        crmtest.Clock
	log          *slog.Logger
	burst        int
	window       time.Duration
	daily        int
	searchPerSec int
	retryAfter   bool
	searchLag    time.Duration
	portalID     int
	timeZone     string
	dispositions []Disposition
	maxBatch     int
}

// WithToken adds an accepted Bearer token (default: "test-token").
func WithToken(tok string) Option {
	return func(c *config) error {
		if tok == "" {
			return fmt.Errorf("%w: empty token", ErrBadOption)
		}
		c.tokens = append(c.tokens, tok)
		return nil
	}
}

// WithClock sets the clock for timestamps and rate limits.
func WithClock(clk crmtest.Clock) Option {
	return func(c *config) error {
		if clk == nil {
			return fmt.Errorf("%w: nil clock", ErrBadOption)
		}
		c.clock = clk
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.log = l; return nil }
}

// WithBurstLimit sets the rolling burst limit (default 100 per 10 s;
// Professional/Enterprise 190, with the capacity pack 250).
func WithBurstLimit(n int, window time.Duration) Option {
	return func(c *config) error {
		if n <= 0 || window <= 0 {
			return fmt.Errorf("%w: burst %d per %s", ErrBadOption, n, window)
		}
		c.burst, c.window = n, window
		return nil
	}
}

// WithDailyLimit sets the daily request budget (default 250,000), reset at
// midnight in the portal's time zone.
func WithDailyLimit(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("%w: daily %d", ErrBadOption, n)
		}
		c.daily = n
		return nil
	}
}

// WithSearchRate sets the per-second limit of the search endpoints, which
// are exempt from the burst limit (calls.json: x-hubspot-rate-limit-exemptions).
func WithSearchRate(perSecond int) Option {
	return func(c *config) error {
		if perSecond <= 0 {
			return fmt.Errorf("%w: search %d/s", ErrBadOption, perSecond)
		}
		c.searchPerSec = perSecond
		return nil
	}
}

// WithRetryAfter makes 429 responses carry a Retry-After header (whether
// HubSpot sends one is unconfirmed; default off).
func WithRetryAfter() Option {
	return func(c *config) error { c.retryAfter = true; return nil }
}

// WithSearchLag hides objects created or updated less than d ago from
// search, like HubSpot's search index lag (default 0).
func WithSearchLag(d time.Duration) Option {
	return func(c *config) error { c.searchLag = d; return nil }
}

// WithTimeZone sets the portal's IANA time zone (default "UTC"); the daily
// limit resets at midnight there.
func WithTimeZone(name string) Option {
	return func(c *config) error {
		if _, err := time.LoadLocation(name); err != nil {
			return fmt.Errorf("%w: time zone: %w", ErrBadOption, err)
		}
		c.timeZone = name
		return nil
	}
}

// WithDispositions replaces the account's call outcomes.
func WithDispositions(d []Disposition) Option {
	return func(c *config) error { c.dispositions = append([]Disposition(nil), d...); return nil }
}

// Server is an in-memory HubSpot: the CRM v3 object endpoints the adapter
// uses, with HubSpot's auth, limits, error shapes and OpenAPI validation.
// It is safe for concurrent use.
type Server struct {
	cfg   config
	loc   *time.Location
	specs specs
	inj   *crmtest.Injector
	log   *slog.Logger

	mu       sync.Mutex
	tokens   map[string]time.Time // token -> expiry (zero: never)
	objects  map[string]map[string]*Object
	order    map[string][]string // ids in creation order per type
	nextID   int64
	lists    []*List // contact lists, in creation order (lists.go)
	dayKey   string
	dayCount int

	srvMu    sync.Mutex
	httpSrv  *http.Server
	listener net.Listener
	serveErr chan error
	ready    chan struct{} // closed once a listener is serving
}

// New builds a Server. It serves nothing until Start or ListenAndServe, or
// until its Handler is mounted elsewhere.
func New(opts ...Option) (*Server, error) {
	cfg := config{
		clock:        crmtest.SystemClock(),
		log:          slog.New(slog.DiscardHandler),
		burst:        DefaultBurstLimit,
		window:       DefaultBurstWindow,
		daily:        DefaultDailyLimit,
		searchPerSec: DefaultSearchPerSecond,
		portalID:     62515,
		timeZone:     "UTC",
		dispositions: DefaultDispositions,
		maxBatch:     100,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if len(cfg.tokens) == 0 {
		cfg.tokens = []string{"test-token"}
	}
	if cfg.log == nil {
		cfg.log = slog.New(slog.DiscardHandler)
	}
	loc, _ := time.LoadLocation(cfg.timeZone)
	sp, err := loadSpecs()
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:     cfg,
		loc:     loc,
		specs:   sp,
		log:     cfg.log,
		tokens:  map[string]time.Time{},
		objects: map[string]map[string]*Object{},
		order:   map[string][]string{},
		nextID:  1000,
		ready:   make(chan struct{}),
	}
	for _, t := range cfg.tokens {
		s.tokens[t] = time.Time{}
	}
	for _, typ := range objectTypes {
		s.objects[typ] = map[string]*Object{}
	}

	burst, err := crmtest.NewLimiter("TEN_SECONDLY_ROLLING", cfg.burst, cfg.window)
	if err != nil {
		return nil, err
	}
	burst.Match = func(r *http.Request) bool { return !isSearch(r) && s.authorized(r) }
	burst.Admit = s.burstHeaders
	burst.Reject = s.reject
	search, err := crmtest.NewLimiter("SECONDLY", cfg.searchPerSec, time.Second)
	if err != nil {
		return nil, err
	}
	search.Match = func(r *http.Request) bool { return isSearch(r) && s.authorized(r) }
	search.Reject = s.reject
	s.inj, err = crmtest.New(http.HandlerFunc(s.serve),
		crmtest.WithClock(cfg.clock), crmtest.WithLogger(cfg.log),
		crmtest.WithLimiter(burst), crmtest.WithLimiter(search),
		crmtest.WithBypass(func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, controlPrefix) }))
	if err != nil {
		return nil, err
	}
	return s, nil
}

func isSearch(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/search")
}

// Handler returns the fake's HTTP handler, fault injection included.
func (s *Server) Handler() http.Handler { return s.inj }

// Faults returns the fault injector in front of the fake, for scripting
// failures and reading the request log.
func (s *Server) Faults() *crmtest.Injector { return s.inj }

// Start serves on a fresh loopback port and returns the base URL
// (http://127.0.0.1:PORT).
func (s *Server) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	if err := s.serveOn(ln); err != nil {
		return "", err
	}
	return "http://" + ln.Addr().String(), nil
}

// ListenAndServe serves on addr (e.g. "127.0.0.1:0" from a helper
// process) and blocks until Close. It returns nil after Close.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if err := s.serveOn(ln); err != nil {
		return err
	}
	err = <-s.serveErr
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Ready is closed once the server listens (Start or ListenAndServe).
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr returns the listening address, or "" before Start/ListenAndServe.
func (s *Server) Addr() string {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.listener == nil {
		return ""
	}
	return s.listener.Addr().String()
}

func (s *Server) serveOn(ln net.Listener) error {
	s.srvMu.Lock()
	defer s.srvMu.Unlock()
	if s.httpSrv != nil {
		ln.Close()
		return fmt.Errorf("hubspotfake: already serving on %s", s.listener.Addr())
	}
	s.httpSrv = &http.Server{Handler: s.inj, ReadHeaderTimeout: 10 * time.Second}
	s.listener = ln
	s.serveErr = make(chan error, 1)
	go func() { s.serveErr <- s.httpSrv.Serve(ln) }()
	close(s.ready)
	return nil
}

// Close stops serving, releases requests held by Timeout faults and waits
// for the server goroutine.
func (s *Server) Close() error {
	s.inj.Close()
	s.srvMu.Lock()
	srv, ch := s.httpSrv, s.serveErr
	s.srvMu.Unlock()
	if srv == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		srv.Close()
	}
	select {
	case e := <-ch:
		// Put it back for a ListenAndServe caller still waiting.
		ch <- e
	case <-ctx.Done():
	}
	return nil
}

// ExpireToken makes tok answer 401 EXPIRED_AUTHENTICATION from now on.
func (s *Server) ExpireToken(tok string) {
	s.mu.Lock()
	s.tokens[tok] = s.cfg.clock.Now()
	s.mu.Unlock()
}

// AddToken accepts another Bearer token.
func (s *Server) AddToken(tok string) {
	s.mu.Lock()
	s.tokens[tok] = time.Time{}
	s.mu.Unlock()
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return ""
	}
	return strings.TrimSpace(tok)
}

// authorized reports whether r carries a live token (the limits only count
// authenticated requests).
func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.tokens[bearer(r)]
	return ok && (exp.IsZero() || s.cfg.clock.Now().Before(exp))
}

// burstHeaders writes both generations of HubSpot's rate-limit headers on
// an admitted request (crm-apis notes §1.8; the 2018 changelog names the
// Daily/Secondly set, newer notes the Max/Remaining/Interval set).
func (s *Server) burstHeaders(w http.ResponseWriter, _ *http.Request, info crmtest.LimitInfo) {
	h := w.Header()
	h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(info.Limit))
	h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(info.Remaining))
	h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(info.Window.Milliseconds(), 10))
	perSec := max(1, int(int64(info.Limit)*int64(time.Second)/int64(info.Window)))
	h.Set("X-HubSpot-RateLimit-Secondly", strconv.Itoa(perSec))
	h.Set("X-HubSpot-RateLimit-Secondly-Remaining", strconv.Itoa(min(perSec, info.Remaining)))
	s.mu.Lock()
	used := s.dayCount
	s.mu.Unlock()
	h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(s.cfg.daily))
	h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(max(0, s.cfg.daily-used-1)))
}

// reject writes HubSpot's 429 body (crm-apis notes §1.8).
func (s *Server) reject(w http.ResponseWriter, _ *http.Request, info crmtest.LimitInfo) {
	msg := "You have reached your ten_secondly_rolling limit."
	if info.Name == "SECONDLY" {
		msg = "You have reached your secondly limit."
	}
	if s.cfg.retryAfter {
		w.Header().Set("Retry-After", strconv.Itoa(int((info.RetryAfter+time.Second-1)/time.Second)))
	}
	if info.Name == "TEN_SECONDLY_ROLLING" {
		w.Header().Set("X-HubSpot-RateLimit-Max", strconv.Itoa(info.Limit))
		w.Header().Set("X-HubSpot-RateLimit-Remaining", "0")
		w.Header().Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.FormatInt(info.Window.Milliseconds(), 10))
	}
	writeRateLimit(w, msg, info.Name)
}

// takeDaily counts one request against the daily budget; false when it
// is exhausted. The day rolls over at midnight in the portal's zone.
func (s *Server) takeDaily() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := s.cfg.clock.Now().In(s.loc).Format(time.DateOnly)
	if key != s.dayKey {
		s.dayKey, s.dayCount = key, 0
	}
	if s.dayCount >= s.cfg.daily {
		return false
	}
	s.dayCount++
	return true
}

package crmtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"sync"
	"time"
)

// Entry is one request in an Injector's log.
type Entry struct {
	Time     time.Time // when the request arrived (Injector clock)
	Method   string
	Path     string
	Status   int       // status written; 0 when the connection was reset or the request was abandoned
	Fault    FaultKind // the injected fault, "" when none
	Limited  string    // the Limiter's name when rate limited
	Duration time.Duration
}

// Counters sums an Injector's traffic.
type Counters struct {
	Requests    int               // every request seen
	Served      int               // requests the wrapped handler processed
	RateLimited int               // requests rejected by a Limiter
	Faults      map[FaultKind]int // injected faults by kind
	ByStatus    map[int]int       // status codes written to clients
}

// Option configures an Injector.
type Option func(*Injector) error

// WithClock sets the clock used for the log and the limiters (default: the
// system clock).
func WithClock(c Clock) Option {
	return func(in *Injector) error {
		if c == nil {
			return fmt.Errorf("crmtest: nil clock")
		}
		in.clock = c
		return nil
	}
}

// WithLimiter adds a rate limit. Limiters are checked in order; a request
// must pass all of them.
func WithLimiter(l *Limiter) Option {
	return func(in *Injector) error {
		if l == nil {
			return fmt.Errorf("%w: nil limiter", ErrInvalidLimit)
		}
		if err := l.validate(); err != nil {
			return err
		}
		in.limiters = append(in.limiters, l)
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(in *Injector) error {
		if l != nil {
			in.log = l
		}
		return nil
	}
}

// WithBypass exempts requests for which f returns true from faults and
// limits (e.g. a fake's own test-control endpoints).
func WithBypass(f func(*http.Request) bool) Option {
	return func(in *Injector) error { in.bypass = f; return nil }
}

// Injector is an http.Handler that wraps a fake vendor's handler with
// scripted faults, rate limits, a request log and counters. It is safe for
// concurrent use.
type Injector struct {
	next     http.Handler
	clock    Clock
	log      *slog.Logger
	limiters []*Limiter
	bypass   func(*http.Request) bool

	mu       sync.Mutex
	rules    []*rule
	entries  []Entry
	counters Counters
	closed   chan struct{}
	isClosed bool
	held     sync.WaitGroup
	holding  int
	changed  chan struct{} // closed and replaced whenever holding changes
}

// New wraps next.
func New(next http.Handler, opts ...Option) (*Injector, error) {
	if next == nil {
		return nil, errors.New("crmtest: nil handler")
	}
	in := &Injector{
		next:    next,
		clock:   SystemClock(),
		log:     slog.New(slog.DiscardHandler),
		closed:  make(chan struct{}),
		changed: make(chan struct{}),
	}
	in.counters.Faults = map[FaultKind]int{}
	in.counters.ByStatus = map[int]int{}
	for _, o := range opts {
		if err := o(in); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// FailNext applies f to the next n requests, whatever their path.
func (in *Injector) FailNext(n int, f Fault) error { return in.FailPath("", "", n, f) }

// FailPath applies f to the next n requests whose method (""=any) and URL
// path match pattern (path.Match syntax, ""=any); n < 0 means every
// matching request until Clear. Rules are consulted in the order added;
// the first matching one wins.
func (in *Injector) FailPath(method, pattern string, n int, f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: count 0", ErrInvalidFault)
	}
	if pattern != "" {
		if _, err := path.Match(pattern, "/"); err != nil {
			return fmt.Errorf("%w: pattern %q: %w", ErrInvalidFault, pattern, err)
		}
	}
	in.mu.Lock()
	in.rules = append(in.rules, &rule{method: method, pattern: pattern, count: n, fault: f})
	in.mu.Unlock()
	return nil
}

// Clear removes every pending fault rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	in.rules = nil
	in.mu.Unlock()
}

// Pending returns how many fault rules are still armed.
func (in *Injector) Pending() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.rules)
}

// Log returns a copy of the request log.
func (in *Injector) Log() []Entry {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Entry(nil), in.entries...)
}

// Counters returns a copy of the counters.
func (in *Injector) Counters() Counters {
	in.mu.Lock()
	defer in.mu.Unlock()
	c := in.counters
	c.Faults = make(map[FaultKind]int, len(in.counters.Faults))
	for k, v := range in.counters.Faults {
		c.Faults[k] = v
	}
	c.ByStatus = make(map[int]int, len(in.counters.ByStatus))
	for k, v := range in.counters.ByStatus {
		c.ByStatus[k] = v
	}
	return c
}

// ResetLog clears the log and the counters (not the rules or limiters).
func (in *Injector) ResetLog() {
	in.mu.Lock()
	in.entries = nil
	in.counters = Counters{Faults: map[FaultKind]int{}, ByStatus: map[int]int{}}
	in.mu.Unlock()
}

// Close releases requests held by Timeout faults and waits for them to
// return. Later requests that hit a Timeout fault return at once.
func (in *Injector) Close() error {
	in.mu.Lock()
	if !in.isClosed {
		in.isClosed = true
		close(in.closed)
	}
	in.mu.Unlock()
	in.held.Wait()
	return nil
}

// Holding returns how many requests Timeout faults are holding now.
func (in *Injector) Holding() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.holding
}

// WaitHolding blocks until exactly n requests are held by Timeout faults,
// or ctx ends.
func (in *Injector) WaitHolding(ctx context.Context, n int) error {
	for {
		in.mu.Lock()
		h, ch := in.holding, in.changed
		in.mu.Unlock()
		if h == n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("crmtest: %d requests held, want %d: %w", h, n, ctx.Err())
		}
	}
}

// hold registers a held request; false when the Injector is closed.
func (in *Injector) hold(delta int) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if delta > 0 {
		if in.isClosed {
			return false
		}
		in.held.Add(1)
	}
	in.holding += delta
	close(in.changed)
	in.changed = make(chan struct{})
	if delta < 0 {
		in.held.Done()
	}
	return true
}

// take picks the fault for r, if any, decrementing its rule.
func (in *Injector) take(r *http.Request, served bool) (Fault, bool) {
	for i, ru := range in.rules {
		if ru.fault.Served != served || !ru.matches(r) {
			continue
		}
		if ru.count > 0 {
			ru.count--
			if ru.count == 0 {
				in.rules = append(in.rules[:i:i], in.rules[i+1:]...)
			}
		}
		return ru.fault, true
	}
	return Fault{}, false
}

// ServeHTTP implements http.Handler.
func (in *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if in.bypass != nil && in.bypass(r) {
		in.next.ServeHTTP(w, r)
		return
	}
	start := in.clock.Now()
	e := Entry{Time: start, Method: r.Method, Path: r.URL.Path}
	rec := &statusWriter{ResponseWriter: w}

	// Faults that stand in for the vendor are decided before the rate
	// limit (the request never reached the vendor); faults applied after
	// serving only consume their rule when the request is admitted.
	in.mu.Lock()
	in.counters.Requests++
	f, pre := in.take(r, false)
	in.mu.Unlock()

	if pre {
		e.Fault = f.Kind
		if f.Kind == KindReset {
			// The client sees the reset the moment it happens: log first,
			// so that Log already holds the entry when the client's call
			// returns.
			in.record(e)
			in.apply(rec, r, f, nil)
			return
		}
		in.apply(rec, r, f, nil)
	} else if lim, info, ok := in.admit(rec, r); !ok {
		e.Limited = lim.Name
		if lim.Reject != nil {
			lim.Reject(rec, r, info)
		} else {
			defaultReject(rec, r, info)
		}
	} else {
		in.mu.Lock()
		f, post := in.take(r, true)
		in.counters.Served++
		in.mu.Unlock()
		if post {
			e.Fault = f.Kind
			// Let the vendor handle the request, then lose or mangle its answer.
			resp := httptest.NewRecorder()
			in.next.ServeHTTP(resp, r)
			if f.Kind == KindReset {
				in.record(e) // before the client can see the reset (see above)
				in.apply(rec, r, f, resp)
				return
			}
			in.apply(rec, r, f, resp)
		} else {
			in.next.ServeHTTP(rec, r)
		}
	}

	e.Status = rec.status
	if e.Status == 0 && rec.wrote {
		e.Status = http.StatusOK
	}
	e.Duration = in.clock.Now().Sub(start)
	in.record(e)
}

// record appends a finished request to the log and counters.
func (in *Injector) record(e Entry) {
	in.mu.Lock()
	in.entries = append(in.entries, e)
	if e.Fault != "" {
		in.counters.Faults[e.Fault]++
	}
	if e.Limited != "" {
		in.counters.RateLimited++
	}
	if e.Status != 0 {
		in.counters.ByStatus[e.Status]++
	}
	in.mu.Unlock()
	in.log.Debug("crmtest request", "method", e.Method, "path", e.Path, "status", e.Status, "fault", e.Fault, "limited", e.Limited)
}

// admit runs the limiters; on success every Admit callback has run.
func (in *Injector) admit(w http.ResponseWriter, r *http.Request) (*Limiter, LimitInfo, bool) {
	now := in.clock.Now()
	infos := make([]LimitInfo, len(in.limiters))
	for i, l := range in.limiters {
		if l.Match != nil && !l.Match(r) {
			continue
		}
		ok, info := l.Take(now)
		if !ok {
			return l, info, false
		}
		infos[i] = info
	}
	for i, l := range in.limiters {
		if l.Admit != nil && (l.Match == nil || l.Match(r)) {
			l.Admit(w, r, infos[i])
		}
	}
	return nil, LimitInfo{}, true
}

func (in *Injector) apply(w *statusWriter, r *http.Request, f Fault, served *httptest.ResponseRecorder) {
	switch f.Kind {
	case KindStatus, KindExpiredToken:
		code := f.Status
		body := f.Body
		if f.Kind == KindExpiredToken {
			if code == 0 {
				code = http.StatusUnauthorized
			}
			if len(body) == 0 {
				body = []byte(`{"status":"error","message":"The OAuth token used to make this call expired.","category":"EXPIRED_AUTHENTICATION"}`)
			}
		}
		copyHeader(w.Header(), f.Header)
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", "application/json")
		}
		w.WriteHeader(code)
		_, _ = w.Write(body)
	case KindMalformedJSON:
		body := f.Body
		if len(body) == 0 && served != nil {
			body = served.Body.Bytes()
		}
		if len(body) < 2 {
			body = []byte(`{"status":"COMPLETE","results":[{"id":"1","properties":{}}]}`)
		}
		copyHeader(w.Header(), f.Header)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body[:len(body)/2])
	case KindTimeout:
		if !in.hold(1) {
			return
		}
		defer in.hold(-1)
		select {
		case <-r.Context().Done():
		case <-in.closed:
		}
	case KindReset:
		resetConn(w)
	}
}

// resetConn hijacks the client connection and closes it with SO_LINGER 0,
// which makes the kernel send RST instead of FIN (see tcp(7), SO_LINGER).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 or a recorder: the best we can do is abort the handler,
		// which net/http turns into a stream/connection reset.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// statusWriter records the status a handler wrote and keeps Hijack and
// Flush reachable.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(p []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(p)
}

// Hijack implements http.Hijacker when the underlying writer does.
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := s.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, fmt.Errorf("crmtest: %T cannot hijack", s.ResponseWriter)
	}
	return hj.Hijack()
}

// Flush implements http.Flusher when the underlying writer does.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

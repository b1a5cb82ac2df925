package crmtest

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// LimitInfo describes a Limiter's state as seen by one request.
type LimitInfo struct {
	Name       string        // the Limiter's name, e.g. "TEN_SECONDLY_ROLLING"
	Limit      int           // requests allowed per window
	Remaining  int           // requests left in the current window after this one
	Window     time.Duration // the window length
	RetryAfter time.Duration // when rejected: until the oldest request leaves the window
}

// Limiter is a sliding-window rate limit: at most Limit requests in any
// Window. A request that would exceed it is rejected and is not counted.
type Limiter struct {
	// Name labels the limit in LimitInfo (HubSpot's policyName).
	Name string
	// Limit and Window define the budget.
	Limit  int
	Window time.Duration
	// Reject writes the 429 response; nil writes a generic JSON 429 with
	// Retry-After in whole seconds (rounded up).
	Reject func(w http.ResponseWriter, r *http.Request, info LimitInfo)
	// Match, when set, limits the Limiter to the requests it returns true
	// for (e.g. HubSpot's search endpoints have their own per-second
	// limit and are exempt from the ten-secondly one). Nil matches all.
	Match func(r *http.Request) bool
	// Admit, when set, is called for each admitted request before the
	// wrapped handler runs, e.g. to set X-RateLimit-Remaining headers.
	Admit func(w http.ResponseWriter, r *http.Request, info LimitInfo)

	mu   sync.Mutex
	hits []time.Time // admitted requests inside the window, oldest first
}

// NewLimiter returns a Limiter admitting limit requests per window.
func NewLimiter(name string, limit int, window time.Duration) (*Limiter, error) {
	l := &Limiter{Name: name, Limit: limit, Window: window}
	if err := l.validate(); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *Limiter) validate() error {
	if l.Limit <= 0 || l.Window <= 0 {
		return fmt.Errorf("%w: %d per %s", ErrInvalidLimit, l.Limit, l.Window)
	}
	return nil
}

// Take tries to admit one request at now.
func (l *Limiter) Take(now time.Time) (bool, LimitInfo) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	info := LimitInfo{Name: l.Name, Limit: l.Limit, Window: l.Window}
	if len(l.hits) >= l.Limit {
		info.RetryAfter = l.hits[0].Add(l.Window).Sub(now)
		return false, info
	}
	l.hits = append(l.hits, now)
	info.Remaining = l.Limit - len(l.hits)
	return true, info
}

// Peek returns the state at now without taking a request.
func (l *Limiter) Peek(now time.Time) LimitInfo {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	info := LimitInfo{Name: l.Name, Limit: l.Limit, Window: l.Window, Remaining: l.Limit - len(l.hits)}
	if info.Remaining <= 0 && len(l.hits) > 0 {
		info.RetryAfter = l.hits[0].Add(l.Window).Sub(now)
	}
	return info
}

// Reset forgets every counted request.
func (l *Limiter) Reset() {
	l.mu.Lock()
	l.hits = l.hits[:0]
	l.mu.Unlock()
}

func (l *Limiter) expire(now time.Time) {
	cut := 0
	for cut < len(l.hits) && !now.Before(l.hits[cut].Add(l.Window)) {
		cut++
	}
	if cut > 0 {
		l.hits = append(l.hits[:0], l.hits[cut:]...)
	}
}

func defaultReject(w http.ResponseWriter, _ *http.Request, info LimitInfo) {
	secs := int((info.RetryAfter + time.Second - 1) / time.Second)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	w.WriteHeader(http.StatusTooManyRequests)
	fmt.Fprintf(w, `{"status":"error","message":"rate limit %s exceeded"}`, info.Name)
}

package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// DefaultBaseURL is HubSpot's API host.
const DefaultBaseURL = "https://api.hubapi.com"

// Default pacing: the Free/Starter burst limit and the search limit
// (https://developers.hubspot.com/docs/api/usage-details).
const (
	DefaultRateLimit    = 100
	DefaultRateWindow   = 10 * time.Second
	DefaultSearchPerSec = 4
	maxBatch            = 100
	maxBody             = 32 << 20
)

// Clock is the time source for pacing and rate-limit arithmetic.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// SystemClock returns the wall clock.
func SystemClock() Clock { return systemClock{} }

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL points the client at another host (a fake in tests).
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		p, err := url.Parse(strings.TrimRight(u, "/"))
		if err != nil || p.Scheme == "" || p.Host == "" {
			return fmt.Errorf("%w: base URL %q", ErrBadOption, u)
		}
		c.base = p.String()
		return nil
	}
}

// WithObjectsPath sets the CRM objects prefix (default /crm/v3/objects),
// for HubSpot's dated paths such as /crm/objects/2026-03.
func WithObjectsPath(p string) Option {
	return func(c *Client) error {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%w: objects path %q", ErrBadOption, p)
		}
		c.objectsPath = strings.TrimRight(p, "/")
		return nil
	}
}

// WithCallsPath sets the calls endpoint alone (default
// {objects path}/calls).
func WithCallsPath(p string) Option {
	return func(c *Client) error {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("%w: calls path %q", ErrBadOption, p)
		}
		c.callsPath = strings.TrimRight(p, "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client (default: one with a 30 s timeout).
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) error {
		if h == nil {
			return fmt.Errorf("%w: nil http client", ErrBadOption)
		}
		c.http = h
		return nil
	}
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.log = l
		}
		return nil
	}
}

// WithClock sets the clock.
func WithClock(clk Clock) Option {
	return func(c *Client) error {
		if clk == nil {
			return fmt.Errorf("%w: nil clock", ErrBadOption)
		}
		c.clock = clk
		return nil
	}
}

// WithRateLimit sets the burst limit the client paces itself to (default
// 100 per 10 s; Professional/Enterprise 190, capacity pack 250). limit 0
// turns pacing off.
func WithRateLimit(limit int, window time.Duration) Option {
	return func(c *Client) error {
		if limit < 0 || (limit > 0 && window <= 0) {
			return fmt.Errorf("%w: rate %d per %s", ErrBadOption, limit, window)
		}
		c.rateLimit, c.rateWindow = limit, window
		return nil
	}
}

// WithSearchRate sets the search requests per second (default 4; 0 turns
// search pacing off).
func WithSearchRate(perSecond int) Option {
	return func(c *Client) error {
		if perSecond < 0 {
			return fmt.Errorf("%w: search rate %d", ErrBadOption, perSecond)
		}
		c.searchRate = perSecond
		return nil
	}
}

// WithTimeZone sets the portal's time zone, used to find midnight when the
// daily limit is hit (default: learnt by Check, else the local zone).
func WithTimeZone(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return fmt.Errorf("%w: nil location", ErrBadOption)
		}
		c.loc.Store(loc)
		return nil
	}
}

// Stats counts a client's traffic.
type Stats struct {
	Requests    int64         // requests sent
	RateLimited int64         // 429 answers
	Paced       time.Duration // total time spent waiting for the pacer
}

// Client is a HubSpot crm.Adapter. It is safe for concurrent use.
type Client struct {
	token       string
	base        string
	objectsPath string
	callsPath   string
	http        *http.Client
	log         *slog.Logger
	clock       Clock
	rateLimit   int
	rateWindow  time.Duration
	searchRate  int
	dncProp     string
	loc         atomic.Pointer[time.Location]

	burst  *pacer
	search *pacer

	statsMu sync.Mutex
	stats   Stats
}

var _ crm.Adapter = (*Client)(nil)

// New returns a client for the private-app or OAuth access token.
func New(token string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, ErrNoToken
	}
	c := &Client{
		token:       token,
		base:        DefaultBaseURL,
		objectsPath: "/crm/v3/objects",
		http:        &http.Client{Timeout: 30 * time.Second},
		log:         slog.New(slog.DiscardHandler),
		clock:       SystemClock(),
		rateLimit:   DefaultRateLimit,
		rateWindow:  DefaultRateWindow,
		searchRate:  DefaultSearchPerSec,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.callsPath == "" {
		c.callsPath = c.objectsPath + "/calls"
	}
	c.burst = newPacer(c.clock, c.rateLimit, c.rateWindow)
	c.search = newPacer(c.clock, c.searchRate, time.Second)
	return c, nil
}

// Vendor returns crm.VendorHubSpot.
func (c *Client) Vendor() crm.Vendor { return crm.VendorHubSpot }

// MaxBatch returns 100, HubSpot's batch-create limit.
func (c *Client) MaxBatch() int { return maxBatch }

// Stats returns the traffic counters.
func (c *Client) Stats() Stats {
	c.statsMu.Lock()
	defer c.statsMu.Unlock()
	return c.stats
}

func (c *Client) objectPath(typ string) string {
	if typ == "calls" {
		return c.callsPath
	}
	return c.objectsPath + "/" + typ
}

// request is one API call.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	search bool // paced by the search limiter instead of the burst one
}

// do sends req and decodes a 2xx body into out (when non-nil). It returns
// the status so callers can tell 201 from 207.
func (c *Client) do(ctx context.Context, req request, out any) (int, error) {
	p := c.burst
	if req.search {
		p = c.search
	}
	waited, err := p.wait(ctx)
	c.statsMu.Lock()
	c.stats.Paced += waited
	c.statsMu.Unlock()
	if err != nil {
		return 0, fmt.Errorf("%w: waiting for the rate limit: %w", crm.ErrTransient, err)
	}
	var body io.Reader
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			return 0, fmt.Errorf("hubspot: encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	u := c.base + req.path
	if len(req.query) > 0 {
		u += "?" + req.query.Encode()
	}
	hr, err := http.NewRequestWithContext(ctx, req.method, u, body)
	if err != nil {
		return 0, fmt.Errorf("hubspot: build request: %w", err)
	}
	hr.Header.Set("Authorization", "Bearer "+c.token)
	hr.Header.Set("Accept", "application/json")
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	c.statsMu.Lock()
	c.stats.Requests++
	c.statsMu.Unlock()
	resp, err := c.http.Do(hr)
	if err != nil {
		// Timeouts, resets, refused connections, cancelled contexts: the
		// request may or may not have reached HubSpot.
		return 0, fmt.Errorf("%w: %s %s: %w", crm.ErrTransient, req.method, req.path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%w: reading %s response: %w", crm.ErrTransient, req.path, err)
	}
	now := c.clock.Now()
	if !req.search {
		c.burst.observe(resp.Header, now)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := c.statusError(resp.StatusCode, resp.Header, data, now)
		if errors.Is(err, crm.ErrRateLimited) {
			c.statsMu.Lock()
			c.stats.RateLimited++
			c.statsMu.Unlock()
			var rl *crm.RateLimitError
			if errors.As(err, &rl) && !rl.Daily {
				p.block(now.Add(rl.RetryAfter))
			}
		}
		c.log.Debug("hubspot request failed", "method", req.method, "path", req.path, "status", resp.StatusCode, "err", err)
		return resp.StatusCode, err
	}
	if out != nil {
		if err := decodeJSON(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", req.method, req.path, err)
		}
	}
	return resp.StatusCode, nil
}

// decodeJSON unmarshals a 2xx body. A body cut short (unexpected end of
// input) is ErrTransient: the response was truncated in transit, so the
// operation's outcome is unknown and a retry after FindCalls is safe. A
// complete body that is not the expected JSON is ErrBadResponse.
func decodeJSON(data []byte, out any) error {
	err := json.Unmarshal(data, out)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) && int(syn.Offset) >= len(bytes.TrimRight(data, " \t\r\n")) || len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%w: truncated JSON body (%d bytes): %w", crm.ErrTransient, len(data), err)
	}
	return fmt.Errorf("%w: %w", crm.ErrBadResponse, err)
}

package sell

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// DefaultBaseURL is the Sell Core API root (https://developer.zendesk.com/api-reference/sales-crm/introduction/).
const DefaultBaseURL = "https://api.getbase.com"

// UserAgent is sent with every request; Sell rejects requests without one.
const UserAgent = "Pitchline/1 (+https://github.com/pitchline/pitchline)"

// Client is the Zendesk Sell adapter. It is safe for concurrent use.
type Client struct {
	token    string
	base     string
	hc       *http.Client
	log      *slog.Logger
	now      func() time.Time
	pageSize int
	dncField string
}

var _ crm.Adapter = (*Client)(nil)

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API root (without /v2), e.g. a fake's URL.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		p, err := url.Parse(u)
		if err != nil || p.Scheme == "" || p.Host == "" {
			return fmt.Errorf("%w: base URL %q", ErrConfig, u)
		}
		c.base = strings.TrimRight(u, "/")
		return nil
	}
}

// WithHTTPClient sets the HTTP client.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return fmt.Errorf("%w: nil http client", ErrConfig)
		}
		c.hc = hc
		return nil
	}
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.log = l
		}
		return nil
	}
}

// WithClock sets the clock used to read HTTP-date Retry-After values.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now != nil {
			c.now = now
		}
		return nil
	}
}

// WithPageSize sets per_page for Pull and the list scans (1..100, default
// 100, the v2 maximum).
func WithPageSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > 100 {
			return fmt.Errorf("%w: page size %d", ErrConfig, n)
		}
		c.pageSize = n
		return nil
	}
}

// New returns an adapter for a Sell personal access token or OAuth access
// token.
func New(token string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, fmt.Errorf("%w: empty token", ErrConfig)
	}
	c := &Client{token: token, base: DefaultBaseURL, hc: &http.Client{Timeout: 30 * time.Second},
		log: slog.Default(), now: time.Now, pageSize: 100}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.log = c.log.With("component", "crm", "vendor", "sell")
	return c, nil
}

// Vendor returns crm.VendorSell.
func (c *Client) Vendor() crm.Vendor { return crm.VendorSell }

// item is {"data":{...},"meta":{...}}.
type item struct {
	Data json.RawMessage `json:"data"`
}

// collection is {"items":[{"data":...}],"meta":{"links":{"next_page"}}}.
type collection struct {
	Items []item `json:"items"`
	Meta  struct {
		Count int `json:"count"`
		Links struct {
			NextPage string `json:"next_page"`
		} `json:"links"`
	} `json:"meta"`
}

func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, body any, out any) error {
	var payload any
	if body != nil {
		payload = map[string]any{"data": body}
	}
	return c.send(ctx, op, method, path, q, payload, out)
}

// send sends payload as the request body as it is (do wraps v2 bodies in
// {"data":...}; the v3 Search API takes its own {"items":[...]} envelope)
// and decodes a 2xx answer into out.
func (c *Client) send(ctx context.Context, op, method, path string, q url.Values, payload any, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := http.Header{"Authorization": {"Bearer " + c.token}, "User-Agent": {UserAgent}}
	resp, data, err := crm.Send(ctx, c.hc, crm.VendorSell, op, method, u, h, payload)
	if err != nil {
		return err
	}
	c.log.Debug("request", "op", op, "method", method, "path", path, "status", resp.StatusCode)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return c.statusError(op, resp, data)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return crm.BadResponse(crm.VendorSell, op, err)
	}
	return nil
}

// get decodes a single {"data":...} answer into v.
func (c *Client) get(ctx context.Context, op, path string, q url.Values, v any) error {
	var it item
	if err := c.do(ctx, op, http.MethodGet, path, q, nil, &it); err != nil {
		return err
	}
	if err := json.Unmarshal(it.Data, v); err != nil {
		return crm.BadResponse(crm.VendorSell, op, err)
	}
	return nil
}

// Check reads GET /v2/users/self and GET /v2/accounts/self.
func (c *Client) Check(ctx context.Context) (crm.Account, error) {
	var user struct {
		ID    json.Number `json:"id"`
		Name  string      `json:"name"`
		Email string      `json:"email"`
	}
	if err := c.get(ctx, "check", "/v2/users/self", nil, &user); err != nil {
		return crm.Account{}, err
	}
	var acct struct {
		ID   json.Number `json:"id"`
		Name string      `json:"name"`
	}
	if err := c.get(ctx, "check", "/v2/accounts/self", nil, &acct); err != nil {
		return crm.Account{}, err
	}
	if user.ID == "" || acct.ID == "" {
		return crm.Account{}, crm.BadResponse(crm.VendorSell, "check", fmt.Errorf("user or account without id"))
	}
	u := user.Email
	if u == "" {
		u = user.Name
	}
	return crm.Account{Vendor: crm.VendorSell, ID: acct.ID.String(), Name: acct.Name, User: u}, nil
}

// list reads one page of a v2 collection and reports whether a next page
// exists.
func (c *Client) list(ctx context.Context, op, path string, q url.Values) ([]json.RawMessage, bool, error) {
	var col collection
	if err := c.do(ctx, op, http.MethodGet, path, q, nil, &col); err != nil {
		return nil, false, err
	}
	out := make([]json.RawMessage, 0, len(col.Items))
	for _, it := range col.Items {
		out = append(out, it.Data)
	}
	return out, col.Meta.Links.NextPage != "", nil
}

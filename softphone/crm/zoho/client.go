package zoho

import (
	"bytes"
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

// DefaultBaseURL is the API root in Zoho's US data centre; other centres
// use their own API domain (www.zohoapis.eu, .in, .com.au, ...).
const DefaultBaseURL = "https://www.zohoapis.com/crm/v2"

// Client is the Zoho CRM adapter. It is safe for concurrent use.
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

// WithBaseURL sets the API root including /crm/v2, e.g. a fake's URL.
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

// WithPageSize sets per_page for Pull (1..200, default 200, the v2
// maximum).
func WithPageSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > 200 {
			return fmt.Errorf("%w: page size %d", ErrConfig, n)
		}
		c.pageSize = n
		return nil
	}
}

// New returns an adapter for a Zoho OAuth access token.
func New(token string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, fmt.Errorf("%w: empty token", ErrConfig)
	}
	c := &Client{token: token, base: DefaultBaseURL, hc: &http.Client{Timeout: 30 * time.Second},
		log: slog.Default(), now: time.Now, pageSize: 200}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.log = c.log.With("component", "crm", "vendor", "zoho")
	return c, nil
}

// Vendor returns crm.VendorZoho.
func (c *Client) Vendor() crm.Vendor { return crm.VendorZoho }

// do sends one request. It returns the status and body of every answer
// with a 2xx status, or 400/207 whose body is a {"data":[...]} per-record
// result list (accept lists such statuses); other statuses become errors.
func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, hdr http.Header, body any, accept ...int) (int, []byte, error) {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := hdr.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Authorization", "Zoho-oauthtoken "+c.token)
	resp, data, err := crm.Send(ctx, c.hc, crm.VendorZoho, op, method, u, h, body)
	if err != nil {
		return 0, nil, err
	}
	c.log.Debug("request", "op", op, "method", method, "path", path, "status", resp.StatusCode)
	if (resp.StatusCode >= 200 && resp.StatusCode <= 299) || resp.StatusCode == http.StatusNotModified {
		return resp.StatusCode, data, nil
	}
	for _, a := range accept {
		if resp.StatusCode == a && bytes.Contains(data, []byte(`"data"`)) {
			return resp.StatusCode, data, nil
		}
	}
	return resp.StatusCode, nil, c.statusError(op, resp, data)
}

// getJSON runs a GET and decodes a 200 body into v; 204 and 304 leave v
// untouched and report false.
func (c *Client) getJSON(ctx context.Context, op, path string, q url.Values, hdr http.Header, v any) (bool, error) {
	st, data, err := c.do(ctx, op, http.MethodGet, path, q, hdr, nil)
	if err != nil {
		return false, err
	}
	if st == http.StatusNoContent || st == http.StatusNotModified || len(bytes.TrimSpace(data)) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(data, v); err != nil {
		return false, crm.BadResponse(crm.VendorZoho, op, err)
	}
	return true, nil
}

// Check reads GET /crm/v2/org and GET /crm/v2/users?type=CurrentUser.
func (c *Client) Check(ctx context.Context) (crm.Account, error) {
	var org struct {
		Org []struct {
			ID          json.Number `json:"id"`
			CompanyName string      `json:"company_name"`
		} `json:"org"`
	}
	if _, err := c.getJSON(ctx, "check", "/org", nil, nil, &org); err != nil {
		return crm.Account{}, err
	}
	var users struct {
		Users []struct {
			ID       json.Number `json:"id"`
			FullName string      `json:"full_name"`
			Email    string      `json:"email"`
		} `json:"users"`
	}
	if _, err := c.getJSON(ctx, "check", "/users", url.Values{"type": {"CurrentUser"}}, nil, &users); err != nil {
		return crm.Account{}, err
	}
	if len(org.Org) == 0 || org.Org[0].ID == "" {
		return crm.Account{}, crm.BadResponse(crm.VendorZoho, "check", fmt.Errorf("no org"))
	}
	acc := crm.Account{Vendor: crm.VendorZoho, ID: org.Org[0].ID.String(), Name: org.Org[0].CompanyName}
	if len(users.Users) > 0 {
		acc.User = users.Users[0].Email
		if acc.User == "" {
			acc.User = users.Users[0].FullName
		}
	}
	return acc, nil
}

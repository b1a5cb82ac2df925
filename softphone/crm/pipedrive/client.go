package pipedrive

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

// DefaultBaseURL is Pipedrive's API root for OAuth tokens and for API tokens
// without a company domain (https://developers.pipedrive.com/docs/api/v1).
const DefaultBaseURL = "https://api.pipedrive.com/v1"

// AuthMode selects how the token is sent
// (https://pipedrive.readme.io/docs/core-api-concepts-authentication).
type AuthMode string

// Authentication modes.
const (
	// AuthHeader sends the API token in the x-api-token header (current docs).
	AuthHeader AuthMode = "header"
	// AuthQuery sends the API token as ?api_token= (older docs).
	AuthQuery AuthMode = "query"
	// AuthBearer sends an OAuth 2.0 access token as "Authorization: Bearer".
	AuthBearer AuthMode = "bearer"
)

// String returns the mode name.
func (m AuthMode) String() string { return string(m) }

// Client is the Pipedrive adapter. It is safe for concurrent use.
type Client struct {
	token    string
	base     string
	auth     AuthMode
	hc       *http.Client
	log      *slog.Logger
	now      func() time.Time
	pageSize int
	dncField string
}

var _ crm.Adapter = (*Client)(nil)

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API root, e.g. a fake's URL + "/v1".
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

// WithCompanyDomain sets the API root to https://{domain}.pipedrive.com/api/v1,
// the company-domain form of the API
// (https://pipedrive.readme.io/docs/how-to-find-the-api-token).
func WithCompanyDomain(domain string) Option {
	return func(c *Client) error {
		if domain == "" || strings.ContainsAny(domain, "/.:?#@ ") {
			return fmt.Errorf("%w: company domain %q", ErrConfig, domain)
		}
		c.base = "https://" + domain + ".pipedrive.com/api/v1"
		return nil
	}
}

// WithAuth selects how the token is sent (default AuthHeader).
func WithAuth(m AuthMode) Option {
	return func(c *Client) error {
		switch m {
		case AuthHeader, AuthQuery, AuthBearer:
			c.auth = m
			return nil
		}
		return fmt.Errorf("%w: auth mode %q", ErrConfig, m)
	}
}

// WithHTTPClient sets the HTTP client (timeouts, proxies, test transports).
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

// WithPageSize sets the page size of Pull (1..500, default 500, the
// documented maximum of the v1 list endpoints).
func WithPageSize(n int) Option {
	return func(c *Client) error {
		if n < 1 || n > 500 {
			return fmt.Errorf("%w: page size %d", ErrConfig, n)
		}
		c.pageSize = n
		return nil
	}
}

// New returns an adapter for the given API token (or OAuth access token with
// WithAuth(AuthBearer)).
func New(token string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(token) == "" {
		return nil, fmt.Errorf("%w: empty token", ErrConfig)
	}
	c := &Client{
		token:    token,
		base:     DefaultBaseURL,
		auth:     AuthHeader,
		hc:       &http.Client{Timeout: 30 * time.Second},
		log:      slog.Default(),
		now:      time.Now,
		pageSize: 500,
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	c.log = c.log.With("component", "crm", "vendor", "pipedrive")
	return c, nil
}

// Vendor returns crm.VendorPipedrive.
func (c *Client) Vendor() crm.Vendor { return crm.VendorPipedrive }

// envelope is Pipedrive's success envelope {success, data, additional_data}.
type envelope struct {
	Success        bool            `json:"success"`
	Data           json.RawMessage `json:"data"`
	AdditionalData json.RawMessage `json:"additional_data"`
}

// pagination is additional_data.pagination of the v1 list endpoints.
type pagination struct {
	Start     int  `json:"start"`
	Limit     int  `json:"limit"`
	More      bool `json:"more_items_in_collection"`
	NextStart int  `json:"next_start"`
}

// do sends one request and decodes the envelope.
func (c *Client) do(ctx context.Context, op, method, path string, q url.Values, body any) (envelope, error) {
	var env envelope
	if q == nil {
		q = url.Values{}
	}
	if c.auth == AuthQuery {
		q.Set("api_token", c.token)
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	h := http.Header{}
	switch c.auth {
	case AuthHeader:
		h.Set("x-api-token", c.token)
	case AuthBearer:
		h.Set("Authorization", "Bearer "+c.token)
	}
	resp, data, err := crm.Send(ctx, c.hc, crm.VendorPipedrive, op, method, u, h, body)
	if err != nil {
		return env, err
	}
	c.log.Debug("request", "op", op, "method", method, "path", path, "status", resp.StatusCode)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return env, c.statusError(op, resp, data)
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return env, crm.BadResponse(crm.VendorPipedrive, op, err)
	}
	if !env.Success {
		return env, crm.BadResponse(crm.VendorPipedrive, op, fmt.Errorf("success=false in a %d answer", resp.StatusCode))
	}
	return env, nil
}

// Check reads GET /v1/users/me
// (https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser).
func (c *Client) Check(ctx context.Context) (crm.Account, error) {
	env, err := c.do(ctx, "check", http.MethodGet, "/users/me", nil, nil)
	if err != nil {
		return crm.Account{}, err
	}
	var me struct {
		ID            flexID `json:"id"`
		Name          string `json:"name"`
		Email         string `json:"email"`
		CompanyID     flexID `json:"company_id"`
		CompanyName   string `json:"company_name"`
		CompanyDomain string `json:"company_domain"`
	}
	if err := json.Unmarshal(env.Data, &me); err != nil {
		return crm.Account{}, crm.BadResponse(crm.VendorPipedrive, "check", err)
	}
	if me.ID == "" {
		return crm.Account{}, crm.BadResponse(crm.VendorPipedrive, "check", fmt.Errorf("user without id"))
	}
	id := me.CompanyDomain
	if id == "" {
		id = string(me.CompanyID)
	}
	user := me.Email
	if user == "" {
		user = me.Name
	}
	return crm.Account{Vendor: crm.VendorPipedrive, ID: id, Name: me.CompanyName, User: user}, nil
}

// flexID decodes an id that Pipedrive sends as a number or a string, or
// (for v1 related objects such as org_id) as an object with "value".
type flexID string

// UnmarshalJSON implements json.Unmarshaler.
func (f *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*f = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexID(s)
	case b[0] == '{':
		var o struct {
			Value flexID `json:"value"`
			ID    flexID `json:"id"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		*f = o.Value
		if *f == "" {
			*f = o.ID
		}
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexID(n.String())
	}
	return nil
}

package softphone

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
	// libphonenumber's Go port: E.161 keypad letters of vanity numbers.
	"github.com/nyaruka/phonenumbers"
)

// AccountConfig is one SIP account. It is a plain JSON-tagged struct
// because users edit and persist it; the password never is: it lives in
// the OS keychain and reaches the engine only in memory.
type AccountConfig struct {
	// AOR is the address of record, sip:user@host[:port].
	AOR string `json:"aor"`
	// AuthUser is the digest user name; empty means the AOR user.
	AuthUser string `json:"authUser,omitempty"`
	// Password is the digest password. It is never serialised.
	Password string `json:"-"`
	// DisplayName is put in From headers.
	DisplayName string `json:"displayName,omitempty"`
	// Registrar overrides the registrar URI; empty means the AOR host.
	Registrar string `json:"registrar,omitempty"`
	// OutboundProxy, if set, is where every out-of-dialog request goes
	// (RFC 3261 §8.1.2), whatever its Request-URI. Empty: a registered
	// account sends requests for its own domain to the registrar, and
	// everything else (every request of an unregistered, direct-mode
	// account) goes where the Request-URI says (RFC 3263).
	OutboundProxy string `json:"outboundProxy,omitempty"`
	// Transport is udp, tcp or tls.
	Transport string `json:"transport"`
	// Register turns registration on.
	Register bool `json:"register"`
	// Expires is the registration lifetime asked for (default 300 s).
	Expires time.Duration `json:"expiresNs,omitempty"`
	// CAFile is a PEM bundle of extra trusted CAs for TLS.
	CAFile string `json:"caFile,omitempty"`
	// TrustedPeers are extra IP addresses (or IP:port) allowed to send
	// INVITEs past the scanner shield.
	TrustedPeers []string `json:"trustedPeers,omitempty"`
}

// Config is the engine configuration.
type Config struct {
	Account AccountConfig `json:"account"`
	// Listen is the local SIP address, IP:port; port 0 picks a free port.
	Listen string `json:"listen"`
	// Codecs is the audio codec preference order (default
	// media.DefaultCodecs(): opus, PCMU, PCMA when Opus is registered by
	// importing audio/codec/opus, otherwise PCMU, PCMA).
	Codecs []string `json:"codecs,omitempty"`
	// RTPPortMin and RTPPortMax bound the RTP ports; zero means any.
	RTPPortMin int `json:"rtpPortMin,omitempty"`
	RTPPortMax int `json:"rtpPortMax,omitempty"`
	// AutoAnswer answers inbound calls at once.
	AutoAnswer bool `json:"autoAnswer"`
	// ShieldOff disables the scanner shield (on by default).
	ShieldOff bool `json:"shieldOff"`
	// UserAgent is the User-Agent header value.
	UserAgent string `json:"userAgent,omitempty"`
	// KeepaliveInterval is how often a registered account checks that the
	// registrar still holds its binding (OPTIONS to its own address of
	// record); zero means 4 s, which re-registers within 5 s of a
	// registrar restart.
	KeepaliveInterval time.Duration `json:"keepaliveNs,omitempty"`
	// RingbackRegion selects the ringback cadence ("us", "uk", "jp").
	RingbackRegion string `json:"ringbackRegion,omitempty"`
	// Leads are the SIP addresses (sip:user@host) of the team leads whose
	// monitor requests (listen, whisper, barge) this phone accepts
	// during a call (monitor.go). Empty: every monitor request is refused.
	Leads []string `json:"leads,omitempty"`
	// MaxLegs is how many legs one call mixes locally; zero means MaxLegs
	// (8). More legs cost CPU linearly (BENCHMARKS.md, "Conference CPU
	// against Janus AudioBridge", measures 8 and 32).
	MaxLegs int `json:"maxLegs,omitempty"`
}

// account is the parsed, validated form of AccountConfig.
type account struct {
	cfg       AccountConfig
	aor       sip.Uri
	registrar sip.Uri
	proxy     *sip.Uri
	transport string
	authUser  string
	expires   time.Duration
	trusted   []string
	leads     []sip.Uri // Config.Leads, parsed
}

func parseAccount(c AccountConfig) (*account, error) {
	a := &account{cfg: c}
	if c.AOR == "" {
		return nil, fmt.Errorf("%w: the account has no SIP address (sip:user@host)", ErrBadConfig)
	}
	if err := sip.ParseUri(c.AOR, &a.aor); err != nil {
		return nil, fmt.Errorf("%w: SIP address %q: %v", ErrBadConfig, c.AOR, err)
	}
	if a.aor.User == "" || a.aor.Host == "" {
		return nil, fmt.Errorf("%w: SIP address %q needs a user and a host", ErrBadConfig, c.AOR)
	}
	a.transport = strings.ToLower(c.Transport)
	if a.transport == "" {
		a.transport = "udp"
	}
	switch a.transport {
	case "udp", "tcp", "tls":
	default:
		return nil, fmt.Errorf("%w: transport %q (use udp, tcp or tls)", ErrBadConfig, c.Transport)
	}
	reg := c.Registrar
	if reg == "" {
		reg = "sip:" + a.aor.HostPort()
	}
	if !strings.Contains(reg, ":") || !(strings.HasPrefix(reg, "sip:") || strings.HasPrefix(reg, "sips:")) {
		reg = "sip:" + reg
	}
	if err := sip.ParseUri(reg, &a.registrar); err != nil {
		return nil, fmt.Errorf("%w: registrar %q: %v", ErrBadConfig, c.Registrar, err)
	}
	if c.OutboundProxy != "" {
		var p sip.Uri
		pr := c.OutboundProxy
		if !strings.HasPrefix(pr, "sip:") && !strings.HasPrefix(pr, "sips:") {
			pr = "sip:" + pr
		}
		if err := sip.ParseUri(pr, &p); err != nil {
			return nil, fmt.Errorf("%w: outbound proxy %q: %v", ErrBadConfig, c.OutboundProxy, err)
		}
		a.proxy = &p
	}
	a.authUser = c.AuthUser
	if a.authUser == "" {
		a.authUser = a.aor.User
	}
	a.expires = c.Expires
	if a.expires <= 0 {
		a.expires = 300 * time.Second
	}
	for _, t := range c.TrustedPeers {
		if _, err := netip.ParseAddr(t); err != nil {
			if _, err2 := netip.ParseAddrPort(t); err2 != nil {
				return nil, fmt.Errorf("%w: trusted peer %q is not an IP or IP:port", ErrBadConfig, t)
			}
		}
		a.trusted = append(a.trusted, t)
	}
	return a, nil
}

// viaProxy reports whether an out-of-dialog request for to goes through
// routeHost: always with an explicit outbound proxy; to the registrar only
// when registering and calling the account's own domain. A direct call
// (no registration) is routed by its Request-URI, host and port, so
// sip:bob@127.0.0.1:26201 reaches port 26201, not the AOR host's 5060.
func (a *account) viaProxy(to sip.Uri) bool {
	if a.proxy != nil {
		return true
	}
	return a.cfg.Register && strings.EqualFold(to.Host, a.aor.Host)
}

// routeHost returns host:port where out-of-dialog requests go.
func (a *account) routeHost() string {
	if a.proxy != nil {
		return hostPortDefault(*a.proxy, a.transport)
	}
	return hostPortDefault(a.registrar, a.transport)
}

// domain is where a bare user or number is routed: the AOR's host, with
// its port when the AOR names one (sip:rep@127.0.0.1:5080 dials
// sip:100@127.0.0.1:5080, not port 5060).
func (a *account) domain() string {
	if a.aor.Port != 0 {
		return fmt.Sprintf("%s:%d", a.aor.Host, a.aor.Port)
	}
	return a.aor.Host
}

// routeURI is the loose-routing URI of the outbound proxy, or else the
// registrar, for a pre-loaded Route header (RFC 3261 §8.1.2, §16.12).
func (a *account) routeURI() sip.Uri {
	u := a.registrar
	if a.proxy != nil {
		u = *a.proxy
	}
	r := sip.Uri{Scheme: "sip", Host: u.Host, Port: u.Port, UriParams: sip.NewParams()}
	if a.transport != "udp" {
		r.UriParams.Add("transport", a.transport)
	}
	r.UriParams.Add("lr", "")
	return r
}

func hostPortDefault(u sip.Uri, transport string) string {
	port := u.Port
	if port == 0 {
		port = 5060
		if transport == "tls" || u.Scheme == "sips" {
			port = 5061
		}
	}
	return fmt.Sprintf("%s:%d", u.Host, port)
}

// ParseTarget turns what a user typed (a number, user, user@host, or a
// sip:, sips:, tel: or callto: URI) into a SIP URI routed via domain.
func ParseTarget(target, domain string) (sip.Uri, error) {
	var u sip.Uri
	t := strings.TrimSpace(target)
	if t == "" {
		return u, fmt.Errorf("%w: empty target", ErrInvalidTarget)
	}
	lower := strings.ToLower(t)
	switch {
	case strings.HasPrefix(lower, "tel:"):
		t = t[4:]
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		t = cleanNumber(t)
	case strings.HasPrefix(lower, "callto:"):
		t = strings.TrimPrefix(t[7:], "//")
		if !strings.Contains(t, "@") {
			t = cleanNumber(t)
		}
	case strings.HasPrefix(lower, "sip:"), strings.HasPrefix(lower, "sips:"):
		if err := sip.ParseUri(t, &u); err != nil || u.Host == "" {
			return u, fmt.Errorf("%w: %q", ErrInvalidTarget, target)
		}
		return u, nil
	}
	if v, ok := vanityNumber(t); ok && !strings.Contains(t, "@") {
		t = v
	}
	if !strings.Contains(t, "@") && looksLikeNumber(t) {
		t = cleanNumber(t)
	}
	if !strings.Contains(t, "@") {
		if t == "" || strings.ContainsAny(t, " <>\"") {
			return u, fmt.Errorf("%w: %q", ErrInvalidTarget, target)
		}
		if domain == "" {
			return u, fmt.Errorf("%w: %q has no host and no account domain is set", ErrInvalidTarget, target)
		}
		t = t + "@" + domain
	}
	if err := sip.ParseUri("sip:"+t, &u); err != nil || u.User == "" || u.Host == "" {
		return u, fmt.Errorf("%w: %q", ErrInvalidTarget, target)
	}
	return u, nil
}

// looksLikeNumber reports whether s is a phone number as people type it:
// digits with + * # and visual separators.
func looksLikeNumber(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+*# -.()", r):
		default:
			return false
		}
	}
	return digits > 0
}

// vanityNumber maps the letters of a vanity number ("1-800-FLOWERS",
// "+1 800 FLOWERS") to their keypad digits (ITU-T E.161, as every phone
// does) with libphonenumber's Go port. Only text that starts with a digit
// or "+", holds digits, capital letters and number punctuation only, and
// has at least three digits counts: "bob", "alice2" and "2ndfloor" stay SIP
// user names.
func vanityNumber(s string) (string, bool) {
	digits, letters := 0, 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'A' && r <= 'Z':
			letters++
		case r == '+' && i == 0:
		case strings.ContainsRune(" -.()", r):
		default:
			return "", false
		}
	}
	first := strings.TrimLeft(s, "+")
	if letters == 0 || digits < 3 || first == "" || first[0] < '0' || first[0] > '9' {
		return "", false
	}
	return phonenumbers.ConvertAlphaCharactersInNumber(s), true
}

// cleanNumber drops visual separators from a phone number.
func cleanNumber(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '+', r == '*', r == '#':
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

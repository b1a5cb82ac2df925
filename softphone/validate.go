package softphone

import (
	"fmt"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// mandatoryHeaders are the header fields every request carries (RFC 3261
// §8.1.1); Max-Forwards is mandatory too but a UAS may do without it, so a
// request lacking it is still served.
var mandatoryHeaders = []string{"Via", "From", "To", "Call-ID", "CSeq"}

// singleHeaders may appear at most once: their grammar (RFC 3261 §25.1,
// RFC 3515 for Refer-To) has no comma-separated list form, so a second
// copy leaves the request ambiguous (which Call-ID is the dialog's?).
var singleHeaders = []string{
	"Call-ID", "CSeq", "From", "To", "Max-Forwards", "Content-Length",
	"Content-Type", "Content-Disposition", "Expires", "Min-Expires",
	"MIME-Version", "Subject", "Date", "Timestamp", "Refer-To",
}

// ValidateRequest checks what sipgo's parser leaves to its user: the
// version is SIP/2.0 (else 505, RFC 4475 §3.1.2.16),
// the mandatory headers are present once each, the CSeq method matches the
// request method (RFC 3261 §8.1.1.5), every Via names a host (§20.42), and
// no header holds a control character outside a quoted-pair (§25.1). It
// returns status 0 for a request we may serve, or else the status and the
// reason phrase that refuse it, the reason naming the problem (RFC 3261
// §8.2, RFC 4475 §3.1.2).
func ValidateRequest(req *sip.Request) (status int, reason string) {
	if req.SipVersion != "SIP/2.0" {
		return sip.StatusVersionNotSupported, "Version Not Supported"
	}
	if r := validateHeaders(req); r != "" {
		return sip.StatusBadRequest, r
	}
	return 0, ""
}

func validateHeaders(req *sip.Request) string {
	count := make(map[string]int, 16)
	for _, h := range req.Headers() {
		count[strings.ToLower(h.Name())]++
		if name, ok := badHeaderValue(h); ok {
			return "Invalid Character in " + name
		}
	}
	for _, name := range mandatoryHeaders {
		if count[strings.ToLower(name)] == 0 {
			return "Missing " + name
		}
	}
	for _, name := range singleHeaders {
		if count[strings.ToLower(name)] > 1 {
			return "Duplicate " + name
		}
	}
	for _, h := range req.GetHeaders("Via") {
		if v, ok := h.(*sip.ViaHeader); ok && v.Host == "" {
			return "Via Without Host"
		}
	}
	// Methods are case-sensitive (RFC 3261 §7.1), but sipgo upper-cases
	// the request line's method and not the CSeq's, so compare folded.
	if cs := req.CSeq(); cs != nil && !strings.EqualFold(string(cs.MethodName), string(req.Method)) {
		return fmt.Sprintf("CSeq Method %s Does Not Match %s", sanitizeToken(string(cs.MethodName)), sanitizeToken(string(req.Method)))
	}
	return ""
}

// badHeaderValue reports a header whose value holds a control character
// that the grammar forbids: any CTL but HTAB outside a quoted string, and
// anything but a quoted-pair escape inside one (RFC 3261 §25.1 qdtext and
// quoted-pair; RFC 4475 §3.1.1.2 shows a legal escaped NUL).
func badHeaderValue(h sip.Header) (string, bool) {
	v := h.Value()
	quoted := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case quoted && c == '\\' && i+1 < len(v) && v[i+1] != '\r' && v[i+1] != '\n':
			i++ // quoted-pair: any byte but CR and LF
		case c == '"':
			quoted = !quoted
		case c == '\t' || c == '\r' || c == '\n':
			// LWS: the parser has already unfolded continuation lines.
		case c < 0x20 || c == 0x7f:
			return sanitizeToken(h.Name()), true
		}
	}
	return "", false
}

// sanitizeToken keeps a reason phrase printable and short: it comes from
// what a stranger sent.
func sanitizeToken(s string) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < 32; i++ {
		if c := s[i]; c > 0x20 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "?"
	}
	return b.String()
}

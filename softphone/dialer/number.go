package dialer

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	// libphonenumber's Go port: numbering plans (validity per region) and
	// the time zones of a number's area, both needed before a dial.
	"github.com/nyaruka/phonenumbers"
)

// maxNumberText bounds the text handed to the phone number parser.
const maxNumberText = 64

// Number is one number of a contact.
type Number struct {
	// Raw is the text as written in the list.
	Raw string
	// Key is the normalised form: E.164 ("+12125550100"), or a SIP URI
	// with its scheme and host lower-cased ("sip:Alice@example.com").
	Key string
	// E164 is the number in E.164 form: Key for a phone number, the user
	// part of a SIP URI when it is a valid "+" number, else "".
	E164 string
	// Label names the column the number came from ("phone", "mobile").
	Label string
}

// IsSIP reports whether the number is a SIP URI.
func (n Number) IsSIP() bool {
	return strings.HasPrefix(n.Key, "sip:") || strings.HasPrefix(n.Key, "sips:")
}

// ParseNumber normalises raw, a phone number (national numbers read with
// region, an ISO 3166 code such as "US" or "JP") or a SIP URI. A phone
// number must be valid for its region by libphonenumber's metadata. The
// error wraps ErrEmptyNumber or ErrInvalidNumber and says why in words a
// rep can act on.
func ParseNumber(raw, region string) (Number, error) {
	return parseNumber(raw, region, true)
}

// parseNumber is ParseNumber; with strict false a phone number only needs
// a possible length for its country (the DNC list takes any number a
// person could have been called from).
func parseNumber(raw, region string, strict bool) (Number, error) {
	t := strings.TrimSpace(raw)
	if t == "" {
		return Number{}, ErrEmptyNumber
	}
	if !utf8.ValidString(t) {
		return Number{}, fmt.Errorf("%w: the number is not valid text", ErrInvalidNumber)
	}
	if l := strings.ToLower(t); strings.HasPrefix(l, "sip:") || strings.HasPrefix(l, "sips:") {
		return parseSIP(raw, t)
	}
	if len(t) > maxNumberText {
		return Number{}, fmt.Errorf("%w: %.40q is too long for a phone number", ErrInvalidNumber, t)
	}
	t = strings.TrimPrefix(strings.TrimPrefix(t, "tel:"), "TEL:")
	pn, err := phonenumbers.Parse(t, region)
	if err != nil {
		return Number{}, fmt.Errorf("%w: %q is not a phone number", ErrInvalidNumber, raw)
	}
	ok := phonenumbers.IsPossibleNumber(pn)
	if strict {
		ok = phonenumbers.IsValidNumber(pn)
	}
	if !ok {
		where := phonenumbers.GetRegionCodeForCountryCode(int(pn.GetCountryCode()))
		if where == "" || where == "ZZ" {
			return Number{}, fmt.Errorf("%w: %q has an unknown country code", ErrInvalidNumber, raw)
		}
		return Number{}, fmt.Errorf("%w: %q is not a valid number for %s; check the digits and the country code", ErrInvalidNumber, raw, where)
	}
	e := phonenumbers.Format(pn, phonenumbers.E164)
	return Number{Raw: raw, Key: e, E164: e}, nil
}

// parseSIP checks a SIP or SIPS URI (RFC 3261 §19.1): a scheme, an
// optional user part and a host, no spaces. The scheme and host are
// case-insensitive and lower-cased in Key; the user part is kept as is
// (RFC 3261 §19.1.4). Parameters and headers are dropped from Key.
func parseSIP(raw, t string) (Number, error) {
	if len(t) > 512 {
		return Number{}, fmt.Errorf("%w: the SIP address is too long", ErrInvalidNumber)
	}
	scheme, rest, _ := strings.Cut(t, ":")
	scheme = strings.ToLower(scheme)
	if i := strings.IndexAny(rest, ";?"); i >= 0 {
		rest = rest[:i]
	}
	user, host, hasUser := strings.Cut(rest, "@")
	if !hasUser {
		user, host = "", rest
	}
	bad := host == "" || (hasUser && user == "") || strings.ContainsFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' || r == '"'
	}) || strings.Contains(host, "@")
	if bad {
		return Number{}, fmt.Errorf("%w: %.60q is not a SIP address like sip:alice@example.com", ErrInvalidNumber, raw)
	}
	n := Number{Raw: raw, Key: scheme + ":" + strings.ToLower(host)}
	if hasUser {
		n.Key = scheme + ":" + user + "@" + strings.ToLower(host)
		if strings.HasPrefix(user, "+") && len(user) <= maxNumberText {
			if pn, err := phonenumbers.Parse(user, ""); err == nil && phonenumbers.IsValidNumber(pn) {
				n.E164 = phonenumbers.Format(pn, phonenumbers.E164)
			}
		}
	}
	return n, nil
}

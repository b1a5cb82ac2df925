package store

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	// nyaruka/phonenumbers is the Go port of Google's libphonenumber: the
	// only maintained source of per-country numbering plans, needed to turn
	// "03-1234-5678" or "(555) 010-0199" into E.164 and back.
	"github.com/nyaruka/phonenumbers"
)

func validRegion(cc string) bool {
	return len(cc) == 2 && phonenumbers.GetCountryCodeForRegion(cc) != 0
}

// maxPhoneText bounds the text handed to the parser.
const maxPhoneText = 64

// parseNumber parses raw with the default region. It refuses numbers that
// are not possible for their country, and local-only numbers (no area
// code), which can never match a caller ID.
func parseNumber(raw, region string) (*phonenumbers.PhoneNumber, error) {
	t := strings.TrimSpace(raw)
	if t == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidNumber)
	}
	if len(t) > maxPhoneText || !utf8.ValidString(t) {
		return nil, fmt.Errorf("%w: %.40q is not a phone number", ErrInvalidNumber, t)
	}
	// SIP user parts and tel: URIs arrive as "tel:+1555..." sometimes.
	t = strings.TrimPrefix(strings.TrimPrefix(t, "tel:"), "sip:")
	if strings.HasPrefix(t, "00") && !strings.HasPrefix(t, "000") && region != "JP" {
		// International prefix written as 00 (common in Europe); the parser
		// handles it only for regions whose IDD is 00.
		t = "+" + t[2:]
	}
	n, ok := parseFast(t, region)
	if !ok {
		var err error
		if n, err = phonenumbers.Parse(t, region); err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrInvalidNumber, raw, err)
		}
	}
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.IS_POSSIBLE:
		// Possible is only a length check. Fictional numbers such as
		// +1 555 010 0199 are not "valid" for libphonenumber but must
		// work; what surely cannot exist is a NANP area code starting
		// with 0 or 1 (a Japanese "03-..." read with region US).
		if n.GetCountryCode() == 1 && n.GetNationalNumber()/1_000_000_000 < 2 {
			return nil, fmt.Errorf("%w: %q has no valid area code", ErrInvalidNumber, raw)
		}
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return nil, fmt.Errorf("%w: %q has no area code", ErrInvalidNumber, raw)
	case phonenumbers.TOO_SHORT:
		return nil, fmt.Errorf("%w: %q is too short", ErrInvalidNumber, raw)
	case phonenumbers.TOO_LONG:
		return nil, fmt.Errorf("%w: %q is too long", ErrInvalidNumber, raw)
	default:
		return nil, fmt.Errorf("%w: %q has the wrong length for its country", ErrInvalidNumber, raw)
	}
	return n, nil
}

// formatFor returns the display form: national for numbers of the default
// region's country, international otherwise. libphonenumber's national
// format for Japan is the Japanese one (03-1234-5678).
func formatFor(n *phonenumbers.PhoneNumber, region string) string {
	if int(n.GetCountryCode()) == phonenumbers.GetCountryCodeForRegion(region) {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// FormatNumber normalises raw with the store's default region and returns
// its E.164 form and its display form. The error wraps ErrInvalidNumber.
func (s *Store) FormatNumber(raw string) (e164, formatted string, err error) {
	region := s.Region()
	n, err := parseNumber(raw, region)
	if err != nil {
		return "", "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), formatFor(n, region), nil
}

// normalise returns the E.164 form of raw, or "" when it does not parse.
func (s *Store) normalise(raw string) string {
	n, err := parseNumber(raw, s.Region())
	if err != nil {
		return ""
	}
	return phonenumbers.Format(n, phonenumbers.E164)
}

// e164Key packs an E.164 number ("+" and up to 15 digits) into a uint64
// for the caller-ID map. A leading digit count keeps "+10" and "+010"
// apart (E.164 has no leading zeros, but be safe).
func e164Key(e string) (uint64, bool) {
	if len(e) < 2 || len(e) > 16 || e[0] != '+' {
		return 0, false
	}
	v, err := strconv.ParseUint(e[1:], 10, 64)
	if err != nil {
		return 0, false
	}
	return v*16 + uint64(len(e)-1), true
}

// keyE164 reverses e164Key.
func keyE164(k uint64) string {
	n := int(k % 16)
	s := strconv.FormatUint(k/16, 10)
	for len(s) < n {
		s = "0" + s
	}
	return "+" + s
}

// numberTerms returns the digit strings indexed for search: the E.164
// digits and the national digits (with trunk prefix: "0312345678").
func numberTerms(e164 string) []string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return nil
	}
	out := []string{strings.TrimPrefix(e164, "+")}
	if nat := digitsOnly(phonenumbers.Format(n, phonenumbers.NATIONAL)); nat != "" && nat != out[0] {
		out = append(out, nat)
	}
	return out
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseFast handles the spellings a caller ID or a CRM usually has ("+"
// and digits, or a 10-digit NANP number, with spaces, dashes, dots or
// parentheses) without libphonenumber's regular expressions, which cost
// 20-30 µs per number. Anything else (letters, extensions, national
// prefixes) returns false and goes through phonenumbers.Parse.
func parseFast(t, region string) (*phonenumbers.PhoneNumber, bool) {
	var buf [20]byte
	d := buf[:0]
	plus := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			if len(d) == len(buf) {
				return nil, false
			}
			d = append(d, c)
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')':
		default:
			return nil, false
		}
	}
	var cc int
	var nat []byte
	switch {
	case plus:
		for l := 1; l <= 3 && l < len(d); l++ {
			v, _ := strconv.Atoi(string(d[:l]))
			if phonenumbers.GetRegionCodeForCountryCode(v) != "ZZ" {
				cc, nat = v, d[l:]
				break
			}
		}
		if cc == 0 {
			return nil, false
		}
	case (region == "US" || region == "CA") && len(d) == 10 && d[0] != '0' && d[0] != '1':
		cc, nat = 1, d
	default:
		return nil, false
	}
	if len(nat) < 2 || len(nat) > 17 || nat[0] == '0' || hasNationalPrefix(cc, nat) {
		// A leading 0 is either a national prefix that libphonenumber
		// strips ("+44 (0)20 ...") or an Italian leading zero; other
		// national prefixes ("+1 1 ...") are stripped too.
		return nil, false
	}
	nn, err := strconv.ParseUint(string(nat), 10, 64)
	if err != nil {
		return nil, false
	}
	cc32 := int32(cc)
	n := &phonenumbers.PhoneNumber{CountryCode: &cc32, NationalNumber: &nn}
	return n, true
}

// fastCC are the country codes whose national prefix for parsing is a
// plain "0" (or "1" for NANP) or none: for them a "+" number that does not
// start with that prefix parses to exactly its digits. Other countries
// (carrier codes, patterns: AR, BR, MX, KR, CN, AU, ...) take the slow path.
var fastCC = map[int]string{1: "1", 44: "0", 81: "0", 49: "0", 33: "0", 91: "0", 34: "", 31: "0", 46: "0", 41: "0",
	43: "0", 32: "0", 353: "0", 64: "0", 65: "", 852: "", 886: "0", 48: "", 45: "", 47: "", 358: "0", 30: "", 351: ""}

// hasNationalPrefix reports whether the fast path must not be used for
// national number nat of country cc.
func hasNationalPrefix(cc int, nat []byte) bool {
	np, ok := fastCC[cc]
	return !ok || (np != "" && nat[0] == np[0])
}

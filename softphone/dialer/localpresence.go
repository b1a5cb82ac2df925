package dialer

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// MaxOwnedNumbers bounds the owned numbers local presence chooses from.
const MaxOwnedNumbers = 1000

// Presence is how a caller ID was chosen for a contact.
type Presence string

const (
	// PresenceArea: an owned number in the contact's area (NANP: the same
	// NPA; elsewhere the same national destination code).
	PresenceArea Presence = "area"
	// PresenceCountry: an owned number of the contact's country (region).
	PresenceCountry Presence = "country"
	// PresenceDefault: no owned number matched (or the contact has no
	// phone number, such as a SIP address): the default caller ID.
	PresenceDefault Presence = "default"
)

// String returns the match's name.
func (p Presence) String() string { return string(p) }

// ownedNumber is an owned number with what local presence matches on.
type ownedNumber struct {
	e164   string
	region string // ISO 3166 ("US", "CA", "GB")
	area   string // country code + area ("1-212", "44-20"); "" when none
}

// LocalPresence chooses the caller ID shown to a contact from the
// account's owned numbers: one in the contact's area, else one in the
// contact's country, else the default. It is immutable and safe for
// concurrent use.
type LocalPresence struct {
	owned []ownedNumber
}

// NewLocalPresence parses the account's owned numbers (E.164, "+" and
// digits; spaces and dashes allowed). The error wraps ErrInvalidSettings
// and names the first number that is not a valid E.164 number.
func NewLocalPresence(owned []string) (*LocalPresence, error) {
	if len(owned) > MaxOwnedNumbers {
		return nil, fmt.Errorf("%w: %d owned numbers: at most %d", ErrInvalidSettings, len(owned), MaxOwnedNumbers)
	}
	lp := &LocalPresence{}
	seen := map[string]bool{}
	for _, raw := range owned {
		t := strings.TrimSpace(raw)
		if !strings.HasPrefix(t, "+") {
			return nil, fmt.Errorf("%w: caller ID %.40q: write it in international form, like +12125550100", ErrInvalidSettings, raw)
		}
		n, err := ParseNumber(t, "")
		if err != nil {
			return nil, fmt.Errorf("%w: caller ID %.40q is not a valid phone number", ErrInvalidSettings, raw)
		}
		if seen[n.E164] {
			continue
		}
		seen[n.E164] = true
		region, area := numberPlace(n.E164)
		lp.owned = append(lp.owned, ownedNumber{e164: n.E164, region: region, area: area})
	}
	return lp, nil
}

// Numbers returns the owned numbers in E.164 form, in the order given
// (duplicates dropped).
func (lp *LocalPresence) Numbers() []string {
	if lp == nil {
		return nil
	}
	out := make([]string, len(lp.owned))
	for i, o := range lp.owned {
		out[i] = o.e164
	}
	return out
}

// Choose returns the caller ID for a dial to n and how it was chosen: the
// first owned number (in the order given) in n's area, else the first in
// n's country, else def. A SIP address is matched by its user part when
// that is an E.164 number (sip:+12125550100@host), else it gets def.
func (lp *LocalPresence) Choose(n Number, def string) (string, Presence) {
	if lp == nil || n.E164 == "" {
		return def, PresenceDefault
	}
	region, area := numberPlace(n.E164)
	if area != "" {
		for _, o := range lp.owned {
			if o.area == area {
				return o.e164, PresenceArea
			}
		}
	}
	if region != "" && region != phonenumbers.UNKNOWN_REGION {
		for _, o := range lp.owned {
			if o.region == region {
				return o.e164, PresenceCountry
			}
		}
	}
	return def, PresenceDefault
}

// ChooseCallerID is LocalPresence.Choose for a one-off choice: owned
// numbers that do not parse are ignored.
func ChooseCallerID(n Number, owned []string, def string) string {
	lp := &LocalPresence{}
	for _, raw := range owned {
		if one, err := NewLocalPresence([]string{raw}); err == nil {
			lp.owned = append(lp.owned, one.owned...)
		}
	}
	id, _ := lp.Choose(n, def)
	return id
}

// numberPlace returns the region (ISO 3166) of an E.164 number and its
// area key: for the North American Numbering Plan (country code 1) the
// NPA, the first three digits of the national number; elsewhere the
// national destination code by libphonenumber's metadata (a geographic
// area code, or a mobile operator's prefix). The key carries the country
// code, so "+44 20" and "+81 20" never match. area is "" when the number
// has no destination code.
func numberPlace(e164 string) (region, area string) {
	pn, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return "", ""
	}
	region = phonenumbers.GetRegionCodeForNumber(pn)
	nsn := phonenumbers.GetNationalSignificantNumber(pn)
	cc := pn.GetCountryCode()
	n := 0
	if cc == 1 {
		n = 3
	} else {
		n = phonenumbers.GetLengthOfNationalDestinationCode(pn)
	}
	if n <= 0 || n > len(nsn) {
		return region, ""
	}
	return region, fmt.Sprintf("%d-%s", cc, nsn[:n])
}

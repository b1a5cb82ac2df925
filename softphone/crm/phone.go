package crm

import (
	"strings"

	// libphonenumber's Go port: the national significant number of an
	// E.164 string, which CRMs often hold instead of the full number.
	"github.com/nyaruka/phonenumbers"
)

// PhoneVariants returns the spellings to look a number up by, in order
// (crm-apis.md §6): the E.164 string, the same digits without "+", then
// the national significant number. Empty and repeated spellings are left
// out. Vendors match phone fields literally, so adapters try each in turn.
func PhoneVariants(e164 string) []string {
	e164 = strings.TrimSpace(e164)
	if e164 == "" {
		return nil
	}
	out := []string{e164}
	add := func(s string) {
		for _, v := range out {
			if v == s {
				return
			}
		}
		if s != "" {
			out = append(out, s)
		}
	}
	add(strings.TrimPrefix(e164, "+"))
	if num, err := phonenumbers.Parse(e164, "ZZ"); err == nil {
		add(phonenumbers.GetNationalSignificantNumber(num))
	}
	return out
}

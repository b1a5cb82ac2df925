package store

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// FuzzParseFast checks that the fast path never disagrees with
// libphonenumber about the E.164 form of a number it accepts.
func FuzzParseFast(f *testing.F) {
	for _, s := range []string{"+1 (555) 010-0199", "5550100199", "+81 3-1234-5678", "+39 06 1234 5678", "+44 20 7946 0958",
		"+1", "+", "+000", "(212) 555-0199", "+1-212-555-0199", "+8190 1234 5678", "+390012", "+3 9"} {
		f.Add(s, "US")
		f.Add(s, "JP")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		if region != "US" && region != "JP" && region != "GB" {
			return
		}
		fast, ok := parseFast(raw, region)
		if !ok {
			return
		}
		slow, err := phonenumbers.Parse(raw, region)
		if err != nil {
			return // the fast path is more lenient; parseNumber's length check follows
		}
		a, b := phonenumbers.Format(fast, phonenumbers.E164), phonenumbers.Format(slow, phonenumbers.E164)
		if a != b && phonenumbers.IsPossibleNumber(slow) {
			t.Fatalf("%q/%s: fast %s, libphonenumber %s", raw, region, a, b)
		}
	})
}

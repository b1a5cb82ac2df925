package sync

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pitchline/pitchline/softphone/crm"
)

// FuzzListContact: any CRM record becomes a contact with storable text and
// at least one dialable number, or is reported with a reason; never a
// panic.
func FuzzListContact(f *testing.F) {
	f.Add("Ann", "Ames", "Acme", "+12125550101", "(212) 555-0104", "America/New_York", true)
	f.Add("", "", "", "", "", "", false)
	f.Add("\x00\xff", "a\nb", "c\td", "sip:alice@example.com", "12", "Local", false)
	f.Add("山田", "太郎", "株式会社", "03-1234-5678", "+81 90 1234 5678", "Asia/Tokyo", true)
	f.Fuzz(func(t *testing.T, first, last, company, phone, mobile, zone string, dnc bool) {
		r := crm.ListContact{ID: "1", FirstName: first, LastName: last, Company: company, TimeZone: zone, DoNotCall: dnc,
			Phones: []crm.Phone{{Label: "work", Number: phone}, {Label: "mobile", Number: mobile}}}
		c, problems := listContact(crm.VendorHubSpot, r, "US")
		for _, s := range []string{c.Name, c.Company, c.TimeZone} {
			if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Fatalf("unstorable text %q", s)
			}
		}
		if len(c.Numbers) == 0 {
			hasReason := false
			for _, p := range problems {
				hasReason = hasReason || (p.Reason != "" && p.Message != "")
			}
			if !hasReason {
				t.Fatalf("record without a number and without a reason: %+v %+v", c, problems)
			}
		}
		for _, n := range c.Numbers {
			if n.Key == "" {
				t.Fatalf("number without a key: %+v", n)
			}
		}
		if dnc != (c.Extra[ExtraDoNotCall] == "true") {
			t.Fatalf("flag lost: %+v", c.Extra)
		}
	})
}

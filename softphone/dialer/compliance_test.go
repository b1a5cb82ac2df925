package dialer

import (
	"strings"
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func num(t *testing.T, raw string) Number {
	t.Helper()
	n, err := ParseNumber(raw, "US")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func loc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestCallingHoursZones checks the calling hours in the contact's own time
// zone: DST changes, a number spanning zones, Japan, a SIP URI with no
// region, a window crossing midnight, and the contact record's zone.
func TestCallingHoursZones(t *testing.T) {
	const ny, alaska, tollFree, tokyo = "+1 212 555 0100", "+1 907 555 1234", "+1 800 275 2273", "+81 3-1234-5678"
	night, _ := ParseWindow("22:00-02:00")
	for _, tc := range []struct {
		name     string
		now      string
		number   string
		contact  Contact
		window   Window
		allowed  bool
		local    string // contact's local time, 15:04
		zone     string // zone of LocalTime
		source   ZoneSource
		minZones int
	}{
		// US spring forward: 2026-03-08 07:00Z. A fixed EST offset would
		// say 08:30 and refuse.
		{name: "NY after spring forward", now: "2026-03-08T13:30:00Z", number: ny, allowed: true, local: "09:30", zone: "America/New_York", source: ZoneFromNumber},
		{name: "NY day before spring forward", now: "2026-03-07T13:30:00Z", number: ny, local: "08:30", zone: "America/New_York", source: ZoneFromNumber},
		// US fall back: 2026-11-01 06:00Z.
		{name: "NY evening before fall back", now: "2026-11-01T00:30:00Z", number: ny, local: "20:30", zone: "America/New_York", source: ZoneFromNumber},
		{name: "NY evening after fall back", now: "2026-11-02T00:30:00Z", number: ny, allowed: true, local: "19:30", zone: "America/New_York", source: ZoneFromNumber},
		// +1 907 spans Anchorage and Adak (one hour behind): the window
		// must hold in both.
		{name: "Alaska open in Anchorage only", now: "2026-01-15T18:30:00Z", number: alaska, local: "08:30", zone: "America/Adak", source: ZoneFromNumber, minZones: 2},
		{name: "Alaska evening closed in Anchorage only", now: "2026-01-16T05:30:00Z", number: alaska, local: "20:30", zone: "America/Anchorage", source: ZoneFromNumber, minZones: 2},
		{name: "Alaska open in both", now: "2026-01-15T19:30:00Z", number: alaska, allowed: true, local: "09:30", source: ZoneFromNumber, minZones: 2},
		// Toll-free spans Guam to Newfoundland: no hour fits them all (at
		// 20:00Z it is 10:00 in Adak and 15:00 in New York, but 06:00 in
		// Guam).
		{name: "toll-free spans every NANP zone", now: "2026-01-15T20:00:00Z", number: tollFree, source: ZoneFromNumber, minZones: 10},
		{name: "Japan morning", now: "2026-03-02T00:30:00Z", number: tokyo, allowed: true, local: "09:30", zone: "Asia/Tokyo", source: ZoneFromNumber},
		{name: "Japan 19:59", now: "2026-03-02T10:59:00Z", number: tokyo, allowed: true, local: "19:59", zone: "Asia/Tokyo", source: ZoneFromNumber},
		{name: "Japan 20:00 end is exclusive", now: "2026-03-02T11:00:00Z", number: tokyo, local: "20:00", zone: "Asia/Tokyo", source: ZoneFromNumber},
		// A SIP URI has no region: the rep's zone (Europe/Berlin) applies,
		// with its own DST (2026-03-29 01:00Z).
		{name: "SIP URI uses rep zone", now: "2026-01-15T07:30:00Z", number: "sip:alice@example.com", local: "08:30", zone: "Europe/Berlin", source: ZoneFromRep},
		{name: "SIP URI rep zone open", now: "2026-01-15T08:00:00Z", number: "sip:alice@example.com", allowed: true, local: "09:00", zone: "Europe/Berlin", source: ZoneFromRep},
		{name: "SIP URI after rep's DST change", now: "2026-03-29T07:30:00Z", number: "sip:alice@example.com", allowed: true, local: "09:30", zone: "Europe/Berlin", source: ZoneFromRep},
		{name: "SIP URI with a + number user part", now: "2026-03-02T00:30:00Z", number: "sip:+81312345678@127.0.0.1", allowed: true, local: "09:30", zone: "Asia/Tokyo", source: ZoneFromNumber},
		// A window crossing midnight, in Tokyo.
		{name: "night window 22:30", now: "2026-03-02T13:30:00Z", number: tokyo, window: night, allowed: true, local: "22:30", zone: "Asia/Tokyo", source: ZoneFromNumber},
		{name: "night window 01:59", now: "2026-03-02T16:59:00Z", number: tokyo, window: night, allowed: true, local: "01:59", zone: "Asia/Tokyo", source: ZoneFromNumber},
		{name: "night window 02:00", now: "2026-03-02T17:00:00Z", number: tokyo, window: night, local: "02:00", zone: "Asia/Tokyo", source: ZoneFromNumber},
		{name: "night window 21:59", now: "2026-03-02T12:59:00Z", number: tokyo, window: night, local: "21:59", zone: "Asia/Tokyo", source: ZoneFromNumber},
		// The contact's record wins over the number.
		{name: "contact zone overrides number", now: "2026-03-02T14:00:00Z", number: ny, contact: Contact{TimeZone: "Asia/Tokyo"}, local: "23:00", zone: "Asia/Tokyo", source: ZoneFromContact},
		{name: "unknown contact zone falls back to number", now: "2026-03-02T14:00:00Z", number: ny, contact: Contact{TimeZone: "Mars/Base"}, allowed: true, local: "09:00", zone: "America/New_York", source: ZoneFromNumber},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			if tc.window != (Window{}) {
				s.Hours = tc.window
			}
			tc.contact.Name = "Ada"
			d := Decide(utc(tc.now), loc(t, "Europe/Berlin"), Request{Contact: tc.contact, Number: num(t, tc.number), Settings: s})
			if d.Allowed != tc.allowed || d.ZoneSource != tc.source || len(d.Zones) < tc.minZones {
				t.Fatalf("decision %+v", d)
			}
			if !tc.allowed && (d.Reason != ReasonCallingHours || !strings.Contains(d.Message, "Ada")) {
				t.Fatalf("refusal %+v", d)
			}
			if tc.local != "" && d.LocalTime.Format("15:04") != tc.local {
				t.Fatalf("local time %s, want %s (%+v)", d.LocalTime.Format("15:04 MST"), tc.local, d)
			}
			if tc.zone != "" && d.LocalTime.Location().String() != tc.zone {
				t.Fatalf("local zone %s, want %s", d.LocalTime.Location(), tc.zone)
			}
			if !tc.allowed && tc.local != "" && !strings.Contains(d.Message, "It is "+tc.local) {
				t.Fatalf("message %q lacks the local time", d.Message)
			}
		})
	}
}

func TestDecideReasons(t *testing.T) {
	now := utc("2026-03-02T15:00:00Z") // 10:00 in New York
	ny := num(t, "(212) 555-0100")
	s := DefaultSettings()
	s.Retry = RetryPolicy{MaxAttempts: 3, MaxPerDay: 2, Spacing: 2 * time.Hour}
	berlin := loc(t, "Europe/Berlin")
	for _, tc := range []struct {
		name      string
		number    Number
		contact   Contact
		attempts  []time.Time
		dnc       DNCSet
		hoursOff  bool
		reason    Reason
		notBefore time.Time
	}{
		{name: "clear", number: ny},
		{name: "dnc", number: ny, dnc: DNCSet{"+12125550100": {}}, reason: ReasonDNC},
		{name: "dnc before calling hours", number: ny, dnc: DNCSet{"+12125550100": {}}, hoursOff: true, reason: ReasonDNC},
		{name: "dnc by E.164 of a SIP URI", number: num(t, "sip:+12125550100@127.0.0.1"), dnc: DNCSet{"+12125550100": {}}, reason: ReasonDNC},
		{name: "empty number", number: Number{Raw: ""}, reason: ReasonInvalidNumber},
		{name: "invalid number", number: Number{Raw: "555 555 0100", Key: "+15555550100", E164: "+15555550100"}, reason: ReasonInvalidNumber},
		{name: "invalid before dnc", number: Number{Raw: "x", Key: "x"}, dnc: DNCSet{"x": {}}, reason: ReasonInvalidNumber},
		{name: "retry cap in all", number: ny, attempts: []time.Time{now.Add(-72 * time.Hour), now.Add(-48 * time.Hour), now.Add(-24 * time.Hour)}, reason: ReasonRetryCap},
		{name: "retry cap per day", number: ny, attempts: []time.Time{now.Add(-5 * time.Hour), now.Add(-3 * time.Hour)}, reason: ReasonRetryCap},
		{name: "yesterday does not count today", number: ny, attempts: []time.Time{utc("2026-03-02T04:00:00Z"), utc("2026-03-02T04:30:00Z")}}, // 23:00 and 23:30 NY, 1 March
		{name: "spacing", number: ny, attempts: []time.Time{now.Add(-time.Hour)}, reason: ReasonRetryCap, notBefore: now.Add(time.Hour)},
		{name: "spacing passed", number: ny, attempts: []time.Time{now.Add(-2 * time.Hour)}},
		{name: "retry before calling hours", number: ny, attempts: []time.Time{now.Add(-time.Hour)}, hoursOff: true, reason: ReasonRetryCap, notBefore: now.Add(time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at := now
			if tc.hoursOff {
				at = now.Add(-4 * time.Hour) // 06:00 in New York
				for i := range tc.attempts {
					tc.attempts[i] = tc.attempts[i].Add(-4 * time.Hour)
				}
				if !tc.notBefore.IsZero() {
					tc.notBefore = tc.notBefore.Add(-4 * time.Hour)
				}
			}
			d := Decide(at, berlin, Request{Contact: Contact{Name: "Ada"}, Number: tc.number, Settings: s, Attempts: tc.attempts, DNC: tc.dnc})
			if d.Allowed != (tc.reason == "") || d.Reason != tc.reason || !d.NotBefore.Equal(tc.notBefore) {
				t.Fatalf("decision %+v, want reason %q not before %v", d, tc.reason, tc.notBefore)
			}
			if tc.reason != "" && (d.Message == "" || !strings.HasSuffix(d.Message, ".")) {
				t.Fatalf("message %q", d.Message)
			}
		})
	}
}

// TestRetryDayIsContactsDay: two dials in the contact's morning (Tokyo)
// that fall on the previous UTC day still count as today.
func TestRetryDayIsContactsDay(t *testing.T) {
	s := DefaultSettings()
	s.Retry = RetryPolicy{MaxAttempts: 5, MaxPerDay: 2, Spacing: time.Minute}
	d := Decide(utc("2026-03-02T00:30:00Z"), time.UTC, Request{Number: num(t, "+81 3-1234-5678"), Settings: s,
		Attempts: []time.Time{utc("2026-03-01T15:30:00Z"), utc("2026-03-01T16:00:00Z")}}) // 00:30 and 01:00 JST, 2 March
	if d.Allowed || d.Reason != ReasonRetryCap || !strings.Contains(d.Message, "today") {
		t.Fatalf("decision %+v", d)
	}
}

func TestChecker(t *testing.T) {
	if _, err := NewChecker(nil); err == nil {
		t.Fatal("NewChecker(nil) accepted")
	}
	now := utc("2026-03-02T13:00:00Z") // 08:00 New York
	c, err := NewChecker(time.UTC, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Number: num(t, "+1 212 555 0100"), Settings: DefaultSettings()}
	if d := c.Check(req); d.Allowed || d.Reason != ReasonCallingHours {
		t.Fatalf("08:00: %+v", d)
	}
	now = now.Add(time.Hour)
	if d := c.Check(req); !d.Allowed {
		t.Fatalf("09:00: %+v", d)
	}
}

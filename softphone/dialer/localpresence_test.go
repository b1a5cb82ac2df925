package dialer

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestLocalPresenceChoose(t *testing.T) {
	owned := []string{
		"+1 212 555 0199",  // New York (NPA 212)
		"+1 310 555 0199",  // Los Angeles (NPA 310)
		"+1 647 555 0199",  // Toronto (Canada, NPA 647)
		"+44 20 7946 0999", // London (NDC 20)
		"+81 3 1234 5999",  // Tokyo (NDC 3)
	}
	lp, err := NewLocalPresence(owned)
	if err != nil {
		t.Fatal(err)
	}
	const def = "+18005550100"
	for _, tc := range []struct {
		name, raw, region string
		want              string
		how               Presence
	}{
		{"US same NPA", "(212) 555-0100", "US", "+12125550199", PresenceArea},
		{"US other NPA same NPA as LA", "+1 310 555 0142", "", "+13105550199", PresenceArea},
		{"US NPA not owned: same country", "+1 415 555 0100", "", "+12125550199", PresenceCountry},
		{"Canada: NANP but its own country", "+1 416 555 0100", "", "+16475550199", PresenceCountry},
		{"Canada same NPA", "+1 647 555 0142", "", "+16475550199", PresenceArea},
		{"UK London", "020 7946 0100", "GB", "+442079460999", PresenceArea},
		{"UK Manchester: same country", "+44 161 496 0000", "", "+442079460999", PresenceCountry},
		{"JP Tokyo", "03-1234-5678", "JP", "+81312345999", PresenceArea},
		{"JP Osaka: same country", "06-1234-5678", "JP", "+81312345999", PresenceCountry},
		{"JP mobile: same country", "090-1234-5678", "JP", "+81312345999", PresenceCountry},
		{"France: no owned number", "+33 1 42 00 00 00", "", def, PresenceDefault},
		{"SIP URI", "sip:alice@example.com", "", def, PresenceDefault},
		{"SIP URI with a number user part", "sip:+12125550142@example.com", "", "+12125550199", PresenceArea},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ParseNumber(tc.raw, tc.region)
			if err != nil {
				t.Fatal(err)
			}
			got, how := lp.Choose(n, def)
			if got != tc.want || how != tc.how {
				t.Fatalf("Choose(%s) = %s (%s), want %s (%s)", n.Key, got, how, tc.want, tc.how)
			}
			if got := ChooseCallerID(n, owned, def); got != tc.want {
				t.Fatalf("ChooseCallerID(%s) = %s, want %s", n.Key, got, tc.want)
			}
		})
	}
}

func TestLocalPresenceFirstOwnedWinsAndNoneOwned(t *testing.T) {
	n, err := ParseNumber("+12125550100", "")
	if err != nil {
		t.Fatal(err)
	}
	lp, err := NewLocalPresence([]string{"+13105550199", "+12125550111", "+12125550122", "+12125550111"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := lp.Choose(n, ""); got != "+12125550111" {
		t.Fatalf("got %s, want the first owned number in NPA 212", got)
	}
	if got := lp.Numbers(); len(got) != 3 {
		t.Fatalf("Numbers() = %v: want duplicates dropped", got)
	}
	var none *LocalPresence
	if got, how := none.Choose(n, "+18005550100"); got != "+18005550100" || how != PresenceDefault {
		t.Fatalf("nil LocalPresence: %s %s", got, how)
	}
	if got := ChooseCallerID(n, nil, ""); got != "" {
		t.Fatalf("no owned numbers and no default: %q, want \"\" (the account's default)", got)
	}
}

func TestLocalPresenceRejectsBadNumbers(t *testing.T) {
	for _, bad := range [][]string{{"2125550100"}, {"+1 212"}, {"sip:alice@example.com"}, {"+999 1234"}, {""}} {
		if _, err := NewLocalPresence(bad); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("NewLocalPresence(%q): %v, want ErrInvalidSettings", bad, err)
		}
	}
}

// TestSessionDialsWithLocalPresence checks that each dial's options carry
// the caller ID local presence chose, the list's caller ID being the
// fallback, and that the dial event says so.
func TestSessionDialsWithLocalPresence(t *testing.T) {
	noLeak(t)
	st, _ := openStore(t)
	eng := &fakeEngine{}
	l := &List{Name: "presence", Settings: DefaultSettings()}
	l.Settings.Mode = ModePower
	l.Settings.CallerID = "+18005550100"
	for _, raw := range []string{"+12125550100", "+14155550100", "+442079460100", "+33142000000", "sip:human1@127.0.0.1"} {
		n, err := ParseNumber(raw, "US")
		if err != nil {
			t.Fatal(err)
		}
		l.Contacts = append(l.Contacts, Contact{Name: raw, Numbers: []Number{n}})
	}
	noon := time.Date(2026, 3, 2, 17, 0, 0, 0, time.UTC) // 12:00 in New York, 17:00 in London, 18:00 in Paris
	s, err := NewSession(context.Background(), st, eng, l, WithSessionClock(func() time.Time { return noon }),
		WithRepZone(time.UTC), WithCallerIDs([]string{"+13105550199", "+12125550199", "+442079460999"}))
	if err != nil {
		t.Fatal(err)
	}
	evs := rep(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"+12125550100":         "+12125550199", // same NPA
		"+14155550100":         "+13105550199", // same country: the first US number
		"+442079460100":        "+442079460999",
		"+33142000000":         "+18005550100", // the list's caller ID
		"sip:human1@127.0.0.1": "+18005550100",
	}
	eng.mu.Lock()
	dials, opts := append([]string(nil), eng.dials...), append([]DialOptions(nil), eng.opts...)
	eng.mu.Unlock()
	if len(dials) != len(want) {
		t.Fatalf("dialled %v, want every contact once", dials)
	}
	for i, d := range dials {
		if opts[i].CallerID != want[d] {
			t.Errorf("dial %s: caller ID %q, want %q", d, opts[i].CallerID, want[d])
		}
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == EventDial {
			n++
			if ev.CallerID != want[ev.Number] {
				t.Errorf("dial event %s: caller ID %q, want %q", ev.Number, ev.CallerID, want[ev.Number])
			}
		}
	}
	if n != len(want) {
		t.Errorf("%d dial events, want %d", n, len(want))
	}
	if _, err := NewSession(context.Background(), st, eng, l, WithCallerIDs([]string{"2125550100"})); !errors.Is(err, ErrInvalidSettings) {
		t.Errorf("a caller ID not in E.164: %v, want ErrInvalidSettings", err)
	}
}

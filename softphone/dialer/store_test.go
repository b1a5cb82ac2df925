package dialer

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
)

// openStore opens a real SQLite store file in a temporary folder.
func openStore(t *testing.T) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pitchline.db")
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

func TestListSaveLoadRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	imp, err := ParseCSV(strings.NewReader(listCSV), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	night, _ := ParseWindow("21:00-03:00")
	l := &List{Name: "Monday calls", Contacts: imp.Contacts, Settings: Settings{
		Mode: ModeParallel, Lines: 5, WrapUp: 15 * time.Second, CallerID: "+12125550199", Hours: night,
		Retry: RetryPolicy{MaxAttempts: 4, MaxPerDay: 1, Spacing: 90 * time.Minute}}}
	if err := SaveList(ctx, st, l); err != nil {
		t.Fatal(err)
	}
	if l.ID == "" || l.Created.IsZero() {
		t.Fatalf("saved list %+v", l)
	}
	st.Close()
	st2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	got, err := LoadList(ctx, st2, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != l.Name || got.Settings != l.Settings || !got.Created.Equal(l.Created) {
		t.Fatalf("loaded %+v\nwant %+v", got, l)
	}
	if !reflect.DeepEqual(got.Contacts, l.Contacts) {
		t.Fatalf("contacts\n%+v\nwant\n%+v", got.Contacts, l.Contacts)
	}
	if _, err := LoadList(ctx, st2, "nope"); !errors.Is(err, ErrNotFound) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing list: %v", err)
	}
	bad := &List{Name: "x", Settings: Settings{Mode: ModePower, Lines: 3, Hours: DefaultWindow, Retry: DefaultRetry}}
	if err := SaveList(ctx, st2, bad); !errors.Is(err, ErrInvalidSettings) {
		t.Fatalf("3 lines in power mode: %v", err)
	}
}

func TestSettingsJSONAndValidation(t *testing.T) {
	var s Settings
	if err := json.Unmarshal([]byte(`{"mode":"power","wrap_up":"5s"}`), &s); err != nil {
		t.Fatal(err)
	}
	want := DefaultSettings()
	want.Mode, want.WrapUp = ModePower, 5*time.Second
	if s != want {
		t.Fatalf("partial settings = %+v, want %+v", s, want)
	}
	b, _ := json.Marshal(want)
	if !strings.Contains(string(b), `"calling_hours":"09:00-20:00"`) || !strings.Contains(string(b), `"retry_spacing":"2h0m0s"`) {
		t.Fatalf("JSON %s", b)
	}
	for _, in := range []string{
		`{"mode":"robo"}`, `{"lines":0}`, `{"mode":"parallel","lines":6}`, `{"wrap_up":"-1s"}`, `{"wrap_up":"1h"}`,
		`{"calling_hours":"20:00-20:00"}`, `{"calling_hours":"9-17"}`, `{"max_attempts":0}`, `{"max_per_day":5,"max_attempts":3}`,
		`{"retry_spacing":"soon"}`, `[]`,
	} {
		if err := json.Unmarshal([]byte(in), &s); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("%s: %v, want ErrInvalidSettings", in, err)
		}
	}
	for in, want := range map[string]string{"09:00-20:00": "09:00-20:00", " 9:30 - 17:00 ": "09:30-17:00", "22:00-02:00": "22:00-02:00", "00:00-24:00": "00:00-24:00"} {
		w, err := ParseWindow(in)
		if err != nil || w.String() != want {
			t.Errorf("ParseWindow(%q) = %v, %v", in, w, err)
		}
	}
	for _, in := range []string{"", "09:00", "24:00-01:00", "09:60-10:00", "10:00-10:00", "-1:00-02:00", "09:00-24:01", "aa:bb-cc:dd"} {
		if _, err := ParseWindow(in); !errors.Is(err, ErrInvalidSettings) {
			t.Errorf("ParseWindow(%q) = %v, want ErrInvalidSettings", in, err)
		}
	}
	allDay, _ := ParseWindow("00:00-24:00")
	if !allDay.Contains(utc("2026-01-01T23:59:00Z")) || !allDay.Contains(utc("2026-01-01T00:00:00Z")) {
		t.Fatal("00:00-24:00 is not all day")
	}
}

func TestDNCList(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	d, err := NewDNC(st, "US")
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Add(ctx, "(212) 555-0100", "asked on the call", "form")
	if err != nil || n.Key != "+12125550100" {
		t.Fatalf("Add = %+v, %v", n, err)
	}
	// Fictional numbers are possible, so the DNC list takes them.
	if _, err := d.Add(ctx, "+1 555 555 0100", "", "manual"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Add(ctx, "not a number", "", "manual"); !errors.Is(err, ErrInvalidNumber) {
		t.Fatalf("bad number: %v", err)
	}
	for _, spelling := range []string{"+1 212-555-0100", "212.555.0100", "tel:+12125550100"} {
		if ok, err := d.Contains(ctx, spelling); err != nil || !ok {
			t.Fatalf("Contains(%q) = %v, %v", spelling, ok, err)
		}
	}
	in := "\ufeffNote,Phone\r\nangry,+1 312 555 0100\r\ndup,312-555-0100\r\nold,(212) 555-0100\r\nbad,12\r\n,\r\nsip,sip:Bob@Example.com\r\n"
	rep, err := d.Import(ctx, strings.NewReader(in), "import")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Added != 2 || rep.Already != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Line != 5 || rep.Rejected[0].Reason != RejectInvalidNumber {
		t.Fatalf("import report %+v", rep)
	}
	// A headerless file: every row is a number.
	rep, err = d.Import(ctx, strings.NewReader("+81 3-1234-5678\n"), "import")
	if err != nil || rep.Added != 1 {
		t.Fatalf("headerless import %+v, %v", rep, err)
	}

	// The list persists, and Decide refuses every spelling of a DNC number.
	st.Close()
	st2, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	d, _ = NewDNC(st2, "US")
	set, err := d.Set(ctx)
	if err != nil || len(set) != 5 {
		t.Fatalf("set %v, %v", set, err)
	}
	now := utc("2026-03-02T15:00:00Z")
	for _, raw := range []string{"312 555 0100", "sip:Bob@example.com", "sip:+13125550100@127.0.0.1"} {
		dec := Decide(now, time.UTC, Request{Number: num(t, raw), Settings: DefaultSettings(), DNC: set})
		if dec.Allowed || dec.Reason != ReasonDNC {
			t.Fatalf("%s: %+v", raw, dec)
		}
	}
	// SIP-only calls: the post-call form and the DNC manager give the
	// address as the call shows it; every form is stored as the
	// sip:user@host key a list's SIP number has, and the check before the
	// INVITE refuses it.
	for _, tc := range []struct{ raw, key string }{
		{`"Carol" <sip:carol@PBX.example.com:5060;transport=udp>`, "sip:carol@pbx.example.com:5060"},
		{"<sip:dave@127.0.0.1:5070>", "sip:dave@127.0.0.1:5070"},
		{"erin@pbx.example.com", "sip:erin@pbx.example.com"},
	} {
		n, err := d.Add(ctx, tc.raw, "", "form")
		if err != nil || n.Key != tc.key || n.Raw != tc.raw {
			t.Fatalf("Add(%q) = %+v, %v; want key %s", tc.raw, n, err, tc.key)
		}
	}
	set, _ = d.Set(ctx)
	for _, raw := range []string{"sip:carol@pbx.example.com:5060", "sip:dave@127.0.0.1:5070", "sip:erin@PBX.example.com"} {
		if dec := Decide(now, time.UTC, Request{Number: num(t, raw), Settings: DefaultSettings(), DNC: set}); dec.Allowed || dec.Reason != ReasonDNC {
			t.Fatalf("%s after adding it as the form shows it: %+v", raw, dec)
		}
	}
	if _, err := d.Add(ctx, "bob @ host", "", "form"); !errors.Is(err, ErrInvalidNumber) {
		t.Fatalf("a malformed address: %v", err)
	}
	if err := d.Remove(ctx, "312.555.0100"); err != nil {
		t.Fatal(err)
	}
	if err := d.Remove(ctx, "+13125550100"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	set, _ = d.Set(ctx)
	if dec := Decide(now, time.UTC, Request{Number: num(t, "312 555 0100"), Settings: DefaultSettings(), DNC: set}); !dec.Allowed {
		t.Fatalf("after remove: %+v", dec)
	}
}

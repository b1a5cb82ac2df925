package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestDialerListRoundTripAndReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	clock := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s, err := Open(path, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	contacts := []DialerContact{
		{Name: "Ada", Company: "Acme", TimeZone: "America/New_York",
			Numbers: []DialerNumber{{Raw: "(212) 555-0100", Key: "+12125550100", Label: "phone"}, {Raw: "+1 312 555 0100", Key: "+13125550100", Label: "mobile"}},
			Extra:   map[string]string{"deal": "Q2 renewal"}},
		{Name: "Bob", Numbers: []DialerNumber{{Raw: "sip:bob@127.0.0.1", Key: "sip:bob@127.0.0.1"}}},
	}
	l, err := s.SaveDialerList(ctx, DialerList{Name: "Monday", Settings: `{"mode":"power"}`}, contacts)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID == "" || l.Contacts != 2 {
		t.Fatalf("saved %+v", l)
	}
	if _, err := s.SaveDialerList(ctx, DialerList{Name: " "}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty name: %v", err)
	}
	if _, err := s.SaveDialerList(ctx, DialerList{Name: "x", Settings: "{"}, nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad settings: %v", err)
	}
	if n, err := s.AddDNC(ctx, DNCEntry{Number: "+12125550100", Raw: "212-555-0100", Source: "manual"}); err != nil || n != 1 {
		t.Fatalf("AddDNC = %d, %v", n, err)
	}
	s.Close()

	// Everything survives a reopen of the file.
	clock = clock.Add(time.Hour)
	s, err = Open(path, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, gc, err := s.DialerList(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Monday" || got.Settings != `{"mode":"power"}` || !got.Created.Equal(clock.Add(-time.Hour)) || len(gc) != 2 {
		t.Fatalf("list %+v, %d contacts", got, len(gc))
	}
	if gc[0].Name != "Ada" || gc[0].TimeZone != "America/New_York" || len(gc[0].Numbers) != 2 ||
		gc[0].Numbers[1].Key != "+13125550100" || gc[0].Numbers[1].Label != "mobile" || gc[0].Extra["deal"] != "Q2 renewal" {
		t.Fatalf("contact 0 = %+v", gc[0])
	}
	if gc[1].Position != 1 || gc[1].Numbers[0].Key != "sip:bob@127.0.0.1" || gc[1].Extra != nil {
		t.Fatalf("contact 1 = %+v", gc[1])
	}

	// Saving again replaces the contacts and keeps Created.
	l2, err := s.SaveDialerList(ctx, DialerList{ID: l.ID, Name: "Monday v2"}, contacts[1:])
	if err != nil {
		t.Fatal(err)
	}
	if !l2.Created.Equal(got.Created) || !l2.Updated.Equal(clock) {
		t.Fatalf("resave %+v", l2)
	}
	all, err := s.DialerLists(ctx)
	if err != nil || len(all) != 1 || all[0].Contacts != 1 || all[0].Name != "Monday v2" || all[0].Settings != "{}" {
		t.Fatalf("DialerLists = %+v, %v", all, err)
	}

	if ok, err := s.IsDNC(ctx, "+12125550100"); err != nil || !ok {
		t.Fatalf("IsDNC after reopen = %v, %v", ok, err)
	}
	if n, err := s.AddDNC(ctx, DNCEntry{Number: "+12125550100", Note: "asked again"}, DNCEntry{Number: "+13125550100"}); err != nil || n != 1 {
		t.Fatalf("AddDNC again = %d, %v", n, err)
	}
	es, err := s.DNCEntries(ctx)
	if err != nil || len(es) != 2 || es[0].Note != "asked again" || es[0].Raw != "212-555-0100" || !es[0].Added.Equal(clock.Add(-time.Hour)) {
		t.Fatalf("DNCEntries = %+v, %v", es, err)
	}
	if err := s.RemoveDNC(ctx, "+12125550100"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveDNC(ctx, "+12125550100"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if ok, _ := s.IsDNC(ctx, "+12125550100"); ok {
		t.Fatal("still DNC after remove")
	}
	// A SIP address is kept by its key as given (the dialer normalises it
	// to sip:user@host): matched exactly, user part case kept.
	if n, err := s.AddDNC(ctx, DNCEntry{Number: "sip:Bob@pbx.example.com:5060", Raw: `"Bob" <sip:Bob@PBX.example.com:5060>`, Source: "form"}); err != nil || n != 1 {
		t.Fatalf("AddDNC sip = %d, %v", n, err)
	}
	for key, want := range map[string]bool{"sip:Bob@pbx.example.com:5060": true, "sip:bob@pbx.example.com:5060": false, "sip:Bob@pbx.example.com": false} {
		if ok, err := s.IsDNC(ctx, key); err != nil || ok != want {
			t.Errorf("IsDNC(%s) = %v, %v; want %v", key, ok, err, want)
		}
	}
	if _, err := s.AddDNC(ctx, DNCEntry{Number: ""}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty DNC number: %v", err)
	}

	if err := s.DeleteDialerList(ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	var left int
	s.db.QueryRow(`SELECT count(*) FROM dialer_list_contacts`).Scan(&left)
	if left != 0 {
		t.Fatalf("%d contacts left after delete (cascade)", left)
	}
	if _, _, err := s.DialerList(ctx, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted list: %v", err)
	}
	if err := s.DeleteDialerList(ctx, l.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

// TestDialerMigrationFromV4 upgrades a version-4 file: the dialer tables
// appear and the existing data stays.
func TestDialerMigrationFromV4(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetSetting(ctx, "region", "JP"); err != nil {
		t.Fatal(err)
	}
	s = reopenMigrated(t, s, path, 5, `DROP TABLE dialer_attempts`, `DROP TABLE dialer_sessions`, `DROP TABLE dialer_list_contacts`,
		`DROP TABLE dialer_lists`, `DROP TABLE dnc`, `PRAGMA user_version = 4`)
	if r, ok, _ := s.GetSetting(ctx, "region"); !ok || r != "JP" {
		t.Fatalf("setting lost: %q %v", r, ok)
	}
	if _, err := s.AddDNC(ctx, DNCEntry{Number: "+81312345678"}); err != nil {
		t.Fatal(err)
	}
}

package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

// lazyFixture writes contacts with a company, a shared number, an open
// and a closed deal, and a contact id that is not a UUID.
func lazyFixture(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	s.SeedDemo(ctx)
	a := Contact{ID: "crm-42", FirstName: "Front", LastName: "Desk", Company: "Marcom", Phones: []Phone{{Raw: "+1 555 010 0150"}}}
	b := Contact{FirstName: "Back", LastName: "Office", Phones: []Phone{{Raw: "+1 555 010 0150"}, {Raw: "+81 3-9876-5432"}}}
	for _, c := range []*Contact{&a, &b} {
		if err := s.UpsertContact(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []Deal{
		{Name: "Renewal", Amount: "1200", Currency: "USD", Stage: "Proposal", ContactIDs: []string{b.ID}},
		{Name: "Old", Amount: "5", Currency: "USD", Stage: "Closed Won", ContactIDs: []string{a.ID}},
	} {
		if err := s.UpsertDeal(ctx, &d); err != nil {
			t.Fatal(err)
		}
	}
}

// lazyNumbers are looked up in several spellings; the last is unknown.
var lazyNumbers = []string{"+1 (555) 010-0199", "5550100150", "+1 555 010 0150", "+81398765432", "03-9876-5432", "+81312345678", "+1 555 999 0000", "not a number"}

// TestLazyIndexLookups: a store opened WithLazyIndex answers caller ID
// exactly as an eagerly indexed one, before LoadIndex (from SQL, seeing
// writes at once), after it (from memory), and across writes racing it.
func TestLazyIndexLookups(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	w, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	lazyFixture(t, w)
	w.Close()

	eager, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer eager.Close()
	lazy, err := Open(path, WithLazyIndex())
	if err != nil {
		t.Fatal(err)
	}
	defer lazy.Close()
	for _, st := range []*Store{eager, lazy} {
		if err := st.SetRegion("JP"); err != nil {
			t.Fatal(err)
		}
	}
	same := func(when string, nums ...string) {
		t.Helper()
		for _, n := range nums {
			want, wok := eager.LookupNumber(n)
			got, gok := lazy.LookupNumber(n)
			if got != want || gok != wok {
				t.Errorf("%s: LookupNumber(%q) = %+v %v, eager index says %+v %v", when, n, got, gok, want, wok)
			}
		}
	}
	if !eager.IndexReady() || lazy.IndexReady() {
		t.Fatalf("IndexReady: eager %v, lazy %v before LoadIndex", eager.IndexReady(), lazy.IndexReady())
	}
	if cid, ok := eager.LookupNumber("+81398765432"); !ok || cid.Name != "Back Office" || cid.DealName != "Renewal" {
		t.Fatalf("fixture: %+v %v", cid, ok)
	}
	if cid, _ := eager.LookupNumber("+15550100150"); cid.ContactID != "crm-42" || cid.Company != "Marcom" || cid.DealName != "" {
		t.Fatalf("fixture (first owner, closed deal hidden): %+v", cid)
	}
	same("before LoadIndex", lazyNumbers...)

	// A write before the index is loaded: SQL sees it at once.
	c := Contact{FirstName: "Early", LastName: "Bird", Phones: []Phone{{Raw: "+1 555 030 0001"}}}
	if err := lazy.UpsertContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if cid, ok := lazy.LookupNumber("+15550300001"); !ok || cid.Name != "Early Bird" {
		t.Fatalf("write before LoadIndex: %+v %v", cid, ok)
	}

	// Writes racing LoadIndex end up in the index: they land after
	// LoadIndex has read the contacts table and before it reads phones.
	var wg sync.WaitGroup
	lazy.hook = func(point string) error {
		if point != "index-contacts-read" {
			return nil
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				c := Contact{FirstName: "Race", LastName: fmt.Sprintf("%04d", i), Phones: []Phone{{Raw: fmt.Sprintf("+1 555 040 %04d", i)}}}
				if err := lazy.UpsertContact(ctx, &c); err != nil {
					t.Error(err)
					return
				}
			}
			// Rename one that LoadIndex has already read.
			c.FirstName = "Renamed"
			if err := lazy.UpsertContact(ctx, &c); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		return nil
	}
	if err := lazy.LoadIndex(ctx); err != nil {
		t.Fatal(err)
	}
	lazy.hook = nil
	if !lazy.IndexReady() {
		t.Fatal("not ready after LoadIndex")
	}
	if err := lazy.LoadIndex(ctx); err != nil { // a second call is a no-op
		t.Fatal(err)
	}
	eager.Close()
	if eager, err = Open(path); err != nil { // sees every write above
		t.Fatal(err)
	}
	if err := eager.SetRegion("JP"); err != nil {
		t.Fatal(err)
	}
	race := []string{"+15550300001"}
	for i := range 40 {
		race = append(race, fmt.Sprintf("+1555040%04d", i))
	}
	same("after LoadIndex", append(lazyNumbers, race...)...)
	if cid, ok := lazy.LookupNumber("+15550300001"); !ok || cid.Name != "Renamed Bird" {
		t.Fatalf("contact renamed while loading: %+v %v", cid, ok)
	}
	if cid, ok := lazy.LookupNumber("+15550400039"); !ok || cid.Name != "Race 0039" {
		t.Fatalf("last racing write: %+v %v", cid, ok)
	}
	// After: writes update memory as usual.
	if err := lazy.DeleteContact(ctx, "crm-42"); err != nil {
		t.Fatal(err)
	}
	if cid, ok := lazy.LookupNumber("+15550100150"); !ok || cid.Name != "Back Office" {
		t.Fatalf("after deleting the first owner: %+v %v", cid, ok)
	}
}

// TestLazyIndexCanceled: a LoadIndex whose context has ended fails, the
// store keeps answering from SQL, and a later LoadIndex succeeds.
func TestLazyIndexCanceled(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path, WithLazyIndex())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	lazyFixture(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.LoadIndex(ctx); err == nil {
		t.Fatal("LoadIndex with a canceled context succeeded")
	}
	if s.IndexReady() {
		t.Fatal("ready after a failed LoadIndex")
	}
	if cid, ok := s.LookupNumber("+1 (555) 010-0199"); !ok || cid.Name == "" {
		t.Fatalf("SQL fallback after a failed load: %+v %v", cid, ok)
	}
	if err := s.LoadIndex(context.Background()); err != nil || !s.IndexReady() {
		t.Fatalf("retry: %v ready=%v", err, s.IndexReady())
	}
}

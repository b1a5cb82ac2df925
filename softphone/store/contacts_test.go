package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	tx, _ := db.Begin()
	if err := migrations[0].up(ctx, tx); err != nil {
		t.Fatal(err)
	}
	tx.Exec(`PRAGMA user_version = 1`)
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO companies(id, name) VALUES('co1', 'Oldco')`,
		`INSERT INTO contacts(id, first_name, last_name, company_id) VALUES('c1', 'Olga', 'Vintage', 'co1')`,
		`INSERT INTO phones(contact_id, raw, e164) VALUES('c1', '(555) 010-0123', '+15550100123')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	s := openMigrated(t, path, 2)
	hits, err := s.Search(ctx, "olg", 10)
	if err != nil || len(hits) != 1 || hits[0].Contact.ID != "c1" {
		t.Fatalf("search after migration: %v %+v", err, hits)
	}
	if hits, _ := s.Search(ctx, "oldc", 10); len(hits) != 1 || hits[0].Field != "company" {
		t.Fatalf("company search after migration: %+v", hits)
	}
	cid, ok := s.LookupNumber("555-010-0123")
	if !ok || cid.Name != "Olga Vintage" || cid.Company != "Oldco" || cid.ContactID != "c1" {
		t.Fatalf("lookup after migration: %+v %v", cid, ok)
	}
}

func TestContactCRUD(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	c := Contact{FirstName: " Ada ", LastName: "Lovelace", Company: "Analytical Engines", Email: "ada@example.com",
		Phones: []Phone{{Label: "work", Raw: "+1 (555) 010-0100"}, {Label: "x", Raw: "not a number"}}}
	if err := s.UpsertContact(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if c.ID == "" || c.CompanyID == "" {
		t.Fatalf("ids not set: %+v", c)
	}
	got, err := s.Contact(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.FirstName != "Ada" || got.Company != "Analytical Engines" || len(got.Phones) != 2 ||
		got.Phones[0].E164 != "+15550100100" || got.Phones[0].Raw != "+1 (555) 010-0100" || got.Phones[1].E164 != "" {
		t.Fatalf("read back %+v", got)
	}
	// Update: change the number; the old one must leave the caller-ID index.
	got.Phones = []Phone{{Label: "mobile", Raw: "555 010 0101"}}
	if err := s.UpsertContact(ctx, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.LookupNumber("+15550100100"); ok {
		t.Fatal("old number still in caller-ID index")
	}
	if cid, ok := s.LookupNumber("+15550100101"); !ok || cid.Name != "Ada Lovelace" {
		t.Fatalf("new number: %+v %v", cid, ok)
	}
	// Remote match: same (source, remote id) updates instead of inserting.
	r1 := Contact{FirstName: "Grace", Source: "hubspot", RemoteID: "501"}
	r2 := Contact{FirstName: "Grace", LastName: "Hopper", Source: "hubspot", RemoteID: "501"}
	if err := s.UpsertContact(ctx, &r1); err != nil {
		t.Fatal(err)
	}
	if err := s.UpsertContact(ctx, &r2); err != nil {
		t.Fatal(err)
	}
	if r1.ID != r2.ID {
		t.Fatalf("remote match made a second contact: %s %s", r1.ID, r2.ID)
	}
	if err := s.UpsertContact(ctx, &Contact{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty contact: %v", err)
	}
	if err := s.DeleteContact(ctx, got.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Contact(ctx, got.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	if _, ok := s.LookupNumber("+15550100101"); ok {
		t.Fatal("deleted contact still in caller-ID index")
	}
	if err := s.DeleteContact(ctx, got.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	if hits, _ := s.Search(ctx, "ada", 10); len(hits) != 0 {
		t.Fatalf("deleted contact still searchable: %+v", hits)
	}
}

func TestSharedNumberFallsBackToOtherContact(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := Contact{FirstName: "Front", LastName: "Desk", Phones: []Phone{{Raw: "+1 555 010 0150"}}}
	b := Contact{FirstName: "Back", LastName: "Office", Phones: []Phone{{Raw: "+1 555 010 0150"}}}
	s.UpsertContact(ctx, &a)
	s.UpsertContact(ctx, &b)
	if cid, _ := s.LookupNumber("+15550100150"); cid.Name != "Front Desk" {
		t.Fatalf("first owner wins, got %+v", cid)
	}
	s.DeleteContact(ctx, a.ID)
	if cid, ok := s.LookupNumber("+15550100150"); !ok || cid.Name != "Back Office" {
		t.Fatalf("after deleting the first owner: %+v %v", cid, ok)
	}
}

func TestDealValidationAndCallerIDDeal(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	c := Contact{FirstName: "Kim", Phones: []Phone{{Raw: "+1 555 010 0160"}}}
	s.UpsertContact(ctx, &c)
	for _, d := range []Deal{{Name: ""}, {Name: "x", Amount: "12,5"}, {Name: "x", Currency: "dollars"}} {
		if err := s.UpsertDeal(ctx, &d); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v", d, err)
		}
	}
	if err := s.UpsertDeal(ctx, &Deal{Name: "x", ContactIDs: []string{"nope"}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	d := Deal{Name: "Big one", Amount: "99.50", Currency: "usd", Stage: "Proposal", ContactIDs: []string{c.ID}}
	if err := s.UpsertDeal(ctx, &d); err != nil {
		t.Fatal(err)
	}
	cid, _ := s.LookupNumber("5550100160")
	if cid.DealName != "Big one" || cid.DealAmount != "99.50" || cid.DealCurrency != "USD" {
		t.Fatalf("deal on caller ID: %+v", cid)
	}
	d.Stage = "Closed Lost"
	s.UpsertDeal(ctx, &d)
	if cid, _ := s.LookupNumber("5550100160"); cid.DealName != "" {
		t.Fatalf("closed deal still shown: %+v", cid)
	}
	got, _ := s.Contact(ctx, c.ID)
	if len(got.Deals) != 1 || got.Deals[0].Stage != "Closed Lost" {
		t.Fatalf("contact deals: %+v", got.Deals)
	}
}

func names(hits []SearchHit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Contact.Name()+"/"+h.Field)
	}
	sort.Strings(out)
	return out
}

func TestSearchMar(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	hits, err := s.Search(ctx, "Mar", 50)
	if err != nil {
		t.Fatal(err)
	}
	got := names(hits)
	want := []string{"Dana Kowalski/company", "Margaret Lee/name", "Mark Thompson/name", "Priya Patel/address", "Simon Martin/name"}
	if !slices.Equal(got, want) {
		t.Fatalf("Search(Mar) = %v\nwant %v", got, want)
	}
	// Name matches come first.
	for i, h := range hits {
		if h.Field != "name" && i < 3 {
			t.Fatalf("non-name hit before name hits: %v", got)
		}
	}
}

func TestSearchCases(t *testing.T) {
	ctx := context.Background()
	s := openTest(t, WithRegion("US"))
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"marg", []string{"Margaret Lee/name"}},
		{"MARK thom", []string{"Mark Thompson/name"}},
		{"5550100143", []string{"Mark Thompson/phone"}}, // national digits of the second of three numbers
		{"+1 555 010 0199", []string{"Margaret Lee/phone"}},
		{"0312", []string{"田中 太郎/phone"}}, // Japanese national form
		{"090-1234", []string{"佐藤 花子/phone"}},
		{"田中", []string{"田中 太郎/name"}},
		{"花", []string{"佐藤 花子/name"}},
		{"中村", []string{"佐藤 花子/company", "田中 太郎/company"}},
		{"丸の内", []string{"佐藤 花子/address", "田中 太郎/address"}},
		{"martin road", []string{"Priya Patel/address"}},
		{"kowalsk", []string{"Dana Kowalski/name"}},
		{"KÓWAL", []string{"Dana Kowalski/name"}},
		{"zzz", nil},
		{`"`, nil},
		{`mar" OR "`, nil},
		{"NEAR(mar, 1)", nil},
		{"mar*", []string{"Dana Kowalski/company", "Margaret Lee/name", "Mark Thompson/name", "Priya Patel/address", "Simon Martin/name"}},
	} {
		hits, err := s.Search(ctx, tc.q, 20)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.q, err)
			continue
		}
		if got := names(hits); !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if hits, _ := s.Search(ctx, "m", 2); len(hits) != 2 {
		t.Errorf("limit ignored: %d hits", len(hits))
	}
}

func TestCallerIDFormats(t *testing.T) {
	ctx := context.Background()
	us := openTest(t, WithRegion("US"))
	us.SeedDemo(ctx)
	for _, tc := range []struct {
		raw, e164, formatted, name string
	}{
		{"+1 (555) 010-0199", "+15550100199", "(555) 010-0199", "Margaret Lee"},
		{"5550100199", "+15550100199", "(555) 010-0199", "Margaret Lee"},
		{"tel:+15550100144", "+15550100144", "(555) 010-0144", "Mark Thompson"},
		{"+81 3-1234-5678", "+81312345678", "+81 3-1234-5678", "田中 太郎"},
		{"+44 20 7946 0958", "+442079460958", "+44 20 7946 0958", "Simon Martin"},
	} {
		cid, ok := us.LookupNumber(tc.raw)
		if !ok || cid.E164 != tc.e164 || cid.Formatted != tc.formatted || cid.Name != tc.name {
			t.Errorf("US LookupNumber(%q) = %+v %v", tc.raw, cid, ok)
		}
	}
	cid, _ := us.LookupNumber("+1 (555) 010-0199")
	if cid.Company != "Marcom" || cid.DealName != "Marcom renewal" || cid.DealAmount != "48000" || cid.DealCurrency != "USD" {
		t.Errorf("Margaret's caller ID: %+v", cid)
	}
	// Local-only numbers have no area code: refused, not guessed.
	if _, _, err := us.FormatNumber("555-0199"); !errors.Is(err, ErrInvalidNumber) {
		t.Errorf("555-0199 in US: %v", err)
	}
	if _, ok := us.LookupNumber("555-0199"); ok {
		t.Error("555-0199 matched a contact")
	}
	if _, _, err := us.FormatNumber("03-1234-5678"); !errors.Is(err, ErrInvalidNumber) {
		t.Errorf("03-1234-5678 in US (no +81): %v", err)
	}
	if _, _, err := us.FormatNumber("hello"); !errors.Is(err, ErrInvalidNumber) {
		t.Errorf("hello: %v", err)
	}
	if cid, ok := us.LookupNumber("+1 555 010 0111"); ok || cid.Formatted != "(555) 010-0111" {
		t.Errorf("unknown number: %+v %v (want formatted, not found)", cid, ok)
	}

	if err := us.SetRegion("JP"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ raw, e164, formatted string }{
		{"03-1234-5678", "+81312345678", "03-1234-5678"},
		{"090-1234-5678", "+819012345678", "090-1234-5678"},
		{"+1 (555) 010-0199", "+15550100199", "+1 555-010-0199"},
	} {
		e, f, err := us.FormatNumber(tc.raw)
		if err != nil || e != tc.e164 || f != tc.formatted {
			t.Errorf("JP FormatNumber(%q) = %q %q %v", tc.raw, e, f, err)
		}
	}
	if cid, ok := us.LookupNumber("03-1234-5678"); !ok || cid.Name != "田中 太郎" || cid.DealCurrency != "JPY" || cid.DealAmount != "3600000" {
		t.Errorf("JP lookup: %+v %v", cid, ok)
	}
	if err := us.SetRegion("XX"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad region: %v", err)
	}
}

func TestSeedDemoIdempotent(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	count := func() (n [3]int) {
		s.db.QueryRow(`SELECT COUNT(*) FROM contacts`).Scan(&n[0])
		s.db.QueryRow(`SELECT COUNT(*) FROM companies`).Scan(&n[1])
		s.db.QueryRow(`SELECT COUNT(*) FROM deals`).Scan(&n[2])
		return
	}
	s.SeedDemo(ctx)
	first := count()
	if err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if second := count(); second != first || first[0] < 7 {
		t.Fatalf("counts %v then %v", first, second)
	}
	var three int
	s.db.QueryRow(`SELECT COUNT(*) FROM (SELECT contact_id FROM phones GROUP BY contact_id HAVING COUNT(*) >= 3)`).Scan(&three)
	if three == 0 {
		t.Fatal("no contact with 3 numbers")
	}
	if !strings.Contains(s.Path(), "pitchline.db") {
		t.Fatal(s.Path())
	}
}

func TestConcurrentWritesAndLookups(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	s.SeedDemo(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 50 {
			c := Contact{FirstName: "W", LastName: pad4(i), Phones: []Phone{{Raw: "+1 555 020 " + pad4(i)}}}
			if err := s.UpsertContact(ctx, &c); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for range 200 {
		if _, ok := s.LookupNumber("+1 (555) 010-0199"); !ok {
			t.Fatal("demo number lost during writes")
		}
		if _, err := s.Search(ctx, "w", 5); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if cid, ok := s.LookupNumber("+15550200049"); !ok || cid.Name != "W 0049" {
		t.Fatalf("%+v %v", cid, ok)
	}
}

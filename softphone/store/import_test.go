package store

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

const goodCSV = "\ufeffFirst Name,Last Name,Company,E-mail,Phone,Mobile,Address,Job Title,Time Zone\n" +
	"Alice,Archer,Globex,alice@globex.example,+1 (555) 010-0301,,1 Main St,CTO,America/New_York\n" +
	"Bob,Baker,Globex,,555-010-0302,555.010.0303,,Buyer,\n" +
	"\"Carol, Jr.\",Cook,Initech,carol@initech.example,,,\"2 Side St\nSuite 4\",,\n" +
	"太郎,山田,山田商店,,+81 3-5555-0101,,,,Asia/Tokyo\n"

func TestImportGoodFileTwice(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var calls [][2]int
	progress := func(done, total int) { calls = append(calls, [2]int{done, total}) }
	rep, err := s.ImportContactsCSV(ctx, strings.NewReader(goodCSV), progress)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 4 || rep.Inserted != 4 || len(rep.Rejected) != 0 {
		t.Fatalf("first import: %+v", rep)
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{4, 4} || calls[0][1] != 4 {
		t.Fatalf("progress calls %v (reader is a Seeker: total known up front)", calls)
	}
	cid, ok := s.LookupNumber("+15550100303")
	if !ok || cid.Name != "Bob Baker" || cid.Company != "Globex" {
		t.Fatalf("imported mobile: %+v %v", cid, ok)
	}
	if cid, ok := s.LookupNumber("+81 3-5555-0101"); !ok || cid.Name != "山田 太郎" {
		t.Fatalf("imported JP contact: %+v %v", cid, ok)
	}
	if hits, _ := s.Search(ctx, "suite", 5); len(hits) != 1 || hits[0].Contact.LastName != "Cook" {
		t.Fatalf("multi-line address: %+v", hits)
	}
	var companies int
	s.db.QueryRow(`SELECT COUNT(*) FROM companies`).Scan(&companies)
	if companies != 3 {
		t.Fatalf("%d companies, want 3 (Globex once)", companies)
	}
	rep, err = s.ImportContactsCSV(ctx, io.MultiReader(strings.NewReader(goodCSV)), nil) // not a Seeker
	if err != nil || rep.Inserted != 0 || rep.Skipped != 4 || rep.Total != 4 {
		t.Fatalf("second import: %+v %v", rep, err)
	}
	// A changed row updates the same contact.
	changed := strings.Replace(goodCSV, "CTO", "CEO", 1)
	rep, _ = s.ImportContactsCSV(ctx, strings.NewReader(changed), nil)
	if rep.Updated != 1 || rep.Skipped != 3 || rep.Inserted != 0 {
		t.Fatalf("changed import: %+v", rep)
	}
	if n := count(t, s, "contacts"); n != 4 {
		t.Fatalf("%d contacts after three imports", n)
	}
}

func TestImportBadRows(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	bad := "Name,Phone,Email\n" + // row 1
		"Good Person,+1 555 010 0401,\n" + // 2 ok
		"Bad Phone,call me maybe,\n" + // 3 invalid phone
		",,\n" + // 4 missing name and number
		"Too,Many,Columns,Here\n" + // 5 wrong column count
		"Bad \xff UTF8,+1 555 010 0402,\n" + // 6 bad UTF-8
		"Local Only,555-0199,\n" + // 7 no area code (region US)
		"Bad Mail,+1 555 010 0403,not-an-email\n" + // 8 invalid email
		"Number Only,,\n" + // 9 ok (name only)
		",+1 555 010 0404,\n" // 10 ok (number only)
	rep, err := s.ImportContactsCSV(ctx, strings.NewReader(bad), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{3: "invalid phone", 4: "missing name and number", 5: "wrong column count", 6: "invalid UTF-8", 7: "area code", 8: "email"}
	if rep.Total != 9 || rep.Inserted != 3 || len(rep.Rejected) != len(want) {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Rejected {
		if w, ok := want[r.Row]; !ok || !strings.Contains(r.Reason, w) {
			t.Errorf("row %d: %q (want %q)", r.Row, r.Reason, w)
		}
		if len(r.Raw) == 0 {
			t.Errorf("row %d: raw cells missing", r.Row)
		}
	}
	if n := count(t, s, "contacts"); n != 3 {
		t.Fatalf("%d contacts stored, want 3", n)
	}
}

func TestImportNoHeader(t *testing.T) {
	s := openTest(t)
	for _, in := range []string{"", "Alice,+15550100501\n", "foo,bar\n1,2\n"} {
		if _, err := s.ImportContactsCSV(context.Background(), strings.NewReader(in), nil); !errors.Is(err, ErrBadCSV) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func TestImportLargeStreamsInBatches(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var b bytes.Buffer
	b.WriteString("first name,last name,mobile\n")
	const n = 1234
	for i := range n {
		b.WriteString("P" + itoa(i) + ",Q,+1 555 010 " + pad4(i) + "\n")
	}
	var calls int
	rep, err := s.ImportContactsCSV(ctx, bytes.NewReader(b.Bytes()), func(done, total int) {
		calls++
		if total != n || done > total {
			t.Errorf("progress %d/%d", done, total)
		}
	})
	if err != nil || rep.Inserted != n {
		t.Fatalf("inserted %d rejected %d (first %+v) %v", rep.Inserted, len(rep.Rejected), rep.Rejected[:min(1, len(rep.Rejected))], err)
	}
	if calls < 3 {
		t.Fatalf("%d progress calls for %d rows", calls, n)
	}
}

func itoa(i int) string { return strings.TrimLeft(pad4(i), "0") + "" }
func pad4(i int) string {
	s := []byte("0000")
	for j := 3; j >= 0; j-- {
		s[j] = byte('0' + i%10)
		i /= 10
	}
	return string(s)
}

func FuzzImportCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("Name,Phone\nA,+15550100601\nB,\"unterminated\n"))
	f.Add([]byte("Name,Phone\n\"a\"b,1\nc,d,e\n,\n\xff,1\n"))
	f.Add([]byte("phone\n+81 3-1234-5678\n03-1234-5678\n+1 555 010 0601\n"))
	f.Add([]byte("Name,Mobile\r\nX,555\r\n"))
	s := openTest(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		rep, err := s.ImportContactsCSV(context.Background(), bytes.NewReader(data), nil)
		if err != nil {
			if !errors.Is(err, ErrBadCSV) {
				t.Fatalf("import error: %v", err)
			}
			return
		}
		if rep.Inserted+rep.Updated+rep.Skipped+len(rep.Rejected) != rep.Total {
			t.Fatalf("rows unaccounted: %+v", rep)
		}
		for _, r := range rep.Rejected {
			if r.Row < 2 || r.Reason == "" || !utf8.ValidString(r.Reason) && !strings.Contains(r.Reason, "UTF-8") {
				t.Fatalf("bad rejection %+v", r)
			}
		}
	})
}

func FuzzSearchQuery(f *testing.F) {
	for _, q := range []string{"Mar", `"`, `a" OR b`, "NEAR(a b)", "*", "^mar", "-x", "a:b", "{name}:x", "田中", "マーク",
		"(555) 010", "+", "AND", "\x00", "\xff\xfe", "ｍａｒ", "e\u0301", "🙂 mar", strings.Repeat("a ", 300)} {
		f.Add(q)
	}
	s := openTest(f)
	if err := s.SeedDemo(context.Background()); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, q string) {
		if _, err := s.Search(context.Background(), q, 5); err != nil {
			t.Fatalf("Search(%q): %v", q, err)
		}
	})
}

package dialer

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// listCSV exercises a BOM, CRLF, quoted fields with commas, quotes and a
// line break, ragged rows, a SIP URI, rejections and warnings.
const listCSV = "\ufeffName,Phone,Company,E-mail,Time Zone,Mobile,Notes\r\n" +
	"Ada Lovelace,(212) 555-0100,\"Acme, Inc.\",ada@acme.test,America/New_York,312-555-0100,\"said \"\"call me\"\"\r\nafter lunch\"\r\n" + // lines 2-3
	"Bob,sip:Bob@EXAMPLE.com\r\n" + // line 4: short row
	"Carol,,Initech\r\n" + // 5
	"Dan,+1 555 555 0100\r\n" + // 6
	"Eve,+1-212-555-0100\r\n" + // 7
	"\r\n" + // 8: empty line, skipped by the reader
	",,, ,\r\n" + // 9: blank row
	"Fay,+81 3-1234-5678,,,Mars/Base,+1 555 555 0100,,overflow\r\n" + // 10
	"Gus,212 555 0100,,,,312.555.0100\r\n" + // 11
	"Hal,abc\r\n" // 12

func TestParseCSVReport(t *testing.T) {
	imp, err := ParseCSV(strings.NewReader(listCSV), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		line   int
		name   string
		status RowStatus
		reason RejectReason
		msg    string // substring of Message
		warns  int
	}
	want := []row{
		{2, "Ada Lovelace", RowImported, "", "", 0},
		{4, "Bob", RowImported, "", "", 0},
		{5, "Carol", RowRejected, RejectEmptyPhone, "Line 5 has no phone number", 0},
		{6, "Dan", RowRejected, RejectInvalidNumber, "not a valid number for US", 0},
		{7, "Eve", RowRejected, RejectDuplicate, "same number as line 2 (Ada Lovelace)", 0},
		{10, "Fay", RowImported, "", "", 3},
		{11, "Gus", RowRejected, RejectDuplicate, "line 2", 0},
		{12, "Hal", RowRejected, RejectInvalidNumber, `"abc" is not a phone number`, 0},
	}
	if len(imp.Rows) != len(want) {
		t.Fatalf("%d rows reported, want %d: %+v", len(imp.Rows), len(want), imp.Rows)
	}
	for i, w := range want {
		g := imp.Rows[i]
		if g.Line != w.line || g.Name != w.name || g.Status != w.status || g.Reason != w.reason ||
			!strings.Contains(g.Message, w.msg) || len(g.Warnings) != w.warns {
			t.Errorf("row %d = %+v, want %+v", i, g, w)
		}
	}
	if imp.Imported != 3 || imp.Rejected != 5 || imp.Blank != 1 || len(imp.Contacts) != 3 {
		t.Fatalf("imported %d rejected %d blank %d contacts %d", imp.Imported, imp.Rejected, imp.Blank, len(imp.Contacts))
	}
	ada := imp.Contacts[0]
	wantAda := Contact{Name: "Ada Lovelace", Company: "Acme, Inc.", Email: "ada@acme.test", TimeZone: "America/New_York",
		Numbers: []Number{
			{Raw: "(212) 555-0100", Key: "+12125550100", E164: "+12125550100", Label: "phone"},
			{Raw: "312-555-0100", Key: "+13125550100", E164: "+13125550100", Label: "Mobile"},
		},
		Extra: map[string]string{"Notes": "said \"call me\"\nafter lunch"}}
	if !reflect.DeepEqual(ada, wantAda) {
		t.Errorf("Ada = %+v\nwant %+v", ada, wantAda)
	}
	bob := imp.Contacts[1]
	if len(bob.Numbers) != 1 || bob.Numbers[0].Key != "sip:Bob@example.com" || bob.Numbers[0].E164 != "" || !bob.Numbers[0].IsSIP() {
		t.Errorf("Bob = %+v", bob)
	}
	fay := imp.Contacts[2]
	if fay.TimeZone != "" || fay.Extra["Time Zone"] != "Mars/Base" || fay.Extra["column 8"] != "overflow" ||
		len(fay.Numbers) != 1 || fay.Numbers[0].Key != "+81312345678" {
		t.Errorf("Fay = %+v", fay)
	}
	if w := strings.Join(imp.Rows[5].Warnings, "|"); !strings.Contains(w, "Mars/Base") || !strings.Contains(w, "Mobile \"+1 555 555 0100\" left out") {
		t.Errorf("Fay warnings = %q", w)
	}
}

func TestParseCSVMappingAndRegion(t *testing.T) {
	in := "Kunde;Nummer\n" // a semicolon file is one column: no name/phone
	if _, err := ParseCSV(strings.NewReader(in), ImportOptions{}); !errors.Is(err, ErrBadCSV) {
		t.Fatalf("semicolon file: %v", err)
	}
	in = "Kunde,Nummer,Handy,Firma,Notes\n山田 太郎,03-1234-5678,090-1234-5678,Yamada Co,skip me\n"
	m := ColumnMapping{"kunde": FieldName, "NUMMER": FieldPhone, "Handy": FieldOtherPhone, "Firma": FieldCompany, "notes": FieldIgnore}
	imp, err := ParseCSV(strings.NewReader(in), ImportOptions{Mapping: m, Region: "jp"})
	if err != nil {
		t.Fatal(err)
	}
	if imp.Imported != 1 {
		t.Fatalf("report %+v", imp.Rows)
	}
	c := imp.Contacts[0]
	if c.Name != "山田 太郎" || c.Company != "Yamada Co" || c.Extra != nil || len(c.Numbers) != 2 ||
		c.Numbers[0].Key != "+81312345678" || c.Numbers[1].Key != "+819012345678" || c.Numbers[1].Label != "Handy" {
		t.Fatalf("contact = %+v", c)
	}
	// The same digits read as US numbers are invalid.
	imp, err = ParseCSV(strings.NewReader(in), ImportOptions{Mapping: m})
	if err != nil || imp.Rejected != 1 || imp.Rows[0].Reason != RejectInvalidNumber {
		t.Fatalf("US region: %+v, %v", imp, err)
	}
}

// TestParseCSVRepeatedHeaders: a second column with the same header, or a
// second name or company column, keeps its cells under a distinct key.
func TestParseCSVRepeatedHeaders(t *testing.T) {
	in := "name,phone,Notes,Notes,company,company,,phone,Name\nAda,+12125550100,a,b,Acme,Acme Ltd,c,+13125550100,Ada L.\n"
	imp, err := ParseCSV(strings.NewReader(in), ImportOptions{})
	if err != nil || imp.Imported != 1 {
		t.Fatalf("%+v, %v", imp, err)
	}
	c := imp.Contacts[0]
	want := map[string]string{"Notes": "a", "Notes (column 4)": "b", "company (column 6)": "Acme Ltd", "column 7": "c", "Name": "Ada L."}
	if c.Name != "Ada" || c.Company != "Acme" || !reflect.DeepEqual(c.Extra, want) || len(c.Numbers) != 2 || c.Numbers[1].Label != "phone (column 8)" {
		t.Fatalf("contact %+v", c)
	}
}

func TestParseCSVBadFiles(t *testing.T) {
	for name, in := range map[string]string{
		"empty":    "",
		"bom only": "\ufeff",
		"no phone": "name,company\nAda,Acme\n",
		"no name":  "phone\n+12125550100\n",
	} {
		_, err := ParseCSV(strings.NewReader(in), ImportOptions{})
		if !errors.Is(err, ErrBadCSV) {
			t.Errorf("%s: err = %v, want ErrBadCSV", name, err)
		}
	}
	// Latin-1 text (Excel's "CSV" on Windows): the row is refused with
	// what to do, not imported with mangled letters.
	imp, err := ParseCSV(strings.NewReader("name,phone\nJos\xe9,+12125550100\nAda,+13125550100\n"), ImportOptions{})
	if err != nil || imp.Imported != 1 || imp.Rows[0].Reason != RejectBadRow || !strings.Contains(imp.Rows[0].Message, "UTF-8") {
		t.Fatalf("Latin-1 row: %+v, %v", imp, err)
	}
	if _, err := ParseCSV(strings.NewReader("n\xe4me,phone\n"), ImportOptions{}); !errors.Is(err, ErrBadCSV) {
		t.Fatalf("Latin-1 header: %v", err)
	}
	// A quote that is never closed swallows the rest of the file into one
	// cell: the row is rejected as unreadable, not imported with garbage.
	in := "name,phone\nAda,\"+1 212 555 0100\n" + strings.Repeat("Bob,+13125550100\n", 300)
	imp, err = ParseCSV(strings.NewReader(in), ImportOptions{})
	if err != nil || imp.Rejected != 1 || imp.Rows[0].Reason != RejectBadRow || !strings.Contains(imp.Rows[0].Message, "quote") {
		t.Fatalf("unclosed quote: %+v, %v", imp, err)
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		raw, region, key, e164 string
		err                    error
	}{
		{"+1 (212) 555-0100", "JP", "+12125550100", "+12125550100", nil},
		{"tel:+81-3-1234-5678", "US", "+81312345678", "+81312345678", nil},
		{"03-1234-5678", "JP", "+81312345678", "+81312345678", nil},
		{"sip:Alice@Example.COM;transport=tcp", "US", "sip:Alice@example.com", "", nil},
		{"SIP:+81312345678@127.0.0.1", "US", "sip:+81312345678@127.0.0.1", "+81312345678", nil},
		{"sips:127.0.0.1:5061", "US", "sips:127.0.0.1:5061", "", nil},
		{"  ", "US", "", "", ErrEmptyNumber},
		{"+1 555 555 0100", "US", "", "", ErrInvalidNumber},
		{"sip:@host", "US", "", "", ErrInvalidNumber},
		{"sip:a b@host", "US", "", "", ErrInvalidNumber},
		{"+999 1234", "US", "", "", ErrInvalidNumber},
		{strings.Repeat("1", 70), "US", "", "", ErrInvalidNumber},
	} {
		n, err := ParseNumber(tc.raw, tc.region)
		if !errors.Is(err, tc.err) || (err == nil && (n.Key != tc.key || n.E164 != tc.e164)) {
			t.Errorf("ParseNumber(%q, %s) = %+v, %v; want %s %s %v", tc.raw, tc.region, n, err, tc.key, tc.e164, tc.err)
		}
	}
}

// FuzzParseCSV checks that any input yields a consistent report or an
// error, never a panic: every data row is reported once, contacts match
// the imported rows, every contact has a number, and no number is on two
// contacts.
func FuzzParseCSV(f *testing.F) {
	f.Add(listCSV)
	f.Add("name,phone\n")
	f.Add("\ufeffname,phone,mobile\r\n\"a\"\"b\",+12125550100,sip:x@y\r\nc,\"unterminated\n")
	f.Add("phone,name,,\nsip:a@b,x,y,z,w\n,,\n")
	f.Fuzz(func(t *testing.T, in string) {
		imp, err := ParseCSV(strings.NewReader(in), ImportOptions{})
		if err != nil {
			if !errors.Is(err, ErrBadCSV) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if imp.Imported+imp.Rejected != len(imp.Rows) || len(imp.Contacts) != imp.Imported {
			t.Fatalf("counts: %d + %d vs %d rows, %d contacts", imp.Imported, imp.Rejected, len(imp.Rows), len(imp.Contacts))
		}
		keys := map[string]bool{}
		for _, c := range imp.Contacts {
			for _, txt := range []string{c.Name, c.Company, c.Email, c.TimeZone} {
				if !utf8.ValidString(txt) || len(txt) > MaxCell {
					t.Fatalf("contact text %q", txt)
				}
			}
			for k, v := range c.Extra {
				if !utf8.ValidString(k) || !utf8.ValidString(v) {
					t.Fatalf("extra %q=%q", k, v)
				}
			}
			if len(c.Numbers) == 0 {
				t.Fatalf("contact %q without a number", c.Name)
			}
			for _, n := range c.Numbers {
				if n.Key == "" || keys[n.Key] {
					t.Fatalf("number key %q empty or repeated", n.Key)
				}
				keys[n.Key] = true
				if !dialable(n) {
					t.Fatalf("imported number %+v is not dialable", n)
				}
			}
		}
		for _, r := range imp.Rows {
			if (r.Status == RowRejected) != (r.Reason != "") || (r.Status == RowRejected && r.Message == "") {
				t.Fatalf("row %+v", r)
			}
		}
	})
}

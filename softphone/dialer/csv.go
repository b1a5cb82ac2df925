package dialer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pitchline/pitchline/softphone/store"
)

// MaxContacts bounds the data rows of one CSV import.
const MaxContacts = 100_000

// MaxCell bounds one CSV cell, in bytes.
const MaxCell = 4096

// Field is what a CSV column holds.
type Field string

const (
	// FieldName is the contact's name.
	FieldName Field = "name"
	// FieldPhone is the primary number (a phone number or a SIP URI).
	FieldPhone Field = "phone"
	// FieldOtherPhone is another number, labelled with its header.
	FieldOtherPhone Field = "other_phone"
	// FieldCompany is the contact's company.
	FieldCompany Field = "company"
	// FieldEmail is the contact's email address.
	FieldEmail Field = "email"
	// FieldTimeZone is an IANA time zone ("America/Chicago").
	FieldTimeZone Field = "timezone"
	// FieldExtra keeps the cell in Contact.Extra under its header.
	FieldExtra Field = "extra"
	// FieldIgnore drops the column.
	FieldIgnore Field = "ignore"
)

// ColumnMapping maps header cells to fields. Keys are compared ignoring
// case and everything but letters and digits ("Work Phone" = "work_phone").
// Columns it does not name go to Contact.Extra.
type ColumnMapping map[string]Field

// DefaultMapping is the mapping ParseCSV starts from; ImportOptions.Mapping
// entries override it.
func DefaultMapping() ColumnMapping {
	return ColumnMapping{
		"name": FieldName, "fullname": FieldName, "contact": FieldName, "contactname": FieldName, "氏名": FieldName, "名前": FieldName,
		"phone": FieldPhone, "phonenumber": FieldPhone, "number": FieldPhone, "telephone": FieldPhone, "tel": FieldPhone, "電話番号": FieldPhone,
		"mobile": FieldOtherPhone, "mobilephone": FieldOtherPhone, "cell": FieldOtherPhone, "workphone": FieldOtherPhone,
		"homephone": FieldOtherPhone, "otherphone": FieldOtherPhone, "phone2": FieldOtherPhone, "携帯電話": FieldOtherPhone,
		"company": FieldCompany, "companyname": FieldCompany, "organization": FieldCompany, "account": FieldCompany, "会社名": FieldCompany,
		"email": FieldEmail, "emailaddress": FieldEmail, "メールアドレス": FieldEmail,
		"timezone": FieldTimeZone, "tz": FieldTimeZone,
	}
}

// ImportOptions configure ParseCSV.
type ImportOptions struct {
	// Mapping overrides DefaultMapping for the headers it names.
	Mapping ColumnMapping
	// Region reads national numbers ("US" when empty).
	Region string
}

// RowStatus says what happened to a data row.
type RowStatus string

const (
	// RowImported means the row became a contact.
	RowImported RowStatus = "imported"
	// RowRejected means the row was left out; Reason says why.
	RowRejected RowStatus = "rejected"
)

// String returns the status's name.
func (s RowStatus) String() string { return string(s) }

// RejectReason is why a row was left out.
type RejectReason string

const (
	// RejectEmptyPhone: the row has no number.
	RejectEmptyPhone RejectReason = "empty_phone"
	// RejectInvalidNumber: no number of the row is valid.
	RejectInvalidNumber RejectReason = "invalid_number"
	// RejectDuplicate: the row's numbers are all on earlier rows.
	RejectDuplicate RejectReason = "duplicate"
	// RejectBadRow: the row cannot be read (a cell over MaxCell bytes,
	// often an unclosed quote).
	RejectBadRow RejectReason = "bad_row"
)

// String returns the reason's name.
func (r RejectReason) String() string { return string(r) }

// RowResult is the report of one data row.
type RowResult struct {
	// Line is the row's first line in the file (1-based; the header is
	// line 1).
	Line int
	// Name is the row's name cell.
	Name string
	// Status is imported or rejected.
	Status RowStatus
	// Reason is set when the row was rejected.
	Reason RejectReason
	// Message is one sentence a rep can act on ("" when imported cleanly).
	Message string
	// Warnings are problems that did not stop the import (an extra number
	// left out, an unknown time zone).
	Warnings []string
}

// Import is the result of ParseCSV.
type Import struct {
	// Contacts are the imported rows, in file order.
	Contacts []Contact
	// Rows has one entry per data row, in file order (blank rows aside).
	Rows []RowResult
	// Imported and Rejected count Rows by status; Blank counts rows with
	// no text at all, which are skipped without a report.
	Imported, Rejected, Blank int
}

type column struct {
	field  Field
	header string
}

// ParseCSV reads a call list from a CSV file with a header row. The header
// must have a name column and a phone column (after mapping). It accepts a
// UTF-8 byte-order mark, CRLF line ends, quoted fields (with commas, quotes
// and line breaks inside) and rows with fewer or more cells than the
// header. Every data row gets a RowResult. The error wraps ErrBadCSV when
// the file has no usable header, ErrTooLarge past MaxContacts rows.
func ParseCSV(r io.Reader, opts ImportOptions) (*Import, error) {
	region := strings.ToUpper(opts.Region)
	if region == "" {
		region = "US"
	}
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\ufeff")) {
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // Excel writes bare quotes (`24" screen`)
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: the file is empty; it needs a header row with name and phone columns", ErrBadCSV)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: cannot read the header row: %w", ErrBadCSV, err)
	}
	cols, err := mapColumns(header, opts.Mapping)
	if err != nil {
		return nil, err
	}
	p := &csvImport{Import: &Import{}, region: region, cols: cols, seen: map[string]int{}, zones: map[string]bool{}}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				p.reject(RowResult{Line: pe.StartLine}, RejectBadRow, fmt.Sprintf("Line %d cannot be read (%v); fix the quotes on it.", pe.StartLine, pe.Err))
				continue
			}
			return nil, fmt.Errorf("dialer: read CSV: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			p.Blank++
			continue
		}
		if len(p.Rows) >= MaxContacts {
			return nil, fmt.Errorf("%w: the file has more than %d rows; split it into smaller lists", ErrTooLarge, MaxContacts)
		}
		p.row(line, rec)
	}
	return p.Import, nil
}

func mapColumns(header []string, m ColumnMapping) ([]column, error) {
	for _, h := range header {
		if !utf8.ValidString(h) {
			return nil, fmt.Errorf("%w: the header row is not UTF-8 text; save the file as \"CSV UTF-8\" and import again", ErrBadCSV)
		}
		if len(h) > MaxCell {
			return nil, fmt.Errorf("%w: a header cell is longer than %d characters", ErrBadCSV, MaxCell)
		}
	}
	mapping := DefaultMapping()
	for k, v := range m {
		mapping[store.HeaderKey(k)] = v
	}
	cols := make([]column, len(header))
	taken := map[Field]bool{}
	headers := map[string]bool{}
	for i, h := range header {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		f, ok := mapping[store.HeaderKey(h)]
		if !ok {
			f = FieldExtra
		}
		switch {
		case f == FieldPhone && taken[f]:
			f = FieldOtherPhone
		case taken[f] && f != FieldOtherPhone && f != FieldExtra && f != FieldIgnore:
			f = FieldExtra // a second name, company, email or time zone column
		}
		taken[f] = true
		switch {
		case h == "":
			h = fmt.Sprintf("column %d", i+1)
		case headers[h]:
			h = fmt.Sprintf("%s (column %d)", h, i+1)
		}
		headers[h] = true
		cols[i] = column{field: f, header: h}
	}
	var missing []string
	if !taken[FieldName] {
		missing = append(missing, "name")
	}
	if !taken[FieldPhone] {
		missing = append(missing, "phone")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: the header row has no %s column; name the columns in the first row or map them",
			ErrBadCSV, strings.Join(missing, " or "))
	}
	return cols, nil
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

type csvImport struct {
	*Import
	region string
	cols   []column
	seen   map[string]int // number key → index in Rows of its row
	zones  map[string]bool
}

func (p *csvImport) reject(rr RowResult, why RejectReason, msg string) {
	rr.Status, rr.Reason, rr.Message = RowRejected, why, msg
	p.Rows = append(p.Rows, rr)
	p.Rejected++
}

func (p *csvImport) validZone(z string) bool {
	ok, known := p.zones[z]
	if !known {
		_, err := loadZone(z)
		ok = err == nil && z != "" && !strings.EqualFold(z, "local")
		p.zones[z] = ok
	}
	return ok
}

// row turns one record into a contact or a rejection.
func (p *csvImport) row(line int, rec []string) {
	rr := RowResult{Line: line}
	for _, cell := range rec {
		if !utf8.ValidString(cell) {
			p.reject(rr, RejectBadRow, fmt.Sprintf("Line %d is not UTF-8 text; save the file as \"CSV UTF-8\" and import again.", line))
			return
		}
		if len(cell) > MaxCell {
			p.reject(rr, RejectBadRow, fmt.Sprintf("Line %d has a cell longer than %d characters (often a quote that is never closed); fix it and import again.", line, MaxCell))
			return
		}
	}
	var c Contact
	type cand struct{ raw, label string }
	var cands []cand
	extra := map[string]string{}
	for i, cell := range rec {
		v := strings.TrimSpace(cell)
		if i >= len(p.cols) {
			if v != "" {
				extra[fmt.Sprintf("column %d", i+1)] = v
				rr.Warnings = append(rr.Warnings, fmt.Sprintf("cell %d has no header; it is kept as \"column %d\"", i+1, i+1))
			}
			continue
		}
		col := p.cols[i]
		switch col.field {
		case FieldName:
			c.Name = v
		case FieldPhone:
			cands = append([]cand{{v, "phone"}}, cands...)
		case FieldOtherPhone:
			cands = append(cands, cand{v, col.header})
		case FieldCompany:
			c.Company = v
		case FieldEmail:
			c.Email = v
		case FieldTimeZone:
			if v == "" {
				break
			}
			if p.validZone(v) {
				c.TimeZone = v
			} else {
				extra[col.header] = v
				rr.Warnings = append(rr.Warnings, fmt.Sprintf("time zone %q is unknown; the number's time zone will be used", v))
			}
		case FieldExtra:
			if v != "" {
				extra[col.header] = v
			}
		}
	}
	rr.Name = c.Name
	if len(extra) > 0 {
		c.Extra = extra
	}
	var empty, invalid, dup int
	var firstInvalid error
	dupOf := -1
	mine := map[string]bool{}
	for _, cd := range cands {
		n, err := ParseNumber(cd.raw, p.region)
		switch {
		case errors.Is(err, ErrEmptyNumber):
			empty++
			continue
		case err != nil:
			invalid++
			if firstInvalid == nil {
				firstInvalid = err
			}
			if len(cands) > 1 {
				rr.Warnings = append(rr.Warnings, fmt.Sprintf("%s %q left out: %s", cd.label, cd.raw, reasonText(err)))
			}
			continue
		}
		if mine[n.Key] {
			continue // the same number twice on one row
		}
		if prev, ok := p.seen[n.Key]; ok {
			dup++
			if dupOf < 0 {
				dupOf = prev
			}
			rr.Warnings = append(rr.Warnings, fmt.Sprintf("%s %s left out: already on line %d", cd.label, cd.raw, p.Rows[prev].Line))
			continue
		}
		mine[n.Key] = true
		n.Label = cd.label
		c.Numbers = append(c.Numbers, n)
	}
	if len(c.Numbers) == 0 {
		rr.Warnings = nil
		switch {
		case dup > 0:
			prev := p.Rows[dupOf]
			p.reject(rr, RejectDuplicate, fmt.Sprintf("Line %d has the same number as line %d (%s); it was imported once.", line, prev.Line, orUnnamed(prev.Name)))
		case invalid > 0:
			p.reject(rr, RejectInvalidNumber, fmt.Sprintf("Line %d: %s; correct the number and import again.", line, reasonText(firstInvalid)))
		default:
			p.reject(rr, RejectEmptyPhone, fmt.Sprintf("Line %d has no phone number; add one in the phone column and import again.", line))
		}
		return
	}
	for k := range mine {
		p.seen[k] = len(p.Rows)
	}
	rr.Status = RowImported
	p.Rows = append(p.Rows, rr)
	p.Imported++
	p.Contacts = append(p.Contacts, c)
}

func orUnnamed(n string) string {
	if n == "" {
		return "no name"
	}
	return n
}

// reasonText is err's message without the package prefix.
func reasonText(err error) string {
	s := err.Error()
	for _, p := range []string{ErrInvalidNumber.Error() + ": ", ErrEmptyNumber.Error()} {
		s = strings.TrimPrefix(s, p)
	}
	if s == "" {
		return "the number is empty"
	}
	return s
}

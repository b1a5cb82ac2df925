package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// importBatch is how many rows one import transaction writes.
const importBatch = 500

// maxRejectedRaw bounds the bytes kept per cell of a rejected row.
const maxRejectedRaw = 256

type column int

const (
	colIgnore column = iota
	colFirst
	colLast
	colName
	colCompany
	colEmail
	colPhone
	colMobile
	colWork
	colHome
	colOther
	colAddress
	colTitle
	colTZ
)

// headerNames maps a header cell, lower-cased with everything but letters
// and digits removed, to its column.
var headerNames = map[string]column{
	"firstname": colFirst, "first": colFirst, "givenname": colFirst, "forename": colFirst, "名": colFirst,
	"lastname": colLast, "last": colLast, "surname": colLast, "familyname": colLast, "姓": colLast,
	"name": colName, "fullname": colName, "contact": colName, "contactname": colName, "displayname": colName, "氏名": colName, "名前": colName,
	"company": colCompany, "companyname": colCompany, "organization": colCompany, "organisation": colCompany, "org": colCompany,
	"account": colCompany, "accountname": colCompany, "会社": colCompany, "会社名": colCompany,
	"email": colEmail, "emailaddress": colEmail, "mail": colEmail, "メール": colEmail, "メールアドレス": colEmail,
	"phone": colPhone, "phonenumber": colPhone, "telephone": colPhone, "tel": colPhone, "number": colPhone, "primaryphone": colPhone,
	"電話": colPhone, "電話番号": colPhone,
	"mobile": colMobile, "mobilephone": colMobile, "mobilenumber": colMobile, "cell": colMobile, "cellphone": colMobile,
	"携帯": colMobile, "携帯電話": colMobile,
	"workphone": colWork, "work": colWork, "officephone": colWork, "businessphone": colWork, "directline": colWork,
	"homephone": colHome, "home": colHome, "otherphone": colOther, "phone2": colOther,
	"address": colAddress, "streetaddress": colAddress, "street": colAddress, "mailingaddress": colAddress, "fulladdress": colAddress, "住所": colAddress,
	"title": colTitle, "jobtitle": colTitle, "position": colTitle, "role": colTitle, "役職": colTitle,
	"timezone": colTZ, "tz": colTZ,
}

var phoneLabels = map[column]string{colPhone: "phone", colMobile: "mobile", colWork: "work", colHome: "home", colOther: "other"}

// HeaderKey is how a CSV header cell is matched to a known column: lower
// case, letters and digits only, a UTF-8 BOM dropped ("E-mail Address" and
// "emailaddress" are the same column). The dialer's list import uses it too.
func HeaderKey(cell string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(cell, "\ufeff")) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ImportContactsCSV imports contacts from a CSV file with a header row.
//
// Recognised headers (case, spaces and punctuation ignored, a few aliases
// each): First Name, Last Name, Name (split at the last space), Company,
// Email, Phone, Mobile, Work Phone, Home Phone, Other Phone, Address,
// Title, Time Zone; other columns are ignored. Numbers are normalised with
// the default region.
//
// Every data row is counted exactly once: inserted, updated, skipped
// (already present and unchanged) or rejected with its row number (the
// header is row 1) and the reason: wrong column count, malformed CSV
// quoting, invalid UTF-8, an invalid phone number, missing name and
// number, an invalid email or time zone. Rejected rows change nothing.
//
// Duplicates: a row is the same contact as an existing local contact with
// the same key: the lower-cased email when the row has one; else its set
// of E.164 numbers plus its lower-cased name; else its name plus company.
// So importing the same file twice inserts nothing the second time.
//
// The file is streamed: rows are written in transactions of 500. When r is
// an io.Seeker the rows are counted first so that progress gets a total;
// otherwise total is -1 until the last call. progress may be nil.
// The returned error is for the whole import (ErrBadCSV when there is no
// recognisable header, I/O and database errors); the report then covers
// the rows committed so far.
func (s *Store) ImportContactsCSV(ctx context.Context, r io.Reader, progress func(done, total int)) (ImportReport, error) {
	var rep ImportReport
	total := -1
	if rs, ok := r.(io.ReadSeeker); ok {
		if start, err := rs.Seek(0, io.SeekCurrent); err == nil {
			n := countRecords(rs)
			if _, err := rs.Seek(start, io.SeekStart); err != nil {
				return rep, fmt.Errorf("store: import: rewind: %w", err)
			}
			total = max(n-1, 0)
		}
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // the header's width; other widths are rejected
	header, err := cr.Read()
	if err == io.EOF {
		return rep, fmt.Errorf("%w: the file is empty", ErrBadCSV)
	}
	if err != nil {
		return rep, fmt.Errorf("%w: header row: %v", ErrBadCSV, err)
	}
	cols := make([]column, len(header))
	known, useful := 0, false
	for i, h := range header {
		cols[i] = headerNames[HeaderKey(h)]
		if cols[i] != colIgnore {
			known++
			switch cols[i] {
			case colFirst, colLast, colName, colPhone, colMobile, colWork, colHome, colOther, colEmail:
				useful = true
			}
		}
	}
	if known == 0 || !useful {
		return rep, fmt.Errorf("%w: the first row must name the columns (First Name, Last Name, Phone, Mobile, Company, Email, ...); got %.200q",
			ErrBadCSV, strings.Join(header, ","))
	}
	report := func() {
		if progress != nil {
			progress(rep.Total, total)
		}
	}
	type pending struct {
		row int
		c   Contact
		raw []string
	}
	var batch []pending
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ch := &indexChange{}
		var ins, upd, skip int
		var rej []RowError
		err := s.write(ctx, "import contacts", func(tx *sql.Tx) error {
			ins, upd, skip, rej = 0, 0, 0, nil
			for i := range batch {
				p := &batch[i]
				c := p.c
				key := dedupeKey(&c)
				if key != "" {
					err := tx.QueryRowContext(ctx, `SELECT id FROM contacts WHERE dedupe_key = ? AND source = 'local' ORDER BY rid LIMIT 1`, key).Scan(&c.ID)
					if err != nil && err != sql.ErrNoRows {
						return err
					}
				}
				res, err := s.txUpsertContact(ctx, tx, &c, ch)
				switch {
				case errors.Is(err, ErrInvalid), errors.Is(err, ErrTooLarge), errors.Is(err, ErrNotFound):
					rej = append(rej, RowError{Row: p.row, Reason: err.Error(), Raw: p.raw})
				case err != nil:
					return fmt.Errorf("row %d: %w", p.row, err)
				case res == resInserted:
					ins++
				case res == resUpdated:
					upd++
				default:
					skip++
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Inserted += ins
		rep.Updated += upd
		rep.Skipped += skip
		rep.Rejected = append(rep.Rejected, rej...)
		rep.Total += len(batch)
		batch = batch[:0]
		s.refresh(ctx, ch)
		report()
		return nil
	}
	reject := func(row int, raw []string, reason string) {
		rep.Rejected = append(rep.Rejected, RowError{Row: row, Reason: reason, Raw: clip(raw)})
		rep.Total++
	}
	for {
		if err := ctx.Err(); err != nil {
			return rep, fmt.Errorf("store: import: %w", err)
		}
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		row := 0
		if len(rec) > 0 {
			row, _ = cr.FieldPos(0)
		}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe) && errors.Is(err, csv.ErrFieldCount):
			reject(pe.StartLine, rec, fmt.Sprintf("wrong column count: %d columns, the header has %d", len(rec), len(header)))
			continue
		case errors.As(err, &pe):
			reject(pe.StartLine, rec, "malformed CSV: "+pe.Err.Error())
			continue
		case err != nil:
			if ferr := flush(); ferr != nil {
				return rep, fmt.Errorf("store: import: %w", ferr)
			}
			return rep, fmt.Errorf("store: import: read: %w", err)
		}
		c, reason := s.rowContact(rec, cols, header)
		if reason != "" {
			reject(row, rec, reason)
			continue
		}
		batch = append(batch, pending{row, c, clip(rec)})
		if len(batch) >= importBatch {
			if err := flush(); err != nil {
				return rep, fmt.Errorf("store: import: %w", err)
			}
		}
	}
	if err := flush(); err != nil {
		return rep, fmt.Errorf("store: import: %w", err)
	}
	if progress != nil {
		progress(rep.Total, rep.Total)
	}
	return rep, nil
}

// rowContact builds a contact from a record, or says why the row is
// rejected.
func (s *Store) rowContact(rec []string, cols []column, header []string) (Contact, string) {
	var c Contact
	var name string
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return c, fmt.Sprintf("invalid UTF-8 in column %q", header[i])
		}
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		switch cols[i] {
		case colFirst:
			c.FirstName = v
		case colLast:
			c.LastName = v
		case colName:
			name = v
		case colCompany:
			c.Company = v
		case colEmail:
			c.Email = v
		case colAddress:
			c.Address = v
		case colTitle:
			c.Title = v
		case colTZ:
			c.TimeZone = v
		case colPhone, colMobile, colWork, colHome, colOther:
			c.Phones = append(c.Phones, Phone{Label: phoneLabels[cols[i]], Raw: v})
		}
	}
	if c.FirstName == "" && c.LastName == "" && name != "" {
		name = strings.Join(strings.Fields(name), " ")
		if i := strings.LastIndexByte(name, ' '); i > 0 && startsCJK(name) && startsCJK(name[i+1:]) {
			c.LastName, c.FirstName = name[:i], name[i+1:] // family name first
		} else if i > 0 {
			c.FirstName, c.LastName = name[:i], name[i+1:]
		} else {
			c.FirstName = name
		}
	}
	if c.Name() == "" && len(c.Phones) == 0 {
		return c, "missing name and number"
	}
	for _, p := range c.Phones {
		if _, _, err := s.FormatNumber(p.Raw); err != nil {
			return c, fmt.Sprintf("invalid phone (%s): %v", p.Label, strings.TrimPrefix(err.Error(), "store: "))
		}
	}
	if err := s.prepareContact(&c, true); err != nil {
		return c, strings.TrimPrefix(err.Error(), "store: ")
	}
	return c, ""
}

func clip(rec []string) []string {
	out := make([]string, len(rec))
	for i, v := range rec {
		if len(v) > maxRejectedRaw {
			v = strings.ToValidUTF8(v[:maxRejectedRaw], "") + "…"
		}
		out[i] = v
	}
	return out
}

// countRecords counts CSV records (including malformed ones) without
// keeping them.
func countRecords(r io.Reader) int {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	n := 0
	for {
		_, err := cr.Read()
		if err == io.EOF {
			return n
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return n
		}
		n++
	}
}

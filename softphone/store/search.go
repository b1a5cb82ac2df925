package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// isCJK reports whether r is written without spaces between words (Han,
// kana, Hangul): such characters are indexed one per token.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || r == 'ー'
}

// spaceCJK puts a space around every CJK character so that FTS5's
// unicode61 tokenizer sees each as its own token.
func spaceCJK(s string) string {
	has := false
	for _, r := range s {
		if isCJK(r) {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isCJK(r) {
			b.WriteByte(' ')
			b.WriteRune(r)
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ftsRefresh rewrites contact rid's row in the search index from the
// database (inside tx).
func ftsRefresh(ctx context.Context, tx querier, rid int64) error {
	var id, fn, ln, addr, coName, coAddr string
	err := tx.QueryRowContext(ctx, `SELECT c.id, c.first_name, c.last_name, c.address, COALESCE(co.name, ''), COALESCE(co.address, '')
		FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.rid = ?`, rid).Scan(&id, &fn, &ln, &addr, &coName, &coAddr)
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	phones, err := loadPhones(ctx, tx, id)
	if err != nil {
		return err
	}
	return ftsWrite(ctx, tx, rid, fn+" "+ln, coName, strings.TrimSpace(addr+"\n"+coAddr), phones)
}

func ftsWrite(ctx context.Context, tx querier, rid int64, name, company, address string, phones []Phone) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid = ?`, rid); err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO contacts_fts(rowid, name, company, address, phones) VALUES(?,?,?,?,?)`,
		rid, spaceCJK(name), spaceCJK(company), spaceCJK(address), phoneTerms(phones))
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	return nil
}

func phoneTerms(phones []Phone) string {
	var terms []string
	for _, p := range phones {
		if p.E164 != "" {
			terms = append(terms, numberTerms(p.E164)...)
		} else if d := digitsOnly(p.Raw); d != "" {
			terms = append(terms, d)
		}
	}
	return strings.Join(terms, " ")
}

// reindexAll rebuilds the search index from the contacts table.
func reindexAll(ctx context.Context, tx *sql.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM contacts_fts`); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT rid FROM contacts`)
	if err != nil {
		return err
	}
	var rids []int64
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			rows.Close()
			return err
		}
		rids = append(rids, r)
	}
	rows.Close()
	for _, r := range rids {
		if err := ftsRefresh(ctx, tx, r); err != nil {
			return err
		}
	}
	return nil
}

// maxQuery bounds the query text; longer input is cut at a rune boundary
// (a type-ahead box never needs more).
const maxQuery = 200

// searchTerms splits a user query into terms. A query that looks like a
// phone number ("+1 (555) 01", "03-1234") becomes one digit term; CJK runs
// become one term each (matched as a phrase of single characters).
func searchTerms(q string) []string {
	q = strings.ToValidUTF8(q, " ")
	if len(q) > maxQuery {
		q = q[:maxQuery]
		for !utf8.ValidString(q) {
			q = q[:len(q)-1]
		}
	}
	q = strings.TrimSpace(q)
	if q == "" {
		return nil
	}
	phoneish, digits := true, 0
	for _, r := range q {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). /", r):
		default:
			phoneish = false
		}
	}
	if phoneish && digits > 0 {
		return []string{digitsOnly(q)}
	}
	var terms []string
	var cur strings.Builder
	cjk := false
	flush := func() {
		if cur.Len() > 0 {
			terms = append(terms, cur.String())
			cur.Reset()
		}
	}
	for _, r := range q {
		switch {
		case isCJK(r):
			if !cjk {
				flush()
			}
			cjk = true
			cur.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mn, r):
			if cjk {
				flush()
			}
			cjk = false
			cur.WriteRune(r)
		default:
			flush()
			cjk = false
		}
	}
	flush()
	if len(terms) > maxTerms {
		terms = terms[:maxTerms]
	}
	return terms
}

// maxTerms bounds the number of AND-ed terms in one query.
const maxTerms = 16

// matchExpr turns terms into an FTS5 MATCH expression in which every term
// is a quoted string (so no user text is ever FTS5 syntax) with a prefix
// star: "mar"* AND "road"*. A CJK term is a phrase of its characters.
func matchExpr(terms []string, column string) string {
	var b strings.Builder
	if column != "" {
		b.WriteString(column + " : (")
	}
	for i, t := range terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteByte('"')
		b.WriteString(strings.ReplaceAll(strings.TrimSpace(spaceCJK(t)), `"`, `""`))
		b.WriteString(`"*`)
	}
	if column != "" {
		b.WriteByte(')')
	}
	return b.String()
}

// Search finds contacts as the user types: every word of q must start a
// word of the contact's name, company, address or one of its numbers (in
// E.164 or national digits). Name matches come first. The query text is
// never interpreted as FTS5 syntax. limit <= 0 means 20.
func (s *Store) Search(ctx context.Context, q string, limit int) ([]SearchHit, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 20
	}
	terms := searchTerms(q)
	if len(terms) == 0 {
		return nil, nil
	}
	var rids []int64
	seen := map[int64]bool{}
	for _, col := range []string{"name", ""} {
		if len(rids) >= limit {
			break
		}
		rows, err := db.QueryContext(ctx, `SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?`,
			matchExpr(terms, col), limit+len(rids))
		if err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q, err)
		}
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: search %q: %w", q, err)
			}
			if !seen[r] && len(rids) < limit {
				seen[r] = true
				rids = append(rids, r)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: search %q: %w", q, err)
		}
	}
	hits := make([]SearchHit, 0, len(rids))
	for _, r := range rids {
		c, err := loadContact(ctx, db, "c.rid = ?", r)
		if err != nil {
			continue // deleted since the match
		}
		hits = append(hits, SearchHit{Contact: c, Field: matchedField(c, terms)})
	}
	return hits, nil
}

// matchedField names the first field (name, company, phone, address) in
// which some query term starts a word.
func matchedField(c Contact, terms []string) string {
	var digits []string
	for _, p := range c.Phones {
		if p.E164 != "" {
			digits = append(digits, numberTerms(p.E164)...)
		} else {
			digits = append(digits, digitsOnly(p.Raw))
		}
	}
	fields := []struct{ name, text string }{
		{"name", c.FirstName + " " + c.LastName},
		{"company", c.Company},
		{"phone", strings.Join(digits, " ")},
		{"address", c.Address},
	}
	for _, f := range fields {
		words := strings.FieldsFunc(strings.ToLower(spaceCJK(f.text)), func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsNumber(r)
		})
		for _, t := range terms {
			t = strings.ToLower(t)
			for _, w := range words {
				if strings.HasPrefix(w, t) || isCJKTerm(t) && strings.Contains(strings.ReplaceAll(strings.ToLower(f.text), " ", ""), t) {
					return f.name
				}
			}
		}
	}
	return "address" // company address, diacritics-folded matches
}

func isCJKTerm(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return isCJK(r)
}

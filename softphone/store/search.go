package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	// golang.org/x/text's NFD decomposition separates base letters from
	// accents, to tell which field an accent-insensitive match hit.
	"golang.org/x/text/unicode/norm"
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
	// One pass over all columns, fetching more than asked so that name
	// matches can be put first. (A separate name-only pass looked cheaper
	// but a column filter still walks the whole document list.)
	fetch := min(limit*3, limit+100)
	rows, err := db.QueryContext(ctx, `SELECT rowid, name, company, address, phones FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?`,
		matchExpr(terms, ""), fetch)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q, err)
	}
	type match struct {
		rid   int64
		field string
	}
	var ms []match
	for rows.Next() {
		var m match
		var name, company, address, phones string
		if err := rows.Scan(&m.rid, &name, &company, &address, &phones); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: search %q: %w", q, err)
		}
		m.field = matchedField([4]string{name, company, phones, address}, terms)
		ms = append(ms, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q, err)
	}
	slices.SortStableFunc(ms, func(a, b match) int { return fieldRank[a.field] - fieldRank[b.field] })
	if len(ms) > limit {
		ms = ms[:limit]
	}
	rids := make([]int64, len(ms))
	for i, m := range ms {
		rids[i] = m.rid
	}
	contacts, err := loadContactsByRid(ctx, db, rids)
	if err != nil {
		return nil, fmt.Errorf("store: search %q: %w", q, err)
	}
	hits := make([]SearchHit, 0, len(ms))
	for _, m := range ms {
		if c, ok := contacts[m.rid]; ok { // else deleted since the match
			hits = append(hits, SearchHit{Contact: c, Field: m.field})
		}
	}
	return hits, nil
}

// loadContactsByRid loads contacts with their numbers in two queries.
func loadContactsByRid(ctx context.Context, db querier, rids []int64) (map[int64]Contact, error) {
	out := make(map[int64]Contact, len(rids))
	if len(rids) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(rids)), ",")
	args := make([]any, len(rids))
	for i, r := range rids {
		args[i] = r
	}
	rows, err := db.QueryContext(ctx, `SELECT c.rid, `+contactCols+` FROM contacts c
		LEFT JOIN companies co ON co.id = c.company_id WHERE c.rid IN (`+ph+`)`, args...)
	if err != nil {
		return nil, err
	}
	byID := map[string]int64{}
	for rows.Next() {
		var rid int64
		c, err := scanContact(scanFunc(func(dest ...any) error { return rows.Scan(append([]any{&rid}, dest...)...) }))
		if err != nil {
			rows.Close()
			return nil, err
		}
		out[rid] = c
		byID[c.ID] = rid
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.QueryContext(ctx, `SELECT p.contact_id, p.id, p.label, p.raw, p.e164 FROM phones p
		JOIN contacts c ON c.id = p.contact_id WHERE c.rid IN (`+ph+`) ORDER BY p.position, p.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid string
		var p Phone
		if err := rows.Scan(&cid, &p.ID, &p.Label, &p.Raw, &p.E164); err != nil {
			return nil, err
		}
		if rid, ok := byID[cid]; ok {
			c := out[rid]
			c.Phones = append(c.Phones, p)
			out[rid] = c
		}
	}
	return out, rows.Err()
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

var fieldRank = map[string]int{"name": 0, "company": 1, "phone": 2, "address": 3}

// matchedField names the first of the indexed texts (name, company,
// phone digits, address) in which some query term starts a word.
func matchedField(texts [4]string, terms []string) string {
	names := [4]string{"name", "company", "phone", "address"}
	for i, text := range texts {
		lower := fold(text)
		words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		for _, t := range terms {
			t = fold(t)
			if isCJKTerm(t) {
				if strings.Contains(strings.ReplaceAll(lower, " ", ""), t) {
					return names[i]
				}
				continue
			}
			for _, w := range words {
				if strings.HasPrefix(w, t) {
					return names[i]
				}
			}
		}
	}
	return "address" // a folding corner case FTS5 matched and fold did not
}

// fold lower-cases s and removes diacritics, like the unicode61
// tokenizer's remove_diacritics, so "muller" is seen to match "Müller".
func fold(s string) string {
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Mn, r) {
					return -1
				}
				return r
			}, norm.NFD.String(s))
		}
	}
	return s
}

func isCJKTerm(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return isCJK(r)
}

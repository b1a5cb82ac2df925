package store

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// cidQuery is one caller-ID lookup of the 1M benchmarks and the answer
// the store must give: the contact that owns the number, or none.
type cidQuery struct {
	raw     string // as typed or received
	e164    string // the number it spells
	contact string // expected CallerID.ContactID; "" = must not be found
	kind    string // spelling, for the mix report
}

// callerIDQueries builds n lookups over the benchmark file, independently
// of the lookup code: known numbers are drawn uniformly from the phones
// table (so about 10% are the Japanese +81 numbers) and spelled as the
// country's users write them, unknown numbers are +1 numbers checked to
// be absent. The mix, by query index mod 4:
//
//	0: known, E.164 ("+12012000123", "+81310000123")
//	1: known, national format for +1 ("(201) 200-0123"), spaced
//	   international for +81 ("+81 3 1000 0123")
//	2: unknown +1 ("+1 206 200 0123"), 25% of the queries
//	3: known, bare 10 digits for +1 ("2012000123"), +81 with dashes
//	   ("+81-3-1000-0123")
//
// The expected contact comes from SQL on the E.164 the query was built
// from (phones.e164 -> contact_id).
func callerIDQueries(b *testing.B, s *Store, n int, seed uint64) []cidQuery {
	b.Helper()
	var maxRow int64
	if err := s.db.QueryRow(`SELECT MAX(rowid) FROM phones`).Scan(&maxRow); err != nil {
		b.Fatal(err)
	}
	// "AND e164 <> ''" lets SQLite use the partial index phones_e164.
	owner := func(e string) string {
		var id string
		err := s.db.QueryRow(`SELECT contact_id FROM phones WHERE e164 = ? AND e164 <> ''`, e).Scan(&id)
		if err != nil {
			return ""
		}
		return id
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	qs := make([]cidQuery, n)
	for i := range qs {
		if i%4 == 2 {
			for {
				// +1 206x xxx xxxx: above every generated number.
				d := fmt.Sprintf("%010d", 2062000000+rng.IntN(1_000_000))
				e := "+1" + d
				if owner(e) != "" {
					continue
				}
				qs[i] = cidQuery{raw: fmt.Sprintf("+1 %s %s %s", d[:3], d[3:6], d[6:]), e164: e, kind: "unknown +1"}
				break
			}
			continue
		}
		var e, id string
		for id == "" {
			err := s.db.QueryRow(`SELECT e164, contact_id FROM phones WHERE rowid = ?`, 1+rng.Int64N(maxRow)).Scan(&e, &id)
			if err != nil {
				id = ""
			}
		}
		q := cidQuery{e164: e, contact: id}
		switch {
		case len(e) == 12 && e[:2] == "+1":
			d := e[2:]
			switch i % 4 {
			case 0:
				q.raw, q.kind = e, "known +1, E.164"
			case 1:
				q.raw, q.kind = fmt.Sprintf("(%s) %s-%s", d[:3], d[3:6], d[6:]), "known +1, (201) 200-0123"
			default:
				q.raw, q.kind = d, "known +1, 10 digits"
			}
		case len(e) == 12 && e[:3] == "+81":
			d := e[3:] // 3xxxxxxxx: Tokyo, 1+4+4
			switch i % 4 {
			case 0:
				q.raw, q.kind = e, "known +81, E.164"
			case 1:
				q.raw, q.kind = fmt.Sprintf("+81 %s %s %s", d[:1], d[1:5], d[5:]), "known +81, spaced"
			default:
				q.raw, q.kind = fmt.Sprintf("+81-%s-%s-%s", d[:1], d[1:5], d[5:]), "known +81, dashes"
			}
		default:
			b.Fatalf("unexpected number %q in the benchmark file", e)
		}
		qs[i] = q
	}
	return qs
}

// checkLookup compares one lookup's result with the expected answer.
func (q cidQuery) check(got CallerID, ok bool) error {
	if q.contact == "" {
		if ok {
			return fmt.Errorf("%q (%s): found contact %s, want none", q.raw, q.kind, got.ContactID)
		}
		return nil
	}
	if !ok || got.ContactID != q.contact || got.E164 != q.e164 {
		return fmt.Errorf("%q (%s): got (%q, %q, found %v), want contact %s for %s", q.raw, q.kind, got.ContactID, got.E164, ok, q.contact, q.e164)
	}
	return nil
}

// mixReport logs how many queries of each spelling the benchmark used
// and how many of them were misses.
func mixReport(b *testing.B, qs []cidQuery, n int) {
	b.Helper()
	count := map[string]int{}
	miss := 0
	for i := 0; i < n; i++ {
		q := qs[i%len(qs)]
		count[q.kind]++
		if q.contact == "" {
			miss++
		}
	}
	b.Logf("query mix over %d lookups: %v; misses %.1f%%", n, count, 100*float64(miss)/float64(n))
	b.ReportMetric(100*float64(miss)/float64(n), "miss-%")
}

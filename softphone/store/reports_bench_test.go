package store

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
	"time"
)

// benchReportCalls is the call log size of the report benchmarks.
const benchReportCalls = 100_000

// reportBenchStore fills a store with n calls spread over the 365 days
// before end (3 accounts, 60% outbound, 40% of outbound connected, 8
// outcomes plus none), inserted in one transaction.
func reportBenchStore(b *testing.B, n int, end time.Time) *Store {
	b.Helper()
	s := openTest(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 7))
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO calls(id, direction, from_number, to_number, account, started, answered,
		ended, duration_ms, status, outcome_id, notes) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`)
	if err != nil {
		b.Fatal(err)
	}
	accounts := []string{"sip:alice@pbx.example", "sip:bob@pbx.example", "sip:carol@pbx.example"}
	span := int64(365 * 24 * time.Hour)
	for i := range n {
		start := end.Add(-time.Duration(rng.Int64N(span)))
		dir, status := "outbound", "no_answer"
		var answered, talk int64
		if rng.IntN(10) < 4 {
			dir = "inbound"
			status = "missed"
		}
		if rng.IntN(10) < 4 {
			status = "completed"
			answered = start.Add(5 * time.Second).UnixNano()
			talk = rng.Int64N(600_000)
		}
		var outcome any
		if o := rng.IntN(9); o > 0 {
			outcome = o
		}
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("bench-%06d", i), dir, "+15550100001", "+15550100002",
			accounts[rng.IntN(len(accounts))], start.UnixNano(), answered, start.Add(time.Minute).UnixNano(), talk, status,
			outcome, "a note long enough to make a table row bigger than an index entry"); err != nil {
			b.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkReport100k is Report over 7, 30, 90 and 365 days of a
// 100,000-call log (about 274 calls a day).
func BenchmarkReport100k(b *testing.B) {
	loc := mustLoc(b, "America/New_York")
	end := time.Date(2025, 12, 31, 23, 0, 0, 0, loc)
	s := reportBenchStore(b, benchReportCalls, end)
	ctx := context.Background()
	for _, days := range []int{7, 30, 90, 365} {
		b.Run(fmt.Sprintf("days=%d", days), func(b *testing.B) {
			q := ReportQuery{From: end.AddDate(0, 0, 1-days), To: end, Location: loc}
			b.ReportAllocs()
			var calls int
			for b.Loop() {
				r, err := s.Report(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				calls = r.Total.Calls
			}
			b.ReportMetric(float64(calls), "calls/report")
		})
	}
	b.Run("days=90/outbound/account", func(b *testing.B) {
		q := ReportQuery{From: end.AddDate(0, 0, -89), To: end, Location: loc, Direction: "outbound", Account: "sip:bob@pbx.example"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Report(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("days=90/csv", func(b *testing.B) {
		r, err := s.Report(ctx, ReportQuery{From: end.AddDate(0, 0, -89), To: end, Location: loc})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := r.WriteCSV(io.Discard, ReportDaily); err != nil {
				b.Fatal(err)
			}
		}
	})
}

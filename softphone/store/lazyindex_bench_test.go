package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkLookupNumber1MLazy opens the 1M-contact store WithLazyIndex:
// open-s is how long Open takes without the index, sql-p99-µs the lookup
// from SQL before the index is ready, load-s how long LoadIndex takes;
// the timed loop (p50/p99/max) is the in-memory lookup once it is loaded.
// Same query mix as BenchmarkLookupNumber1M, every answer checked.
func BenchmarkLookupNumber1MLazy(b *testing.B) {
	path := benchDB(b)
	t0 := time.Now()
	s, err := Open(path, WithLazyIndex())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	openTime := time.Since(t0)
	queries := callerIDQueries(b, s, 4096, 7)
	var wrong int
	check := func(q cidQuery, got CallerID, ok bool) {
		if err := q.check(got, ok); err != nil {
			if wrong++; wrong <= 5 {
				b.Error(err)
			}
		}
	}
	sql := make([]time.Duration, 0, 1000)
	for i := range 1000 {
		q := queries[i%len(queries)]
		st := time.Now()
		got, ok := s.LookupNumber(q.raw)
		sql = append(sql, time.Since(st))
		check(q, got, ok)
	}
	t1 := time.Now()
	if err := s.LoadIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
	loadTime := time.Since(t1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)]
		st := time.Now()
		got, ok := s.LookupNumber(q.raw)
		lat = append(lat, time.Since(st))
		check(q, got, ok)
	}
	b.StopTimer()
	mixReport(b, queries, b.N)
	if wrong > 0 {
		b.Fatalf("%d lookups gave the wrong answer", wrong)
	}
	percentiles(b, lat, "µs")
	sqlP99 := percentileOf(sql, 0.99)
	b.ReportMetric(float64(sqlP99)/float64(time.Microsecond), "sql-p99-µs")
	b.ReportMetric(openTime.Seconds(), "open-s")
	b.ReportMetric(loadTime.Seconds(), "load-s")
}

// percentileOf returns the q-quantile of d (sorts d).
func percentileOf(d []time.Duration, q float64) time.Duration {
	slices.Sort(d)
	return d[min(len(d)-1, int(q*float64(len(d))))]
}

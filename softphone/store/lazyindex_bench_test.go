package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkLookupNumber1MLazy opens the 1M-contact store WithLazyIndex:
// open-s is how long Open takes without the index, sql-p99-µs the lookup
// from SQL before the index is ready, load-s how long LoadIndex takes;
// the timed loop (p50/p99/max) is the in-memory lookup once it is loaded.
func BenchmarkLookupNumber1MLazy(b *testing.B) {
	path := benchDB(b)
	t0 := time.Now()
	s, err := Open(path, WithLazyIndex())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	openTime := time.Since(t0)
	var total int
	s.db.QueryRow(`SELECT COUNT(*) FROM phones`).Scan(&total)
	rng := rand.New(rand.NewPCG(7, 7))
	queries := make([]string, 4096)
	for i := range queries {
		n := 2012000000 + 1 + rng.IntN(total)
		if i%4 == 2 {
			n += 50_000_000 // unknown
		}
		queries[i] = fmt.Sprintf("+1%d", n)
	}
	sql := make([]time.Duration, 0, 1000)
	for i := range 1000 {
		st := time.Now()
		s.LookupNumber(queries[i%len(queries)])
		sql = append(sql, time.Since(st))
	}
	t1 := time.Now()
	if err := s.LoadIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
	loadTime := time.Since(t1)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := time.Now()
		s.LookupNumber(queries[i%len(queries)])
		lat = append(lat, time.Since(st))
	}
	b.StopTimer()
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

package hubspot

import (
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// BenchmarkDrainBacklog drains 10,000 queued calls into a fake that
// enforces HubSpot's Free/Starter limit of 100 requests per 10 s. The
// client paces itself, so the loop never sees a 429; Check and Outcomes
// run first as the sync worker does, which makes the drain cross one
// window. Reported: seconds per drain, requests, 429s, duplicates, lost.
func BenchmarkDrainBacklog(b *testing.B) {
	const backlog = 10_000
	for b.Loop() {
		fake, c := newPair(b, nil)
		contact := fake.AddContact(map[string]string{"firstname": "Margaret", "phone": "+15551234567"})
		calls := makeCalls(backlog, contact, "")
		start := time.Now()
		if _, err := c.Check(b.Context()); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Outcomes(b.Context()); err != nil {
			b.Fatal(err)
		}
		limited := 0
		for i := 0; i < len(calls); {
			batch := calls[i:min(i+c.MaxBatch(), len(calls))]
			res, err := c.CreateCalls(b.Context(), batch)
			if err != nil {
				if crm.Retryable(err) {
					limited++
					continue // a real worker backs off; the pacer already blocks
				}
				b.Fatal(err)
			}
			for _, r := range res {
				if r.Err != nil {
					b.Fatal(r.Err)
				}
			}
			i += len(batch)
		}
		elapsed := time.Since(start)
		dups, lost := 0, 0
		counts := fake.CallsByExternalID()
		for _, cl := range calls {
			switch n := counts[cl.ID]; {
			case n == 0:
				lost++
			case n > 1:
				dups += n - 1
			}
		}
		fc := fake.Faults().Counters()
		b.ReportMetric(elapsed.Seconds(), "s/drain")
		b.ReportMetric(float64(c.Stats().Requests), "requests")
		b.ReportMetric(float64(fc.RateLimited), "429s")
		b.ReportMetric(float64(dups), "duplicates")
		b.ReportMetric(float64(lost), "lost")
		if dups != 0 || lost != 0 || fc.RateLimited > 1 || elapsed > 20*time.Second {
			b.Fatalf("drain: %s, %d dups, %d lost, %d 429s", elapsed, dups, lost, fc.RateLimited)
		}
	}
}

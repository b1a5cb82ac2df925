package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// TestBringForward checks which pending items "Sync now" makes due: items
// put off by a failure become due now, an item whose result is unknown not
// before its last attempt plus the search lag, and uncertain, failed,
// synced and already due items, and other CRMs' items, keep their state.
func TestBringForward(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "o.db")
	clock := t0
	now := func() time.Time { return clock }
	s, err := Open(path, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.ConnectVendor(ctx, vendorHubSpot))
	must(t, s.ConnectVendor(ctx, vendorPipedrive))
	names := []string{"refused", "oldUnknown", "recentUnknown", "lateUnknown", "uncertain", "failed", "synced", "due"}
	for _, id := range names {
		rec := outbound(id, t0)
		rec.FormDone = true
		must(t, s.LogCall(ctx, rec))
	}
	item := map[string]map[Vendor]int64{}
	for _, id := range names {
		its, err := s.ItemsFor(ctx, KindCall, id)
		if err != nil || len(its) != 2 {
			t.Fatalf("items of %s: %+v %v", id, its, err)
		}
		item[id] = map[Vendor]int64{}
		for _, it := range its {
			item[id][it.Vendor] = it.ID
		}
	}
	hs := func(id string) int64 { return item[id][vendorHubSpot] }
	const prefix = "unknown result: "
	lag := 10 * time.Second
	fail := func(id, reason string, next time.Time) {
		t.Helper()
		must(t, s.MarkInFlight(ctx, hs(id)))
		must(t, s.MarkFailed(ctx, hs(id), reason, next, false))
	}
	// The uncertain item: in flight when another process "crashed", taken
	// over and failed again (it stays uncertain until synced).
	must(t, s.MarkInFlight(ctx, hs("uncertain")))
	must(t, s.Close())
	s, err = Open(path, WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fail("uncertain", "dial tcp: connection refused", t0.Add(5*time.Minute))
	fail("oldUnknown", prefix+"connection reset", t0.Add(5*time.Minute)) // last attempt at t0
	must(t, s.MarkInFlight(ctx, hs("failed")))
	must(t, s.MarkFailed(ctx, hs("failed"), "400 bad property", t0.Add(5*time.Minute), true))
	must(t, s.MarkInFlight(ctx, hs("synced")))
	must(t, s.MarkSynced(ctx, hs("synced"), "hs-1"))
	fail("due", "503", t0)
	clock = t0.Add(57 * time.Second)
	fail("refused", "dial tcp: connection refused", clock.Add(4*time.Minute))
	fail("recentUnknown", prefix+"connection reset", clock.Add(4*time.Minute)) // lost response at t0+57s
	fail("lateUnknown", prefix+"connection reset", clock.Add(lag))             // its wait is the lag already
	pd := item["refused"][vendorPipedrive]                                     // another CRM's item is not moved
	must(t, s.MarkInFlight(ctx, pd))
	must(t, s.MarkFailed(ctx, pd, "dial tcp: connection refused", clock.Add(4*time.Minute), false))
	before := map[int64]OutboxItem{}
	for _, id := range names {
		for _, iid := range item[id] {
			it, err := s.Item(ctx, iid)
			must(t, err)
			before[iid] = it
		}
	}

	clock = t0.Add(60 * time.Second)
	n, err := s.BringForward(ctx, vendorHubSpot, clock, UnknownResult{Prefix: prefix, Lag: lag})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]time.Time{
		hs("refused"):       clock,
		hs("oldUnknown"):    clock,
		hs("recentUnknown"): t0.Add(57*time.Second + lag),
	}
	if n != len(want) {
		t.Errorf("BringForward moved %d items, want %d", n, len(want))
	}
	for _, id := range names {
		for v, iid := range item[id] {
			it, err := s.Item(ctx, iid)
			must(t, err)
			b := before[iid]
			wantNext, moved := want[iid]
			if !moved {
				wantNext = b.NextAt
			}
			if !it.NextAt.Equal(wantNext) || it.State != b.State || it.LastError != b.LastError || it.Attempts != b.Attempts || it.Uncertain != b.Uncertain {
				t.Errorf("%s/%s: next %s state %s, want next %s state %s (%+v)", id, v, it.NextAt, it.State, wantNext, b.State, it)
			}
		}
	}
	due, err := s.Due(ctx, vendorHubSpot, clock, 100)
	must(t, err)
	got := map[int64]bool{}
	for _, it := range due {
		got[it.ID] = true
	}
	if len(due) != 3 || !got[hs("refused")] || !got[hs("oldUnknown")] || !got[hs("due")] {
		t.Errorf("due after BringForward: %+v", due)
	}
	// Nothing left to move; an unknown prefix of "" moves the recent one too.
	if n, err := s.BringForward(ctx, vendorHubSpot, clock, UnknownResult{Prefix: prefix, Lag: lag}); err != nil || n != 0 {
		t.Errorf("second BringForward: %d %v", n, err)
	}
	if n, err := s.BringForward(ctx, vendorHubSpot, clock, UnknownResult{}); err != nil || n != 2 {
		t.Errorf("BringForward without prefix: %d %v, want 2 (recentUnknown, lateUnknown)", n, err)
	}
	if _, err := s.BringForward(ctx, "", clock, UnknownResult{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("empty vendor: %v", err)
	}
	if _, err := s.BringForward(ctx, vendorHubSpot, clock, UnknownResult{Lag: -time.Second}); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative lag: %v", err)
	}
}

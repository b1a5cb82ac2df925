package sync

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/store"
)

const batchPath = "/crm/v3/objects/calls/batch/create"

func TestDrain250WithTasks(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if res, err := w.Pull(ctx, true); err != nil || res.Counts["contacts"] != 1 || res.Counts["deals"] != 1 || res.Counts["companies"] != 1 {
		t.Fatalf("pull: %+v %v", res, err)
	}
	if cid, ok := e.st.LookupNumber(leeNumber); !ok || cid.Name != "Margaret Lee" || cid.DealName != "Fleet renewal" {
		t.Fatalf("caller id after pull: %+v %v", cid, ok)
	}
	ids := e.logCalls(250, 10)
	if c := e.counts(); c[store.OutboxPending] != 275 {
		t.Fatalf("queued %v, want 275 pending", c)
	}
	p, err := w.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 275 || p.Pending != 0 || p.Failed != 0 {
		t.Fatalf("progress %+v", p)
	}
	e.exactlyOnce(ids)
	if c := e.counts(); c[store.OutboxSynced] != 275 {
		t.Fatalf("outbox %v", c)
	}
	// 3 batches of calls (100, 100, 50): HubSpot's batch limit is used.
	n := 0
	for _, l := range e.fake.Faults().Log() {
		if l.Path == batchPath {
			n++
		}
	}
	if n != 3 {
		t.Errorf("%d batch requests, want 3", n)
	}
	// Every task was sent after its call, and knows the call's HubSpot id
	// (the HubSpot adapter does not associate tasks with calls, so the
	// order of requests is what can be checked at the fake).
	if got := len(e.fake.Tasks()); got != 25 {
		t.Fatalf("%d tasks, want 25", got)
	}
	lastBatch, firstTask := -1, -1
	for i, l := range e.fake.Faults().Log() {
		if l.Path == batchPath {
			lastBatch = i
		}
		if l.Path == "/crm/v3/objects/tasks" && firstTask < 0 {
			firstTask = i
		}
	}
	if firstTask < lastBatch {
		t.Errorf("a task was sent (request %d) before the last call batch (request %d)", firstTask, lastBatch)
	}
	for _, id := range ids[:1] {
		tasks, err := e.st.TasksForCall(ctx, id)
		if err != nil || len(tasks) != 1 {
			t.Fatal(tasks, err)
		}
		ct, err := e.st.TaskForSync(ctx, tasks[0].ID, StoreVendor(crm.VendorHubSpot))
		obj, _ := e.fake.CallByExternalID(id)
		if err != nil || ct.CallID != obj.ID {
			t.Fatalf("task's call id %q, want %q (%v)", ct.CallID, obj.ID, err)
		}
	}
	// Progress went down to zero without going up.
	prev := 1 << 30
	for _, ev := range e.events {
		if ev.Pending > prev {
			t.Fatalf("pending went up: %+v", e.events)
		}
		prev = ev.Pending
	}
	if last := e.events[len(e.events)-1]; last.Pending != 0 || last.State != StateIdle {
		t.Fatalf("last progress %+v", last)
	}
	// Nothing left: a second drain sends nothing.
	before := len(e.fake.Faults().Log())
	if p, err := w.Drain(ctx); err != nil || p.Done != 0 || len(e.fake.Faults().Log()) != before {
		t.Fatalf("second drain %+v %v", p, err)
	}
}

func TestFaultsRecoverExactlyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	ids := e.logCalls(250, 25)
	f := e.fake.Faults()
	rl := `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","category":"RATE_LIMITS","policyName":"TEN_SECONDLY_ROLLING"}`
	for _, fault := range []crmtest.Fault{
		crmtest.Status(http.StatusTooManyRequests, rl, http.Header{"Retry-After": {"7"}, "Content-Type": {"application/json"}}),
		crmtest.Status(http.StatusInternalServerError, `{"status":"error","message":"internal error","category":"INTERNAL_ERROR"}`, nil),
		crmtest.Timeout(),
		crmtest.Reset(),
		crmtest.Reset().AfterServe(),         // lost response: created, client sees a reset
		crmtest.MalformedJSON().AfterServe(), // created, answer cut in half
		crmtest.Status(http.StatusBadGateway, "<html>bad gateway</html>", nil).AfterServe(),
	} {
		if err := f.FailPath("POST", batchPath, 1, fault); err != nil {
			t.Fatal(err)
		}
	}
	// The lookup that follows an unknown result fails once too.
	if err := f.FailPath("POST", "/crm/v3/objects/calls/search", 1, crmtest.Reset()); err != nil {
		t.Fatal(err)
	}
	if err := f.FailPath("POST", "/crm/v3/objects/tasks", 1, crmtest.Status(503, `{"status":"error","message":"unavailable"}`, nil)); err != nil {
		t.Fatal(err)
	}
	p, err := w.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Pending() != 0 {
		t.Fatalf("%d fault rules never hit", f.Pending())
	}
	e.exactlyOnce(ids)
	if got := len(e.fake.Tasks()); got != 10 {
		t.Errorf("%d tasks, want 10", got)
	}
	if p.Pending != 0 || p.Failed != 0 {
		t.Fatalf("progress %+v", p)
	}
	seen := map[crmtest.FaultKind]int{}
	for _, l := range f.Log() {
		seen[l.Fault]++
	}
	// (A request held by a Timeout fault and abandoned by the client is not
	// in the injector's log; the armed rule count above shows it was hit.)
	for _, k := range []crmtest.FaultKind{crmtest.KindStatus, crmtest.KindReset, crmtest.KindMalformedJSON} {
		if seen[k] == 0 {
			t.Errorf("fault %s never injected: %v", k, seen)
		}
	}
	if e.clk.maxWait() < 7*time.Second {
		t.Errorf("longest wait %s, want Retry-After 7s honoured", e.clk.maxWait())
	}
	if e.clk.maxWait() > 30*time.Second {
		t.Errorf("longest wait %s exceeds the backoff cap", e.clk.maxWait())
	}
}

func TestExpiredTokenKeepsQueue(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	ids := e.logCalls(30, 3)
	e.fake.ExpireToken("test-token")
	_, err := w.Drain(ctx)
	if !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("drain with an expired token: %v", err)
	}
	st := w.Status()
	if st.State != StateReconnect || !strings.Contains(st.Reason, "reconnect your CRM") {
		t.Fatalf("status %+v", st)
	}
	if v, _, _ := e.st.GetSetting(ctx, "crm.hubspot.sync_state"); !strings.Contains(v, "reconnect your CRM") {
		t.Fatalf("stored state %q", v)
	}
	if c := e.counts(); c[store.OutboxPending] != 40 || c[store.OutboxFailed] != 0 {
		t.Fatalf("queue after auth failure %v, want 40 pending", c)
	}
	if len(e.fake.Calls()) != 0 {
		t.Fatal("calls created with an expired token")
	}
	// The user reconnects with a new token.
	e.fake.AddToken("new-token")
	w2 := e.worker(e.client("new-token"))
	if _, err := w2.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	e.exactlyOnce(ids)
	if len(e.fake.Tasks()) != 10 {
		t.Fatalf("%d tasks", len(e.fake.Tasks()))
	}
}

func TestRejectedItemRetry(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	ids := e.logCalls(5, 0)
	bad, err := e.st.CreateOutcome(ctx, "Gatekeeper")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetOutcomeMapping(ctx, bad.ID, StoreVendor(crm.VendorHubSpot), "not-a-disposition"); err != nil {
		t.Fatal(err)
	}
	badCall := e.logCalls(1, 0)[0]
	if err := e.st.SaveForm(ctx, badCall, store.OutcomeForm{OutcomeID: bad.ID, Notes: e.notes[badCall]}); err != nil {
		t.Fatal(err)
	}
	p, err := w.Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Failed != 1 || p.Pending != 0 || p.Done != 5 {
		t.Fatalf("progress %+v", p)
	}
	it := e.itemFor(badCall)
	if it.State != store.OutboxFailed || !strings.Contains(it.LastError, "hs_call_disposition") || !errors.Is(errors.New(it.LastError), errors.New("")) && it.LastError == "" {
		t.Fatalf("failed item %+v", it)
	}
	rec, _ := e.st.Call(ctx, badCall)
	if rec.Sync[0].State != store.OutboxFailed || rec.Sync[0].Error == "" {
		t.Fatalf("call sync state %+v", rec.Sync)
	}
	if _, ok := e.fake.CallByExternalID(badCall); ok {
		t.Fatal("rejected call exists at the CRM")
	}
	// The admin fixes the mapping and retries by hand.
	if err := e.st.SetOutcomeMapping(ctx, bad.ID, StoreVendor(crm.VendorHubSpot), connected); err != nil {
		t.Fatal(err)
	}
	if err := e.st.Retry(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	if p, err := w.Drain(ctx); err != nil || p.Done != 1 || p.Failed != 0 {
		t.Fatalf("drain after retry %+v %v", p, err)
	}
	e.exactlyOnce(append(ids, badCall))
}

// TestUncertainAfterCrash: another process marked a batch in flight and
// sent it, then died before recording the answer. The worker in the next
// process looks the calls up instead of creating them again.
func TestUncertainAfterCrash(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	a := e.client("test-token")
	w := e.worker(a)
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	ids := e.logCalls(120, 0)
	dead, err := store.Open(e.st.Path())
	if err != nil {
		t.Fatal(err)
	}
	items, err := dead.Due(ctx, StoreVendor(crm.VendorHubSpot), time.Now(), 100)
	if err != nil || len(items) != 100 {
		t.Fatalf("due %d %v", len(items), err)
	}
	var calls []crm.Call
	for _, it := range items[:60] {
		if err := dead.MarkInFlight(ctx, it.ID); err != nil {
			t.Fatal(err)
		}
		c, err := dead.CallForSync(ctx, it.RefID, StoreVendor(crm.VendorHubSpot))
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, CRMCall(c))
	}
	// The first 40 reached HubSpot; the process died before the rest.
	if _, err := a.CreateCalls(ctx, calls[:40]); err != nil {
		t.Fatal(err)
	}
	dead.Close()
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	e.exactlyOnce(ids)
	searched := 0
	for _, l := range e.fake.Faults().Log() {
		if l.Path == "/crm/v3/objects/calls/search" {
			searched++
		}
	}
	if searched == 0 {
		t.Fatal("uncertain items were not looked up")
	}
}

func TestDailyLimitPauses(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	ids := e.logCalls(250, 0)
	body := `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","category":"RATE_LIMITS","policyName":"DAILY"}`
	if err := e.fake.Faults().FailPath("POST", batchPath, 1, crmtest.Status(429, body, http.Header{"Content-Type": {"application/json"}, "Retry-After": {"3600"}})); err != nil {
		t.Fatal(err)
	}
	p, err := w.Drain(ctx)
	if !errors.Is(err, ErrPaused) || !errors.Is(err, crm.ErrRateLimited) {
		t.Fatalf("drain at the daily limit: %v", err)
	}
	st := w.Status()
	if st.State != StatePaused || !strings.Contains(st.Reason, "daily") || st.Until.Sub(e.clk.Now()) < 59*time.Minute {
		t.Fatalf("status %+v (now %s)", st, e.clk.Now())
	}
	if p.Pending != 250 || len(e.fake.Calls()) != 0 {
		t.Fatalf("progress %+v, fake %d", p, len(e.fake.Calls()))
	}
	// Until the reset Drain sends nothing.
	before := len(e.fake.Faults().Log())
	if _, err := w.Drain(ctx); !errors.Is(err, ErrPaused) || len(e.fake.Faults().Log()) != before {
		t.Fatalf("drain while paused: %v", err)
	}
	e.clk.After(time.Hour)
	if _, err := w.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	e.exactlyOnce(ids)
}

func TestRunWakesOnKick(t *testing.T) {
	e := newEnv(t)
	done := make(chan Progress, 64)
	w := e.worker(e.client("test-token"), WithPullEvery(0), WithProgress(func(p Progress) {
		if p.Pending == 0 && p.Done > 0 {
			done <- p
		}
	}))
	ctx, cancel := context.WithCancel(t.Context())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	ids := e.logCalls(7, 0)
	w.Kick()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("Run did not drain after Kick")
	}
	cancel()
	if err := <-ran; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	if len(e.fake.Calls()) != len(ids) {
		t.Fatalf("%d calls", len(e.fake.Calls()))
	}
}

func TestIncrementalPull(t *testing.T) {
	fakeClock := crmtest.NewManualClock(time.Now())
	e := newEnv(t, hubspotfake.WithClock(fakeClock))
	ctx := t.Context()
	w := e.worker(e.client("test-token"))
	if _, err := w.Pull(ctx, true); err != nil {
		t.Fatal(err)
	}
	first := w.Status().LastPull
	if first.IsZero() {
		t.Fatal("no last pull time")
	}
	// Two changes at HubSpot, a second later by HubSpot's own clock: a
	// renamed contact and a new one.
	fakeClock.Advance(time.Second)
	if err := e.fake.Update("contacts", e.contactID, map[string]string{"lastname": "Lee-Park"}); err != nil {
		t.Fatal(err)
	}
	e.fake.AddContact(map[string]string{"firstname": "Kenji", "lastname": "Sato", "phone": "+81312345678"})
	res, err := w.Pull(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Full || res.Counts["contacts"] < 2 || res.Counts["contacts"] > 3 {
		t.Fatalf("incremental pull %+v", res)
	}
	if cid, ok := e.st.LookupNumber(leeNumber); !ok || cid.Name != "Margaret Lee-Park" {
		t.Fatalf("renamed contact %+v", cid)
	}
	if cid, ok := e.st.LookupNumber("+81312345678"); !ok || cid.Name == "" {
		t.Fatalf("new contact %+v", cid)
	}
	last, _, counts, _ := e.st.SyncState(ctx, StoreVendor(crm.VendorHubSpot))
	if last.Before(first) || counts["contacts"] != res.Counts["contacts"] {
		t.Fatalf("sync state %s %v", last, counts)
	}
}

func TestNewValidates(t *testing.T) {
	e := newEnv(t)
	if _, err := New(nil, e.client("x")); !errors.Is(err, ErrBadOption) {
		t.Fatal(err)
	}
	if _, err := New(e.st, e.client("x"), WithBackoff(time.Second, time.Millisecond)); !errors.Is(err, ErrBadOption) {
		t.Fatal(err)
	}
}

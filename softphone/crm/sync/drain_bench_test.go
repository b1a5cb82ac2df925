package sync

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/store"
)

// hubspotV is HubSpot as the store names it.
var hubspotV = StoreVendor(crm.VendorHubSpot)

// BenchmarkDrainOutbox measures the real CRM sync path: N finished calls
// (PITCHLINE_BENCH_DRAIN_CALLS, default 10,000) logged with their outcome
// form in a SQLite store on disk, every TASK_EVERY-th with a follow-up task
// (PITCHLINE_BENCH_TASK_EVERY, default 10), then one sync Worker.Drain with
// the system clock, through the HubSpot client, into the HubSpot fake over
// loopback HTTP. The fake enforces HubSpot's Free/Starter burst limit (100
// requests per rolling 10 s) with its own limiter and clock, whatever the
// client's pacer does, and answers 429 with HubSpot's body and headers
// (crm-apis notes §1.8); the worker must back off and retry. Before the
// calls are logged the worker pulls the CRM's contacts (untimed). Reported:
// drain seconds, calls/s, items/s, requests, 429s from the fake, and the
// exactly-once check (every call and task once at the fake, every outbox
// item synced locally with the fake's id). PITCHLINE_BENCH_CLIENT_LIMIT=N
// makes the client's pacer allow N requests per 10 s, so the fake's own
// limit, not the pacer, is what holds the drain back (429s expected).
func BenchmarkDrainOutbox(b *testing.B) {
	n := benchEnvInt(b, "PITCHLINE_BENCH_DRAIN_CALLS", 10_000)
	taskEvery := benchEnvInt(b, "PITCHLINE_BENCH_TASK_EVERY", 10)
	pacer := benchEnvInt(b, "PITCHLINE_BENCH_CLIENT_LIMIT", 0) // 0: the client's own default (100 per 10 s)
	b.StopTimer()
	for range b.N {
		fake, err := hubspotfake.New()
		if err != nil {
			b.Fatal(err)
		}
		base, err := fake.Start()
		if err != nil {
			b.Fatal(err)
		}
		contactID := fake.AddContact(map[string]string{"firstname": "Margaret", "lastname": "Lee", "phone": leeNumber})
		st, err := store.Open(filepath.Join(b.TempDir(), "pitchline.db"))
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		if err := st.ConnectVendor(ctx, hubspotV); err != nil {
			b.Fatal(err)
		}
		o, err := st.CreateOutcome(ctx, "Talked to the buyer")
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SetOutcomeMapping(ctx, o.ID, hubspotV, connected); err != nil {
			b.Fatal(err)
		}
		copts := []hubspot.Option{hubspot.WithBaseURL(base), hubspot.WithHTTPClient(&http.Client{Timeout: 30 * time.Second})}
		if pacer > 0 { // the client believes in a looser limit than the fake enforces
			copts = append(copts, hubspot.WithRateLimit(pacer, 10*time.Second))
		}
		c, err := hubspot.New("test-token", copts...)
		if err != nil {
			b.Fatal(err)
		}
		w, err := New(st, c, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			b.Fatal(err)
		}
		// As the app does after connecting: pull the CRM's contacts, so the
		// calls logged next carry Margaret Lee's HubSpot id and get
		// associated with her (its few requests count in the fake's window).
		if _, err := w.Pull(ctx, true); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		ids, tasks := benchLogCalls(b, st, o.ID, n, taskEvery)
		b.Logf("logged %d calls and %d tasks into the outbox in %v", n, len(tasks), time.Since(t0).Round(time.Millisecond))
		b.StartTimer()
		start := time.Now()
		p, err := w.Drain(ctx)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil {
			b.Fatalf("drain: %v (%+v)", err, p)
		}
		fc := fake.Faults().Counters()
		benchExactlyOnce(b, fake, st, ids, tasks, contactID)
		b.ReportMetric(elapsed.Seconds(), "s/drain")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "calls/s")
		b.ReportMetric(float64(n+len(tasks))/elapsed.Seconds(), "items/s")
		b.ReportMetric(float64(fc.Requests), "requests")
		b.ReportMetric(float64(fc.RateLimited), "429s")
		b.ReportMetric(float64(c.Stats().Requests), "client-requests")
		b.Logf("drained %d calls + %d tasks in %v: %d requests at the fake, %d answered 429; done %d, pending %d, failed %d",
			n, len(tasks), elapsed.Round(time.Millisecond), fc.Requests, fc.RateLimited, p.Done, p.Pending, p.Failed)
		st.Close()
		fake.Close()
	}
}

func benchEnvInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		b.Fatalf("%s=%q: want a non-negative integer", name, v)
	}
	return n
}

// benchLogCalls logs n finished calls with their forms (as the app does
// after each call); every taskEvery-th form carries a follow-up task.
// It returns the call ids and, per task, its title.
func benchLogCalls(b *testing.B, st *store.Store, outcome int64, n, taskEvery int) (ids []string, tasks map[string]string) {
	b.Helper()
	ctx := context.Background()
	at0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tasks = map[string]string{}
	for i := range n {
		id := uuid.NewString()
		at := at0.Add(time.Duration(i) * time.Minute)
		rec := store.CallRecord{ID: id, Direction: store.Outbound, From: "+15550100001", To: leeNumber, Account: "sip:rep@pbx.example",
			Started: at, Answered: at.Add(5 * time.Second), Ended: at.Add(47 * time.Second), Duration: 42 * time.Second,
			Status: store.StatusCompleted, SIPCode: 200}
		if err := st.LogCall(ctx, rec); err != nil {
			b.Fatal(err)
		}
		form := store.OutcomeForm{OutcomeID: outcome, Notes: fmt.Sprintf("call %d: wants a demo", i)}
		if taskEvery > 0 && i%taskEvery == 0 {
			title := fmt.Sprintf("Send quote %d", i)
			form.Task = &store.TaskInput{Title: title, Due: at.Add(24 * time.Hour)}
			tasks[title] = id
		}
		if err := st.SaveForm(ctx, id, form); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids, tasks
}

// benchExactlyOnce checks that the fake holds every call and task exactly
// once (calls by hs_call_external_id, tasks by subject), calls with the
// disposition and the contact association, and that every outbox item is
// synced locally with the id the fake gave it.
func benchExactlyOnce(b *testing.B, fake *hubspotfake.Server, st *store.Store, ids []string, tasks map[string]string, contactID string) {
	b.Helper()
	ctx := context.Background()
	if got := len(fake.Calls()); got != len(ids) {
		b.Errorf("fake holds %d calls, want %d", got, len(ids))
	}
	counts := fake.CallsByExternalID()
	lost, dup := 0, 0
	for _, id := range ids {
		switch c := counts[id]; {
		case c == 0:
			lost++
		case c > 1:
			dup++
		}
	}
	if lost+dup > 0 {
		b.Fatalf("calls: %d lost, %d duplicated of %d", lost, dup, len(ids))
	}
	byID := map[string]hubspotfake.Object{}
	for _, obj := range fake.Calls() {
		byID[obj.Properties["hs_call_external_id"]] = obj
	}
	for _, id := range ids {
		obj := byID[id]
		assoc := false
		for _, a := range obj.Associations {
			assoc = assoc || a.ToType == "contacts" && a.ToID == contactID
		}
		if obj.Properties["hs_call_disposition"] != connected || !assoc {
			b.Fatalf("call %s at the fake: properties %v, associations %+v", id, obj.Properties, obj.Associations)
		}
		rec, err := st.Call(ctx, id)
		if err != nil || len(rec.Sync) != 1 || rec.Sync[0].State != store.OutboxSynced || rec.Sync[0].RemoteID != obj.ID {
			b.Fatalf("call %s local sync %+v (%v), fake id %s", id, rec.Sync, err, obj.ID)
		}
	}
	subjects := map[string]int{}
	for _, t := range fake.Tasks() {
		subjects[t.Properties["hs_task_subject"]]++
	}
	if len(fake.Tasks()) != len(tasks) {
		b.Errorf("fake holds %d tasks, want %d", len(fake.Tasks()), len(tasks))
	}
	for title := range tasks {
		if subjects[title] != 1 {
			b.Fatalf("task %q is at the fake %d times, want once", title, subjects[title])
		}
	}
	oc, err := st.OutboxCounts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	c := oc[hubspotV]
	if c[store.OutboxSynced] != len(ids)+len(tasks) || c[store.OutboxPending]+c[store.OutboxInFlight]+c[store.OutboxFailed] != 0 {
		b.Fatalf("outbox after the drain: %v, want %d synced and nothing else", c, len(ids)+len(tasks))
	}
}

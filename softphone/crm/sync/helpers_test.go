package sync

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/store"
)

const (
	connected = "f240bbac-87c9-4f6e-bf70-924b57d47db7" // HubSpot's "Connected" disposition
	leeNumber = "+15551234567"
)

// vclock is a virtual clock: After moves time forward by d and fires at
// once, so backoffs and Retry-After waits cost no real time while their
// lengths are still recorded.
type vclock struct {
	mu     gosync.Mutex
	now    time.Time
	waited time.Duration
	waits  []time.Duration
}

func (c *vclock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *vclock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	if d > 0 {
		c.now = c.now.Add(d)
		c.waited += d
	}
	c.waits = append(c.waits, d)
	t := c.now
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- t
	return ch
}

func (c *vclock) maxWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := time.Duration(0)
	for _, d := range c.waits {
		m = max(m, d)
	}
	return m
}

type env struct {
	t         *testing.T
	fake      *hubspotfake.Server
	base      string
	st        *store.Store
	clk       *vclock
	outcome   int64
	contactID string // HubSpot id of Margaret Lee
	dealID    string
	notes     map[string]string // call id -> notes
	events    []Progress
	evMu      gosync.Mutex
}

func newEnv(t *testing.T, fakeOpts ...hubspotfake.Option) *env {
	t.Helper()
	fake, err := hubspotfake.New(fakeOpts...)
	if err != nil {
		t.Fatal(err)
	}
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	e := &env{t: t, fake: fake, base: base, clk: &vclock{now: time.Now().Round(0)}, notes: map[string]string{}}
	co := fake.AddCompany(map[string]string{"name": "Lee Logistics", "domain": "leelogistics.example"})
	e.contactID = fake.AddContact(map[string]string{"firstname": "Margaret", "lastname": "Lee", "phone": leeNumber, "email": "margaret@leelogistics.example"})
	e.dealID = fake.AddDeal(map[string]string{"dealname": "Fleet renewal", "amount": "12500", "dealstage": "qualifiedtobuy"}, co, e.contactID)

	st, err := store.Open(filepath.Join(t.TempDir(), "pitchline.db"), store.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	ctx := context.Background()
	if err := st.ConnectVendor(ctx, StoreVendor(crm.VendorHubSpot)); err != nil {
		t.Fatal(err)
	}
	o, err := st.CreateOutcome(ctx, "Talked to the buyer")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetOutcomeMapping(ctx, o.ID, StoreVendor(crm.VendorHubSpot), connected); err != nil {
		t.Fatal(err)
	}
	e.outcome = o.ID
	return e
}

func (e *env) client(token string) *hubspot.Client {
	e.t.Helper()
	c, err := hubspot.New(token, hubspot.WithBaseURL(e.base), hubspot.WithHTTPClient(&http.Client{Timeout: 2 * time.Second}))
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

func (e *env) worker(a crm.Adapter, opts ...Option) *Worker {
	e.t.Helper()
	w, err := New(e.st, a, append([]Option{WithClock(e.clk), WithBackoff(100*time.Millisecond, 30*time.Second),
		WithJitterSource(func() float64 { return 0.5 }),
		WithProgress(func(p Progress) { e.evMu.Lock(); e.events = append(e.events, p); e.evMu.Unlock() })}, opts...)...)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// logCalls records n finished outbound calls to Margaret Lee and saves
// their forms; every taskEvery-th gets a follow-up task (0: none).
func (e *env) logCalls(n, taskEvery int) []string {
	e.t.Helper()
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	for i := range ids {
		id := uuid.NewString()
		at := start.Add(time.Duration(i) * time.Minute)
		rec := store.CallRecord{ID: id, Direction: store.Outbound, From: "+15550100001", To: leeNumber, Account: "sip:rep@pbx.example",
			Started: at, Answered: at.Add(5 * time.Second), Ended: at.Add(47 * time.Second), Duration: 42 * time.Second,
			Status: store.StatusCompleted, SIPCode: 200}
		if err := e.st.LogCall(ctx, rec); err != nil {
			e.t.Fatal(err)
		}
		form := store.OutcomeForm{OutcomeID: e.outcome, Notes: fmt.Sprintf("call %d: wants a demo", i)}
		if taskEvery > 0 && i%taskEvery == 0 {
			form.Task = &store.TaskInput{Title: fmt.Sprintf("Send quote %d", i), Due: at.Add(24 * time.Hour)}
		}
		if err := e.st.SaveForm(ctx, id, form); err != nil {
			e.t.Fatal(err)
		}
		e.notes[id] = form.Notes
		ids[i] = id
	}
	return ids
}

// exactlyOnce checks that the fake holds every call once, with the right
// properties and the contact association, and nothing else.
func (e *env) exactlyOnce(ids []string) {
	e.t.Helper()
	counts := e.fake.CallsByExternalID()
	if len(e.fake.Calls()) != len(ids) {
		e.t.Errorf("fake holds %d calls, want %d", len(e.fake.Calls()), len(ids))
	}
	lost, dup := 0, 0
	for _, id := range ids {
		switch n := counts[id]; {
		case n == 0:
			lost++
		case n > 1:
			dup++
		}
	}
	if lost > 0 || dup > 0 {
		e.t.Fatalf("%d lost, %d duplicated of %d", lost, dup, len(ids))
	}
	for _, id := range ids {
		obj, _ := e.fake.CallByExternalID(id)
		p := obj.Properties
		if p["hs_call_body"] != e.notes[id] || p["hs_call_disposition"] != connected || p["hs_call_direction"] != "OUTBOUND" ||
			p["hs_call_to_number"] != leeNumber || p["hs_call_duration"] != "42000" {
			e.t.Fatalf("call %s has properties %v", id, p)
		}
		assoc := false
		for _, a := range obj.Associations {
			assoc = assoc || a.ToType == "contacts" && a.ToID == e.contactID
		}
		if !assoc {
			e.t.Fatalf("call %s not associated with contact %s: %+v", id, e.contactID, obj.Associations)
		}
		rec, err := e.st.Call(context.Background(), id)
		if err != nil || len(rec.Sync) != 1 || rec.Sync[0].State != store.OutboxSynced || rec.Sync[0].RemoteID != obj.ID {
			e.t.Fatalf("call %s local sync state %+v (%v), remote id %s", id, rec.Sync, err, obj.ID)
		}
	}
}

func (e *env) counts() map[string]int {
	e.t.Helper()
	c, err := e.st.OutboxCounts(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return c[StoreVendor(crm.VendorHubSpot)]
}

// itemFor finds the outbox item of a call (the store has no listing).
func (e *env) itemFor(callID string) store.OutboxItem {
	e.t.Helper()
	for id := int64(1); id < 10000; id++ {
		it, err := e.st.Item(context.Background(), id)
		if err != nil {
			break
		}
		if it.Kind == store.KindCall && it.RefID == callID {
			return it
		}
	}
	e.t.Fatalf("no outbox item for call %s", callID)
	return store.OutboxItem{}
}

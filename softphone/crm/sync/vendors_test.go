package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/crmtest"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
	"github.com/pitchline/pitchline/softphone/store"
)

// The worker's contract, checked against every vendor's fake with the same
// table-driven tests: exactly once under faults, an expired token keeps the
// queue, a rejected item can be retried, tasks follow their calls, and a
// full pull is followed by incremental ones.

// vendorFake is one vendor's fake, seen through what the tests need.
type vendorFake struct {
	vendor  crm.Vendor
	token   string
	faults  *crmtest.Injector
	adapter func(t *testing.T, token string) crm.Adapter
	clock   *crmtest.ManualClock // the fake's clock (modification times)

	createCall, createTask, findCall, findTask string // "METHOD path" of the requests
	rateLimit, serverError                     crmtest.Fault
	outcome, badOutcome                        string // a value the vendor accepts, one it refuses

	contactID string                      // the vendor's id of Margaret Lee (leeNumber)
	calls     func() map[string]int       // local call id -> records
	callWho   func(localID string) string // the contact a call is linked to
	// taskCall returns the remote call a task is linked to (nil: the
	// vendor has no such link).
	taskCall func(taskLocalID string) string
	tasks    func(ids []string) map[string]int
	expire   func()
	renew    func(token string)
	// rename gives Margaret Lee a new last name; add adds a contact.
	rename func(t *testing.T, last string)
	add    func(first, last, phone string)
}

var tagRE = regexp.MustCompile(`\[pitchline:([^\]]+)\]`)

func countTags(texts []string) map[string]int {
	out := map[string]int{}
	for _, s := range texts {
		for _, m := range tagRE.FindAllStringSubmatch(s, -1) {
			out[m[1]]++
		}
	}
	return out
}

func split(req string) (string, string) { m, p, _ := strings.Cut(req, " "); return m, p }

func httpClient() *http.Client { return &http.Client{Timeout: time.Second} }

var vendorFakes = []func(t *testing.T) *vendorFake{
	func(t *testing.T) *vendorFake {
		clk := crmtest.NewManualClock(time.Now())
		f, err := hubspotfake.New(hubspotfake.WithClock(clk), hubspotfake.WithSearchRate(1000))
		if err != nil {
			t.Fatal(err)
		}
		base, err := f.Start()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		lee := f.AddContact(map[string]string{"firstname": "Margaret", "lastname": "Lee", "phone": leeNumber})
		return &vendorFake{
			vendor: crm.VendorHubSpot, token: "test-token", faults: f.Faults(), clock: clk,
			adapter: func(t *testing.T, tok string) crm.Adapter {
				c, err := hubspot.New(tok, hubspot.WithBaseURL(base), hubspot.WithHTTPClient(httpClient()), hubspot.WithSearchRate(0))
				if err != nil {
					t.Fatal(err)
				}
				return c
			},
			createCall: "POST " + batchPath, createTask: "POST /crm/v3/objects/tasks",
			findCall: "POST /crm/v3/objects/calls/search", findTask: "POST /crm/v3/objects/tasks/search",
			rateLimit: crmtest.Status(429, `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","category":"RATE_LIMITS","policyName":"TEN_SECONDLY_ROLLING"}`,
				http.Header{"Retry-After": {"7"}, "Content-Type": {"application/json"}}),
			serverError: crmtest.Status(500, `{"status":"error","message":"internal error","category":"INTERNAL_ERROR"}`, nil),
			outcome:     connected, badOutcome: "not-a-disposition", contactID: lee,
			calls: f.CallsByExternalID,
			callWho: func(id string) string {
				o, _ := f.CallByExternalID(id)
				for _, a := range o.Associations {
					if a.ToType == "contacts" {
						return a.ToID
					}
				}
				return ""
			},
			tasks: func(ids []string) map[string]int {
				out := map[string]int{}
				for _, o := range f.Tasks() {
					for _, id := range ids {
						if strings.Contains(o.Properties["hs_task_body"], hubspot.TaskMarker(id)) {
							out[id]++
						}
					}
				}
				return out
			},
			taskCall: func(id string) string {
				for _, o := range f.Tasks() {
					if strings.Contains(o.Properties["hs_task_body"], hubspot.TaskMarker(id)) {
						for _, a := range o.Associations {
							if a.ToType == "calls" {
								return a.ToID
							}
						}
					}
				}
				return ""
			},
			expire: func() { f.ExpireToken("test-token") },
			renew:  f.AddToken,
			rename: func(t *testing.T, last string) {
				if err := f.Update("contacts", lee, map[string]string{"lastname": last}); err != nil {
					t.Fatal(err)
				}
			},
			add: func(first, last, phone string) {
				f.AddContact(map[string]string{"firstname": first, "lastname": last, "phone": phone})
			},
		}
	},
	func(t *testing.T) *vendorFake {
		clk := crmtest.NewManualClock(time.Now())
		f, err := pipedrivefake.New(pipedrivefake.WithClock(clk), pipedrivefake.WithBurstLimit(10_000))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		person := func(id int64, first, last, phone string) pipedrivefake.Person {
			return pipedrivefake.Person{ID: id, FirstName: first, LastName: last,
				Phones: []pipedrivefake.Value{{Label: "work", Value: phone, Primary: true}}}
		}
		lee := f.AddPerson(person(0, "Margaret", "Lee", leeNumber))
		return &vendorFake{
			vendor: crm.VendorPipedrive, token: f.Token(), faults: f.Faults(), clock: clk,
			adapter: func(t *testing.T, tok string) crm.Adapter {
				c, err := pipedrive.New(tok, pipedrive.WithBaseURL(f.URL()), pipedrive.WithHTTPClient(httpClient()))
				if err != nil {
					t.Fatal(err)
				}
				return c
			},
			createCall: "POST /v1/callLogs", createTask: "POST /v1/activities",
			findCall: "GET /v1/callLogs", findTask: "GET /v1/activities",
			rateLimit:   crmtest.Status(429, `{"success":false,"error":"Request over limit"}`, http.Header{"Retry-After": {"7"}}),
			serverError: crmtest.Status(500, `{"success":false,"error":"Internal server error","errorCode":500}`, nil),
			outcome:     pipedrive.OutcomeConnected, badOutcome: "gatekeeper", contactID: strconv.FormatInt(lee, 10),
			calls: func() map[string]int {
				var notes []string
				for _, l := range f.CallLogs() {
					notes = append(notes, l.Note)
				}
				return countTags(notes)
			},
			callWho: func(id string) string {
				for _, l := range f.CallLogs() {
					if strings.Contains(l.Note, pipedrive.Tag(id)) && l.PersonID != 0 {
						return strconv.FormatInt(l.PersonID, 10)
					}
				}
				return ""
			},
			tasks: func([]string) map[string]int {
				var notes []string
				for _, a := range f.Activities() {
					notes = append(notes, a.Note)
				}
				return countTags(notes)
			},
			expire: f.ExpireToken, renew: f.RenewToken,
			rename: func(t *testing.T, last string) { f.AddPerson(person(lee, "Margaret", last, leeNumber)) },
			add:    func(first, last, phone string) { f.AddPerson(person(0, first, last, phone)) },
		}
	},
	func(t *testing.T) *vendorFake {
		clk := crmtest.NewManualClock(time.Now())
		f, err := sellfake.New(sellfake.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		lee := f.AddContact(sellfake.Contact{FirstName: "Margaret", LastName: "Lee", Name: "Margaret Lee", Phone: leeNumber})
		return &vendorFake{
			vendor: crm.VendorSell, token: f.Token(), faults: f.Faults(), clock: clk,
			adapter: func(t *testing.T, tok string) crm.Adapter {
				c, err := sell.New(tok, sell.WithBaseURL(f.URL()), sell.WithHTTPClient(httpClient()))
				if err != nil {
					t.Fatal(err)
				}
				return c
			},
			createCall: "POST /v2/calls", createTask: "POST /v2/tasks", findCall: "GET /v2/calls", findTask: "GET /v2/tasks",
			rateLimit:   crmtest.Status(429, `{"errors":[{"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded"}}]}`, http.Header{"Retry-After": {"7"}}),
			serverError: crmtest.Status(500, `{"errors":[{"error":{"code":"server_error","message":"Internal server error"}}]}`, nil),
			outcome:     "101", badOutcome: "999", contactID: strconv.FormatInt(lee, 10),
			calls: func() map[string]int {
				out := map[string]int{}
				for _, c := range f.Calls() {
					out[c.ExternalID]++
				}
				return out
			},
			callWho: func(id string) string {
				for _, c := range f.Calls() {
					if c.ExternalID == id && c.ResourceType == "contact" {
						return strconv.FormatInt(c.ResourceID, 10)
					}
				}
				return ""
			},
			tasks: func([]string) map[string]int {
				var texts []string
				for _, t := range f.Tasks() {
					texts = append(texts, t.Content)
				}
				return countTags(texts)
			},
			expire: f.ExpireToken, renew: f.RenewToken,
			rename: func(t *testing.T, last string) {
				f.AddContact(sellfake.Contact{ID: lee, FirstName: "Margaret", LastName: last, Name: "Margaret " + last, Phone: leeNumber})
			},
			add: func(first, last, phone string) {
				f.AddContact(sellfake.Contact{FirstName: first, LastName: last, Name: first + " " + last, Phone: phone})
			},
		}
	},
	func(t *testing.T) *vendorFake {
		clk := crmtest.NewManualClock(time.Now())
		f, err := zohofake.New(zohofake.WithClock(clk))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(f.Close)
		lee := f.AddContact(zohofake.Contact{FirstName: "Margaret", LastName: "Lee", Phone: leeNumber})
		texts := func(module string) []string {
			var out []string
			for _, r := range f.Records(module) {
				out = append(out, r.Str("Description"))
			}
			return out
		}
		return &vendorFake{
			vendor: crm.VendorZoho, token: f.Token(), faults: f.Faults(), clock: clk,
			adapter: func(t *testing.T, tok string) crm.Adapter {
				c, err := zoho.New(tok, zoho.WithBaseURL(f.URL()), zoho.WithHTTPClient(httpClient()))
				if err != nil {
					t.Fatal(err)
				}
				return c
			},
			createCall: "POST /crm/v2/Calls", createTask: "POST /crm/v2/Tasks",
			findCall: "GET /crm/v2/Calls/search", findTask: "GET /crm/v2/Tasks/search",
			rateLimit:   crmtest.Status(429, `{"code":"TOO_MANY_REQUESTS","details":{},"message":"too many requests","status":"error"}`, http.Header{"Retry-After": {"7"}}),
			serverError: crmtest.Status(500, `{"code":"INTERNAL_ERROR","details":{},"message":"Internal Server Error","status":"error"}`, nil),
			outcome:     "Interested", badOutcome: "Gatekeeper", contactID: lee,
			calls: func() map[string]int { return countTags(texts("Calls")) },
			callWho: func(id string) string {
				for _, r := range f.Records("Calls") {
					if strings.Contains(r.Str("Description"), zoho.Tag(id)) {
						return r.Lookup("Who_Id")
					}
				}
				return ""
			},
			tasks:  func([]string) map[string]int { return countTags(texts("Tasks")) },
			expire: f.ExpireToken, renew: f.RenewToken,
			rename: func(t *testing.T, last string) {
				f.AddContact(zohofake.Contact{ID: lee, FirstName: "Margaret", LastName: last, Phone: leeNumber})
			},
			add: func(first, last, phone string) {
				f.AddContact(zohofake.Contact{FirstName: first, LastName: last, Phone: phone})
			},
		}
	},
}

// venv is a store and a worker clock for one vendor's fake.
type venv struct {
	t       *testing.T
	f       *vendorFake
	st      *store.Store
	clk     *vclock
	outcome int64
	notes   map[string]string
}

// forEachVendor runs fn as a parallel subtest per vendor.
func forEachVendor(t *testing.T, fn func(t *testing.T, e *venv)) {
	for _, mk := range vendorFakes {
		f := mk(t)
		t.Run(string(f.vendor), func(t *testing.T) {
			t.Parallel()
			fn(t, newVenv(t, f))
		})
	}
}

func newVenv(t *testing.T, f *vendorFake) *venv {
	t.Helper()
	e := &venv{t: t, f: f, clk: &vclock{now: time.Now().Round(0)}, notes: map[string]string{}}
	st, err := store.Open(filepath.Join(t.TempDir(), "pitchline.db"), store.WithClock(e.clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st
	ctx := context.Background()
	if err := st.ConnectVendor(ctx, StoreVendor(f.vendor)); err != nil {
		t.Fatal(err)
	}
	o, err := st.CreateOutcome(ctx, "Talked to the buyer")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetOutcomeMapping(ctx, o.ID, StoreVendor(f.vendor), f.outcome); err != nil {
		t.Fatal(err)
	}
	e.outcome = o.ID
	return e
}

func (e *venv) worker(a crm.Adapter) *Worker {
	e.t.Helper()
	w, err := New(e.st, a, WithClock(e.clk), WithBackoff(100*time.Millisecond, 30*time.Second), WithLogger(slog.New(slog.DiscardHandler)),
		WithJitterSource(func() float64 { return 0.5 }))
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// pulled returns a worker on a fresh adapter after a full pull, so that
// calls to leeNumber carry the vendor's contact id.
func (e *venv) pulled(token string) *Worker {
	e.t.Helper()
	w := e.worker(e.f.adapter(e.t, token))
	if res, err := w.Pull(e.t.Context(), true); err != nil || res.Counts["contacts"] < 1 {
		e.t.Fatalf("pull: %+v %v", res, err)
	}
	return w
}

// logCalls records n finished calls to Margaret Lee with saved forms;
// every taskEvery-th has a follow-up task. It returns the call ids.
func (e *venv) logCalls(n, taskEvery int, outcome ...int64) []string {
	e.t.Helper()
	oc := e.outcome
	if len(outcome) > 0 {
		oc = outcome[0]
	}
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := make([]string, n)
	for i := range ids {
		id := uuid.NewString()
		at := start.Add(time.Duration(len(e.notes)) * time.Minute)
		rec := store.CallRecord{ID: id, Direction: store.Outbound, From: "+15550100001", To: leeNumber, Account: "sip:rep@pbx.example",
			Started: at, Answered: at.Add(5 * time.Second), Ended: at.Add(47 * time.Second), Duration: 42 * time.Second,
			Status: store.StatusCompleted, SIPCode: 200}
		if err := e.st.LogCall(ctx, rec); err != nil {
			e.t.Fatal(err)
		}
		form := store.OutcomeForm{OutcomeID: oc, Notes: fmt.Sprintf("call %d: wants a demo", len(e.notes))}
		if taskEvery > 0 && i%taskEvery == 0 {
			form.Task = &store.TaskInput{Title: fmt.Sprintf("Send quote %d", len(e.notes)), Due: at.Add(24 * time.Hour)}
		}
		if err := e.st.SaveForm(ctx, id, form); err != nil {
			e.t.Fatal(err)
		}
		e.notes[id] = form.Notes
		ids[i] = id
	}
	return ids
}

// taskIDs returns the ids of the tasks of the calls.
func (e *venv) taskIDs(calls []string) []string {
	e.t.Helper()
	var out []string
	for _, id := range calls {
		ts, err := e.st.TasksForCall(context.Background(), id)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, t := range ts {
			out = append(out, t.ID)
		}
	}
	return out
}

func once(t *testing.T, what string, got map[string]int, want []string) {
	t.Helper()
	lost, dup, total := 0, 0, 0
	for _, id := range want {
		switch got[id] {
		case 0:
			lost++
		case 1:
		default:
			dup++
		}
	}
	for _, n := range got {
		total += n
	}
	if lost > 0 || dup > 0 || total != len(want) {
		t.Fatalf("%ss: %d lost, %d duplicated, %d records for %d", what, lost, dup, total, len(want))
	}
}

// exactlyOnce checks the CRM holds every call and task once, each call
// linked to Margaret Lee, and the store knows them as synced; each task
// knows its call's remote id (it was sent after the call).
func (e *venv) exactlyOnce(calls []string) {
	e.t.Helper()
	ctx := context.Background()
	once(e.t, "call", e.f.calls(), calls)
	tasks := e.taskIDs(calls)
	once(e.t, "task", e.f.tasks(tasks), tasks)
	for _, id := range calls {
		if who := e.f.callWho(id); who != e.f.contactID {
			e.t.Fatalf("call %s linked to contact %q, want %q", id, who, e.f.contactID)
		}
		rec, err := e.st.Call(ctx, id)
		if err != nil || len(rec.Sync) != 1 || rec.Sync[0].State != store.OutboxSynced || rec.Sync[0].RemoteID == "" {
			e.t.Fatalf("call %s local sync state %+v (%v)", id, rec.Sync, err)
		}
		ts, _ := e.st.TasksForCall(ctx, id)
		for _, tk := range ts {
			ct, err := e.st.TaskForSync(ctx, tk.ID, StoreVendor(e.f.vendor))
			if err != nil || ct.CallID != rec.Sync[0].RemoteID {
				e.t.Fatalf("task %s follows call %q, want %q (%v)", tk.ID, ct.CallID, rec.Sync[0].RemoteID, err)
			}
			if e.f.taskCall != nil {
				if got := e.f.taskCall(tk.ID); got != ct.CallID {
					e.t.Fatalf("task %s is linked to call %q at the CRM, want %q", tk.ID, got, ct.CallID)
				}
			}
		}
	}
	c, err := e.st.OutboxCounts(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if n := c[StoreVendor(e.f.vendor)]; n[store.OutboxPending]+n[store.OutboxInFlight]+n[store.OutboxFailed] != 0 {
		e.t.Fatalf("outbox %v", n)
	}
}

func (e *venv) arm(req string, n int, f crmtest.Fault) {
	e.t.Helper()
	m, p := split(req)
	if err := e.f.faults.FailPath(m, p, n, f); err != nil {
		e.t.Fatal(err)
	}
}

func TestVendorsFaultsExactlyOnce(t *testing.T) {
	forEachVendor(t, func(t *testing.T, e *venv) {
		w := e.pulled(e.f.token)
		// One wave of calls per fault, so that each fault meets a create
		// request whatever the vendor's batch size.
		waves := []struct {
			name  string
			arm   func()
			tasks bool
		}{
			{"429 with Retry-After", func() { e.arm(e.f.createCall, 1, e.f.rateLimit) }, false},
			{"500", func() { e.arm(e.f.createCall, 1, e.f.serverError) }, false},
			{"timeout", func() { e.arm(e.f.createCall, 1, crmtest.Timeout()) }, false},
			{"reset", func() { e.arm(e.f.createCall, 1, crmtest.Reset()) }, false},
			{"lost response, lookup fails once", func() {
				e.arm(e.f.createCall, 1, crmtest.Reset().AfterServe()) // created, the client sees a reset
				e.arm(e.f.findCall, 1, crmtest.Reset())
			}, false},
			{"malformed JSON", func() { e.arm(e.f.createCall, 1, crmtest.MalformedJSON().AfterServe()) }, false},
			// Tasks whose create result is lost or unreadable (created both
			// times) are looked up rather than created again.
			{"task lost response", func() {
				e.arm(e.f.createTask, 1, crmtest.Reset().AfterServe())
				e.arm(e.f.findTask, 1, e.f.serverError)
			}, true},
			{"task malformed JSON", func() { e.arm(e.f.createTask, 1, crmtest.MalformedJSON().AfterServe()) }, true},
		}
		var calls []string
		for _, wave := range waves {
			every := 0
			if wave.tasks {
				every = 2
			}
			calls = append(calls, e.logCalls(3, every)...)
			wave.arm()
			p, err := w.Drain(t.Context())
			if err != nil {
				t.Fatalf("%s: %v", wave.name, err)
			}
			if n := e.f.faults.Pending(); n != 0 {
				t.Fatalf("%s: %d fault rules never hit", wave.name, n)
			}
			if p.Pending != 0 || p.Failed != 0 {
				t.Fatalf("%s: progress %+v", wave.name, p)
			}
			e.exactlyOnce(calls)
		}
		if e.clk.maxWait() < 7*time.Second || e.clk.maxWait() > 30*time.Second {
			t.Fatalf("longest wait %s: want Retry-After 7s honoured, the 30s cap kept", e.clk.maxWait())
		}
	})
}

func TestVendorsExpiredTokenKeepsQueue(t *testing.T) {
	forEachVendor(t, func(t *testing.T, e *venv) {
		w := e.pulled(e.f.token)
		calls := e.logCalls(6, 3)
		e.f.expire()
		_, err := w.Drain(t.Context())
		if !errors.Is(err, crm.ErrAuth) {
			t.Fatalf("drain with an expired token: %v", err)
		}
		if st := w.Status(); st.State != StateReconnect || !strings.Contains(st.Reason, "reconnect your CRM") {
			t.Fatalf("status %+v", st)
		}
		c, _ := e.st.OutboxCounts(t.Context())
		if n := c[StoreVendor(e.f.vendor)]; n[store.OutboxPending] != 8 || n[store.OutboxFailed] != 0 {
			t.Fatalf("queue after the auth failure %v, want 8 pending", n)
		}
		if len(e.f.calls()) != 0 {
			t.Fatal("calls created with an expired token")
		}
		// The user reconnects with a new token.
		e.f.renew("renewed-token")
		if _, err := e.worker(e.f.adapter(t, "renewed-token")).Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.exactlyOnce(calls)
	})
}

func TestVendorsRejectedItemRetry(t *testing.T) {
	forEachVendor(t, func(t *testing.T, e *venv) {
		ctx := t.Context()
		w := e.pulled(e.f.token)
		good := e.logCalls(3, 0)
		bad, err := e.st.CreateOutcome(ctx, "Gatekeeper")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.SetOutcomeMapping(ctx, bad.ID, StoreVendor(e.f.vendor), e.f.badOutcome); err != nil {
			t.Fatal(err)
		}
		badCall := e.logCalls(1, 1, bad.ID)[0]
		p, err := w.Drain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The rejected call fails with the vendor's reason; its task waits.
		rec, _ := e.st.Call(ctx, badCall)
		if p.Failed != 1 || len(rec.Sync) != 1 || rec.Sync[0].State != store.OutboxFailed || rec.Sync[0].Error == "" {
			t.Fatalf("progress %+v, call sync %+v", p, rec.Sync)
		}
		// (Its task is not held back: the follow-up matters on its own, and
		// a task waiting for a call that needs a person would never drain.)
		if e.f.calls()[badCall] != 0 {
			t.Fatal("the rejected call exists at the CRM")
		}
		// The admin fixes the mapping and retries the call by hand.
		if err := e.st.SetOutcomeMapping(ctx, bad.ID, StoreVendor(e.f.vendor), e.f.outcome); err != nil {
			t.Fatal(err)
		}
		var item int64
		for id := int64(1); id < 100; id++ {
			if it, err := e.st.Item(ctx, id); err == nil && it.RefID == badCall {
				item = id
			}
		}
		if err := e.st.Retry(ctx, item); err != nil {
			t.Fatal(err)
		}
		if p, err := w.Drain(ctx); err != nil || p.Failed != 0 || p.Pending != 0 {
			t.Fatalf("drain after retry %+v %v", p, err)
		}
		e.f.taskCall = nil // its task was created while the call was parked, so it is not linked to it
		e.exactlyOnce(append(good, badCall))
	})
}

func TestVendorsTasksAfterCalls(t *testing.T) {
	forEachVendor(t, func(t *testing.T, e *venv) {
		w := e.pulled(e.f.token)
		// The first call create fails temporarily: its task must wait.
		e.arm(e.f.createCall, 1, e.f.serverError)
		calls := e.logCalls(5, 1)
		if _, err := w.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		e.exactlyOnce(calls)
		cm, cp := split(e.f.createCall)
		tm, tp := split(e.f.createTask)
		created, tasks := 0, 0
		for _, l := range e.f.faults.Log() {
			switch {
			case l.Method == cm && l.Path == cp && l.Status >= 200 && l.Status < 300:
				created++
			case l.Method == tm && l.Path == tp:
				tasks++
				if created == 0 {
					t.Fatal("a task was sent before any call was created")
				}
			}
		}
		if tasks != 5 {
			t.Fatalf("%d task requests, want 5", tasks)
		}
	})
}

func TestVendorsPullFullThenIncremental(t *testing.T) {
	forEachVendor(t, func(t *testing.T, e *venv) {
		ctx := t.Context()
		w := e.worker(e.f.adapter(t, e.f.token))
		res, err := w.Pull(ctx, false) // never pulled: a full pull
		if err != nil || !res.Full || res.Counts["contacts"] != 1 {
			t.Fatalf("first pull %+v %v", res, err)
		}
		if cid, ok := e.st.LookupNumber(leeNumber); !ok || cid.Name != "Margaret Lee" {
			t.Fatalf("caller id after the full pull: %+v %v", cid, ok)
		}
		e.f.clock.Advance(2 * time.Second)
		e.f.rename(t, "Lee-Park")
		e.f.add("Kenji", "Sato", "+81312345678")
		res, err = w.Pull(ctx, false)
		if err != nil || res.Full || res.Counts["contacts"] < 2 || res.Counts["contacts"] > 3 {
			t.Fatalf("incremental pull %+v %v", res, err)
		}
		if cid, ok := e.st.LookupNumber(leeNumber); !ok || cid.Name != "Margaret Lee-Park" {
			t.Fatalf("renamed contact %+v", cid)
		}
		if cid, ok := e.st.LookupNumber("+81312345678"); !ok || cid.Name != "Kenji Sato" {
			t.Fatalf("new contact %+v", cid)
		}
		last, _, counts, err := e.st.SyncState(ctx, StoreVendor(e.f.vendor))
		if err != nil || last.IsZero() || counts["contacts"] != res.Counts["contacts"] {
			t.Fatalf("sync state %s %v %v", last, counts, err)
		}
	})
}

package cli_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
	"github.com/pitchline/pitchline/softphone/store"
)

// Crash test (issue 4 §8): a real `pitchline crm sync` is killed with
// SIGKILL while a create request is in flight, then started again; the
// fake CRM must end up holding every call and task exactly once.
//
// The kill lands deterministically: a gate in front of the fake holds the
// chosen create request, either before the fake sees it ("before": the
// request is lost) or after the fake applied it ("after": the CRM has the
// records, the response is lost). The gate signals the test, which kills
// the child while the request is held.

const (
	crashCalls     = 300
	crashTaskEvery = 10 // every 10th call has a follow-up task
)

// gate is an http.Handler in front of a fake vendor. It holds the at-th
// request that match accepts until the client goes away (or the test
// ends), after passing it to next when served is true.
type gate struct {
	next    http.Handler
	match   func(*http.Request) bool
	at      int
	served  bool
	reached chan struct{} // closed when the request is held
	release chan struct{} // closed at cleanup

	mu sync.Mutex
	n  int
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.match(r) {
		g.mu.Lock()
		g.n++
		hit := g.n == g.at
		g.mu.Unlock()
		if hit {
			if g.served {
				g.next.ServeHTTP(httptest.NewRecorder(), r) // the CRM applies it; the answer is never sent
			} else {
				io.Copy(io.Discard, r.Body) // lets net/http notice the client's death
			}
			close(g.reached)
			select {
			case <-r.Context().Done():
			case <-g.release:
			}
			return
		}
	}
	g.next.ServeHTTP(w, r)
}

// crashVendor is one CRM under test.
type crashVendor struct {
	vendor crm.Vendor
	// start starts the fake and returns its handler (with the fake's own
	// fault injector and limits), the path prefix of its API root, the
	// token, the create-call matcher, a count of calls by local id and a
	// count of tasks by local id.
	start func(t *testing.T) crashFake
}

type crashFake struct {
	handler   http.Handler
	prefix    string
	token     string
	isCreate  func(*http.Request) bool // a call-create request
	isTask    func(*http.Request) bool // a task-create request
	calls     func() map[string]int    // local call id -> records at the CRM
	tasks     func() map[string]int    // local task id, or title when the CRM keeps no id -> records
	tasksByID bool                     // tasks() is keyed by task id (else by title)
}

var tagRE = regexp.MustCompile(`\[pitchline:([0-9a-f-]{36})\]`)

func countTags(texts []string) map[string]int {
	out := map[string]int{}
	for _, s := range texts {
		for _, m := range tagRE.FindAllStringSubmatch(s, -1) {
			out[m[1]]++
		}
	}
	return out
}

var crashVendors = []crashVendor{
	{vendor: crm.VendorHubSpot, start: func(t *testing.T) crashFake {
		fake, err := hubspotfake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fake.Close() })
		return crashFake{
			handler: fake.Handler(), token: "test-token",
			isCreate: func(r *http.Request) bool {
				return r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/calls/batch/create"
			},
			isTask: func(r *http.Request) bool {
				return r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/tasks"
			},
			calls: fake.CallsByExternalID,
			tasks: func() map[string]int {
				out := map[string]int{}
				for _, o := range fake.Tasks() {
					out[o.Properties["hs_task_subject"]]++
				}
				return out
			},
		}
	}},
	{vendor: crm.VendorPipedrive, start: func(t *testing.T) crashFake {
		fake, err := pipedrivefake.New(pipedrivefake.WithBurstLimit(100_000))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		return crashFake{
			handler: fake.Faults(), prefix: "/v1", token: fake.Token(), tasksByID: true,
			isCreate: func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/v1/callLogs" },
			isTask:   func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/v1/activities" },
			calls: func() map[string]int {
				var notes []string
				for _, l := range fake.CallLogs() {
					notes = append(notes, l.Note)
				}
				return countTags(notes)
			},
			tasks: func() map[string]int {
				var notes []string
				for _, a := range fake.Activities() {
					notes = append(notes, a.Note)
				}
				return countTags(notes)
			},
		}
	}},
	{vendor: crm.VendorSell, start: func(t *testing.T) crashFake {
		fake, err := sellfake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		return crashFake{
			handler: fake.Faults(), token: fake.Token(), tasksByID: true,
			isCreate: func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/v2/calls" },
			isTask:   func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/v2/tasks" },
			calls: func() map[string]int { // Sell keeps the local id in external_id
				out := map[string]int{}
				for _, c := range fake.Calls() {
					out[c.ExternalID]++
				}
				return out
			},
			tasks: func() map[string]int { // and a task's in the tag at the end of its content
				var contents []string
				for _, tk := range fake.Tasks() {
					contents = append(contents, tk.Content)
				}
				return countTags(contents)
			},
		}
	}},
	{vendor: crm.VendorZoho, start: func(t *testing.T) crashFake {
		fake, err := zohofake.New(zohofake.WithCredits(100_000))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		texts := func(module string) []string {
			var out []string
			for _, r := range fake.Records(module) {
				out = append(out, r.Str("Description"))
			}
			return out
		}
		return crashFake{
			handler: fake.Faults(), prefix: "/crm/v2", token: fake.Token(), tasksByID: true,
			isCreate: func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/crm/v2/Calls" },
			isTask:   func(r *http.Request) bool { return r.Method == http.MethodPost && r.URL.Path == "/crm/v2/Tasks" },
			calls:    func() map[string]int { return countTags(texts("Calls")) },
			tasks:    func() map[string]int { return countTags(texts("Tasks")) },
		}
	}},
}

func TestCrashMidSyncExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test builds on the real binary; skipped with -short")
	}
	type killPoint struct {
		name   string
		task   bool // hold a task create instead of a call create
		at     int  // which matching request (1-based)
		served bool
	}
	for _, v := range crashVendors {
		// HubSpot sends 100 calls per request (3 in all), Zoho 100 per
		// request, Pipedrive and Sell one.
		mid := 2
		if v.vendor == crm.VendorPipedrive || v.vendor == crm.VendorSell {
			mid = 137
		}
		points := []killPoint{
			{name: "before-call-create", at: mid},
			{name: "after-call-create", at: mid, served: true},
			{name: "after-first-call-create", at: 1, served: true},
			{name: "after-task-create", task: true, at: 7, served: true},
			{name: "before-task-create", task: true, at: 3},
		}
		if v.vendor != crm.VendorHubSpot {
			points = append(points[:2], points[3:]...) // the first batch: HubSpot only
		}
		for _, kp := range points {
			t.Run(string(v.vendor)+"/"+kp.name, func(t *testing.T) {
				t.Parallel()
				crashOnce(t, v, kp.task, kp.at, kp.served)
			})
		}
	}
}

func crashOnce(t *testing.T, v crashVendor, task bool, at int, served bool) {
	fake := v.start(t)
	match := fake.isCreate
	if task {
		match = fake.isTask
	}
	g := &gate{next: fake.handler, match: match, at: at, served: served, reached: make(chan struct{}), release: make(chan struct{})}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(g.release) }) // runs first: frees a held request
	base := srv.URL + fake.prefix
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"CRM_TOKEN=" + fake.token}
	const T = 60 * time.Second

	if r := run(t, env, T, "crm", "connect", string(v.vendor), "--base-url", base, "--token-env", "CRM_TOKEN", "--data-dir", data); r.code != 0 {
		t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
	}
	calls, tasks := queueCalls(t, filepath.Join(data, "pitchline.db"), v.vendor)

	// First run: killed while the gate holds its request.
	cmd := exec.Command(bin, "crm", "sync", "--json", "--token-env", "CRM_TOKEN", "--data-dir", data)
	cmd.Env = append(os.Environ(), env...)
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-g.reached:
	case err := <-exited:
		t.Fatalf("sync ended (%v) before the kill point; output:\n%s", err, out.String())
	case <-time.After(T):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("kill point never reached; output:\n%s", out.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-exited
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("first sync ended with %v, want killed by SIGKILL", err)
	}
	// The kill landed mid-sync: part of the queue is still unsent.
	before := fake.calls()
	st, err := store.Open(filepath.Join(data, "pitchline.db"))
	if err != nil {
		t.Fatal(err)
	}
	counts, err := st.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	syncedCalls := 0
	for _, id := range calls {
		rec, err := st.Call(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Sync) == 1 && rec.Sync[0].State == store.OutboxSynced {
			syncedCalls++
		}
	}
	st.Close()
	c := counts[store.Vendor(v.vendor)]
	if c[store.OutboxInFlight] == 0 || (task || at > 1) && c[store.OutboxSynced] == 0 {
		t.Fatalf("outbox after the kill %v: the kill did not land mid-sync", c)
	}
	if held := len(before) - syncedCalls; !task && (served && held <= 0 || !served && held != 0) {
		t.Fatalf("the CRM holds %d calls, %d synced locally (held request applied: %v)", len(before), syncedCalls, served)
	}

	// Second run: completes, exit 0.
	r := run(t, env, T, "crm", "sync", "--json", "--token-env", "CRM_TOKEN", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("sync after the crash: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	if last := lines[len(lines)-1]; last["event"] != "done" || last["pending"] != float64(0) || last["failed"] != float64(0) {
		t.Fatalf("second sync ended with %v", last)
	}
	exactlyOnce(t, "call", fake.calls(), calls)
	want := tasks
	if !fake.tasksByID {
		want = titles(len(calls))
	}
	exactlyOnce(t, "task", fake.tasks(), want)
}

// exactlyOnce fails unless got holds each of want once and nothing else.
func exactlyOnce(t *testing.T, what string, got map[string]int, want []string) {
	t.Helper()
	lost, dup := 0, 0
	for _, id := range want {
		switch got[id] {
		case 0:
			lost++
		case 1:
		default:
			dup++
		}
	}
	total := 0
	for _, n := range got {
		total += n
	}
	if lost > 0 || dup > 0 || total != len(want) {
		t.Fatalf("%ss at the CRM: %d lost, %d duplicated, %d records for %d", what, lost, dup, total, len(want))
	}
}

func titles(n int) []string {
	var out []string
	for i := 0; i < n; i += crashTaskEvery {
		out = append(out, fmt.Sprintf("Send the quote (call %d)", i))
	}
	return out
}

// queueCalls records crashCalls finished calls with saved forms in the
// store at path, as the app does at the end of each call, and returns the
// call ids and the task ids.
func queueCalls(t *testing.T, path string, v crm.Vendor) (calls, tasks []string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if vs, err := st.ConnectedVendors(ctx); err != nil || len(vs) != 1 || vs[0] != store.Vendor(v) {
		t.Fatalf("connected vendors %v %v", vs, err)
	}
	outs, err := st.Outcomes(ctx, false)
	if err != nil || len(outs) == 0 {
		t.Fatalf("outcomes %v %v", outs, err)
	}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < crashCalls; i++ {
		id := uuid.NewString()
		at := start.Add(time.Duration(i) * time.Minute)
		rec := store.CallRecord{ID: id, Direction: store.Outbound, From: "+15550100001", To: fmt.Sprintf("+1555010%04d", i),
			Account: "sip:rep@pbx.example", Started: at, Answered: at.Add(5 * time.Second), Ended: at.Add(47 * time.Second),
			Duration: 42 * time.Second, Status: store.StatusCompleted, SIPCode: 200}
		if err := st.LogCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
		form := store.OutcomeForm{OutcomeID: outs[0].ID, Notes: fmt.Sprintf("call %d", i)}
		if i%crashTaskEvery == 0 {
			form.Task = &store.TaskInput{Title: fmt.Sprintf("Send the quote (call %d)", i), Due: at.Add(24 * time.Hour)}
		}
		if err := st.SaveForm(ctx, id, form); err != nil {
			t.Fatal(err)
		}
		calls = append(calls, id)
		if form.Task != nil {
			ts, err := st.TasksForCall(ctx, id)
			if err != nil || len(ts) != 1 {
				t.Fatalf("tasks of call %s: %v %v", id, ts, err)
			}
			tasks = append(tasks, ts[0].ID)
		}
	}
	return calls, tasks
}

// lockedBuffer collects a child's output written from two pipes.
type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}

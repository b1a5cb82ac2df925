package hubspot

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
)

func TestNewOptions(t *testing.T) {
	if _, err := New(""); !errors.Is(err, ErrNoToken) {
		t.Fatalf("empty token: %v", err)
	}
	if _, err := New("x", WithBaseURL("not a url")); !errors.Is(err, ErrBadOption) {
		t.Fatalf("bad url: %v", err)
	}
	c, err := New("x", WithObjectsPath("/crm/objects/2026-03"))
	if err != nil || c.callsPath != "/crm/objects/2026-03/calls" || c.base != DefaultBaseURL {
		t.Fatalf("dated paths: %v %+v", err, c)
	}
	if c.Vendor() != crm.VendorHubSpot || c.MaxBatch() != 100 {
		t.Fatal("vendor/maxbatch")
	}
}

func TestCheckAndOutcomes(t *testing.T) {
	_, c := newPair(t, []hubspotfake.Option{hubspotfake.WithTimeZone("America/New_York")})
	acct, err := c.Check(t.Context())
	if err != nil || acct.Vendor != crm.VendorHubSpot || acct.ID != "62515" {
		t.Fatalf("check: %+v %v", acct, err)
	}
	if loc := c.loc.Load(); loc == nil || loc.String() != "America/New_York" {
		t.Fatalf("portal time zone not learnt: %v", loc)
	}
	outs, err := c.Outcomes(t.Context())
	if err != nil || len(outs) != len(hubspotfake.DefaultDispositions) {
		t.Fatalf("outcomes: %v %v", outs, err)
	}
	if outs[1].Value != "f240bbac-87c9-4f6e-bf70-924b57d47db7" || outs[1].Label != "Connected" {
		t.Fatalf("outcome %+v", outs[1])
	}
}

func TestCreate250CallsInThreeRequests(t *testing.T) {
	fake, c := newPair(t, nil)
	contact := fake.AddContact(map[string]string{"firstname": "Margaret", "phone": "+15551234567"})
	deal := fake.AddDeal(map[string]string{"dealname": "Renewal"}, "", contact)
	calls := makeCalls(250, contact, deal)
	created := 0
	for start := 0; start < len(calls); start += c.MaxBatch() {
		batch := calls[start:min(start+c.MaxBatch(), len(calls))]
		res, err := c.CreateCalls(t.Context(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			if r.Err != nil || r.RemoteID == "" || r.LocalID != batch[i].ID {
				t.Fatalf("result %d: %+v", i, r)
			}
			created++
		}
	}
	posts := 0
	for _, e := range fake.Faults().Log() {
		if e.Method == http.MethodPost && strings.HasSuffix(e.Path, "/calls/batch/create") {
			posts++
			if e.Status != http.StatusCreated {
				t.Fatalf("batch answered %d", e.Status)
			}
		}
	}
	if posts != 3 || created != 250 || len(fake.Calls()) != 250 {
		t.Fatalf("posts %d created %d stored %d", posts, created, len(fake.Calls()))
	}
	got, ok := fake.CallByExternalID(calls[7].ID)
	if !ok {
		t.Fatal("call 7 not stored under its external id")
	}
	p := got.Properties
	want := map[string]string{
		"hs_timestamp": "1772442420000", "hs_call_duration": "60000", "hs_call_direction": "OUTBOUND",
		"hs_call_status": "COMPLETED", "hs_call_to_number": "+15551234567", "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
	if len(got.Associations) != 2 || got.Associations[0].TypeID != 194 || got.Associations[0].ToID != contact ||
		got.Associations[1].TypeID != 206 || got.Associations[1].ToID != deal {
		t.Fatalf("associations %+v", got.Associations)
	}
}

func TestBatchTooLarge(t *testing.T) {
	_, c := newPair(t, nil)
	if _, err := c.CreateCalls(t.Context(), makeCalls(101, "", "")); !errors.Is(err, ErrTooMany) {
		t.Fatalf("err %v", err)
	}
}

func TestPartial207(t *testing.T) {
	fake, c := newPair(t, nil)
	calls := makeCalls(3, "", "")
	calls[1].Outcome = "00000000-dead-beef-0000-000000000000" // not a disposition of this portal
	calls[2].ContactID = "999999"                             // no such contact
	res, err := c.CreateCalls(t.Context(), calls)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil || res[0].RemoteID == "" {
		t.Fatalf("good call: %+v", res[0])
	}
	for _, i := range []int{1, 2} {
		var apiErr *crm.APIError
		if !errors.Is(res[i].Err, crm.ErrRejected) || !errors.As(res[i].Err, &apiErr) || apiErr.Code != "VALIDATION_ERROR" || res[i].RemoteID != "" {
			t.Fatalf("bad call %d: %+v", i, res[i])
		}
	}
	if !strings.Contains(res[1].Err.Error(), "hs_call_disposition") {
		t.Fatalf("message lost: %v", res[1].Err)
	}
	if log := fake.Faults().Log(); log[len(log)-1].Status != http.StatusMultiStatus {
		t.Fatalf("status %d, want 207", log[len(log)-1].Status)
	}
	if len(fake.Calls()) != 1 {
		t.Fatalf("stored %d", len(fake.Calls()))
	}
	// Every input invalid: HubSpot refuses the batch as a whole.
	bad := makeCalls(1, "nope", "")
	if _, err := c.CreateCalls(t.Context(), bad); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("all invalid: %v", err)
	}
	// Local validation never reaches HubSpot.
	res, err = c.CreateCalls(t.Context(), []crm.Call{{ID: "x"}})
	if err != nil || !errors.Is(res[0].Err, crm.ErrRejected) {
		t.Fatalf("no timestamp: %+v %v", res, err)
	}
}

// TestLostResponseNoDuplicate: HubSpot creates the calls, the connection
// is reset before the answer; FindCalls finds them and the retry sends
// nothing again.
func TestLostResponseNoDuplicate(t *testing.T) {
	fake, c := newPair(t, nil)
	calls := makeCalls(40, "", "")
	if err := fake.Faults().FailPath(http.MethodPost, "/crm/v3/objects/calls/batch/create", 1, crmtest.Reset().AfterServe()); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateCalls(t.Context(), calls)
	if !errors.Is(err, crm.ErrTransient) {
		t.Fatalf("lost response: %v, want ErrTransient", err)
	}
	if len(fake.Calls()) != 40 {
		t.Fatalf("fake stored %d before the reset", len(fake.Calls()))
	}
	// What the sync worker does before re-sending an unknown outcome.
	ids := make([]string, len(calls))
	for i, cl := range calls {
		ids[i] = cl.ID
	}
	found, err := c.FindCalls(t.Context(), ids)
	if err != nil {
		t.Fatal(err)
	}
	var retry []crm.Call
	for _, cl := range calls {
		if _, ok := found[cl.ID]; !ok {
			retry = append(retry, cl)
		}
	}
	if len(found) != 40 || len(retry) != 0 {
		t.Fatalf("found %d, would retry %d", len(found), len(retry))
	}
	for ext, n := range fake.CallsByExternalID() {
		if n != 1 {
			t.Fatalf("%s stored %d times", ext, n)
		}
	}
	stored, _ := fake.CallByExternalID(calls[3].ID)
	if found[calls[3].ID] != stored.ID {
		t.Fatalf("FindCalls id %s, stored %s", found[calls[3].ID], stored.ID)
	}
}

func TestFindCallsChunksAndMisses(t *testing.T) {
	_, c := newPair(t, []hubspotfake.Option{hubspotfake.WithSearchRate(1000)}, WithSearchRate(0))
	calls := makeCalls(150, "", "")
	for start := 0; start < 150; start += 100 {
		if _, err := c.CreateCalls(t.Context(), calls[start:min(start+100, 150)]); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{"never-sent"}
	for _, cl := range calls {
		ids = append(ids, cl.ID)
	}
	found, err := c.FindCalls(t.Context(), ids)
	if err != nil || len(found) != 150 {
		t.Fatalf("found %d, %v", len(found), err)
	}
	if _, ok := found["never-sent"]; ok {
		t.Fatal("found a call that was never sent")
	}
}

func TestRateLimitErrors(t *testing.T) {
	t.Run("Retry-After", func(t *testing.T) {
		fake, c := newPair(t, nil)
		body := `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"TEN_SECONDLY_ROLLING"}`
		fake.Faults().FailNext(1, crmtest.Status(429, body, http.Header{"Retry-After": {"7"}}))
		_, err := c.Outcomes(t.Context())
		var rl *crm.RateLimitError
		if !errors.As(err, &rl) || !errors.Is(err, crm.ErrRateLimited) || rl.RetryAfter != 7*time.Second || rl.Daily {
			t.Fatalf("err %v", err)
		}
		if !crm.Retryable(err) || c.Stats().RateLimited != 1 {
			t.Fatal("not retryable / not counted")
		}
	})
	t.Run("ten-secondly without Retry-After", func(t *testing.T) {
		fake, c := newPair(t, []hubspotfake.Option{hubspotfake.WithBurstLimit(2, 10*time.Second)}, WithRateLimit(0, 0))
		for range 2 {
			if _, err := c.Outcomes(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		_, err := c.Outcomes(t.Context())
		var rl *crm.RateLimitError
		if !errors.As(err, &rl) || rl.Daily || rl.RetryAfter <= 0 || rl.RetryAfter > 10*time.Second {
			t.Fatalf("err %v", err)
		}
		if fake.Faults().Counters().RateLimited != 1 {
			t.Fatal("fake did not limit")
		}
	})
	t.Run("daily until midnight", func(t *testing.T) {
		at := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC)
		fclk := crmtest.NewManualClock(at)
		_, c := newPair(t, []hubspotfake.Option{hubspotfake.WithDailyLimit(1), hubspotfake.WithClock(fclk)},
			WithClock(&manualClock{now: at}), WithTimeZone(time.UTC))
		if _, err := c.Outcomes(t.Context()); err != nil {
			t.Fatal(err)
		}
		_, err := c.Outcomes(t.Context())
		var rl *crm.RateLimitError
		if !errors.As(err, &rl) || !rl.Daily || rl.RetryAfter != 4*time.Hour {
			t.Fatalf("err %v", err)
		}
		fclk.Advance(4 * time.Hour) // a new day in the portal's zone
		if _, err := c.Outcomes(t.Context()); err != nil {
			t.Fatalf("after midnight: %v", err)
		}
	})
}

func TestTransientFailures(t *testing.T) {
	for name, f := range map[string]crmtest.Fault{
		"500":     crmtest.Status(500, `{"status":"error","message":"internal","category":"INTERNAL_ERROR"}`, nil),
		"502":     crmtest.Status(502, "<html>bad gateway</html>", nil),
		"503":     crmtest.Status(503, "", nil),
		"timeout": crmtest.Timeout(),
		"reset":   crmtest.Reset(),
		"423":     crmtest.Status(423, `{"status":"error","message":"locked"}`, nil),
		// A body cut short in transit: outcome unknown, so retry (after
		// FindCalls for creates) rather than mark the item failed.
		"truncated JSON": crmtest.MalformedJSON().AfterServe(),
	} {
		t.Run(name, func(t *testing.T) {
			fake, c := newPair(t, nil, WithHTTPClient(&http.Client{Timeout: 300 * time.Millisecond}))
			fake.Faults().FailNext(1, f)
			_, err := c.CreateCalls(t.Context(), makeCalls(2, "", ""))
			if !errors.Is(err, crm.ErrTransient) || !crm.Retryable(err) {
				t.Fatalf("err %v, want ErrTransient", err)
			}
		})
	}
}

func TestBadResponses(t *testing.T) {
	for name, body := range map[string]string{
		"html page":   "<html><body>maintenance</body></html>",
		"wrong types": `{"status":"COMPLETE","results":"nope"}`,
		"no id":       `{"status":"COMPLETE","results":[{"properties":{}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			fake, c := newPair(t, nil)
			fake.Faults().FailNext(1, crmtest.Status(201, body, nil))
			_, err := c.CreateCalls(t.Context(), makeCalls(1, "", ""))
			if !errors.Is(err, crm.ErrBadResponse) || crm.Retryable(err) {
				t.Fatalf("err %v, want ErrBadResponse", err)
			}
		})
	}
}

func TestAuthErrors(t *testing.T) {
	fake, c := newPair(t, nil)
	fake.Faults().FailNext(1, crmtest.ExpiredToken(""))
	if _, err := c.Check(t.Context()); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("expired fault: %v", err)
	}
	fake.Faults().FailNext(1, crmtest.Status(403, `{"status":"error","message":"This app hasn't been granted all required scopes","category":"MISSING_SCOPES"}`, nil))
	_, err := c.Check(t.Context())
	var apiErr *crm.APIError
	if !errors.Is(err, crm.ErrForbidden) || !errors.As(err, &apiErr) || apiErr.Code != "MISSING_SCOPES" {
		t.Fatalf("403: %v", err)
	}
	fake.ExpireToken(token)
	_, err = c.Check(t.Context())
	if !errors.Is(err, crm.ErrAuth) || !errors.As(err, &apiErr) || apiErr.Code != "EXPIRED_AUTHENTICATION" || apiErr.Status != 401 {
		t.Fatalf("expired token: %v", err)
	}
	other, _ := New("wrong", WithBaseURL("http://"+fake.Addr()))
	if _, err := other.Check(t.Context()); !errors.Is(err, crm.ErrAuth) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	_, c := newPair(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Check(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestCreateTask(t *testing.T) {
	fake, c := newPair(t, nil)
	contact := fake.AddContact(map[string]string{"firstname": "Ann"})
	deal := fake.AddDeal(map[string]string{"dealname": "D"}, "", contact)
	due := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	id, err := c.CreateTask(t.Context(), crm.Task{ID: "t1", Title: "Send pricing", Notes: "PDF", Due: due, Reminder: due.Add(-time.Hour), ContactID: contact, DealID: deal})
	if err != nil || id == "" {
		t.Fatalf("%q %v", id, err)
	}
	tasks := fake.Tasks()
	if len(tasks) != 1 || tasks[0].ID != id {
		t.Fatalf("tasks %+v", tasks)
	}
	p := tasks[0].Properties
	if p["hs_task_subject"] != "Send pricing" || p["hs_timestamp"] != "1772532000000" || p["hs_task_reminders"] != "1772528400000" {
		t.Fatalf("props %v", p)
	}
	if len(tasks[0].Associations) != 2 || tasks[0].Associations[0].TypeID != 204 || tasks[0].Associations[1].TypeID != 216 {
		t.Fatalf("assoc %+v", tasks[0].Associations)
	}
	if _, err := c.CreateTask(t.Context(), crm.Task{ID: "t2", Title: "x", Due: due, ContactID: "404"}); !errors.Is(err, crm.ErrRejected) {
		t.Fatalf("unknown contact: %v", err)
	}
}

// TestTaskExactlyOnce: a task whose create answer was lost is found by
// FindTasks (marker in hs_task_body), which also links it to its call.
func TestTaskExactlyOnce(t *testing.T) {
	fake, c := newPair(t, []hubspotfake.Option{hubspotfake.WithSearchRate(1000)}, WithSearchRate(0))
	call, err := fake.Seed("calls", map[string]string{"hs_timestamp": "1772532000000"})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	task := crm.Task{ID: "5f0c1c2e-0d7e-4a57-9d2e-1b7c3f1a9e10", Title: "Send pricing", Notes: "PDF", Due: due, CallID: call}
	// The task is created and linked, then the link's answer is lost.
	if err := fake.Faults().FailPath("PUT", "/crm/v4/objects/tasks/*/associations/default/calls/*", 1, crmtest.Reset()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTask(t.Context(), task); !errors.Is(err, crm.ErrTransient) {
		t.Fatalf("create with the link lost: %v", err)
	}
	other, err := c.CreateTask(t.Context(), crm.Task{ID: "other", Title: "Other", Due: due})
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.FindTasks(t.Context(), []crm.Task{task, {ID: "missing"}})
	if err != nil || len(found) != 1 || found[task.ID] == "" || found[task.ID] == other {
		t.Fatalf("find tasks: %v %v", found, err)
	}
	tasks := fake.Tasks()
	if len(tasks) != 2 {
		t.Fatalf("%d tasks", len(tasks))
	}
	linked := false
	for _, o := range tasks {
		if o.ID != found[task.ID] {
			continue
		}
		if !strings.Contains(o.Properties["hs_task_body"], "PDF") || !strings.Contains(o.Properties["hs_task_body"], TaskMarker(task.ID)) {
			t.Fatalf("body %q", o.Properties["hs_task_body"])
		}
		for _, a := range o.Associations {
			linked = linked || a.ToType == "calls" && a.ToID == call
		}
	}
	if !linked {
		t.Fatal("FindTasks did not link the task to its call")
	}
	// A fresh create links at once.
	id, err := c.CreateTask(t.Context(), crm.Task{ID: "t3", Title: "Call back", Due: due, CallID: call})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range fake.Tasks() {
		if o.ID == id && (len(o.Associations) != 1 || o.Associations[0].ToID != call) {
			t.Fatalf("new task associations %+v", o.Associations)
		}
	}
}

func TestLookupPhoneAndSearch(t *testing.T) {
	fake, c := newPair(t, []hubspotfake.Option{hubspotfake.WithSearchRate(1000)}, WithSearchRate(0))
	exact := fake.AddContact(map[string]string{"firstname": "Margaret", "lastname": "Lee", "phone": "+15551234567", "hs_timezone": "america_slash_new_york"})
	national := fake.AddContact(map[string]string{"firstname": "Raj", "mobilephone": "5559876543"})
	fake.AddContact(map[string]string{"firstname": "Other", "phone": "+15550000000"})

	got, err := c.LookupPhone(t.Context(), "+15551234567")
	if err != nil || len(got) != 1 || got[0].ID != exact || got[0].TimeZone != "America/New_York" || got[0].Phones[0].Number != "+15551234567" {
		t.Fatalf("exact: %+v %v", got, err)
	}
	got, err = c.LookupPhone(t.Context(), "+15559876543")
	if err != nil || len(got) != 1 || got[0].ID != national || got[0].Phones[0].Label != "mobile" {
		t.Fatalf("national: %+v %v", got, err)
	}
	got, err = c.LookupPhone(t.Context(), "+4930123456")
	if err != nil || len(got) != 0 {
		t.Fatalf("unknown: %+v %v", got, err)
	}
	got, err = c.Search(t.Context(), "margaret", 5)
	if err != nil || len(got) != 1 || got[0].LastName != "Lee" {
		t.Fatalf("search: %+v %v", got, err)
	}
}

func TestSearchPacing(t *testing.T) {
	// The fake allows 4 searches a second; the client paces itself to the
	// same, so 9 lookups in a row are never refused.
	fake, c := newPair(t, nil)
	for range 9 {
		if _, err := c.LookupPhone(t.Context(), "notanumber"); err != nil {
			t.Fatal(err)
		}
	}
	if n := fake.Faults().Counters().RateLimited; n != 0 {
		t.Fatalf("%d searches refused", n)
	}
	if c.Stats().Paced < time.Second {
		t.Fatalf("paced only %s for 9 searches at 4/s", c.Stats().Paced)
	}
}

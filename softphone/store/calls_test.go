package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)

func seeded(t *testing.T) *Store {
	t.Helper()
	s := openTest(t)
	if err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func outbound(id string, start time.Time) CallRecord {
	return CallRecord{ID: id, Direction: Outbound, From: "+15550100001", To: "+1 (555) 010-0199", Account: "sip:rep@pbx.example",
		Started: start, Answered: start.Add(5 * time.Second), Ended: start.Add(47 * time.Second), Duration: 42 * time.Second,
		Status: StatusCompleted, SIPCode: 200}
}

func count(t *testing.T, s *Store, table string) int {
	var n int
	if err := s.db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSaveFormAtomic(t *testing.T) {
	ctx := context.Background()
	for _, point := range []string{"call", "note", "outbox-call", "task", "outbox-task"} {
		t.Run(point, func(t *testing.T) {
			s := seeded(t)
			s.ConnectVendor(ctx, vendorHubSpot)
			s.ConnectVendor(ctx, vendorZoho)
			if err := s.LogCall(ctx, outbound("call-1", t0)); err != nil {
				t.Fatal(err)
			}
			outs, _ := s.Outcomes(ctx, false)
			boom := errors.New("disk on fire")
			s.hook = func(p string) error {
				if p == point {
					return boom
				}
				return nil
			}
			form := OutcomeForm{OutcomeID: outs[0].ID, Notes: "talked about renewal",
				Task: &TaskInput{Title: "Send quote", Due: t0.Add(24 * time.Hour)}}
			if err := s.SaveForm(ctx, "call-1", form); !errors.Is(err, boom) {
				t.Fatalf("SaveForm with failure at %s: %v", point, err)
			}
			c, _ := s.Call(ctx, "call-1")
			if c.FormDone || c.OutcomeID != 0 || c.Notes != "" || len(c.Sync) != 0 {
				t.Fatalf("half-written call: %+v", c)
			}
			if n := count(t, s, "tasks") + count(t, s, "notes") + count(t, s, "outbox"); n != 0 {
				t.Fatalf("%d rows left behind", n)
			}
			s.hook = nil
			if err := s.SaveForm(ctx, "call-1", form); err != nil {
				t.Fatal(err)
			}
			c, _ = s.Call(ctx, "call-1")
			if !c.FormDone || c.OutcomeID != outs[0].ID || c.Notes != form.Notes || len(c.Sync) != 2 || c.ContactID == "" {
				t.Fatalf("saved call: %+v", c)
			}
			if count(t, s, "tasks") != 1 || count(t, s, "notes") != 1 || count(t, s, "outbox") != 4 {
				t.Fatal("want 1 task, 1 note, 4 outbox rows (2 CRMs × call+task)")
			}
		})
	}
}

func TestSaveFormValidation(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	s.LogCall(ctx, outbound("c", t0))
	big := strings.Repeat("x", MaxNotesBytes+1)
	if err := s.SaveForm(ctx, "c", OutcomeForm{Notes: big}); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "4 MiB") {
		t.Errorf("oversized notes: %v", err)
	}
	if err := s.SaveForm(ctx, "nope", OutcomeForm{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown call: %v", err)
	}
	if err := s.SaveForm(ctx, "c", OutcomeForm{OutcomeID: 999}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown outcome: %v", err)
	}
	if err := s.SaveForm(ctx, "c", OutcomeForm{Task: &TaskInput{Title: "x"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("task without due: %v", err)
	}
	if err := s.LogCall(ctx, CallRecord{ID: "x", Direction: "sideways", Status: StatusCompleted}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad direction: %v", err)
	}
}

// TestLongNotesKeptInFull: notes far above the window's 64 Ki-character box
// (pasted from the CLI or the API) are stored whole, byte for byte, through
// LogCall and SaveForm; issue 9 lost such a note.
func TestLongNotesKeptInFull(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	long := strings.Repeat("議事録 line of notes\n", 20000) // ~500 KB, multi-byte
	rec := outbound("c", t0)
	rec.Notes = long
	if err := s.LogCall(ctx, rec); err != nil {
		t.Fatalf("log call with %d bytes of notes: %v", len(long), err)
	}
	if got, err := s.Call(ctx, "c"); err != nil || got.Notes != long {
		t.Fatalf("notes after LogCall: %d bytes, err %v; want %d bytes", len(got.Notes), err, len(long))
	}
	long2 := long + "and more"
	if err := s.SaveForm(ctx, "c", OutcomeForm{Notes: long2}); err != nil {
		t.Fatalf("save form: %v", err)
	}
	if got, err := s.Call(ctx, "c"); err != nil || got.Notes != long2 {
		t.Fatalf("notes after SaveForm: %d bytes, err %v; want %d bytes", len(got.Notes), err, len(long2))
	}
}

func TestMissedCallQueuedAtLog(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	s.ConnectVendor(ctx, vendorZoho)
	missed := CallRecord{ID: "m1", Direction: Inbound, From: "+81 3-1234-5678", To: "+15550100001", Started: t0, Ended: t0.Add(20 * time.Second),
		Status: StatusMissed, SIPCode: 487}
	if err := s.LogCall(ctx, missed); err != nil {
		t.Fatal(err)
	}
	c, _ := s.Call(ctx, "m1")
	if !c.FormDone || len(c.Sync) != 1 || c.Sync[0].Vendor != vendorZoho || c.Sync[0].State != "pending" || c.ContactID == "" {
		t.Fatalf("missed call: %+v", c)
	}
	// A completed call waits for its form.
	s.LogCall(ctx, outbound("o1", t0))
	if c, _ := s.Call(ctx, "o1"); c.FormDone || len(c.Sync) != 0 {
		t.Fatalf("completed call queued before its form: %+v", c)
	}
	// Logging again (an update) never queues twice.
	s.LogCall(ctx, missed)
	if n := count(t, s, "outbox"); n != 1 {
		t.Fatalf("outbox rows %d", n)
	}
	cc, err := s.CallForSync(ctx, "m1", vendorZoho)
	if err != nil || cc.Status != StatusMissed || cc.From != "+81312345678" || !strings.Contains(cc.Title, "田中") || cc.ContactID != "" {
		t.Fatalf("CallForSync: %+v %v", cc, err)
	}
}

func TestOutboxStateMachine(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/o.db"
	clock := t0
	s, err := Open(path, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	s.SeedDemo(ctx)
	s.ConnectVendor(ctx, vendorHubSpot)
	for _, id := range []string{"a", "b", "c"} {
		rec := outbound(id, t0)
		rec.FormDone = true
		if err := s.LogCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	due, err := s.Due(ctx, vendorHubSpot, clock, 10)
	if err != nil || len(due) != 3 || due[0].State != OutboxPending || due[0].Uncertain {
		t.Fatalf("Due: %+v %v", due, err)
	}
	a, b, c := due[0].ID, due[1].ID, due[2].ID
	// a: in flight then synced.
	must(t, s.MarkInFlight(ctx, a))
	must(t, s.MarkSynced(ctx, a, "hs-1"))
	must(t, s.MarkSynced(ctx, a, "hs-1")) // idempotent
	if err := s.MarkFailed(ctx, a, "x", clock, false); !errors.Is(err, ErrBadState) {
		t.Errorf("fail after synced: %v", err)
	}
	// b: temporary failure, due again later.
	must(t, s.MarkInFlight(ctx, b))
	must(t, s.MarkFailed(ctx, b, "503", clock.Add(time.Minute), false))
	// c: in flight when the process "crashes".
	must(t, s.MarkInFlight(ctx, c))
	due, _ = s.Due(ctx, vendorHubSpot, clock, 10)
	if len(due) != 0 {
		t.Fatalf("due right after: %+v", due)
	}
	due, _ = s.Due(ctx, vendorHubSpot, clock.Add(time.Minute), 10)
	if len(due) != 1 || due[0].ID != b || due[0].Attempts != 1 || due[0].LastError != "503" || due[0].Uncertain {
		t.Fatalf("due later: %+v", due)
	}
	s.Close()

	s, err = Open(path, WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	due, _ = s.Due(ctx, vendorHubSpot, clock, 10)
	if len(due) != 1 || due[0].ID != c || !due[0].Uncertain || due[0].State != OutboxInFlight {
		t.Fatalf("after restart: %+v", due)
	}
	must(t, s.MarkInFlight(ctx, c))
	must(t, s.MarkFailed(ctx, c, "422 bad property", time.Time{}, true))
	it, _ := s.Item(ctx, c)
	if it.State != OutboxFailed || it.Attempts != 2 || !it.Uncertain {
		t.Fatalf("failed item: %+v", it)
	}
	if err := s.MarkInFlight(ctx, c); !errors.Is(err, ErrBadState) {
		t.Errorf("in flight from failed: %v", err)
	}
	must(t, s.Retry(ctx, c))
	counts, _ := s.OutboxCounts(ctx)
	if counts[vendorHubSpot][OutboxSynced] != 1 || counts[vendorHubSpot][OutboxPending] != 2 {
		t.Fatalf("counts %v", counts)
	}
	call, _ := s.Call(ctx, "a")
	if len(call.Sync) != 1 || call.Sync[0].State != "synced" || call.Sync[0].RemoteID != "hs-1" {
		t.Fatalf("sync status %+v", call.Sync)
	}
	if err := s.MarkSynced(ctx, 9999, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown item: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestUniqueOutboxPerVendor(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	s.ConnectVendor(ctx, vendorPipedrive)
	s.LogCall(ctx, outbound("u", t0))
	must(t, s.SaveForm(ctx, "u", OutcomeForm{Notes: "a"}))
	must(t, s.SaveForm(ctx, "u", OutcomeForm{Notes: "b"}))
	if _, err := s.db.Exec(`INSERT INTO outbox(vendor, kind, ref_id) VALUES('pipedrive', 'call', 'u')`); err == nil {
		t.Fatal("unique index missing")
	}
	if n := count(t, s, "outbox"); n != 1 {
		t.Fatalf("%d outbox rows", n)
	}
}

func TestCallForSyncMapping(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	s.ConnectVendor(ctx, vendorHubSpot)
	hc := Contact{FirstName: "Hub", LastName: "Person", Source: vendorHubSpot, RemoteID: "hs-c-9", Phones: []Phone{{Raw: "+15550100170"}}}
	must(t, s.UpsertContact(ctx, &hc))
	deal := Deal{Name: "HS deal", Source: vendorHubSpot, RemoteID: "hs-d-3", ContactIDs: []string{hc.ID}}
	must(t, s.UpsertDeal(ctx, &deal))
	outs, _ := s.Outcomes(ctx, false)
	must(t, s.SetOutcomeMapping(ctx, outs[0].ID, vendorHubSpot, "f240bbac-87c9-4f6e-bf70-924b57d47db7"))
	rec := outbound("hs", t0)
	rec.To = "(555) 010-0170"
	must(t, s.LogCall(ctx, rec))
	must(t, s.SaveForm(ctx, "hs", OutcomeForm{OutcomeID: outs[0].ID, DealID: deal.ID, Notes: "n",
		Task: &TaskInput{Title: "Follow up", Due: t0.Add(time.Hour)}}))
	cc, err := s.CallForSync(ctx, "hs", vendorHubSpot)
	if err != nil {
		t.Fatal(err)
	}
	if cc.Outcome != "f240bbac-87c9-4f6e-bf70-924b57d47db7" || cc.OutcomeLabel != "Connected" || cc.ContactID != "hs-c-9" ||
		cc.DealID != "hs-d-3" || cc.To != "+15550100170" || cc.Duration != 42*time.Second || cc.Title != "Call with Hub Person" {
		t.Fatalf("CallForSync = %+v", cc)
	}
	// Same call for Zoho: no mapping, and the contact is not Zoho's.
	cz, _ := s.CallForSync(ctx, "hs", vendorZoho)
	if cz.Outcome != "" || cz.ContactID != "" || cz.DealID != "" {
		t.Fatalf("CallForSync(zoho) = %+v", cz)
	}
	due, _ := s.Due(ctx, vendorHubSpot, time.Now().Add(time.Hour), 10)
	var taskItem, callItem OutboxItem
	for _, it := range due {
		if it.Kind == KindTask {
			taskItem = it
		} else {
			callItem = it
		}
	}
	must(t, s.MarkSynced(ctx, callItem.ID, "hs-call-77"))
	tk, err := s.TaskForSync(ctx, taskItem.RefID, vendorHubSpot)
	if err != nil || tk.CallID != "hs-call-77" || tk.ContactID != "hs-c-9" || tk.Title != "Follow up" || !tk.Due.Equal(t0.Add(time.Hour)) {
		t.Fatalf("TaskForSync = %+v %v", tk, err)
	}
}

func TestHistoryFiltersAndExport(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	for i, id := range []string{"h1", "h2", "h3", "h4"} {
		rec := outbound(id, t0.Add(time.Duration(i)*time.Hour))
		if i%2 == 1 {
			rec.Direction, rec.Status, rec.From, rec.To = Inbound, StatusMissed, "+15550100142", "+15550100001"
		}
		if i == 2 {
			rec.Notes = "=HYPERLINK(\"x\")"
		}
		must(t, s.LogCall(ctx, rec))
	}
	all, _ := s.History(ctx, HistoryFilter{})
	if len(all) != 4 || all[0].ID != "h4" || all[3].ID != "h1" {
		t.Fatalf("newest first: %v", ids(all))
	}
	missed, _ := s.History(ctx, HistoryFilter{Missed: true})
	if got := ids(missed); got != "h4,h2" {
		t.Fatalf("missed: %s", got)
	}
	out, _ := s.History(ctx, HistoryFilter{Direction: Outbound})
	if got := ids(out); got != "h3,h1" {
		t.Fatalf("outbound: %s", got)
	}
	win, _ := s.History(ctx, HistoryFilter{Since: t0.Add(time.Hour), Until: t0.Add(3 * time.Hour)})
	if got := ids(win); got != "h3,h2" {
		t.Fatalf("window: %s", got)
	}
	page, _ := s.History(ctx, HistoryFilter{Limit: 2, Offset: 1})
	if got := ids(page); got != "h3,h2" {
		t.Fatalf("page: %s", got)
	}
	var buf bytes.Buffer
	must(t, s.ExportHistoryCSV(ctx, &buf, HistoryFilter{}))
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(recs) != 5 || recs[0][0] != "id" || recs[1][0] != "h4" {
		t.Fatalf("export: %v %v", recs, err)
	}
	if recs[4][8] != "42" || recs[4][13] != "Margaret Lee" || recs[4][5] != "2025-03-04T09:00:00Z" {
		t.Fatalf("export row: %v", recs[4])
	}
	if recs[2][15] != "'=HYPERLINK(\"x\")" {
		t.Fatalf("formula not defused: %q", recs[2][15])
	}
	if recs[2][3] != "+1 (555) 010-0199" {
		t.Fatalf("phone number mangled: %q", recs[2][3])
	}
}

func ids(cs []CallRecord) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return strings.Join(out, ",")
}

func TestOutcomesConfig(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	outs, _ := s.Outcomes(ctx, false)
	if len(outs) != 8 || outs[0].Label != "Connected" || outs[7].Label != "Meeting booked" {
		t.Fatalf("defaults: %+v", outs)
	}
	o, err := s.CreateOutcome(ctx, "Gatekeeper")
	must(t, err)
	if _, err := s.CreateOutcome(ctx, "gatekeeper"); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("duplicate: %v", err)
	}
	must(t, s.RenameOutcome(ctx, o.ID, "Gatekeeper blocked"))
	must(t, s.SetOutcomeEnabled(ctx, o.ID, false))
	if outs, _ := s.Outcomes(ctx, false); len(outs) != 8 {
		t.Fatalf("disabled listed: %d", len(outs))
	}
	if outs, _ := s.Outcomes(ctx, true); len(outs) != 9 || outs[8].Label != "Gatekeeper blocked" || outs[8].Enabled {
		t.Fatalf("with disabled: %+v", outs)
	}
	s.SeedDemo(ctx)
	s.LogCall(ctx, outbound("k", t0))
	must(t, s.SetOutcomeEnabled(ctx, o.ID, true))
	must(t, s.SaveForm(ctx, "k", OutcomeForm{OutcomeID: o.ID}))
	must(t, s.DeleteOutcome(ctx, o.ID))
	if outs, _ := s.Outcomes(ctx, true); len(outs) != 8 {
		t.Fatalf("deleted listed")
	}
	c, _ := s.Call(ctx, "k")
	got, _ := s.Outcome(ctx, c.OutcomeID)
	if c.OutcomeID != o.ID || !got.Deleted || got.Label != "Gatekeeper blocked" {
		t.Fatalf("deleted outcome lost from call: %+v %+v", c, got)
	}
	if _, err := s.CreateOutcome(ctx, "Gatekeeper blocked"); err != nil {
		t.Fatalf("label of a deleted outcome is free again: %v", err)
	}
	if err := s.RenameOutcome(ctx, o.ID, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rename deleted: %v", err)
	}
}

func TestScriptsAndSyncState(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := Script{Name: "Cold call", Body: "Hi, this is…", Default: true}
	b := Script{Name: "Renewal", Body: "…"}
	must(t, s.SaveScript(ctx, &a))
	must(t, s.SaveScript(ctx, &b))
	b.Default = true
	must(t, s.SaveScript(ctx, &b))
	if err := s.SaveScript(ctx, &Script{Name: "Renewal"}); !errors.Is(err, ErrDuplicate) {
		t.Fatal(err)
	}
	scs, _ := s.Scripts(ctx)
	if len(scs) != 2 || scs[0].Default || !scs[1].Default {
		t.Fatalf("scripts %+v", scs)
	}
	must(t, s.DeleteScript(ctx, a.ID))
	if err := s.DeleteScript(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	last, cur, n, err := s.SyncState(ctx, vendorZoho)
	if err != nil || !last.IsZero() || len(cur) != 0 || len(n) != 0 {
		t.Fatal(last, cur, n, err)
	}
	must(t, s.SetSyncState(ctx, vendorZoho, t0, map[string]string{"contacts": "page=3"}, map[string]int{"contacts": 250}))
	last, cur, n, _ = s.SyncState(ctx, vendorZoho)
	if !last.Equal(t0) || cur["contacts"] != "page=3" || n["contacts"] != 250 {
		t.Fatal(last, cur, n)
	}
	if vs, _ := s.ConnectedVendors(ctx); len(vs) != 0 {
		t.Fatalf("sync state connected a vendor: %v", vs)
	}
	must(t, s.ConnectVendor(ctx, vendorSell))
	must(t, s.ConnectVendor(ctx, vendorZoho))
	must(t, s.DisconnectVendor(ctx, vendorSell))
	if vs, _ := s.ConnectedVendors(ctx); len(vs) != 1 || vs[0] != vendorZoho {
		t.Fatalf("connected %v", vs)
	}
}

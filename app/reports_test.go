package app

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// logTokyoCalls logs three calls on 8 March 2025 in Tokyo (one of them at
// 23:30 local, which is still the 8th there but the 8th 14:30 UTC).
func logTokyoCalls(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	outs, _ := st.Outcomes(ctx, false)
	at := func(h, m int) time.Time { return time.Date(2025, 3, 8, h, m, 0, 0, tokyo) }
	for _, c := range []store.CallRecord{
		{ID: "tk-1", Direction: store.Outbound, Account: "sip:rep@pbx.example", To: "+81312345678", Started: at(9, 0),
			Answered: at(9, 0).Add(3 * time.Second), Duration: 90 * time.Second, Status: store.StatusCompleted, OutcomeID: outs[0].ID},
		{ID: "tk-2", Direction: store.Outbound, Account: "sip:rep@pbx.example", To: "+81312345679", Started: at(23, 30),
			Status: store.StatusNoAnswer},
		{ID: "tk-3", Direction: store.Inbound, Account: "=cmd|' /C calc'!A0", From: "+81312345670", Started: at(12, 0),
			Status: store.StatusMissed},
	} {
		c.Ended = c.Started.Add(c.Duration + 10*time.Second)
		if err := st.LogCall(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReportsServiceOnDemoLine(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs

	// A real call through the engine to the demo line is in today's report.
	v, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, v.ID, "connected")
	waitFor(t, log, EvTick, "talking", func(tk Tick) bool { return len(tk.Calls) == 1 && tk.Calls[0].DurationMs > 0 })
	if _, err := s.Calls.Hangup(v.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvHistory, "logged", func(e HistoryEntry) bool { return e.ID == v.ID })
	today := time.Now().Format(time.DateOnly)
	r, err := s.Reports.Report(ReportQuery{From: today, To: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Days) != 1 || r.Total.Calls != 1 || r.Total.Outbound != 1 || r.Total.Connected != 1 ||
		r.Total.ConnectRate == nil || *r.Total.ConnectRate != 1 || r.Total.TalkMs <= 0 || len(r.Accounts) != 1 ||
		len(r.Outcomes) != 1 || r.Outcomes[0].ID != 0 || r.Days[0].ByOutcome[0] != 1 || r.TimeZone != time.Local.String() {
		t.Fatalf("today's report %+v", r)
	}

	// Logged calls on another day, counted in the UI's time zone.
	logTokyoCalls(t, a.core.st)
	q := ReportQuery{From: "2025-03-07", To: "2025-03-09", TimeZone: "Asia/Tokyo"}
	if r, err = s.Reports.Report(q); err != nil {
		t.Fatal(err)
	}
	d := r.Days[1]
	if len(r.Days) != 3 || d.Date != "2025-03-08" || d.Stats.Calls != 3 || d.Stats.Missed != 1 || d.Stats.Connected != 1 ||
		*d.Stats.ConnectRate != 0.5 || d.Stats.TalkMs != 90_000 || d.Stats.AvgTalkMs != 90_000 || r.Days[0].Stats.ConnectRate != nil {
		t.Fatalf("8 March %+v (days %+v)", d, r.Days)
	}
	if len(r.Outcomes) != 2 || r.Outcomes[0].Label != "Connected" || r.Outcomes[1].ID != 0 || d.ByOutcome[0] != 1 || d.ByOutcome[1] != 2 {
		t.Fatalf("outcomes %+v, by outcome %v", r.Outcomes, d.ByOutcome)
	}
	// JSON shape the frontend reads: a day without outbound calls has a null rate.
	js, _ := json.Marshal(r.Days[0].Stats)
	if !strings.Contains(string(js), `"connectRate":null`) {
		t.Fatalf("no-outbound day JSON %s", js)
	}
	// Same days in New York: the 09:00 and 12:00 Tokyo calls are on the 7th
	// (19:00 and 22:00 EST), the 23:30 Tokyo call on the 8th (09:30 EST).
	q.TimeZone = "America/New_York"
	if r, err = s.Reports.Report(q); err != nil {
		t.Fatal(err)
	}
	if r.Days[0].Stats.Calls != 2 || r.Days[1].Stats.Calls != 1 {
		t.Fatalf("New York days %+v", r.Days)
	}

	// Daily CSV.
	q.TimeZone = "Asia/Tokyo"
	f, err := s.Reports.ExportCSV(ExportRequest{Table: "daily", Report: q})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(f.Content)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "pitchline-report-daily-2025-03-07_2025-03-09.csv" || len(recs) != 5 ||
		strings.Join(recs[2], ",") != "2025-03-08,3,1,2,1,1,1,0.5000,90,90,1,2" {
		t.Fatalf("daily CSV %s:\n%s", f.Name, f.Content)
	}
	// Accounts CSV defuses a formula-looking account.
	if f, err = s.Reports.ExportCSV(ExportRequest{Table: "accounts", Report: q}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.Content, `'=cmd|' /C calc'!A0`) || strings.Contains(f.Content, "\n=cmd") {
		t.Fatalf("accounts CSV:\n%s", f.Content)
	}
	// History CSV: missed calls of those days only.
	f, err = s.Reports.ExportCSV(ExportRequest{Table: "history",
		History: HistoryFilter{Direction: "inbound", Missed: true, Since: "2025-03-07T00:00:00+09:00", Until: "2025-03-10T00:00:00+09:00"}})
	if err != nil {
		t.Fatal(err)
	}
	if recs, err = csv.NewReader(strings.NewReader(f.Content)).ReadAll(); err != nil {
		t.Fatal(err)
	}
	if f.Name != "pitchline-history.csv" || len(recs) != 2 || recs[1][0] != "tk-3" || recs[0][0] != "id" {
		t.Fatalf("history CSV %s:\n%s", f.Name, f.Content)
	}

	// Bad requests are invalid_argument, never a panic.
	for name, req := range map[string]ExportRequest{
		"table":     {Table: "pie", Report: q},
		"from":      {Table: "daily", Report: ReportQuery{From: "March", To: "2025-03-09"}},
		"to":        {Table: "daily", Report: ReportQuery{From: "2025-03-09", To: ""}},
		"reversed":  {Table: "daily", Report: ReportQuery{From: "2025-03-09", To: "2025-03-01"}},
		"too long":  {Table: "daily", Report: ReportQuery{From: "2024-01-01", To: "2025-01-01"}},
		"zone":      {Table: "daily", Report: ReportQuery{From: "2025-03-01", To: "2025-03-09", TimeZone: "Mars/Olympus"}},
		"direction": {Table: "accounts", Report: ReportQuery{From: "2025-03-01", To: "2025-03-09", Direction: "up"}},
		"history":   {Table: "history", History: HistoryFilter{Direction: "up"}},
		"since":     {Table: "history", History: HistoryFilter{Since: "yesterday"}},
	} {
		if _, err := s.Reports.ExportCSV(req); !errors.Is(err, ErrInvalidArgument) || a.errfmt.Payload(err).Code != CodeInvalidArgument {
			t.Errorf("%s: %v", name, err)
		}
	}

	// SaveCSV needs the window; with one, the dialog's path gets the file.
	if _, err := s.Reports.SaveCSV(ExportRequest{Table: "daily", Report: q}); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("SaveCSV without a window: %v", err)
	}
	target := filepath.Join(t.TempDir(), "out.csv")
	var asked runtime.SaveDialogOptions
	s.Reports.window = context.Background
	s.Reports.dialog = func(_ context.Context, o runtime.SaveDialogOptions) (string, error) { asked = o; return target, nil }
	p, err := s.Reports.SaveCSV(ExportRequest{Table: "daily", Report: q, Title: "Exporter"})
	if err != nil || p != target {
		t.Fatalf("SaveCSV: %q %v", p, err)
	}
	b, _ := os.ReadFile(target)
	if asked.Title != "Exporter" || asked.DefaultFilename != "pitchline-report-daily-2025-03-07_2025-03-09.csv" ||
		!strings.HasPrefix(string(b), "date,calls,") {
		t.Fatalf("dialog %+v, file %q", asked, b)
	}
	s.Reports.dialog = func(context.Context, runtime.SaveDialogOptions) (string, error) { return "", nil }
	if p, err := s.Reports.SaveCSV(ExportRequest{Table: "daily", Report: q}); p != "" || err != nil {
		t.Fatalf("cancelled dialog: %q %v", p, err)
	}
}

// TestReportsOverHTTP is the browser-mode path: ExportCSV through the
// dispatch table returns the file for the UI to download.
func TestReportsOverHTTP(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	logTokyoCalls(t, a.core.st)
	srv := httptest.NewServer(newServer(a, "tok"))
	defer srv.Close()
	body := `[{"table":"daily","report":{"from":"2025-03-08","to":"2025-03-08","timeZone":"Asia/Tokyo","direction":"outbound","account":""},
		"history":{"direction":"","missed":false,"since":"","until":"","limit":0},"title":""}]`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/ReportsService/ExportCSV", strings.NewReader(body))
	req.Header.Set(TokenHeader, "tok")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var f CSVFile
	if err := json.Unmarshal(raw, &f); err != nil || res.StatusCode != 200 {
		t.Fatalf("%d %s", res.StatusCode, raw)
	}
	if !strings.Contains(f.Content, "\n2025-03-08,2,0,2,0,1,1,0.5000,90,90,") {
		t.Fatalf("outbound daily CSV:\n%s", f.Content)
	}
}

// FuzzStoreQuery: any report query from the UI is either refused with
// ErrInvalidArgument or a valid range of at most MaxReportDays days.
func FuzzStoreQuery(f *testing.F) {
	f.Add("2025-03-01", "2025-03-31", "Asia/Tokyo", "outbound")
	f.Add("2024-01-01", "2024-12-31", "", "")
	f.Add("2025-03-09", "2025-03-08", "America/New_York", "inbound")
	f.Add("0000-01-01", "9999-12-31", "../../etc/passwd", "sideways")
	f.Add("", "", "Local", "")
	f.Fuzz(func(t *testing.T, from, to, tz, dir string) {
		q, err := storeQuery(ReportQuery{From: from, To: to, TimeZone: tz, Direction: dir})
		if err != nil {
			if !errors.Is(err, ErrInvalidArgument) {
				t.Fatalf("error without ErrInvalidArgument: %v", err)
			}
			return
		}
		if q.To.Before(q.From) || q.To.Sub(q.From) >= store.MaxReportDays*24*time.Hour || q.Location == nil {
			t.Fatalf("accepted %+v", q)
		}
	})
}

// TestDemoLineIsOneAccountAcrossRestarts: the demo line's SIP address
// changes every run; its calls are logged under its stable account id, and
// calls an older version logged under the per-run address are folded in on
// start, so "Calls by account" has one demo row (issue 9).
func TestDemoLineIsOneAccountAcrossRestarts(t *testing.T) {
	dir := t.TempDir()
	kc := newKeychain(t)
	dialAndHangUp := func(a *App, l *evlog) {
		t.Helper()
		v, err := a.svcs.Calls.Dial("100")
		if err != nil {
			t.Fatal(err)
		}
		callState(t, l, v.ID, "connected")
		if _, err := a.svcs.Calls.Hangup(v.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, l, EvHistory, "logged", func(e HistoryEntry) bool { return e.ID == v.ID })
	}
	a, l, release := startAppRelease(t, dir, kc)
	dialAndHangUp(a, l)
	// A call an older version logged under a previous run's address.
	old := store.CallRecord{ID: "old-demo-call", Direction: store.Outbound, Account: "sip:rep@127.0.0.1:40123", To: "100",
		Started: time.Now().Add(-time.Minute), Ended: time.Now(), Status: store.StatusCompleted}
	if err := a.core.st.LogCall(context.Background(), old); err != nil {
		t.Fatal(err)
	}
	release()

	a, l, _ = startAppRelease(t, dir, kc)
	dialAndHangUp(a, l)
	today := time.Now().Format(time.DateOnly)
	r, err := a.svcs.Reports.Report(ReportQuery{From: today, To: today})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Accounts) != 1 || r.Accounts[0].Account != demoAccountID || r.Accounts[0].Stats.Calls != 3 {
		t.Fatalf("accounts after a restart: %+v", r.Accounts)
	}
}

package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// rpCall builds a call started at local wall time (y-m-d h:mi in loc).
type rpCall struct {
	dir     Direction
	at      time.Time
	talk    time.Duration // > 0: answered
	status  CallStatus
	account string
	outcome string // label; "" none
}

func logReportCalls(t testing.TB, s *Store, calls []rpCall) {
	t.Helper()
	ctx := context.Background()
	outs, err := s.Outcomes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	byLabel := map[string]int64{}
	for _, o := range outs {
		byLabel[o.Label] = o.ID
	}
	for i, c := range calls {
		rec := CallRecord{ID: fmt.Sprintf("rp-%03d", i), Direction: c.dir, From: "+15550100001", To: "+15550100002",
			Account: c.account, Started: c.at, Ended: c.at.Add(c.talk + 10*time.Second), Duration: c.talk, Status: c.status}
		if c.talk > 0 {
			rec.Answered = c.at.Add(5 * time.Second)
		}
		if c.outcome != "" {
			id, ok := byLabel[c.outcome]
			if !ok {
				t.Fatalf("no outcome %q", c.outcome)
			}
			rec.OutcomeID = id
		}
		if err := s.LogCall(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
}

// reportFixture logs calls around the 2025 US daylight-saving change
// (Sunday 9 March, a 23-hour day in New York).
func reportFixture(t testing.TB) (*Store, *time.Location) {
	ny := mustLoc(t, "America/New_York")
	s := openTest(t)
	at := func(d, h, m int) time.Time { return time.Date(2025, 3, d, h, m, 0, 0, ny) }
	const a, b = "sip:alice@pbx.example", "sip:bob@pbx.example"
	logReportCalls(t, s, []rpCall{
		// 7 March (before the range; must not count)
		{Outbound, at(7, 23, 59), 30 * time.Second, StatusCompleted, a, "Connected"},
		// 8 March: 23:30 local is 04:30 UTC on the 9th, and still the 8th here.
		{Outbound, at(8, 9, 0), 60 * time.Second, StatusCompleted, a, "Connected"},
		{Outbound, at(8, 10, 0), 0, StatusNoAnswer, a, "No answer"},
		{Outbound, at(8, 23, 30), 0, StatusBusy, b, ""},
		{Inbound, at(8, 12, 0), 90 * time.Second, StatusCompleted, b, "Meeting booked"},
		{Inbound, at(8, 13, 0), 0, StatusMissed, b, ""},
		// 9 March (DST day): 00:30 and 23:30 local both belong to it.
		{Outbound, at(9, 0, 30), 120 * time.Second, StatusCompleted, a, "Meeting booked"},
		{Outbound, at(9, 23, 30), 0, StatusNoAnswer, a, "No answer"},
		// 10 March: nothing. 11 March: inbound only.
		{Inbound, at(11, 8, 0), 15 * time.Second, StatusCompleted, a, ""},
		// 12 March (after the range)
		{Outbound, at(12, 0, 0), 10 * time.Second, StatusCompleted, a, "Connected"},
	})
	return s, ny
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestReportDaysOutcomesConnectRateTalk(t *testing.T) {
	ctx := context.Background()
	s, ny := reportFixture(t)
	r, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 11), Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Start.Equal(time.Date(2025, 3, 8, 5, 0, 0, 0, time.UTC)) || !r.End.Equal(time.Date(2025, 3, 12, 4, 0, 0, 0, time.UTC)) {
		t.Fatalf("range %v .. %v", r.Start.UTC(), r.End.UTC())
	}
	if len(r.Days) != 4 {
		t.Fatalf("%d days", len(r.Days))
	}
	if got := r.Days[1].Date; got.Format(time.RFC3339) != "2025-03-09T00:00:00-05:00" || r.Days[2].Date.Sub(got) != 23*time.Hour {
		t.Fatalf("DST day %v, next %v", got, r.Days[2].Date)
	}
	var labels []string
	for _, o := range r.Outcomes {
		labels = append(labels, fmt.Sprintf("%s=%d", o.Label, o.Calls))
	}
	if got := strings.Join(labels, ","); got != "Connected=1,No answer=2,Meeting booked=2,=3" {
		t.Fatalf("outcome series %s", got)
	}
	wantByOutcome := [][]int{{1, 1, 1, 2}, {0, 1, 1, 0}, {0, 0, 0, 0}, {0, 0, 0, 1}}
	for i, d := range r.Days {
		if fmt.Sprint(d.ByOutcome) != fmt.Sprint(wantByOutcome[i]) {
			t.Errorf("day %d by outcome %v, want %v", i, d.ByOutcome, wantByOutcome[i])
		}
	}
	d8 := r.Days[0].CallStats
	want8 := CallStats{Calls: 5, Inbound: 2, Outbound: 3, Answered: 2, Missed: 1, Connected: 1, Talk: 150 * time.Second}
	if d8 != want8 {
		t.Fatalf("8 March %+v, want %+v", d8, want8)
	}
	if rate, ok := d8.ConnectRate(); !ok || rate != 1.0/3 {
		t.Fatalf("8 March connect rate %v %v", rate, ok)
	}
	if d8.AvgTalk() != 75*time.Second {
		t.Fatalf("8 March average talk %v", d8.AvgTalk())
	}
	if r.Days[2].Calls != 0 || r.Days[2].AvgTalk() != 0 {
		t.Fatalf("empty day %+v", r.Days[2])
	}
	if _, ok := r.Days[3].ConnectRate(); ok {
		t.Fatal("connect rate defined on a day without outbound calls")
	}
	wantTotal := CallStats{Calls: 8, Inbound: 3, Outbound: 5, Answered: 4, Missed: 1, Connected: 2, Talk: 285 * time.Second}
	if r.Total != wantTotal {
		t.Fatalf("total %+v, want %+v", r.Total, wantTotal)
	}
	if rate, _ := r.Total.ConnectRate(); rate != 0.4 {
		t.Fatalf("overall connect rate %v", rate)
	}
	if len(r.Accounts) != 2 || r.Accounts[0].Account != "sip:alice@pbx.example" || r.Accounts[0].Calls != 5 ||
		r.Accounts[1].Calls != 3 || r.Accounts[1].Missed != 1 || r.Accounts[0].Talk != 195*time.Second {
		t.Fatalf("accounts %+v", r.Accounts)
	}
}

func TestReportTimeZoneDecidesTheDay(t *testing.T) {
	ctx := context.Background()
	s, _ := reportFixture(t)
	// In Tokyo, 8 March 23:30 New York (04:30 UTC on the 9th) is 13:30 on the 9th.
	tokyo := mustLoc(t, "Asia/Tokyo")
	r, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 9), To: day(2025, 3, 9), Location: tokyo})
	if err != nil {
		t.Fatal(err)
	}
	// Tokyo's 9 March = 8 March 10:00 EST .. 9 March 11:00 EDT in New York:
	// 08 10:00 (the first instant counts), 12:00, 13:00, 23:30 and 09 00:30.
	if len(r.Days) != 1 || r.Days[0].Calls != 5 || r.Days[0].Outbound != 3 || r.Days[0].Inbound != 2 {
		t.Fatalf("Tokyo 9 March %+v", r.Days)
	}
}

func TestReportFilters(t *testing.T) {
	ctx := context.Background()
	s, ny := reportFixture(t)
	q := ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 11), Location: ny, Direction: Inbound}
	r, err := s.Report(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Calls != 3 || r.Total.Outbound != 0 || r.Total.Talk != 105*time.Second {
		t.Fatalf("inbound total %+v", r.Total)
	}
	if _, ok := r.Total.ConnectRate(); ok {
		t.Fatal("inbound-only report has a connect rate")
	}
	q.Direction, q.Account = Outbound, "sip:bob@pbx.example"
	if r, err = s.Report(ctx, q); err != nil {
		t.Fatal(err)
	}
	if r.Total.Calls != 1 || len(r.Accounts) != 1 || len(r.Outcomes) != 1 || r.Outcomes[0].ID != 0 {
		t.Fatalf("outbound bob %+v %+v", r.Total, r.Outcomes)
	}
	q.Account = "sip:nobody@pbx.example"
	if r, err = s.Report(ctx, q); err != nil || r.Total.Calls != 0 || len(r.Outcomes) != 0 || len(r.Accounts) != 0 || len(r.Days) != 4 {
		t.Fatalf("no calls: %v %+v", err, r)
	}
}

func TestReportDeletedOutcomeStays(t *testing.T) {
	ctx := context.Background()
	s, ny := reportFixture(t)
	outs, _ := s.Outcomes(ctx, false)
	var meeting int64
	for _, o := range outs {
		if o.Label == "Meeting booked" {
			meeting = o.ID
		}
	}
	if err := s.DeleteOutcome(ctx, meeting); err != nil {
		t.Fatal(err)
	}
	r, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 9), Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range r.Outcomes {
		if o.ID == meeting {
			found = o.Deleted && o.Calls == 2 && o.Label == "Meeting booked"
		}
	}
	if !found {
		t.Fatalf("deleted outcome missing: %+v", r.Outcomes)
	}
}

func TestReportBadQueries(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for name, q := range map[string]ReportQuery{
		"reversed":  {From: day(2025, 3, 9), To: day(2025, 3, 8)},
		"too long":  {From: day(2024, 1, 1), To: day(2025, 1, 2)},
		"no days":   {},
		"direction": {From: day(2025, 3, 8), To: day(2025, 3, 8), Direction: "sideways"},
	} {
		if _, err := s.Report(ctx, q); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A full leap year is allowed.
	r, err := s.Report(ctx, ReportQuery{From: day(2024, 1, 1), To: day(2024, 12, 31), Location: time.UTC})
	if err != nil || len(r.Days) != 366 {
		t.Fatalf("leap year: %v %d", err, len(r.Days))
	}
	s.Close()
	if _, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 8)}); !errors.Is(err, ErrClosed) {
		t.Fatalf("closed: %v", err)
	}
}

func TestReportUsesCoveringIndex(t *testing.T) {
	s := openTest(t)
	rows, err := s.db.Query(`EXPLAIN QUERY PLAN `+reportSQL+` AND c.direction = ? GROUP BY b.i, 2, c.account`, "[[0,1]]", "outbound")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "\n")
	if !strings.Contains(joined, "USING COVERING INDEX calls_report (started>? AND started<?)") {
		t.Fatalf("plan does not range-scan the covering index:\n%s", joined)
	}
}

func TestReportCSV(t *testing.T) {
	ctx := context.Background()
	s, ny := reportFixture(t)
	// Hostile names: an outcome label and an account that a spreadsheet would run.
	o, err := s.CreateOutcome(ctx, "@SUM(A1)")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 10, 9, 0, 0, 0, ny)
	if err := s.LogCall(ctx, CallRecord{ID: "evil", Direction: Outbound, Account: `=HYPERLINK("http://x","y")`, To: "+15550100003",
		Started: at, Ended: at, Status: StatusNoAnswer, OutcomeID: o.ID}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 11), Location: ny})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteCSV(&buf, ReportDaily); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll() // also checks every row has the header's width
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(recs[0], "|")
	if head != "date|calls|inbound|outbound|missed|answered|connected|connect_rate|talk_seconds|avg_talk_seconds|"+
		"outcome:Connected|outcome:No answer|outcome:Meeting booked|'outcome:@SUM(A1)|no_outcome" &&
		head != "date|calls|inbound|outbound|missed|answered|connected|connect_rate|talk_seconds|avg_talk_seconds|"+
			"outcome:Connected|outcome:No answer|outcome:Meeting booked|outcome:@SUM(A1)|no_outcome" {
		t.Fatalf("header %s", head)
	}
	if len(recs) != 6 {
		t.Fatalf("%d rows", len(recs))
	}
	if got := strings.Join(recs[1], "|"); got != "2025-03-08|5|2|3|1|2|1|0.3333|150|75|1|1|1|0|2" {
		t.Fatalf("8 March row %s", got)
	}
	if got := strings.Join(recs[3], "|"); got != "2025-03-10|1|0|1|0|0|0|0.0000|0|0|0|0|0|1|0" {
		t.Fatalf("10 March row %s", got)
	}
	if got := strings.Join(recs[4], "|"); got != "2025-03-11|1|1|0|0|1|0||15|15|0|0|0|0|1" {
		t.Fatalf("11 March row (no outbound: empty rate) %s", got)
	}
	if got := strings.Join(recs[5], "|"); got != "total|9|3|6|1|4|2|0.3333|285|71.25|1|2|2|1|3" {
		t.Fatalf("total row %s", got)
	}

	buf.Reset()
	if err := r.WriteCSV(&buf, ReportAccounts); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], "|") != "account|calls|inbound|outbound|missed|answered|connected|connect_rate|talk_seconds|avg_talk_seconds" {
		t.Fatalf("accounts header %v", recs[0])
	}
	var evil string
	for _, rec := range recs[1:] {
		if strings.Contains(rec[0], "HYPERLINK") {
			evil = rec[0]
		}
	}
	if evil != `'=HYPERLINK("http://x","y")` {
		t.Fatalf("formula account not defused: %q", evil)
	}
	if err := r.WriteCSV(&buf, "pie"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown table: %v", err)
	}
	if _, err := ParseReportKind("pie"); !errors.Is(err, ErrInvalid) {
		t.Fatal("ParseReportKind accepted pie")
	}
	if k, err := ParseReportKind("accounts"); err != nil || k != ReportAccounts || k.String() != "accounts" {
		t.Fatalf("ParseReportKind accounts: %v %v", k, err)
	}
}

func TestDefuseFormula(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"plain":                      "plain",
		"=1+1":                       "'=1+1",
		"@SUM(A1)":                   "'@SUM(A1)",
		"\tx":                        "'\tx",
		"\r=x":                       "'\r=x",
		"+1 (555) 010-0100":          "+1 (555) 010-0100",
		"+15550100":                  "+15550100",
		"-42":                        "-42",
		"-":                          "'-",
		"+cmd":                       "'+cmd",
		"-2+3+cmd|' /C calc'!A0":     "'-2+3+cmd|' /C calc'!A0",
		"+1+HYPERLINK(\"x\")":        "'+1+HYPERLINK(\"x\")",
		"- call back Tuesday":        "'- call back Tuesday",
		"outcome:=x":                 "outcome:=x",
		"+81 3-1234-5678":            "+81 3-1234-5678",
		"-1.5":                       "-1.5",
		"+44 (0)20 7946 0018 ext. 4": "'+44 (0)20 7946 0018 ext. 4",
	} {
		if got := defuseFormula(in); got != want {
			t.Errorf("defuseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMigrateV3ToV4KeepsCallsAndReports(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v3.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	for v := 0; v < 3; v++ {
		tx, err := db.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if err := migrations[v].up(ctx, tx); err != nil {
			t.Fatal(err)
		}
		tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1))
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	started := time.Date(2025, 3, 8, 15, 0, 0, 0, time.UTC)
	if _, err := db.Exec(`INSERT INTO calls(id, direction, account, started, answered, duration_ms, status, outcome_id)
		VALUES('old', 'outbound', 'sip:a@x', ?, ?, 42000, 'completed', 1)`, started.UnixNano(), started.Add(time.Second).UnixNano()); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s := openMigrated(t, path, 4)
	var idx, old int
	s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'calls_report'`).Scan(&idx)
	s.db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'calls_started'`).Scan(&old)
	if idx != 1 || old != 0 {
		t.Fatalf("calls_report %d, calls_started %d", idx, old)
	}
	r, err := s.Report(ctx, ReportQuery{From: day(2025, 3, 8), To: day(2025, 3, 8), Location: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total.Calls != 1 || r.Total.Connected != 1 || r.Total.Talk != 42*time.Second || len(r.Outcomes) != 1 || r.Outcomes[0].Label != "Connected" {
		t.Fatalf("report after migration %+v %+v", r.Total, r.Outcomes)
	}
	h, err := s.History(ctx, HistoryFilter{})
	if err != nil || len(h) != 1 || h[0].ID != "old" {
		t.Fatalf("history after migration: %v %+v", err, h)
	}
}

// FuzzDefuseFormula: a defused cell never starts a formula (except a
// number-like + or - cell, which can only be arithmetic) and keeps the
// original text after the prefix.
func FuzzDefuseFormula(f *testing.F) {
	for _, s := range []string{"", "=1+1", "+1 (555) 010-0100", "-2+3+cmd|' /C calc'!A0", "@x", "\t=", "plain", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := defuseFormula(s)
		if !strings.HasSuffix(out, s) || len(out) > len(s)+1 {
			t.Fatalf("defuseFormula(%q) = %q", s, out)
		}
		if out == "" {
			return
		}
		switch out[0] {
		case '=', '@', '\t', '\r':
			t.Fatalf("defuseFormula(%q) = %q starts a formula", s, out)
		case '+', '-':
			if !numberLike(out) {
				t.Fatalf("defuseFormula(%q) = %q starts a formula", s, out)
			}
		}
	})
}

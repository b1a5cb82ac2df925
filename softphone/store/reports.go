package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxReportDays is the longest date range a report covers (a leap year).
const MaxReportDays = 366

// ReportQuery selects the calls a report covers: every call started on
// the local calendar days From to To (both inclusive) in Location.
// Only the calendar date of From and To (t.Date(), read in their own
// location) is used, so time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC) means
// 1 March in Location, whatever Location is.
type ReportQuery struct {
	From, To time.Time
	// Location is the user's time zone, which decides where a day starts
	// and ends (nil: time.Local).
	Location *time.Location
	// Direction restricts the report to inbound or outbound calls
	// ("" both).
	Direction Direction
	// Account restricts the report to one SIP account ("" all).
	Account string
}

// CallStats are the counts a report gives for a day, an account or the
// whole range.
type CallStats struct {
	Calls    int // every call
	Inbound  int
	Outbound int // outbound calls attempted
	Answered int // calls answered (either direction)
	Missed   int // inbound calls missed (as History's Missed filter)
	// Connected is the outbound calls that were answered.
	Connected int
	// Talk is the summed talk time.
	Talk time.Duration
}

// ConnectRate returns Connected / Outbound, and false when no outbound
// call was attempted (the rate is undefined, not zero).
func (c CallStats) ConnectRate() (float64, bool) {
	if c.Outbound == 0 {
		return 0, false
	}
	return float64(c.Connected) / float64(c.Outbound), true
}

// AvgTalk returns the average talk time of an answered call (0 when none
// was answered).
func (c CallStats) AvgTalk() time.Duration {
	if c.Answered == 0 {
		return 0
	}
	return c.Talk / time.Duration(c.Answered)
}

func (c *CallStats) add(o CallStats) {
	c.Calls += o.Calls
	c.Inbound += o.Inbound
	c.Outbound += o.Outbound
	c.Answered += o.Answered
	c.Missed += o.Missed
	c.Connected += o.Connected
	c.Talk += o.Talk
}

// OutcomeSeries is one outcome that occurs in a report: a series of the
// calls-per-day-by-outcome chart. ID 0 with an empty Label is "no
// outcome" (the form was not saved, or saved without one).
type OutcomeSeries struct {
	ID      int64
	Label   string
	Deleted bool // the outcome was deleted since (it stays on old calls)
	Calls   int  // calls with this outcome in the whole range
}

// DayStats is one local calendar day of a report.
type DayStats struct {
	// Date is the day's local midnight in the report's location.
	Date time.Time
	CallStats
	// ByOutcome counts the day's calls per outcome, aligned with
	// Report.Outcomes.
	ByOutcome []int
}

// AccountStats is one SIP account's share of a report.
type AccountStats struct {
	Account string // "" for calls logged without an account
	CallStats
}

// Report is the call log summarised over a date range.
type Report struct {
	Query ReportQuery
	// Start and End are the instants the range covers: local midnight of
	// From, and local midnight after To (exclusive).
	Start, End time.Time
	// Outcomes lists the outcomes that occur, in the configured outcome
	// order, with "no outcome" (ID 0) last.
	Outcomes []OutcomeSeries
	// Days has one entry per calendar day From..To, including days
	// without calls.
	Days  []DayStats
	Total CallStats
	// Accounts is sorted by calls (most first), then by account.
	Accounts []AccountStats
}

// dayBounds returns the local midnights from `from` to the day after `to`.
func dayBounds(q ReportQuery) ([]time.Time, error) {
	loc := q.Location
	if loc == nil {
		loc = time.Local
	}
	if q.From.IsZero() || q.To.IsZero() {
		return nil, fmt.Errorf("%w: report needs a first and a last day", ErrInvalid)
	}
	fy, fm, fd := q.From.Date()
	ty, tm, td := q.To.Date()
	first := time.Date(fy, fm, fd, 0, 0, 0, 0, loc)
	last := time.Date(ty, tm, td, 0, 0, 0, 0, loc)
	if last.Before(first) {
		return nil, fmt.Errorf("%w: report ends (%s) before it starts (%s)", ErrInvalid,
			last.Format(time.DateOnly), first.Format(time.DateOnly))
	}
	var out []time.Time
	// Adding calendar days (not 24 h) keeps each bound at local midnight
	// across daylight-saving changes; a day may be 23 or 25 hours long.
	for d := 0; ; d++ {
		t := time.Date(fy, fm, fd+d, 0, 0, 0, 0, loc)
		out = append(out, t)
		if t.After(last) {
			break
		}
		if d > MaxReportDays {
			return nil, fmt.Errorf("%w: report covers more than %d days", ErrInvalid, MaxReportDays)
		}
	}
	return out, nil
}

// reportSQL aggregates the call log per (day, outcome, account) in one
// pass. The day bounds come as one JSON parameter [[lo, hi], ...] (local
// midnights as stored timestamps): SQLite knows no IANA time zones, so Go
// computes where each local day starts. CROSS JOIN keeps the bounds as the
// outer loop, so each day is one range scan of the covering index
// calls_report (schema version 4) and the table itself is never read.
const reportSQL = `WITH b(i, lo, hi) AS (
		SELECT key, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?))
	SELECT b.i, COALESCE(c.outcome_id, 0), c.account, count(*),
		sum(c.direction = 'inbound'), sum(c.direction = 'outbound'), sum(c.answered <> 0),
		sum(c.direction = 'inbound' AND c.status = 'missed'), sum(c.direction = 'outbound' AND c.answered <> 0),
		sum(c.duration_ms)
	FROM b CROSS JOIN calls c INDEXED BY calls_report
	WHERE c.started >= b.lo AND c.started < b.hi`

// Report summarises the call log over q's days: calls per day by outcome,
// connect rate (answered / attempted outbound calls) and talk time per day
// and overall, and calls per account.
func (s *Store) Report(ctx context.Context, q ReportQuery) (Report, error) {
	switch q.Direction {
	case "", Inbound, Outbound:
	default:
		return Report{}, fmt.Errorf("store: report: %w: direction %q", ErrInvalid, q.Direction)
	}
	bounds, err := dayBounds(q)
	if err != nil {
		return Report{}, fmt.Errorf("store: report: %w", err)
	}
	if q.Location == nil {
		q.Location = time.Local
	}
	db, err := s.reader()
	if err != nil {
		return Report{}, err
	}
	pairs := make([][2]int64, len(bounds)-1)
	for i := range pairs {
		pairs[i] = [2]int64{ts(bounds[i]), ts(bounds[i+1])}
	}
	js, _ := json.Marshal(pairs) // [][2]int64 always encodes
	query, args := reportSQL, []any{string(js)}
	if q.Direction != "" {
		query += ` AND c.direction = ?`
		args = append(args, string(q.Direction))
	}
	if q.Account != "" {
		query += ` AND c.account = ?`
		args = append(args, q.Account)
	}
	query += ` GROUP BY b.i, 2, c.account`

	r := Report{Query: q, Start: bounds[0], End: bounds[len(bounds)-1], Days: make([]DayStats, len(pairs))}
	for i := range r.Days {
		r.Days[i].Date = bounds[i]
	}
	type cell struct {
		day     int
		outcome int64
		calls   int
	}
	var cells []cell
	accounts := map[string]*AccountStats{}
	outcomeCalls := map[int64]int{}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return Report{}, fmt.Errorf("store: report: %w", err)
	}
	for rows.Next() {
		var day int
		var outcome, talkMS int64
		var account string
		var st CallStats
		if err := rows.Scan(&day, &outcome, &account, &st.Calls, &st.Inbound, &st.Outbound, &st.Answered,
			&st.Missed, &st.Connected, &talkMS); err != nil {
			rows.Close()
			return Report{}, fmt.Errorf("store: report: %w", err)
		}
		if day < 0 || day >= len(r.Days) {
			continue
		}
		st.Talk = time.Duration(talkMS) * time.Millisecond
		r.Days[day].add(st)
		r.Total.add(st)
		a := accounts[account]
		if a == nil {
			a = &AccountStats{Account: account}
			accounts[account] = a
		}
		a.add(st)
		outcomeCalls[outcome] += st.Calls
		cells = append(cells, cell{day, outcome, st.Calls})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Report{}, fmt.Errorf("store: report: %w", err)
	}
	if r.Outcomes, err = s.outcomeSeries(ctx, outcomeCalls); err != nil {
		return Report{}, fmt.Errorf("store: report: %w", err)
	}
	col := make(map[int64]int, len(r.Outcomes))
	for i, o := range r.Outcomes {
		col[o.ID] = i
	}
	for i := range r.Days {
		r.Days[i].ByOutcome = make([]int, len(r.Outcomes))
	}
	for _, c := range cells {
		r.Days[c.day].ByOutcome[col[c.outcome]] += c.calls
	}
	r.Accounts = make([]AccountStats, 0, len(accounts))
	for _, a := range accounts {
		r.Accounts = append(r.Accounts, *a)
	}
	slices.SortFunc(r.Accounts, func(a, b AccountStats) int {
		if a.Calls != b.Calls {
			return b.Calls - a.Calls
		}
		return strings.Compare(a.Account, b.Account)
	})
	return r, nil
}

// outcomeSeries names the outcomes in counts, in configured order, with
// "no outcome" last.
func (s *Store) outcomeSeries(ctx context.Context, counts map[int64]int) ([]OutcomeSeries, error) {
	out := []OutcomeSeries{}
	if len(counts) == 0 {
		return out, nil
	}
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, label, deleted FROM outcomes ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o OutcomeSeries
		if err := rows.Scan(&o.ID, &o.Label, &o.Deleted); err != nil {
			return nil, err
		}
		if n, ok := counts[o.ID]; ok {
			o.Calls = n
			out = append(out, o)
			delete(counts, o.ID)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if n, ok := counts[0]; ok {
		out = append(out, OutcomeSeries{Calls: n})
		delete(counts, 0)
	}
	for id, n := range counts { // unreachable with foreign keys on; kept visible rather than dropped
		out = append(out, OutcomeSeries{ID: id, Label: "#" + strconv.FormatInt(id, 10), Deleted: true, Calls: n})
	}
	return out, nil
}

// ReportKind names one of the report's CSV tables.
type ReportKind string

// The report's CSV tables.
const (
	// ReportDaily is one row per day (and a total row): calls, directions,
	// missed, answered, connect rate, talk time and one column per outcome.
	ReportDaily ReportKind = "daily"
	// ReportAccounts is one row per SIP account with the same counts.
	ReportAccounts ReportKind = "accounts"
)

// String returns the kind's name.
func (k ReportKind) String() string { return string(k) }

// ParseReportKind checks a report table name.
func ParseReportKind(s string) (ReportKind, error) {
	switch k := ReportKind(s); k {
	case ReportDaily, ReportAccounts:
		return k, nil
	}
	return "", fmt.Errorf("%w: report table %q (daily or accounts)", ErrInvalid, s)
}

// statsHeader is the CSV columns every report row has after its key.
var statsHeader = []string{"calls", "inbound", "outbound", "missed", "answered", "connected", "connect_rate",
	"talk_seconds", "avg_talk_seconds"}

func statsCells(c CallStats) []string {
	rate := ""
	if v, ok := c.ConnectRate(); ok {
		rate = strconv.FormatFloat(v, 'f', 4, 64)
	}
	return []string{strconv.Itoa(c.Calls), strconv.Itoa(c.Inbound), strconv.Itoa(c.Outbound), strconv.Itoa(c.Missed),
		strconv.Itoa(c.Answered), strconv.Itoa(c.Connected), rate,
		strconv.FormatFloat(c.Talk.Seconds(), 'f', -1, 64), strconv.FormatFloat(c.AvgTalk().Round(time.Millisecond).Seconds(), 'f', -1, 64)}
}

// OutcomeColumn is the CSV column name of an outcome series.
func OutcomeColumn(o OutcomeSeries) string {
	if o.ID == 0 {
		return "no_outcome"
	}
	return "outcome:" + o.Label
}

// WriteCSV writes one of the report's tables as CSV (RFC 4180, header
// row first). Days are written as YYYY-MM-DD in the report's location;
// cells a spreadsheet would run as a formula are prefixed with a quote.
func (r Report) WriteCSV(w io.Writer, kind ReportKind) error {
	cw := csv.NewWriter(w)
	write := func(rec []string) {
		for i, v := range rec {
			rec[i] = defuseFormula(v)
		}
		_ = cw.Write(rec) // the error sticks in cw.Error
	}
	switch kind {
	case ReportDaily:
		head := append([]string{"date"}, statsHeader...)
		for _, o := range r.Outcomes {
			head = append(head, OutcomeColumn(o))
		}
		write(head)
		for _, d := range r.Days {
			rec := append([]string{d.Date.Format(time.DateOnly)}, statsCells(d.CallStats)...)
			for _, n := range d.ByOutcome {
				rec = append(rec, strconv.Itoa(n))
			}
			write(rec)
		}
		rec := append([]string{"total"}, statsCells(r.Total)...)
		for _, o := range r.Outcomes {
			rec = append(rec, strconv.Itoa(o.Calls))
		}
		write(rec)
	case ReportAccounts:
		write(append([]string{"account"}, statsHeader...))
		for _, a := range r.Accounts {
			write(append([]string{a.Account}, statsCells(a.CallStats)...))
		}
	default:
		return fmt.Errorf("store: report CSV: %w: table %q", ErrInvalid, kind)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("store: report CSV: %w", err)
	}
	return nil
}

// RelabelAccounts sets the account of every call whose account matches the
// SQL LIKE pattern (with \ as the escape character) to account, and returns
// how many calls changed. The app uses it to fold calls an older version
// logged under the demo line's per-run SIP address into the demo line's
// stable account id, so that "Calls by account" shows one demo row.
func (s *Store) RelabelAccounts(ctx context.Context, pattern, account string) (int64, error) {
	if err := checkText("account", account); err != nil {
		return 0, fmt.Errorf("store: relabel accounts: %w", err)
	}
	var n int64
	err := s.write(ctx, "relabel accounts", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE calls SET account = ? WHERE account LIKE ? ESCAPE '\' AND account <> ?`, account, pattern, account)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// ReportQuery selects the days and calls of a report.
type ReportQuery struct {
	// From is the first day (YYYY-MM-DD).
	From string `json:"from"`
	// To is the last day (YYYY-MM-DD), inclusive.
	To string `json:"to"`
	// TimeZone is the IANA zone the days are counted in (the UI's own,
	// Intl.DateTimeFormat().resolvedOptions().timeZone); "" = this
	// computer's.
	TimeZone string `json:"timeZone"`
	// Direction is "inbound", "outbound" or "" for both.
	Direction string `json:"direction"`
	// Account restricts the report to one SIP account ("" = all).
	Account string `json:"account"`
}

// ReportStats are the counts for a day, an account or the whole range.
type ReportStats struct {
	// Calls counts every call.
	Calls int `json:"calls"`
	// Inbound counts incoming calls.
	Inbound int `json:"inbound"`
	// Outbound counts attempted outgoing calls.
	Outbound int `json:"outbound"`
	// Answered counts answered calls, either direction.
	Answered int `json:"answered"`
	// Missed counts missed incoming calls.
	Missed int `json:"missed"`
	// Connected counts answered outgoing calls.
	Connected int `json:"connected"`
	// ConnectRate is Connected / Outbound, or null without outbound calls.
	ConnectRate *float64 `json:"connectRate"`
	// TalkMs is the summed talk time.
	TalkMs int64 `json:"talkMs"`
	// AvgTalkMs is the average talk time of an answered call.
	AvgTalkMs int64 `json:"avgTalkMs"`
}

// ReportOutcome is one outcome series of the report ("no outcome" has ID 0
// and an empty label).
type ReportOutcome struct {
	// ID is the outcome's id (0 = no outcome).
	ID int64 `json:"id"`
	// Label is the outcome's label.
	Label string `json:"label"`
	// Deleted is true for an outcome deleted since.
	Deleted bool `json:"deleted"`
	// Calls counts the range's calls with this outcome.
	Calls int `json:"calls"`
}

// ReportDay is one calendar day.
type ReportDay struct {
	// Date is the day (YYYY-MM-DD).
	Date string `json:"date"`
	// Stats are the day's counts.
	Stats ReportStats `json:"stats"`
	// ByOutcome counts the day's calls per outcome, aligned with
	// ReportView.Outcomes.
	ByOutcome []int `json:"byOutcome"`
}

// ReportAccount is one SIP account's calls.
type ReportAccount struct {
	// Account is the account id: the address of record of a SIP account,
	// "demo" for the demo line ("" = calls logged without one).
	Account string `json:"account"`
	// Stats are the account's counts.
	Stats ReportStats `json:"stats"`
}

// ReportView is a report as the Reports view draws it.
type ReportView struct {
	// From is the first day (YYYY-MM-DD).
	From string `json:"from"`
	// To is the last day (YYYY-MM-DD).
	To string `json:"to"`
	// TimeZone is the zone the days were counted in.
	TimeZone string `json:"timeZone"`
	// Outcomes lists the outcome series in configured order, "no outcome"
	// last.
	Outcomes []ReportOutcome `json:"outcomes"`
	// Days has every day From..To, with or without calls.
	Days []ReportDay `json:"days"`
	// Total sums the whole range.
	Total ReportStats `json:"total"`
	// Accounts lists the accounts, most calls first.
	Accounts []ReportAccount `json:"accounts"`
}

// ExportRequest asks for one CSV file.
type ExportRequest struct {
	// Table is "daily" or "accounts" (report tables over Report) or
	// "history" (the call log selected by History).
	Table string `json:"table"`
	// Report selects the report (tables daily and accounts).
	Report ReportQuery `json:"report"`
	// History selects the calls of table history; Limit 0 exports all.
	History HistoryFilter `json:"history"`
	// Title is the save dialog's title (SaveCSV), translated by the UI.
	Title string `json:"title"`
}

// CSVFile is an exported CSV file.
type CSVFile struct {
	// Name is the suggested file name.
	Name string `json:"name"`
	// Content is the CSV text (RFC 4180, header row first).
	Content string `json:"content"`
}

// saveDialog is runtime.SaveFileDialog's shape (injectable for tests).
type saveDialog func(ctx context.Context, opts runtime.SaveDialogOptions) (string, error)

// ReportsService summarises the call log (calls per day by outcome,
// connect rate, talk time, calls by account) and exports it, and the call
// history, as CSV.
type ReportsService struct {
	c *core
	// dialog opens the native save dialog (default runtime.SaveFileDialog).
	dialog saveDialog
	// window returns the Wails runtime context, nil outside the window.
	window func() context.Context
}

// newReportsService returns the service; the save dialog needs the Wails
// context, which the hub keeps once the window has started.
func newReportsService(c *core) *ReportsService {
	return &ReportsService{c: c, dialog: runtime.SaveFileDialog, window: c.window}
}

// storeQuery validates q and converts it for the store.
func storeQuery(q ReportQuery) (store.ReportQuery, error) {
	var sq store.ReportQuery
	var err error
	if sq.From, err = time.Parse(time.DateOnly, q.From); err != nil {
		return sq, fmt.Errorf("%w: first day %q (YYYY-MM-DD)", ErrInvalidArgument, q.From)
	}
	if sq.To, err = time.Parse(time.DateOnly, q.To); err != nil {
		return sq, fmt.Errorf("%w: last day %q (YYYY-MM-DD)", ErrInvalidArgument, q.To)
	}
	sq.Location = time.Local
	if q.TimeZone != "" {
		if sq.Location, err = loadZone(q.TimeZone); err != nil {
			return sq, fmt.Errorf("%w: time zone %q: %v", ErrInvalidArgument, q.TimeZone, err)
		}
	}
	switch q.Direction {
	case "", string(store.Inbound), string(store.Outbound):
		sq.Direction = store.Direction(q.Direction)
	default:
		return sq, fmt.Errorf("%w: direction %q", ErrInvalidArgument, q.Direction)
	}
	if sq.To.Before(sq.From) {
		return sq, fmt.Errorf("%w: the last day %s is before the first day %s", ErrInvalidArgument, q.To, q.From)
	}
	if sq.To.Sub(sq.From) >= store.MaxReportDays*24*time.Hour {
		return sq, fmt.Errorf("%w: a report covers at most %d days", ErrInvalidArgument, store.MaxReportDays)
	}
	sq.Account = q.Account
	return sq, nil
}

func statsView(c store.CallStats) ReportStats {
	v := ReportStats{Calls: c.Calls, Inbound: c.Inbound, Outbound: c.Outbound, Answered: c.Answered, Missed: c.Missed,
		Connected: c.Connected, TalkMs: c.Talk.Milliseconds(), AvgTalkMs: c.AvgTalk().Milliseconds()}
	if r, ok := c.ConnectRate(); ok {
		v.ConnectRate = &r
	}
	return v
}

func (s *ReportsService) report(q ReportQuery) (store.Report, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return store.Report{}, err
	}
	sq, err := storeQuery(q)
	if err != nil {
		return store.Report{}, err
	}
	return st.Report(s.c.ctx, sq)
}

// Report summarises the calls of q's days.
func (s *ReportsService) Report(q ReportQuery) (ReportView, error) {
	r, err := s.report(q)
	if err != nil {
		return ReportView{}, err
	}
	v := ReportView{From: q.From, To: q.To, TimeZone: r.Query.Location.String(), Total: statsView(r.Total),
		Outcomes: make([]ReportOutcome, 0, len(r.Outcomes)), Days: make([]ReportDay, 0, len(r.Days)),
		Accounts: make([]ReportAccount, 0, len(r.Accounts))}
	for _, o := range r.Outcomes {
		v.Outcomes = append(v.Outcomes, ReportOutcome{ID: o.ID, Label: o.Label, Deleted: o.Deleted, Calls: o.Calls})
	}
	for _, d := range r.Days {
		v.Days = append(v.Days, ReportDay{Date: d.Date.Format(time.DateOnly), Stats: statsView(d.CallStats), ByOutcome: d.ByOutcome})
	}
	for _, a := range r.Accounts {
		v.Accounts = append(v.Accounts, ReportAccount{Account: a.Account, Stats: statsView(a.CallStats)})
	}
	return v, nil
}

// ExportCSV returns the requested table as CSV text with a suggested file
// name. The browser UI (`pitchline serve`) offers it as a download.
func (s *ReportsService) ExportCSV(req ExportRequest) (CSVFile, error) {
	var buf bytes.Buffer
	var name string
	switch req.Table {
	case "history":
		st, err := s.c.storeOrErr()
		if err != nil {
			return CSVFile{}, err
		}
		f, err := historyStoreFilter(req.History)
		if err != nil {
			return CSVFile{}, err
		}
		if err := st.ExportHistoryCSV(s.c.ctx, &buf, f); err != nil {
			return CSVFile{}, err
		}
		name = "pitchline-history" + rangeSuffix(req.History.Since, req.History.Until) + ".csv"
	default:
		kind, err := store.ParseReportKind(req.Table)
		if err != nil {
			return CSVFile{}, fmt.Errorf("%w: table %q (daily, accounts or history)", ErrInvalidArgument, req.Table)
		}
		r, err := s.report(req.Report)
		if err != nil {
			return CSVFile{}, err
		}
		if err := r.WriteCSV(&buf, kind); err != nil {
			return CSVFile{}, err
		}
		name = "pitchline-report-" + kind.String() + rangeSuffix(req.Report.From, req.Report.To) + ".csv"
	}
	return CSVFile{Name: name, Content: buf.String()}, nil
}

// SaveCSV asks where to save the requested table with the desktop
// window's save dialog and writes it there. It returns the path, or ""
// when the user cancelled. Outside the window (browser mode) it fails with
// ErrNotStarted: use ExportCSV there.
func (s *ReportsService) SaveCSV(req ExportRequest) (string, error) {
	ctx := s.window()
	if ctx == nil {
		return "", fmt.Errorf("%w: the save dialog needs the desktop window (use ExportCSV in the browser)", ErrNotStarted)
	}
	f, err := s.ExportCSV(req)
	if err != nil {
		return "", err
	}
	title := req.Title
	if title == "" {
		title = "Export CSV"
	}
	path, err := s.dialog(ctx, runtime.SaveDialogOptions{Title: title, DefaultFilename: f.Name,
		Filters: []runtime.FileFilter{{DisplayName: "CSV (*.csv)", Pattern: "*.csv"}}})
	if err != nil || path == "" {
		return "", err
	}
	if err := os.WriteFile(path, []byte(f.Content), 0o600); err != nil {
		return "", fmt.Errorf("save %s: %w", path, err)
	}
	s.c.log.Info("csv exported", "table", req.Table, "path", path, "bytes", len(f.Content))
	return path, nil
}

// historyStoreFilter converts the UI's history filter for an export (Limit
// 0 = every call).
func historyStoreFilter(f HistoryFilter) (store.HistoryFilter, error) {
	sf := store.HistoryFilter{Direction: store.Direction(f.Direction), Missed: f.Missed, Limit: max(f.Limit, 0)}
	switch f.Direction {
	case "", string(store.Inbound), string(store.Outbound):
	default:
		return sf, fmt.Errorf("%w: direction %q", ErrInvalidArgument, f.Direction)
	}
	var err error
	if sf.Since, err = parseWhen(f.Since, false); err != nil {
		return sf, err
	}
	if sf.Until, err = parseWhen(f.Until, true); err != nil {
		return sf, err
	}
	return sf, nil
}

// rangeSuffix is "-FROM_TO" for a file name when both are bare dates.
func rangeSuffix(from, to string) string {
	if _, err := time.Parse(time.DateOnly, from); err != nil {
		return ""
	}
	if _, err := time.Parse(time.DateOnly, to); err != nil {
		return ""
	}
	return "-" + from + "_" + to
}

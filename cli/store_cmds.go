package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/pitchline/pitchline/softphone/store"
)

// storeUsage is the usage text of the local-CRM commands.
const storeUsage = `
Local CRM (data in --data-dir DIR, default the user's data folder):
  pitchline import contacts FILE.csv [--json]    exit 1 if any row is rejected
  pitchline lookup NUMBER [--json]               exit 1 if no contact has it
  pitchline history export FILE.csv
  pitchline calls log --to NUMBER [--from NUMBER] --direction outbound|inbound
        --started RFC3339 --duration 42s --status completed|no_answer|busy|failed
        --outcome LABEL [--notes TEXT] [--deal NAME] [--task TITLE --due RFC3339]
`

// openStore opens the store in dataDir (or the default location) and
// applies the saved region setting.
func openStore(dataDir string) (*store.Store, error) {
	path, err := store.DefaultPath()
	if dataDir != "" {
		path, err = filepath.Join(dataDir, "pitchline.db"), nil
	}
	if err != nil {
		return nil, err
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, err
	}
	if r, ok, _ := st.GetSetting(context.Background(), "region"); ok && r != "" {
		if err := st.SetRegion(r); err != nil {
			st.Close()
			return nil, fmt.Errorf("setting region: %w", err)
		}
	}
	return st, nil
}

func storeFlags(name string, dataDir *string, jsonOut *bool) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(dataDir, "data-dir", "", "")
	if jsonOut != nil {
		fs.BoolVar(jsonOut, "json", false, "")
	}
	return fs
}

// runImport is `pitchline import contacts FILE.csv`.
func runImport(args []string, stdout, stderr io.Writer) error {
	var dataDir string
	var jsonOut bool
	pos, err := parse(storeFlags("import", &dataDir, &jsonOut), args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "contacts" {
		return fmt.Errorf("%w: usage: pitchline import contacts FILE.csv [--json] [--data-dir DIR]", ErrUsage)
	}
	f, err := os.Open(pos[1])
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	rep, err := st.ImportContactsCSV(context.Background(), f, nil)
	if errors.Is(err, store.ErrBadCSV) {
		return fmt.Errorf("%s: %w", pos[1], err)
	}
	p := &printer{w: stdout, json: jsonOut}
	for _, r := range rep.Rejected {
		p.emit("rejected", line{"row": r.Row, "reason": r.Reason})
	}
	p.emit("imported", line{"file": pos[1], "total": rep.Total, "inserted": rep.Inserted, "updated": rep.Updated,
		"skipped": rep.Skipped, "rejected": len(rep.Rejected)})
	if err != nil {
		return err
	}
	if len(rep.Rejected) > 0 {
		return fmt.Errorf("%d of %d rows rejected (the other rows were imported)", len(rep.Rejected), rep.Total)
	}
	return nil
}

// runLookup is `pitchline lookup NUMBER`.
func runLookup(args []string, stdout, stderr io.Writer) error {
	var dataDir string
	var jsonOut bool
	pos, err := parse(storeFlags("lookup", &dataDir, &jsonOut), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: usage: pitchline lookup NUMBER [--json] [--data-dir DIR]", ErrUsage)
	}
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, _, err := st.FormatNumber(pos[0]); err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	cid, found := st.LookupNumber(pos[0])
	p := &printer{w: stdout, json: jsonOut}
	p.emit("lookup", line{"found": found, "number": cid.E164, "formatted": cid.Formatted, "contact_id": cid.ContactID,
		"name": cid.Name, "company": cid.Company, "deal": cid.DealName, "deal_amount": cid.DealAmount, "deal_currency": cid.DealCurrency})
	if !found {
		return fmt.Errorf("no contact has %s", cid.Formatted)
	}
	return nil
}

// runHistory is `pitchline history export FILE.csv`.
func runHistory(args []string, stdout, stderr io.Writer) error {
	var dataDir string
	pos, err := parse(storeFlags("history", &dataDir, nil), args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || pos[0] != "export" {
		return fmt.Errorf("%w: usage: pitchline history export FILE.csv [--data-dir DIR]", ErrUsage)
	}
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := os.Create(pos[1])
	if err != nil {
		return err
	}
	if err := st.ExportHistoryCSV(context.Background(), f, store.HistoryFilter{}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// runCalls is `pitchline calls log ...`: it records a finished call
// exactly as the app does when a call ends and the form is saved.
func runCalls(args []string, stdout, stderr io.Writer) error {
	var dataDir, to, from, direction, started, status, outcome, notes, deal, task, due string
	var duration time.Duration
	var jsonOut bool
	fs := storeFlags("calls", &dataDir, &jsonOut)
	for name, v := range map[string]*string{"to": &to, "from": &from, "direction": &direction, "started": &started,
		"status": &status, "outcome": &outcome, "notes": &notes, "deal": &deal, "task": &task, "due": &due} {
		fs.StringVar(v, name, "", "")
	}
	fs.DurationVar(&duration, "duration", 0, "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "log" {
		return fmt.Errorf("%w: usage: pitchline calls log --to NUMBER --direction D --started T --duration D --status S --outcome LABEL", ErrUsage)
	}
	usage := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, a...)...)
	}
	if to == "" {
		return usage("--to is required")
	}
	dir := store.Direction(direction)
	if dir != store.Outbound && dir != store.Inbound {
		return usage("--direction must be outbound or inbound, got %q", direction)
	}
	start, err := time.Parse(time.RFC3339, started)
	if err != nil {
		return usage("--started must be an RFC 3339 time like 2025-03-04T09:00:00Z, got %q", started)
	}
	if duration < 0 {
		return usage("--duration must not be negative")
	}
	stat := store.CallStatus(status)
	switch stat {
	case store.StatusCompleted, store.StatusNoAnswer, store.StatusBusy, store.StatusFailed:
	default:
		return usage("--status must be completed, no_answer, busy or failed, got %q", status)
	}
	if outcome == "" {
		return usage("--outcome is required")
	}
	var dueAt time.Time
	if (task == "") != (due == "") {
		return usage("--task and --due go together")
	}
	if due != "" {
		if dueAt, err = time.Parse(time.RFC3339, due); err != nil {
			return usage("--due must be an RFC 3339 time, got %q", due)
		}
	}
	ctx := context.Background()
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	outs, err := st.Outcomes(ctx, false)
	if err != nil {
		return err
	}
	var outcomeID int64
	var labels []string
	for _, o := range outs {
		labels = append(labels, o.Label)
		if strings.EqualFold(o.Label, strings.TrimSpace(outcome)) {
			outcomeID = o.ID
		}
	}
	if outcomeID == 0 {
		return usage("unknown --outcome %q (one of: %s)", outcome, strings.Join(labels, ", "))
	}
	form := store.OutcomeForm{OutcomeID: outcomeID, Notes: notes}
	if deal != "" {
		d, err := st.FindDeal(ctx, deal)
		if errors.Is(err, store.ErrNotFound) {
			return usage("unknown --deal %q", deal)
		} else if err != nil {
			return err
		}
		form.DealID = d.ID
	}
	if task != "" {
		form.Task = &store.TaskInput{Title: task, Due: dueAt}
	}
	rec := store.CallRecord{ID: uuid.NewString(), Direction: dir, From: from, To: to, Started: start,
		Ended: start.Add(duration), Status: stat}
	if stat == store.StatusCompleted {
		rec.Answered, rec.Duration = start, duration
	}
	if err := st.LogCall(ctx, rec); err != nil {
		return err
	}
	if err := st.SaveForm(ctx, rec.ID, form); err != nil {
		return err
	}
	logged, err := st.Call(ctx, rec.ID)
	if err != nil {
		return err
	}
	p := &printer{w: stdout, json: jsonOut}
	p.emit("logged", line{"call_id": rec.ID, "contact_id": logged.ContactID, "outcome": outcome, "queued": len(logged.Sync)})
	return nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

func validStatus(s CallStatus) bool { return slices.Contains(CallStatuses(), s) }

func checkNotes(notes string) error {
	if len(notes) > MaxNotesBytes {
		return fmt.Errorf("%w: notes are %d bytes, the limit is %d (4 MiB)", ErrTooLarge, len(notes), MaxNotesBytes)
	}
	if !strings.Contains(notes, "\x00") && strings.ToValidUTF8(notes, "") == notes {
		return nil
	}
	return fmt.Errorf("%w: notes are not valid UTF-8 text", ErrInvalid)
}

// nullable turns "" into NULL for foreign-key columns.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// LogCall stores the call log row when a call ends (inserting it, or
// updating the row with the same ID). When ContactID is empty the remote
// number (From for inbound, To for outbound) is looked up in the caller-ID
// index. A missed inbound call is stored with FormDone=true. A call with
// FormDone=true is queued in the outbox for every connected CRM (see the
// package documentation for the rule).
func (s *Store) LogCall(ctx context.Context, c CallRecord) error {
	switch {
	case c.ID == "":
		return fmt.Errorf("store: log call: %w: empty call id", ErrInvalid)
	case c.Direction != Inbound && c.Direction != Outbound:
		return fmt.Errorf("store: log call %s: %w: direction %q", c.ID, ErrInvalid, c.Direction)
	case !validStatus(c.Status):
		return fmt.Errorf("store: log call %s: %w: status %q", c.ID, ErrInvalid, c.Status)
	case c.Duration < 0:
		return fmt.Errorf("store: log call %s: %w: negative duration", c.ID, ErrInvalid)
	}
	if err := checkNotes(c.Notes); err != nil {
		return fmt.Errorf("store: log call %s: %w", c.ID, err)
	}
	for name, v := range map[string]string{"from": c.From, "to": c.To, "account": c.Account, "cause": c.Cause, "recording path": c.RecordingPath} {
		if err := checkText(name, v); err != nil {
			return fmt.Errorf("store: log call %s: %w", c.ID, err)
		}
	}
	if c.Direction == Inbound && c.Status == StatusMissed {
		c.FormDone = true
	}
	if c.ContactID == "" {
		remote := c.To
		if c.Direction == Inbound {
			remote = c.From
		}
		if id, ok := s.LookupNumber(remote); ok {
			c.ContactID = id.ContactID
		}
	}
	var outcome any
	if c.OutcomeID != 0 {
		outcome = c.OutcomeID
	}
	return s.write(ctx, "log call "+c.ID, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO calls(id, direction, from_number, to_number, account, started, answered, ended,
			duration_ms, status, sip_code, cause, recording_path, contact_id, deal_id, outcome_id, notes, form_done)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT(id) DO UPDATE SET direction=excluded.direction, from_number=excluded.from_number,
			to_number=excluded.to_number, account=excluded.account, started=excluded.started, answered=excluded.answered,
			ended=excluded.ended, duration_ms=excluded.duration_ms, status=excluded.status, sip_code=excluded.sip_code,
			cause=excluded.cause, recording_path=excluded.recording_path,
			contact_id=COALESCE(excluded.contact_id, contact_id), deal_id=COALESCE(excluded.deal_id, deal_id),
			outcome_id=COALESCE(excluded.outcome_id, outcome_id),
			notes=CASE WHEN excluded.notes <> '' THEN excluded.notes ELSE notes END,
			form_done=MAX(form_done, excluded.form_done)`,
			c.ID, c.Direction, c.From, c.To, c.Account, ts(c.Started), ts(c.Answered), ts(c.Ended), c.Duration.Milliseconds(),
			c.Status, c.SIPCode, c.Cause, c.RecordingPath, nullable(c.ContactID), nullable(c.DealID), outcome, c.Notes, c.FormDone)
		if err != nil {
			return translateFK(err, "contact, deal or outcome")
		}
		if c.FormDone {
			return s.txQueue(ctx, tx, KindCall, c.ID)
		}
		return nil
	})
}

func translateFK(err error, what string) error {
	if strings.Contains(err.Error(), "FOREIGN KEY") {
		return fmt.Errorf("%w: unknown %s (%v)", ErrNotFound, what, err)
	}
	return err
}

// txQueue adds one outbox row per connected CRM (at most one per vendor,
// kind and record).
func (s *Store) txQueue(ctx context.Context, tx *sql.Tx, kind, ref string) error {
	now := ts(s.now())
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox(vendor, kind, ref_id, state, next_at, updated)
		SELECT vendor, ?, ?, 'pending', ?, ? FROM vendors WHERE connected = 1
		ON CONFLICT(vendor, kind, ref_id) DO NOTHING`, kind, ref, now, now)
	return err
}

// SaveForm records the outcome form of a logged call in ONE transaction:
// the outcome, notes and deal on the call, the notes on the contact's
// timeline, the follow-up task, and one outbox row per connected CRM for
// the call and for the task. Either all of it is stored or nothing.
// Saving the form again updates the call (a CRM that already has the call
// keeps the first version) and adds the new task, if any.
func (s *Store) SaveForm(ctx context.Context, callID string, f OutcomeForm) error {
	if err := checkNotes(f.Notes); err != nil {
		return fmt.Errorf("store: save form of call %s: %w", callID, err)
	}
	if f.Task != nil {
		f.Task.Title = strings.TrimSpace(f.Task.Title)
		if f.Task.Title == "" || f.Task.Due.IsZero() {
			return fmt.Errorf("store: save form of call %s: %w: a task needs a title and a due time", callID, ErrInvalid)
		}
		if err := checkText("task title", f.Task.Title); err != nil {
			return fmt.Errorf("store: save form of call %s: %w", callID, err)
		}
	}
	return s.write(ctx, "save form of call "+callID, func(tx *sql.Tx) error {
		var contact sql.NullString
		var deal sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT contact_id, deal_id FROM calls WHERE id = ?`, callID).Scan(&contact, &deal); err != nil {
			return notFound(err, "call", callID)
		}
		var outcome any
		if f.OutcomeID != 0 {
			var deleted bool
			if err := tx.QueryRowContext(ctx, `SELECT deleted FROM outcomes WHERE id = ?`, f.OutcomeID).Scan(&deleted); err != nil {
				return notFound(err, "outcome", f.OutcomeID)
			}
			if deleted {
				return fmt.Errorf("%w: outcome %d is deleted", ErrNotFound, f.OutcomeID)
			}
			outcome = f.OutcomeID
		}
		if f.DealID != "" {
			var x int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM deals WHERE id = ?`, f.DealID).Scan(&x); err != nil {
				return notFound(err, "deal", f.DealID)
			}
			deal = sql.NullString{String: f.DealID, Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE calls SET outcome_id = ?, notes = ?, deal_id = ?, form_done = 1 WHERE id = ?`,
			outcome, f.Notes, deal, callID); err != nil {
			return err
		}
		if err := s.hookAt("call"); err != nil {
			return err
		}
		now := ts(s.now())
		if f.Notes != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO notes(contact_id, call_id, body, created) VALUES(?,?,?,?)
				ON CONFLICT(call_id) WHERE call_id IS NOT NULL DO UPDATE SET body = excluded.body`, contact, callID, f.Notes, now); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM notes WHERE call_id = ?`, callID); err != nil {
			return err
		}
		if err := s.hookAt("note"); err != nil {
			return err
		}
		if err := s.txQueue(ctx, tx, KindCall, callID); err != nil {
			return err
		}
		if err := s.hookAt("outbox-call"); err != nil {
			return err
		}
		if f.Task != nil {
			id := uuid.NewString()
			if _, err := tx.ExecContext(ctx, `INSERT INTO tasks(id, call_id, contact_id, deal_id, title, notes, due, reminder, created)
				VALUES(?,?,?,?,?,?,?,?,?)`, id, callID, contact, deal, f.Task.Title, f.Notes, ts(f.Task.Due), ts(f.Task.Reminder), now); err != nil {
				return err
			}
			if err := s.hookAt("task"); err != nil {
				return err
			}
			if err := s.txQueue(ctx, tx, KindTask, id); err != nil {
				return err
			}
		}
		return s.hookAt("outbox-task")
	})
}

const callCols = `id, direction, from_number, to_number, account, started, answered, ended, duration_ms, status, sip_code,
	cause, recording_path, COALESCE(contact_id, ''), COALESCE(deal_id, ''), COALESCE(outcome_id, 0), notes, form_done`

func scanCall(sc interface{ Scan(...any) error }) (CallRecord, error) {
	var c CallRecord
	var st, an, en, dur int64
	err := sc.Scan(&c.ID, &c.Direction, &c.From, &c.To, &c.Account, &st, &an, &en, &dur, &c.Status, &c.SIPCode,
		&c.Cause, &c.RecordingPath, &c.ContactID, &c.DealID, &c.OutcomeID, &c.Notes, &c.FormDone)
	c.Started, c.Answered, c.Ended = fromTS(st), fromTS(an), fromTS(en)
	c.Duration = time.Duration(dur) * time.Millisecond
	return c, err
}

func syncStatuses(ctx context.Context, q querier, callID string) ([]SyncStatus, error) {
	rows, err := q.QueryContext(ctx, `SELECT vendor, state, remote_id, last_error, attempts, updated FROM outbox
		WHERE kind = 'call' AND ref_id = ? ORDER BY vendor`, callID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SyncStatus
	for rows.Next() {
		var st SyncStatus
		var upd int64
		if err := rows.Scan(&st.Vendor, &st.State, &st.RemoteID, &st.Error, &st.Attempts, &upd); err != nil {
			return nil, err
		}
		if st.State == OutboxInFlight {
			st.State = OutboxPending
		}
		st.Updated = fromTS(upd)
		out = append(out, st)
	}
	return out, rows.Err()
}

// Call returns one call with its sync state.
func (s *Store) Call(ctx context.Context, id string) (CallRecord, error) {
	db, err := s.reader()
	if err != nil {
		return CallRecord{}, err
	}
	c, err := scanCall(db.QueryRowContext(ctx, `SELECT `+callCols+` FROM calls WHERE id = ?`, id))
	if err != nil {
		return c, fmt.Errorf("store: read call: %w", notFound(err, "call", id))
	}
	if c.Sync, err = syncStatuses(ctx, db, id); err != nil {
		return c, fmt.Errorf("store: read call %s: %w", id, err)
	}
	return c, nil
}

func historyQuery(f HistoryFilter, defLimit int) (string, []any) {
	q := `SELECT ` + callCols + ` FROM calls WHERE 1=1`
	var args []any
	if f.Direction != "" {
		q += ` AND direction = ?`
		args = append(args, f.Direction)
	}
	if f.Missed {
		q += ` AND direction = 'inbound' AND status = 'missed'`
	}
	if !f.Since.IsZero() {
		q += ` AND started >= ?`
		args = append(args, ts(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND started < ?`
		args = append(args, ts(f.Until))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defLimit
	}
	q += ` ORDER BY started DESC, id LIMIT ? OFFSET ?`
	return q, append(args, limit, max(f.Offset, 0))
}

// History lists calls, newest first. Missed selects inbound calls with
// status missed; Since is inclusive and Until exclusive.
func (s *Store) History(ctx context.Context, f HistoryFilter) ([]CallRecord, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	q, args := historyQuery(f, 100)
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: read history: %w", err)
	}
	var out []CallRecord
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read history: %w", err)
		}
		out = append(out, c)
	}
	rows.Close()
	for i := range out {
		if out[i].Sync, err = syncStatuses(ctx, db, out[i].ID); err != nil {
			return nil, fmt.Errorf("store: read history: %w", err)
		}
	}
	return out, nil
}

// ExportHeader is the header row ExportHistoryCSV writes.
var ExportHeader = []string{"id", "direction", "from", "to", "account", "started", "answered", "ended", "duration_seconds",
	"status", "sip_code", "cause", "contact_id", "contact", "outcome", "notes", "recording", "sync"}

// ExportHistoryCSV writes the selected calls as CSV (RFC 4180), newest
// first, with times in RFC 3339 UTC. Limit 0 exports everything. Cells
// that a spreadsheet would run as a formula are prefixed with a quote.
func (s *Store) ExportHistoryCSV(ctx context.Context, w io.Writer, f HistoryFilter) error {
	db, err := s.reader()
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(ExportHeader); err != nil {
		return fmt.Errorf("store: export history: %w", err)
	}
	// Page through so memory stays bounded.
	const page = 500
	off, left := max(f.Offset, 0), f.Limit
	for {
		g := f
		g.Offset, g.Limit = off, page
		if f.Limit > 0 {
			g.Limit = min(page, left)
		}
		if g.Limit <= 0 {
			break
		}
		calls, err := s.History(ctx, g)
		if err != nil {
			return fmt.Errorf("store: export history: %w", err)
		}
		for _, c := range calls {
			if err := s.writeCallCSV(ctx, db, cw, c); err != nil {
				return err
			}
		}
		if len(calls) < g.Limit {
			break
		}
		off += len(calls)
		left -= len(calls)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("store: export history: %w", err)
	}
	return nil
}

func (s *Store) writeCallCSV(ctx context.Context, db *sql.DB, cw *csv.Writer, c CallRecord) error {
	var name, outcome string
	if c.ContactID != "" {
		var fn, ln string
		db.QueryRowContext(ctx, `SELECT first_name, last_name FROM contacts WHERE id = ?`, c.ContactID).Scan(&fn, &ln)
		name = Contact{FirstName: fn, LastName: ln}.Name()
	}
	if c.OutcomeID != 0 {
		db.QueryRowContext(ctx, `SELECT label FROM outcomes WHERE id = ?`, c.OutcomeID).Scan(&outcome)
	}
	var sync []string
	for _, x := range c.Sync {
		sync = append(sync, string(x.Vendor)+":"+x.State)
	}
	tf := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	rec := []string{c.ID, string(c.Direction), c.From, c.To, c.Account, tf(c.Started), tf(c.Answered), tf(c.Ended),
		strconv.FormatFloat(c.Duration.Seconds(), 'f', -1, 64), string(c.Status), strconv.Itoa(c.SIPCode), c.Cause,
		c.ContactID, name, outcome, c.Notes, c.RecordingPath, strings.Join(sync, " ")}
	for i, v := range rec {
		rec[i] = defuseFormula(v)
	}
	if err := cw.Write(rec); err != nil {
		return fmt.Errorf("store: export history: %w", err)
	}
	return nil
}

// defuseFormula prefixes a quote to text a spreadsheet would evaluate
// (CSV injection: cells starting with = + - @, a tab or a carriage
// return; OWASP "CSV Injection"). A cell starting with + or - is left
// alone only when it is a phone number or a number (digits and the
// punctuation numbers are written with), which can at most be arithmetic:
// "+1 (555) 010-0100" stays, "-2+3+cmd|' /C calc'!A0" is defused.
func defuseFormula(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return "'" + v
	case '+', '-':
		if !numberLike(v) {
			return "'" + v
		}
	}
	return v
}

// numberLike reports whether v has a digit and only digits, spaces and
// the characters + - ( ) . / in it.
func numberLike(v string) bool {
	digit := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
			digit = true
		case strings.IndexByte(" +-()./", c) >= 0:
		default:
			return false
		}
	}
	return digit
}

// Task returns one follow-up task.
func (s *Store) Task(ctx context.Context, id string) (Task, error) {
	db, err := s.reader()
	if err != nil {
		return Task{}, err
	}
	t := Task{ID: id}
	var due, rem, created int64
	err = db.QueryRowContext(ctx, `SELECT COALESCE(call_id, ''), COALESCE(contact_id, ''), COALESCE(deal_id, ''), title, notes,
		due, reminder, done, created FROM tasks WHERE id = ?`, id).Scan(&t.CallID, &t.ContactID, &t.DealID, &t.Title, &t.Notes,
		&due, &rem, &t.Done, &created)
	if err != nil {
		return t, fmt.Errorf("store: read task: %w", notFound(err, "task", id))
	}
	t.Due, t.Reminder, t.Created = fromTS(due), fromTS(rem), fromTS(created)
	return t, nil
}

// TasksForCall lists the tasks created from a call's form.
func (s *Store) TasksForCall(ctx context.Context, callID string) ([]Task, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id FROM tasks WHERE call_id = ? ORDER BY created, id`, callID)
	if err != nil {
		return nil, fmt.Errorf("store: read tasks: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	var out []Task
	for _, id := range ids {
		t, err := s.Task(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

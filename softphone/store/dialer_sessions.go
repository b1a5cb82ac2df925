package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// This file holds the power dialer's sessions (softphone/dialer): a
// session works through a call list and is written after every step, so a
// crash resumes where it stopped. Each dial is an attempt row written
// before the INVITE leaves ("dialing") and finished with its result
// afterwards; an attempt still "dialing" when a session is reopened was
// cut short by a crash and counts as dialled.

// schemaV6 adds dialer sessions and their attempts.
var schemaV6 = []string{
	`CREATE TABLE dialer_sessions (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL DEFAULT '',
		list_id TEXT NOT NULL REFERENCES dialer_lists(id) ON DELETE CASCADE,
		state TEXT NOT NULL DEFAULT 'idle',
		settings TEXT NOT NULL DEFAULT '{}',
		counters TEXT NOT NULL DEFAULT '{}',
		created INTEGER NOT NULL DEFAULT 0,
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX dialer_sessions_name ON dialer_sessions(name) WHERE name <> ''`,
	`CREATE TABLE dialer_attempts (
		id INTEGER PRIMARY KEY,
		session_id TEXT NOT NULL REFERENCES dialer_sessions(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		number TEXT NOT NULL DEFAULT '',
		line INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL,
		result TEXT NOT NULL DEFAULT '',
		reason TEXT NOT NULL DEFAULT '',
		message TEXT NOT NULL DEFAULT '',
		outcome TEXT NOT NULL DEFAULT '',
		call_id TEXT NOT NULL DEFAULT '',
		started INTEGER NOT NULL DEFAULT 0,
		ended INTEGER NOT NULL DEFAULT 0)`,
	`CREATE INDEX dialer_attempts_session ON dialer_attempts(session_id, position)`,
	`CREATE INDEX dialer_attempts_number ON dialer_attempts(number, started)`,
}

// Attempt statuses.
const (
	// AttemptDialing: written before the INVITE leaves; no result yet.
	AttemptDialing = "dialing"
	// AttemptDone: the call ended and Result says how.
	AttemptDone = "done"
	// AttemptSkipped: compliance refused the dial; Reason says why. No
	// INVITE left.
	AttemptSkipped = "skipped"
	// AttemptCancelled: the INVITE left but the dialer cancelled it before
	// any answer (another line won, or the session stopped): the contact
	// was not reached and is dialled again, without counting a retry.
	AttemptCancelled = "cancelled"
)

// DialerSession is a stored dialer session's header. Settings and Counters
// are JSON documents owned by the dialer.
type DialerSession struct {
	// ID is assigned by CreateDialerSession.
	ID string
	// Name is the rep's name for the session ("" for none); unique when
	// set.
	Name string
	// ListID is the call list the session works through.
	ListID string
	// State is the dialer's session state.
	State string
	// Settings and Counters are the dialer's JSON documents.
	Settings, Counters string
	// Created and Updated are set by the store.
	Created, Updated time.Time
}

// DialerAttempt is one dial (or skip) of a session.
type DialerAttempt struct {
	// ID is assigned by AddDialerAttempt.
	ID int64
	// SessionID and Position (the contact's place on the list) say whose
	// attempt it is.
	SessionID string
	Position  int
	// Number is the normalised number dialled (or refused).
	Number string
	// Line is the parallel line (0 in preview and power modes).
	Line int
	// Status is AttemptDialing, AttemptDone, AttemptCancelled or
	// AttemptSkipped.
	Status string
	// Result is the dialer's result once done ("connected", "busy", ...).
	Result string
	// Reason and Message say why a dial was skipped.
	Reason, Message string
	// Outcome is the outcome label saved for the call.
	Outcome string
	// CallID is the engine's call id.
	CallID string
	// Started and Ended are when the attempt was written and finished.
	Started, Ended time.Time
}

// CreateDialerSession stores a new session for list s.ListID and returns
// it with its ID and times set. A taken name wraps ErrDuplicate.
func (s *Store) CreateDialerSession(ctx context.Context, ds DialerSession) (DialerSession, error) {
	if err := checkText("session name", ds.Name); err != nil {
		return ds, err
	}
	if ds.ListID == "" {
		return ds, fmt.Errorf("%w: a session needs a call list", ErrInvalid)
	}
	if ds.Settings == "" {
		ds.Settings = "{}"
	}
	if ds.Counters == "" {
		ds.Counters = "{}"
	}
	if ds.State == "" {
		ds.State = "idle"
	}
	ds.ID = uuid.NewString()
	now := s.now()
	err := s.write(ctx, "create dialer session", func(tx *sql.Tx) error {
		if ds.Name != "" {
			var one int
			err := tx.QueryRowContext(ctx, `SELECT 1 FROM dialer_sessions WHERE name = ?`, ds.Name).Scan(&one)
			if err == nil {
				return fmt.Errorf("%w: a session named %q", ErrDuplicate, ds.Name)
			}
			if err != sql.ErrNoRows {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO dialer_sessions(id, name, list_id, state, settings, counters, created, updated)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`, ds.ID, ds.Name, ds.ListID, ds.State, ds.Settings, ds.Counters, ts(now), ts(now))
		return err
	})
	ds.Created, ds.Updated = fromTS(ts(now)), fromTS(ts(now))
	return ds, err
}

// DialerSessionByName returns the session named name (ErrNotFound when
// there is none).
func (s *Store) DialerSessionByName(ctx context.Context, name string) (DialerSession, error) {
	return s.dialerSession(ctx, `name = ?`, name)
}

// DialerSession returns session id (ErrNotFound when there is none).
func (s *Store) DialerSession(ctx context.Context, id string) (DialerSession, error) {
	return s.dialerSession(ctx, `id = ?`, id)
}

func (s *Store) dialerSession(ctx context.Context, where string, arg string) (DialerSession, error) {
	db, err := s.reader()
	if err != nil {
		return DialerSession{}, err
	}
	var ds DialerSession
	var c, u int64
	err = db.QueryRowContext(ctx, `SELECT id, name, list_id, state, settings, counters, created, updated
		FROM dialer_sessions WHERE `+where, arg).Scan(&ds.ID, &ds.Name, &ds.ListID, &ds.State, &ds.Settings, &ds.Counters, &c, &u)
	if err != nil {
		return ds, fmt.Errorf("store: read dialer session: %w", notFound(err, "dialer session", arg))
	}
	ds.Created, ds.Updated = fromTS(c), fromTS(u)
	return ds, nil
}

// DialerSessions returns every session's header, most recently updated
// first.
func (s *Store) DialerSessions(ctx context.Context) ([]DialerSession, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, name, list_id, state, settings, counters, created, updated
		FROM dialer_sessions ORDER BY updated DESC`)
	if err != nil {
		return nil, fmt.Errorf("store: read dialer sessions: %w", err)
	}
	defer rows.Close()
	var out []DialerSession
	for rows.Next() {
		var ds DialerSession
		var c, u int64
		if err := rows.Scan(&ds.ID, &ds.Name, &ds.ListID, &ds.State, &ds.Settings, &ds.Counters, &c, &u); err != nil {
			return nil, fmt.Errorf("store: read dialer sessions: %w", err)
		}
		ds.Created, ds.Updated = fromTS(c), fromTS(u)
		out = append(out, ds)
	}
	return out, rows.Err()
}

// UpdateDialerSession writes a session's state and counters.
func (s *Store) UpdateDialerSession(ctx context.Context, id, state, counters string) error {
	now := s.now()
	return s.write(ctx, "update dialer session", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE dialer_sessions SET state = ?, counters = ?, updated = ? WHERE id = ?`,
			state, counters, ts(now), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: dialer session %q", ErrNotFound, id)
		}
		return nil
	})
}

// AddDialerAttempt writes attempt a (Started defaults to now) and, in the
// same transaction, the session's state and counters when state is not
// empty. It returns the attempt's ID. The commit is done before it
// returns: a dial written here survives a crash of the process.
func (s *Store) AddDialerAttempt(ctx context.Context, a DialerAttempt, state, counters string) (int64, error) {
	for _, f := range []string{a.Number, a.Status, a.Result, a.Reason, a.Message, a.Outcome, a.CallID} {
		if err := checkText("dialer attempt", f); err != nil {
			return 0, err
		}
	}
	if a.Status == "" {
		return 0, fmt.Errorf("%w: a dialer attempt needs a status", ErrInvalid)
	}
	if a.Started.IsZero() {
		a.Started = s.now()
	}
	var id int64
	err := s.write(ctx, "write dialer attempt", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `INSERT INTO dialer_attempts(session_id, position, number, line, status, result, reason, message,
			outcome, call_id, started, ended) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.SessionID, a.Position, a.Number, a.Line, a.Status, a.Result, a.Reason, a.Message, a.Outcome, a.CallID,
			ts(a.Started), ts(a.Ended))
		if err != nil {
			return err
		}
		id, _ = r.LastInsertId()
		return updateSession(ctx, tx, a.SessionID, state, counters, s.now())
	})
	return id, err
}

// FinishDialerAttempt sets an attempt's status, result, outcome, call id
// and end time (fields left empty keep their value) and, in the same
// transaction, the session's state and counters when state is not empty.
func (s *Store) FinishDialerAttempt(ctx context.Context, a DialerAttempt, state, counters string) error {
	for _, f := range []string{a.Status, a.Result, a.Outcome, a.CallID, a.Message} {
		if err := checkText("dialer attempt", f); err != nil {
			return err
		}
	}
	return s.write(ctx, "finish dialer attempt", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE dialer_attempts SET
			status = CASE WHEN ? <> '' THEN ? ELSE status END,
			result = CASE WHEN ? <> '' THEN ? ELSE result END,
			outcome = CASE WHEN ? <> '' THEN ? ELSE outcome END,
			call_id = CASE WHEN ? <> '' THEN ? ELSE call_id END,
			message = CASE WHEN ? <> '' THEN ? ELSE message END,
			ended = CASE WHEN ? <> 0 THEN ? ELSE ended END
			WHERE id = ?`,
			a.Status, a.Status, a.Result, a.Result, a.Outcome, a.Outcome, a.CallID, a.CallID, a.Message, a.Message,
			ts(a.Ended), ts(a.Ended), a.ID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: dialer attempt %d", ErrNotFound, a.ID)
		}
		return updateSession(ctx, tx, a.SessionID, state, counters, s.now())
	})
}

func updateSession(ctx context.Context, tx *sql.Tx, id, state, counters string, now time.Time) error {
	if state == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE dialer_sessions SET state = ?, counters = ?, updated = ? WHERE id = ?`,
		state, counters, ts(now), id)
	return err
}

// DialerAttempts returns a session's attempts in the order they were
// written.
func (s *Store) DialerAttempts(ctx context.Context, sessionID string) ([]DialerAttempt, error) {
	return s.dialerAttempts(ctx, `session_id = ? ORDER BY id`, sessionID)
}

// DialerAttemptsForNumber returns every attempt (of any session) that
// dialled number (status dialing or done), oldest first, for retry caps.
func (s *Store) DialerAttemptsForNumber(ctx context.Context, number string) ([]DialerAttempt, error) {
	return s.dialerAttempts(ctx, `number = ? AND status <> '`+AttemptSkipped+`' ORDER BY started`, number)
}

func (s *Store) dialerAttempts(ctx context.Context, where string, arg string) ([]DialerAttempt, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, session_id, position, number, line, status, result, reason, message,
		outcome, call_id, started, ended FROM dialer_attempts WHERE `+where, arg)
	if err != nil {
		return nil, fmt.Errorf("store: read dialer attempts: %w", err)
	}
	defer rows.Close()
	var out []DialerAttempt
	for rows.Next() {
		var a DialerAttempt
		var st, en int64
		if err := rows.Scan(&a.ID, &a.SessionID, &a.Position, &a.Number, &a.Line, &a.Status, &a.Result, &a.Reason,
			&a.Message, &a.Outcome, &a.CallID, &st, &en); err != nil {
			return nil, fmt.Errorf("store: read dialer attempts: %w", err)
		}
		a.Started, a.Ended = fromTS(st), fromTS(en)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read dialer attempts: %w", err)
	}
	return out, nil
}

// DeleteDialerSession removes session id and its attempts (ErrNotFound when
// there is none).
func (s *Store) DeleteDialerSession(ctx context.Context, id string) error {
	return s.write(ctx, "delete dialer session", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM dialer_sessions WHERE id = ?`, strings.TrimSpace(id))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: dialer session %q", ErrNotFound, id)
		}
		return nil
	})
}

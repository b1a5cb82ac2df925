package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
)

// migration brings the schema from version i to i+1 (migrations[i]).
type migration struct {
	name string
	up   func(ctx context.Context, tx *sql.Tx) error
}

// migrations is the forward-only schema history. Append only: never edit
// a released step.
var migrations = []migration{
	{"base tables", execAll(schemaV1)},
	{"full-text search index", migrateV2},
	{"search index with prefix indexes up to 6 characters", execAll(schemaV3)},
	{"covering index for call reports", execAll(schemaV4)},
	{"dialer call lists and do-not-call list", execAll(schemaV5)}, // dialer.go
	{"dialer sessions and attempts", execAll(schemaV6)},           // dialer_sessions.go
	{"call script sections and choices", execAll(schemaV7)},       // scripts.go
}

// schemaV4 adds a covering index for Report: per day it is one range scan
// over started with every column the report aggregates, so the calls table
// (with its notes) is never read. It replaces calls_started, whose one
// column is this index's first, so History's ORDER BY started still uses
// an index.
var schemaV4 = []string{
	`CREATE INDEX calls_report ON calls(started, direction, account, status, answered, outcome_id, duration_ms)`,
	`DROP INDEX calls_started`,
}

// schemaV3 rebuilds the search index with prefix indexes for 1 to 6
// characters: FTS5 streams a prefix query only when a prefix index of
// exactly that length exists; otherwise it merges every matching token's
// document list in memory, which took 100-300 ms at 1M contacts for
// "road" or "2012".
var schemaV3 = []string{
	`ALTER TABLE contacts_fts RENAME TO contacts_fts_v2`,
	`CREATE VIRTUAL TABLE contacts_fts USING fts5(
		name, company, address, phones,
		tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4 5 6')`,
	`INSERT INTO contacts_fts(rowid, name, company, address, phones)
		SELECT rowid, name, company, address, phones FROM contacts_fts_v2`,
	`DROP TABLE contacts_fts_v2`,
}

// SchemaVersion is the schema version this Pitchline writes.
func SchemaVersion() int { return len(migrations) }

func execAll(stmts []string) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%w in %.60q", err, q)
			}
		}
		return nil
	}
}

// migrate applies the missing migrations up to version target, each in its
// own transaction together with the user_version bump.
func (s *Store) migrate(ctx context.Context, target int) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	startV := -1
	for {
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: migrate %s: %w", s.path, err)
		}
		var v int
		if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: read schema version of %s: %w", s.path, err)
		}
		if v > len(migrations) {
			tx.Rollback()
			return fmt.Errorf("%w: %s has version %d, this build knows up to %d", ErrSchemaTooNew, s.path, v, len(migrations))
		}
		if v >= target {
			tx.Rollback()
			return nil
		}
		m := migrations[v]
		if err := m.up(ctx, tx); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate %s to version %d (%s): %w", s.path, v+1, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: migrate %s to version %d: %w", s.path, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: migrate %s to version %d: commit: %w", s.path, v+1, err)
		}
		lvl := slog.LevelInfo
		if startV < 0 {
			startV = v
		}
		if startV == 0 {
			lvl = slog.LevelDebug // a new file, not an upgrade
		}
		s.log.Log(ctx, lvl, "schema migrated", "path", s.path, "version", v+1, "step", m.name)
	}
}

var schemaV1 = []string{
	`CREATE TABLE companies (
		rid INTEGER PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		address TEXT NOT NULL DEFAULT '',
		phone TEXT NOT NULL DEFAULT '',
		domain TEXT NOT NULL DEFAULT '',
		source TEXT NOT NULL DEFAULT 'local',
		remote_id TEXT NOT NULL DEFAULT '',
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX companies_remote ON companies(source, remote_id) WHERE remote_id <> ''`,
	`CREATE INDEX companies_name ON companies(name COLLATE NOCASE)`,
	`CREATE TABLE contacts (
		rid INTEGER PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		first_name TEXT NOT NULL DEFAULT '',
		last_name TEXT NOT NULL DEFAULT '',
		title TEXT NOT NULL DEFAULT '',
		email TEXT NOT NULL DEFAULT '',
		address TEXT NOT NULL DEFAULT '',
		time_zone TEXT NOT NULL DEFAULT '',
		company_id TEXT REFERENCES companies(id) ON DELETE SET NULL,
		source TEXT NOT NULL DEFAULT 'local',
		remote_id TEXT NOT NULL DEFAULT '',
		dedupe_key TEXT NOT NULL DEFAULT '',
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX contacts_remote ON contacts(source, remote_id) WHERE remote_id <> ''`,
	`CREATE INDEX contacts_dedupe ON contacts(dedupe_key) WHERE dedupe_key <> ''`,
	`CREATE INDEX contacts_company ON contacts(company_id)`,
	`CREATE TABLE phones (
		id INTEGER PRIMARY KEY,
		contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
		position INTEGER NOT NULL DEFAULT 0,
		label TEXT NOT NULL DEFAULT '',
		raw TEXT NOT NULL,
		e164 TEXT NOT NULL DEFAULT '')`,
	`CREATE INDEX phones_contact ON phones(contact_id)`,
	`CREATE INDEX phones_e164 ON phones(e164) WHERE e164 <> ''`,
	`CREATE TABLE deals (
		rid INTEGER PRIMARY KEY,
		id TEXT NOT NULL UNIQUE,
		name TEXT NOT NULL,
		amount TEXT NOT NULL DEFAULT '',
		currency TEXT NOT NULL DEFAULT '',
		stage TEXT NOT NULL DEFAULT '',
		company_id TEXT REFERENCES companies(id) ON DELETE SET NULL,
		source TEXT NOT NULL DEFAULT 'local',
		remote_id TEXT NOT NULL DEFAULT '',
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX deals_remote ON deals(source, remote_id) WHERE remote_id <> ''`,
	`CREATE TABLE deal_contacts (
		deal_id TEXT NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
		contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
		PRIMARY KEY (deal_id, contact_id))`,
	`CREATE INDEX deal_contacts_contact ON deal_contacts(contact_id)`,
	`CREATE TABLE outcomes (
		id INTEGER PRIMARY KEY,
		label TEXT NOT NULL,
		enabled INTEGER NOT NULL DEFAULT 1,
		deleted INTEGER NOT NULL DEFAULT 0,
		position INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE outcome_mappings (
		outcome_id INTEGER NOT NULL REFERENCES outcomes(id) ON DELETE CASCADE,
		vendor TEXT NOT NULL,
		value TEXT NOT NULL,
		PRIMARY KEY (outcome_id, vendor))`,
	`INSERT INTO outcomes(label, position) VALUES
		('Connected', 1), ('Left voicemail', 2), ('Left live message', 3), ('No answer', 4),
		('Busy', 5), ('Wrong number', 6), ('Not interested', 7), ('Meeting booked', 8)`,
	`CREATE TABLE calls (
		id TEXT PRIMARY KEY,
		direction TEXT NOT NULL,
		from_number TEXT NOT NULL DEFAULT '',
		to_number TEXT NOT NULL DEFAULT '',
		account TEXT NOT NULL DEFAULT '',
		started INTEGER NOT NULL DEFAULT 0,
		answered INTEGER NOT NULL DEFAULT 0,
		ended INTEGER NOT NULL DEFAULT 0,
		duration_ms INTEGER NOT NULL DEFAULT 0,
		status TEXT NOT NULL DEFAULT '',
		sip_code INTEGER NOT NULL DEFAULT 0,
		cause TEXT NOT NULL DEFAULT '',
		recording_path TEXT NOT NULL DEFAULT '',
		contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
		deal_id TEXT REFERENCES deals(id) ON DELETE SET NULL,
		outcome_id INTEGER REFERENCES outcomes(id),
		notes TEXT NOT NULL DEFAULT '',
		form_done INTEGER NOT NULL DEFAULT 0)`,
	`CREATE INDEX calls_started ON calls(started)`,
	`CREATE INDEX calls_contact ON calls(contact_id)`,
	`CREATE TABLE notes (
		id INTEGER PRIMARY KEY,
		contact_id TEXT REFERENCES contacts(id) ON DELETE CASCADE,
		call_id TEXT REFERENCES calls(id) ON DELETE CASCADE,
		body TEXT NOT NULL,
		created INTEGER NOT NULL)`,
	`CREATE UNIQUE INDEX notes_call ON notes(call_id) WHERE call_id IS NOT NULL`,
	`CREATE INDEX notes_contact ON notes(contact_id)`,
	`CREATE TABLE tasks (
		id TEXT PRIMARY KEY,
		call_id TEXT REFERENCES calls(id) ON DELETE SET NULL,
		contact_id TEXT REFERENCES contacts(id) ON DELETE SET NULL,
		deal_id TEXT REFERENCES deals(id) ON DELETE SET NULL,
		title TEXT NOT NULL,
		notes TEXT NOT NULL DEFAULT '',
		due INTEGER NOT NULL DEFAULT 0,
		reminder INTEGER NOT NULL DEFAULT 0,
		done INTEGER NOT NULL DEFAULT 0,
		created INTEGER NOT NULL)`,
	`CREATE TABLE outbox (
		id INTEGER PRIMARY KEY,
		vendor TEXT NOT NULL,
		kind TEXT NOT NULL,
		ref_id TEXT NOT NULL,
		state TEXT NOT NULL DEFAULT 'pending',
		attempts INTEGER NOT NULL DEFAULT 0,
		next_at INTEGER NOT NULL DEFAULT 0,
		last_error TEXT NOT NULL DEFAULT '',
		remote_id TEXT NOT NULL DEFAULT '',
		owner TEXT NOT NULL DEFAULT '',
		uncertain INTEGER NOT NULL DEFAULT 0,
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE UNIQUE INDEX outbox_once ON outbox(vendor, kind, ref_id)`,
	`CREATE INDEX outbox_due ON outbox(vendor, state, next_at)`,
	`CREATE TABLE vendors (
		vendor TEXT PRIMARY KEY,
		connected INTEGER NOT NULL DEFAULT 1,
		last_sync INTEGER NOT NULL DEFAULT 0,
		cursor TEXT NOT NULL DEFAULT '{}',
		counts TEXT NOT NULL DEFAULT '{}')`,
	`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
	`CREATE TABLE scripts (
		id INTEGER PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		body TEXT NOT NULL DEFAULT '',
		is_default INTEGER NOT NULL DEFAULT 0)`,
}

// migrateV2 adds the FTS5 search index and fills it from the contacts a
// version-1 file already holds.
func migrateV2(ctx context.Context, tx *sql.Tx) error {
	// rowid = contacts.rid. unicode61 folds case and diacritics; the
	// prefix indexes make 1- to 3-character type-ahead prefixes cheap.
	if _, err := tx.ExecContext(ctx, `CREATE VIRTUAL TABLE contacts_fts USING fts5(
		name, company, address, phones,
		tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3')`); err != nil {
		return err
	}
	return reindexAll(ctx, tx)
}

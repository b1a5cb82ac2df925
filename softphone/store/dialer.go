package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// This file holds the tables of the power dialer (softphone/dialer): call
// lists with their contacts, and the local do-not-call list. The store
// keeps them as plain records; the list settings are an opaque JSON
// document the dialer owns, so the store never imports the dialer.

// schemaV5 adds the dialer's call lists and the do-not-call list.
var schemaV5 = []string{
	`CREATE TABLE dialer_lists (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		settings TEXT NOT NULL DEFAULT '{}',
		created INTEGER NOT NULL DEFAULT 0,
		updated INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE dialer_list_contacts (
		list_id TEXT NOT NULL REFERENCES dialer_lists(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		name TEXT NOT NULL DEFAULT '',
		company TEXT NOT NULL DEFAULT '',
		email TEXT NOT NULL DEFAULT '',
		time_zone TEXT NOT NULL DEFAULT '',
		numbers TEXT NOT NULL DEFAULT '[]',
		extra TEXT NOT NULL DEFAULT '{}',
		PRIMARY KEY (list_id, position))`,
	`CREATE TABLE dnc (
		number TEXT PRIMARY KEY,
		raw TEXT NOT NULL DEFAULT '',
		note TEXT NOT NULL DEFAULT '',
		source TEXT NOT NULL DEFAULT '',
		added INTEGER NOT NULL DEFAULT 0)`,
}

// DialerList is a stored call list's header. Settings is the dialer's own
// JSON document (mode, lines, calling hours, retry policy, ...).
type DialerList struct {
	// ID is the list's id; SaveDialerList assigns one when it is empty.
	ID string
	// Name is what the rep calls the list.
	Name string
	// Settings is a JSON document owned by the dialer ("{}" when empty).
	Settings string
	// Created and Updated are set by SaveDialerList.
	Created, Updated time.Time
	// Contacts is the number of contacts on the list (read only).
	Contacts int
}

// DialerNumber is one number of a call-list contact.
type DialerNumber struct {
	// Raw is the text as imported; Key is its normalised form (E.164 or a
	// lower-cased SIP URI); Label is the CSV column it came from.
	Raw   string `json:"raw"`
	Key   string `json:"key"`
	Label string `json:"label,omitempty"`
}

// DialerContact is one contact on a call list, in list order.
type DialerContact struct {
	// Position is the contact's 0-based place on the list (set on save).
	Position int
	Name     string
	Company  string
	Email    string
	// TimeZone is an IANA zone name from the contact's record, or "".
	TimeZone string
	Numbers  []DialerNumber
	// Extra holds the other mapped CSV columns.
	Extra map[string]string
}

// DNCEntry is one number on the local do-not-call list.
type DNCEntry struct {
	// Number is the normalised key (E.164, or a lower-cased SIP URI).
	Number string
	// Raw is the number as the rep or the import wrote it.
	Raw string
	// Note says why ("asked on the call 2026-03-02"); Source says where
	// it came from ("manual", "import", "form").
	Note, Source string
	// Added is when the number was put on the list.
	Added time.Time
}

// SaveDialerList creates or replaces list l and its contacts, in order, in
// one transaction. It sets l.ID when empty and returns the saved header.
func (s *Store) SaveDialerList(ctx context.Context, l DialerList, contacts []DialerContact) (DialerList, error) {
	if strings.TrimSpace(l.Name) == "" {
		return l, fmt.Errorf("%w: a call list needs a name", ErrInvalid)
	}
	if err := checkText("list name", l.Name); err != nil {
		return l, err
	}
	if l.Settings == "" {
		l.Settings = "{}"
	}
	if !json.Valid([]byte(l.Settings)) {
		return l, fmt.Errorf("%w: list settings are not JSON", ErrInvalid)
	}
	for i, c := range contacts {
		for _, f := range []string{c.Name, c.Company, c.Email, c.TimeZone} {
			if err := checkText(fmt.Sprintf("contact %d", i+1), f); err != nil {
				return l, err
			}
		}
	}
	if l.ID == "" {
		l.ID = uuid.NewString()
	}
	now := s.now()
	err := s.write(ctx, "save call list "+l.Name, func(tx *sql.Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx, `SELECT created FROM dialer_lists WHERE id = ?`, l.ID).Scan(&created)
		switch {
		case err == sql.ErrNoRows:
			created = now.UnixMilli()
		case err != nil:
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialer_lists(id, name, settings, created, updated) VALUES(?, ?, ?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET name = excluded.name, settings = excluded.settings, updated = excluded.updated`,
			l.ID, l.Name, l.Settings, created, now.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM dialer_list_contacts WHERE list_id = ?`, l.ID); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO dialer_list_contacts(list_id, position, name, company, email, time_zone, numbers, extra)
			VALUES(?, ?, ?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for i, c := range contacts {
			nums, _ := json.Marshal(nonNil(c.Numbers))
			extra := []byte("{}")
			if len(c.Extra) > 0 {
				extra, _ = json.Marshal(c.Extra)
			}
			if _, err := st.ExecContext(ctx, l.ID, i, c.Name, c.Company, c.Email, c.TimeZone, string(nums), string(extra)); err != nil {
				return err
			}
		}
		l.Created, l.Updated, l.Contacts = time.UnixMilli(created), time.UnixMilli(now.UnixMilli()), len(contacts)
		return nil
	})
	return l, err
}

func nonNil(n []DialerNumber) []DialerNumber {
	if n == nil {
		return []DialerNumber{}
	}
	return n
}

// DialerLists returns every call list's header, most recently updated
// first.
func (s *Store) DialerLists(ctx context.Context) ([]DialerList, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT l.id, l.name, l.settings, l.created, l.updated,
		(SELECT count(*) FROM dialer_list_contacts c WHERE c.list_id = l.id)
		FROM dialer_lists l ORDER BY l.updated DESC, l.name`)
	if err != nil {
		return nil, fmt.Errorf("store: read call lists: %w", err)
	}
	defer rows.Close()
	var out []DialerList
	for rows.Next() {
		var l DialerList
		var c, u int64
		if err := rows.Scan(&l.ID, &l.Name, &l.Settings, &c, &u, &l.Contacts); err != nil {
			return nil, fmt.Errorf("store: read call lists: %w", err)
		}
		l.Created, l.Updated = time.UnixMilli(c), time.UnixMilli(u)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read call lists: %w", err)
	}
	return out, nil
}

// DialerList returns call list id with its contacts in list order
// (ErrNotFound when there is none).
func (s *Store) DialerList(ctx context.Context, id string) (DialerList, []DialerContact, error) {
	db, err := s.reader()
	if err != nil {
		return DialerList{}, nil, err
	}
	l := DialerList{ID: id}
	var c, u int64
	err = db.QueryRowContext(ctx, `SELECT name, settings, created, updated FROM dialer_lists WHERE id = ?`, id).
		Scan(&l.Name, &l.Settings, &c, &u)
	if err == sql.ErrNoRows {
		return l, nil, fmt.Errorf("%w: call list %q", ErrNotFound, id)
	}
	if err != nil {
		return l, nil, fmt.Errorf("store: read call list %q: %w", id, err)
	}
	l.Created, l.Updated = time.UnixMilli(c), time.UnixMilli(u)
	rows, err := db.QueryContext(ctx, `SELECT position, name, company, email, time_zone, numbers, extra
		FROM dialer_list_contacts WHERE list_id = ? ORDER BY position`, id)
	if err != nil {
		return l, nil, fmt.Errorf("store: read call list %q: %w", id, err)
	}
	defer rows.Close()
	var out []DialerContact
	for rows.Next() {
		var dc DialerContact
		var nums, extra string
		if err := rows.Scan(&dc.Position, &dc.Name, &dc.Company, &dc.Email, &dc.TimeZone, &nums, &extra); err != nil {
			return l, nil, fmt.Errorf("store: read call list %q: %w", id, err)
		}
		if err := json.Unmarshal([]byte(nums), &dc.Numbers); err != nil {
			return l, nil, fmt.Errorf("store: call list %q contact %d numbers: %w", id, dc.Position, err)
		}
		if extra != "{}" {
			if err := json.Unmarshal([]byte(extra), &dc.Extra); err != nil {
				return l, nil, fmt.Errorf("store: call list %q contact %d: %w", id, dc.Position, err)
			}
		}
		out = append(out, dc)
	}
	if err := rows.Err(); err != nil {
		return l, nil, fmt.Errorf("store: read call list %q: %w", id, err)
	}
	l.Contacts = len(out)
	return l, out, nil
}

// DeleteDialerList removes call list id and its contacts (ErrNotFound when
// there is none).
func (s *Store) DeleteDialerList(ctx context.Context, id string) error {
	return s.write(ctx, "delete call list", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM dialer_lists WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: call list %q", ErrNotFound, id)
		}
		return nil
	})
}

// AddDNC puts entries on the do-not-call list in one transaction. An entry
// already there keeps its first Added time and takes the new note when it
// has one. It returns how many numbers were new.
func (s *Store) AddDNC(ctx context.Context, entries ...DNCEntry) (int, error) {
	for _, e := range entries {
		if strings.TrimSpace(e.Number) == "" {
			return 0, fmt.Errorf("%w: empty do-not-call number", ErrInvalid)
		}
		for _, f := range []string{e.Number, e.Raw, e.Note, e.Source} {
			if err := checkText("do-not-call entry", f); err != nil {
				return 0, err
			}
		}
	}
	added := 0
	now := s.now().UnixMilli()
	err := s.write(ctx, "add to do-not-call list", func(tx *sql.Tx) error {
		added = 0
		for _, e := range entries {
			at := now
			if !e.Added.IsZero() {
				at = e.Added.UnixMilli()
			}
			r, err := tx.ExecContext(ctx, `INSERT INTO dnc(number, raw, note, source, added) VALUES(?, ?, ?, ?, ?)
				ON CONFLICT(number) DO NOTHING`, e.Number, e.Raw, e.Note, e.Source, at)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 1 {
				added++
			} else if e.Note != "" {
				if _, err := tx.ExecContext(ctx, `UPDATE dnc SET note = ? WHERE number = ?`, e.Note, e.Number); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return added, err
}

// RemoveDNC takes number (a normalised key) off the do-not-call list
// (ErrNotFound when it is not on it).
func (s *Store) RemoveDNC(ctx context.Context, number string) error {
	return s.write(ctx, "remove from do-not-call list", func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM dnc WHERE number = ?`, number)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q is not on the do-not-call list", ErrNotFound, number)
		}
		return nil
	})
}

// IsDNC reports whether number (a normalised key) is on the do-not-call
// list.
func (s *Store) IsDNC(ctx context.Context, number string) (bool, error) {
	db, err := s.reader()
	if err != nil {
		return false, err
	}
	var one int
	err = db.QueryRowContext(ctx, `SELECT 1 FROM dnc WHERE number = ?`, number).Scan(&one)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: read do-not-call list: %w", err)
	}
	return true, nil
}

// DNCEntries returns the whole do-not-call list, ordered by number.
func (s *Store) DNCEntries(ctx context.Context) ([]DNCEntry, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT number, raw, note, source, added FROM dnc ORDER BY number`)
	if err != nil {
		return nil, fmt.Errorf("store: read do-not-call list: %w", err)
	}
	defer rows.Close()
	var out []DNCEntry
	for rows.Next() {
		var e DNCEntry
		var at int64
		if err := rows.Scan(&e.Number, &e.Raw, &e.Note, &e.Source, &at); err != nil {
			return nil, fmt.Errorf("store: read do-not-call list: %w", err)
		}
		e.Added = time.UnixMilli(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read do-not-call list: %w", err)
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Outcomes lists the outcomes in display order. Deleted outcomes are never
// listed (they stay on old calls); disabled ones only when includeDisabled.
func (s *Store) Outcomes(ctx context.Context, includeDisabled bool) ([]Outcome, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	q := `SELECT id, label, enabled, deleted, position FROM outcomes WHERE deleted = 0`
	if !includeDisabled {
		q += ` AND enabled = 1`
	}
	rows, err := db.QueryContext(ctx, q+` ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("store: read outcomes: %w", err)
	}
	var out []Outcome
	for rows.Next() {
		var o Outcome
		if err := rows.Scan(&o.ID, &o.Label, &o.Enabled, &o.Deleted, &o.Position); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read outcomes: %w", err)
		}
		out = append(out, o)
	}
	rows.Close()
	for i := range out {
		if out[i].Mapping, err = outcomeMapping(ctx, db, out[i].ID); err != nil {
			return nil, fmt.Errorf("store: read outcomes: %w", err)
		}
	}
	return out, nil
}

// Outcome returns one outcome, deleted or not.
func (s *Store) Outcome(ctx context.Context, id int64) (Outcome, error) {
	db, err := s.reader()
	if err != nil {
		return Outcome{}, err
	}
	o := Outcome{ID: id}
	err = db.QueryRowContext(ctx, `SELECT label, enabled, deleted, position FROM outcomes WHERE id = ?`, id).
		Scan(&o.Label, &o.Enabled, &o.Deleted, &o.Position)
	if err != nil {
		return o, fmt.Errorf("store: read outcome: %w", notFound(err, "outcome", id))
	}
	o.Mapping, err = outcomeMapping(ctx, db, id)
	return o, err
}

func outcomeMapping(ctx context.Context, q querier, id int64) (map[Vendor]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT vendor, value FROM outcome_mappings WHERE outcome_id = ?`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[Vendor]string{}
	for rows.Next() {
		var v Vendor
		var val string
		if err := rows.Scan(&v, &val); err != nil {
			return nil, err
		}
		m[v] = val
	}
	return m, rows.Err()
}

func checkLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return "", fmt.Errorf("%w: empty outcome label", ErrInvalid)
	}
	if err := checkText("outcome label", label); err != nil {
		return "", err
	}
	return label, nil
}

func labelTaken(ctx context.Context, tx *sql.Tx, label string, except int64) error {
	var id int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM outcomes WHERE deleted = 0 AND label = ? COLLATE NOCASE AND id <> ?`, label, except).Scan(&id)
	if err == nil {
		return fmt.Errorf("%w: an outcome labelled %q", ErrDuplicate, label)
	}
	if err == sql.ErrNoRows {
		return nil
	}
	return err
}

// CreateOutcome adds an enabled outcome at the end of the list. Labels are
// unique among outcomes that are not deleted (case-insensitive).
func (s *Store) CreateOutcome(ctx context.Context, label string) (Outcome, error) {
	label, err := checkLabel(label)
	if err != nil {
		return Outcome{}, fmt.Errorf("store: create outcome: %w", err)
	}
	o := Outcome{Label: label, Enabled: true, Mapping: map[Vendor]string{}}
	err = s.write(ctx, "create outcome "+label, func(tx *sql.Tx) error {
		if err := labelTaken(ctx, tx, label, 0); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM outcomes`).Scan(&o.Position); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO outcomes(label, position) VALUES(?, ?)`, label, o.Position)
		if err != nil {
			return err
		}
		o.ID, err = r.LastInsertId()
		return err
	})
	return o, err
}

func (s *Store) updateOutcome(ctx context.Context, what string, id int64, fn func(tx *sql.Tx) error) error {
	return s.write(ctx, fmt.Sprintf("%s outcome %d", what, id), func(tx *sql.Tx) error {
		var deleted bool
		if err := tx.QueryRowContext(ctx, `SELECT deleted FROM outcomes WHERE id = ?`, id).Scan(&deleted); err != nil {
			return notFound(err, "outcome", id)
		}
		if deleted {
			return fmt.Errorf("%w: outcome %d is deleted", ErrNotFound, id)
		}
		return fn(tx)
	})
}

// RenameOutcome changes an outcome's label (calls show the new label).
func (s *Store) RenameOutcome(ctx context.Context, id int64, label string) error {
	label, err := checkLabel(label)
	if err != nil {
		return fmt.Errorf("store: rename outcome %d: %w", id, err)
	}
	return s.updateOutcome(ctx, "rename", id, func(tx *sql.Tx) error {
		if err := labelTaken(ctx, tx, label, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE outcomes SET label = ? WHERE id = ?`, label, id)
		return err
	})
}

// SetOutcomeEnabled shows or hides an outcome in the form.
func (s *Store) SetOutcomeEnabled(ctx context.Context, id int64, enabled bool) error {
	return s.updateOutcome(ctx, "enable", id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outcomes SET enabled = ? WHERE id = ?`, enabled, id)
		return err
	})
}

// DeleteOutcome soft-deletes an outcome: it disappears from the form and
// the settings list, and stays on the calls that used it.
func (s *Store) DeleteOutcome(ctx context.Context, id int64) error {
	return s.updateOutcome(ctx, "delete", id, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outcomes SET deleted = 1, enabled = 0 WHERE id = ?`, id)
		return err
	})
}

// SetOutcomeMapping sets the vendor's own value for an outcome; an empty
// value removes the mapping.
func (s *Store) SetOutcomeMapping(ctx context.Context, id int64, v Vendor, value string) error {
	if v == "" {
		return fmt.Errorf("store: map outcome %d: %w: empty vendor", id, ErrInvalid)
	}
	return s.updateOutcome(ctx, "map", id, func(tx *sql.Tx) error {
		if value == "" {
			_, err := tx.ExecContext(ctx, `DELETE FROM outcome_mappings WHERE outcome_id = ? AND vendor = ?`, id, v)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO outcome_mappings(outcome_id, vendor, value) VALUES(?,?,?)
			ON CONFLICT(outcome_id, vendor) DO UPDATE SET value = excluded.value`, id, v, value)
		return err
	})
}

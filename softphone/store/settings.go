package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// GetSetting returns the value of key and whether it is set.
func (s *Store) GetSetting(ctx context.Context, key string) (string, bool, error) {
	db, err := s.reader()
	if err != nil {
		return "", false, err
	}
	var v string
	err = db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if err == sql.ErrNoRows {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: read setting %q: %w", key, err)
	}
	return v, true, nil
}

// SetSetting stores value under key (an empty key is ErrInvalid).
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if strings.TrimSpace(key) == "" {
		return fmt.Errorf("%w: empty setting name", ErrInvalid)
	}
	return s.write(ctx, "save setting "+key, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings(key, value) VALUES(?, ?)
			ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// DeleteSetting removes key (no error when it was not set).
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	return s.write(ctx, "delete setting "+key, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key)
		return err
	})
}

// Settings returns every setting.
func (s *Store) Settings(ctx context.Context) (map[string]string, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, fmt.Errorf("store: read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("store: read settings: %w", err)
		}
		out[k] = v
	}
	return out, rows.Err()
}

// Scripts returns the call scripts by name.
func (s *Store) Scripts(ctx context.Context) ([]Script, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, name, body, is_default FROM scripts ORDER BY name COLLATE NOCASE`)
	if err != nil {
		return nil, fmt.Errorf("store: read scripts: %w", err)
	}
	defer rows.Close()
	var out []Script
	for rows.Next() {
		var sc Script
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Body, &sc.Default); err != nil {
			return nil, fmt.Errorf("store: read scripts: %w", err)
		}
		out = append(out, sc)
	}
	return out, rows.Err()
}

// SaveScript creates (ID 0) or updates a script. Names are unique
// (ErrDuplicate); making a script the default clears the previous default.
func (s *Store) SaveScript(ctx context.Context, sc *Script) error {
	sc.Name = strings.TrimSpace(sc.Name)
	if sc.Name == "" {
		return fmt.Errorf("%w: script name is empty", ErrInvalid)
	}
	if len(sc.Body) > MaxScriptBytes {
		return fmt.Errorf("%w: script %q is %d bytes, the limit is %d", ErrTooLarge, sc.Name, len(sc.Body), MaxScriptBytes)
	}
	return s.write(ctx, "save script "+sc.Name, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM scripts WHERE name = ? AND id <> ?`, sc.Name, sc.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("%w: a script named %q", ErrDuplicate, sc.Name)
		} else if err != sql.ErrNoRows {
			return err
		}
		if sc.Default {
			if _, err := tx.ExecContext(ctx, `UPDATE scripts SET is_default = 0 WHERE id <> ?`, sc.ID); err != nil {
				return err
			}
		}
		if sc.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO scripts(name, body, is_default) VALUES(?, ?, ?)`, sc.Name, sc.Body, sc.Default)
			if err != nil {
				return err
			}
			sc.ID, err = res.LastInsertId()
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE scripts SET name = ?, body = ?, is_default = ? WHERE id = ?`, sc.Name, sc.Body, sc.Default, sc.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: script %d", ErrNotFound, sc.ID)
		}
		return nil
	})
}

// DeleteScript deletes a script.
func (s *Store) DeleteScript(ctx context.Context, id int64) error {
	return s.write(ctx, fmt.Sprintf("delete script %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scripts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: script %d", ErrNotFound, id)
		}
		return nil
	})
}

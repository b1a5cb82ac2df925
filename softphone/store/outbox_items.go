package store

import (
	"context"
	"fmt"
)

// ItemsFor returns the outbox items of one record (kind KindCall or
// KindTask, ref the call or task UUID), one per CRM, by vendor. It is how
// the UI finds what to retry for a call.
func (s *Store) ItemsFor(ctx context.Context, kind, ref string) ([]OutboxItem, error) {
	return s.items(ctx, "list outbox items of "+kind+" "+ref,
		`SELECT `+outboxCols+` FROM outbox WHERE kind = ? AND ref_id = ? ORDER BY vendor, id`, kind, ref)
}

// ItemsIn returns up to limit outbox items in one state (OutboxPending,
// OutboxFailed, ...), oldest first, for every CRM: the failed list of
// the settings page. limit <= 0 means 100.
func (s *Store) ItemsIn(ctx context.Context, state string, limit int) ([]OutboxItem, error) {
	if limit <= 0 {
		limit = 100
	}
	return s.items(ctx, "list "+state+" outbox items",
		`SELECT `+outboxCols+` FROM outbox WHERE state = ? ORDER BY updated, id LIMIT ?`, state, limit)
}

func (s *Store) items(ctx context.Context, what, q string, args ...any) ([]OutboxItem, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		it, err := s.scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %s: %w", what, err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

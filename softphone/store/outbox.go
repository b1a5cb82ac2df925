package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// outboxEvent is what happens to an outbox item.
type outboxEvent string

const (
	evInFlight outboxEvent = "in-flight"
	evSynced   outboxEvent = "synced"
	evFailTemp outboxEvent = "temporary failure"
	evFailPerm outboxEvent = "permanent failure"
	evRetry    outboxEvent = "retry"
)

// String returns the event name.
func (e outboxEvent) String() string { return string(e) }

// nextState is the outbox state machine (the only place that decides which
// transitions exist):
//
//	pending  --in-flight--> inflight --synced--> synced
//	pending|inflight --temporary failure--> pending (with a later NextAt)
//	pending|inflight --permanent failure--> failed --retry--> pending
//
// Marking a synced item synced again is allowed (same result, idempotent).
func nextState(state string, ev outboxEvent) (string, error) {
	switch {
	case state == OutboxSynced && ev == evSynced:
		return OutboxSynced, nil
	case state == OutboxSynced:
		return "", fmt.Errorf("%w: item already synced (%s)", ErrBadState, ev)
	case ev == evRetry && state == OutboxFailed, ev == evRetry && state == OutboxPending:
		return OutboxPending, nil
	case ev == evRetry:
		return "", fmt.Errorf("%w: retry of an item that is %s", ErrBadState, state)
	case state == OutboxFailed && ev == evFailPerm:
		return OutboxFailed, nil
	case state == OutboxFailed:
		return "", fmt.Errorf("%w: item failed permanently; Retry it first (%s)", ErrBadState, ev)
	}
	switch ev { // state is pending or inflight
	case evInFlight:
		return OutboxInFlight, nil
	case evSynced:
		return OutboxSynced, nil
	case evFailTemp:
		return OutboxPending, nil
	case evFailPerm:
		return OutboxFailed, nil
	}
	return "", fmt.Errorf("%w: unknown event %q", ErrBadState, ev)
}

// ConnectVendor makes a CRM receive outbox rows for calls and tasks saved
// from now on.
func (s *Store) ConnectVendor(ctx context.Context, v Vendor) error {
	if v == "" || v == VendorLocal {
		return fmt.Errorf("store: connect: %w: vendor %q", ErrInvalid, v)
	}
	return s.write(ctx, "connect "+string(v), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vendors(vendor, connected) VALUES(?, 1)
			ON CONFLICT(vendor) DO UPDATE SET connected = 1`, v)
		return err
	})
}

// DisconnectVendor stops queueing for a CRM. Items already queued stay
// (they are sent if it is connected again) and its sync state is kept.
func (s *Store) DisconnectVendor(ctx context.Context, v Vendor) error {
	return s.write(ctx, "disconnect "+string(v), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE vendors SET connected = 0 WHERE vendor = ?`, v)
		return err
	})
}

// ConnectedVendors lists the connected CRMs by name.
func (s *Store) ConnectedVendors(ctx context.Context) ([]Vendor, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT vendor FROM vendors WHERE connected = 1 ORDER BY vendor`)
	if err != nil {
		return nil, fmt.Errorf("store: read connected CRMs: %w", err)
	}
	defer rows.Close()
	var out []Vendor
	for rows.Next() {
		var v Vendor
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

const outboxCols = `id, vendor, kind, ref_id, attempts, next_at, last_error, state, uncertain, remote_id, owner`

func (s *Store) scanItem(sc interface{ Scan(...any) error }) (OutboxItem, error) {
	var it OutboxItem
	var next int64
	var owner string
	err := sc.Scan(&it.ID, &it.Vendor, &it.Kind, &it.RefID, &it.Attempts, &next, &it.LastError, &it.State, &it.Uncertain, &it.RemoteID, &owner)
	it.NextAt = fromTS(next)
	if it.State == OutboxInFlight && owner != s.token {
		it.Uncertain = true
	}
	return it, err
}

// Due returns up to limit items for v that should be sent now: pending
// items whose NextAt has come, oldest first, and items another process
// left in flight (Uncertain=true: look them up at the CRM before creating
// them again). Items this Store marked in flight are not returned.
func (s *Store) Due(ctx context.Context, v Vendor, now time.Time, limit int) ([]OutboxItem, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	rows, err := db.QueryContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE vendor = ? AND
		((state = 'pending' AND next_at <= ?) OR (state = 'inflight' AND owner <> ?))
		ORDER BY state = 'inflight' DESC, next_at, id LIMIT ?`, v, ts(now), s.token, limit)
	if err != nil {
		return nil, fmt.Errorf("store: read outbox: %w", err)
	}
	defer rows.Close()
	var out []OutboxItem
	for rows.Next() {
		it, err := s.scanItem(rows)
		if err != nil {
			return nil, fmt.Errorf("store: read outbox: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Item returns one outbox item.
func (s *Store) Item(ctx context.Context, id int64) (OutboxItem, error) {
	db, err := s.reader()
	if err != nil {
		return OutboxItem{}, err
	}
	it, err := s.scanItem(db.QueryRowContext(ctx, `SELECT `+outboxCols+` FROM outbox WHERE id = ?`, id))
	if err != nil {
		return it, fmt.Errorf("store: read outbox item: %w", notFound(err, "outbox item", id))
	}
	return it, nil
}

// transition applies ev to item id and lets set adjust the other columns.
func (s *Store) transition(ctx context.Context, id int64, ev outboxEvent, set func(tx *sql.Tx, from, to string) error) error {
	return s.write(ctx, fmt.Sprintf("outbox item %d: %s", id, ev), func(tx *sql.Tx) error {
		var from string
		if err := tx.QueryRowContext(ctx, `SELECT state FROM outbox WHERE id = ?`, id).Scan(&from); err != nil {
			return notFound(err, "outbox item", id)
		}
		to, err := nextState(from, ev)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, updated = ? WHERE id = ?`, to, ts(s.now()), id); err != nil {
			return err
		}
		return set(tx, from, to)
	})
}

// MarkInFlight records that the item is about to be sent (and counts the
// attempt). Call it before the request, so that a crash during the request
// leaves the item uncertain rather than pending.
func (s *Store) MarkInFlight(ctx context.Context, itemID int64) error {
	return s.transition(ctx, itemID, evInFlight, func(tx *sql.Tx, from, to string) error {
		// An item taken over from another process stays uncertain until it
		// is synced, even if this attempt fails temporarily.
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET uncertain = uncertain OR (? = 'inflight' AND owner <> ?),
			owner = ?, attempts = attempts + 1 WHERE id = ?`, from, s.token, s.token, itemID)
		return err
	})
}

// MarkSynced records the CRM's id for the item; it is not sent again.
func (s *Store) MarkSynced(ctx context.Context, itemID int64, remoteID string) error {
	return s.transition(ctx, itemID, evSynced, func(tx *sql.Tx, from, to string) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET remote_id = CASE WHEN ? <> '' THEN ? ELSE remote_id END,
			last_error = '', uncertain = 0, owner = '' WHERE id = ?`, remoteID, remoteID, itemID)
		return err
	})
}

// MarkFailed records a failed attempt. A temporary failure puts the item
// back to pending until next; a permanent one (the CRM rejected the
// record) parks it as failed with the reason until Retry.
func (s *Store) MarkFailed(ctx context.Context, itemID int64, reason string, next time.Time, permanent bool) error {
	ev := evFailTemp
	if permanent {
		ev = evFailPerm
	}
	if len(reason) > maxField {
		reason = reason[:maxField] // a vendor message, not user data
	}
	return s.transition(ctx, itemID, ev, func(tx *sql.Tx, from, to string) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET last_error = ?, next_at = ?, owner = '',
			attempts = attempts + CASE WHEN ? = 'inflight' THEN 0 ELSE 1 END WHERE id = ?`, reason, ts(next), from, itemID)
		return err
	})
}

// Retry puts a failed item back to pending, due now.
func (s *Store) Retry(ctx context.Context, itemID int64) error {
	return s.transition(ctx, itemID, evRetry, func(tx *sql.Tx, from, to string) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET next_at = ? WHERE id = ?`, ts(s.now()), itemID)
		return err
	})
}

// OutboxCounts returns, per vendor, how many items are in each state.
func (s *Store) OutboxCounts(ctx context.Context) (map[Vendor]map[string]int, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT vendor, state, COUNT(*) FROM outbox GROUP BY vendor, state`)
	if err != nil {
		return nil, fmt.Errorf("store: count outbox: %w", err)
	}
	defer rows.Close()
	out := map[Vendor]map[string]int{}
	for rows.Next() {
		var v Vendor
		var st string
		var n int
		if err := rows.Scan(&v, &st, &n); err != nil {
			return nil, err
		}
		if out[v] == nil {
			out[v] = map[string]int{}
		}
		out[v][st] = n
	}
	return out, rows.Err()
}

// SyncState returns the incremental-sync bookmark of a CRM: when it last
// synced, its opaque cursors and its record counts (zero values when it
// never synced).
func (s *Store) SyncState(ctx context.Context, v Vendor) (last time.Time, cursor map[string]string, counts map[string]int, err error) {
	db, err := s.reader()
	if err != nil {
		return last, nil, nil, err
	}
	var l int64
	var cj, nj string
	err = db.QueryRowContext(ctx, `SELECT last_sync, cursor, counts FROM vendors WHERE vendor = ?`, v).Scan(&l, &cj, &nj)
	cursor, counts = map[string]string{}, map[string]int{}
	if err == sql.ErrNoRows {
		return last, cursor, counts, nil
	}
	if err != nil {
		return last, nil, nil, fmt.Errorf("store: read sync state of %s: %w", v, err)
	}
	if err := json.Unmarshal([]byte(cj), &cursor); err != nil {
		return last, nil, nil, fmt.Errorf("store: read sync state of %s: cursor: %w", v, err)
	}
	if err := json.Unmarshal([]byte(nj), &counts); err != nil {
		return last, nil, nil, fmt.Errorf("store: read sync state of %s: counts: %w", v, err)
	}
	return fromTS(l), cursor, counts, nil
}

// SetSyncState stores a CRM's sync bookmark (without connecting it).
func (s *Store) SetSyncState(ctx context.Context, v Vendor, last time.Time, cursor map[string]string, counts map[string]int) error {
	if v == "" {
		return fmt.Errorf("store: save sync state: %w: empty vendor", ErrInvalid)
	}
	if cursor == nil {
		cursor = map[string]string{}
	}
	if counts == nil {
		counts = map[string]int{}
	}
	cj, _ := json.Marshal(cursor)
	nj, _ := json.Marshal(counts)
	return s.write(ctx, "save sync state of "+string(v), func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vendors(vendor, connected, last_sync, cursor, counts) VALUES(?, 0, ?, ?, ?)
			ON CONFLICT(vendor) DO UPDATE SET last_sync = excluded.last_sync, cursor = excluded.cursor, counts = excluded.counts`,
			v, ts(last), string(cj), string(nj))
		return err
	})
}

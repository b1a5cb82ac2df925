package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// UnknownResult tells BringForward which pending items may already exist at
// the CRM (their last request's result is unknown) and how long the CRM's
// search index lags, so that the lookup made before creating them again
// finds them.
type UnknownResult struct {
	// Prefix starts the last error of such an item ("" when none is).
	Prefix string
	// Lag is the CRM's search index lag: such an item is not made due
	// before its last attempt (its updated time, by the Store's clock)
	// plus Lag.
	Lag time.Duration
}

// BringForward makes v's pending items that are scheduled after now due
// sooner (a "Sync now" after an outage) and returns how many it moved.
// Most become due at now; an item matched by unk becomes due at the later
// of now and its last attempt plus unk.Lag, and keeps its schedule if that
// is not sooner. Uncertain items (taken over from another process) keep
// their schedule; failed, in-flight and synced items are never touched,
// nor is any item's updated time.
func (s *Store) BringForward(ctx context.Context, v Vendor, now time.Time, unk UnknownResult) (int, error) {
	if v == "" {
		return 0, fmt.Errorf("store: bring forward: %w: empty vendor", ErrInvalid)
	}
	if unk.Lag < 0 {
		return 0, fmt.Errorf("store: bring forward: %w: negative lag %s", ErrInvalid, unk.Lag)
	}
	const due = `(CASE WHEN :prefix <> '' AND substr(last_error, 1, length(:prefix)) = :prefix
		THEN max(:now, updated + :lag) ELSE :now END)`
	q := `UPDATE outbox SET next_at = ` + due + ` WHERE vendor = :vendor AND state = 'pending'
		AND uncertain = 0 AND next_at > ` + due
	var n int64
	err := s.write(ctx, "bring forward the outbox of "+string(v), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, sql.Named("prefix", unk.Prefix), sql.Named("now", ts(now)),
			sql.Named("lag", int64(unk.Lag)), sql.Named("vendor", string(v)))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, err
	}
	return int(n), nil
}

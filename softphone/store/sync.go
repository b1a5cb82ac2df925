package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// SyncCall is a logged call as one CRM is to get it (CallForSync). ID is
// the local UUID, the idempotency key of the push. softphone/crm/sync
// converts it to crm.Call.
type SyncCall struct {
	ID        string // local UUID
	Direction Direction
	From      string // E.164 when it parses, else the original text
	To        string
	Started   time.Time
	Answered  time.Time // zero when never answered
	Ended     time.Time
	Duration  time.Duration // talk time (answer to end); zero when unanswered
	Status    CallStatus
	// Outcome is this CRM's own value for the call's outcome, from the
	// outcome mapping; empty when no outcome was chosen or it has no
	// mapping for this CRM.
	Outcome      string
	OutcomeLabel string // the local label
	Title        string // e.g. "Call with Margaret Lee"
	Notes        string
	// ContactID, CompanyID and DealID are this CRM's record ids, empty
	// when the records did not come from it.
	ContactID    string
	CompanyID    string
	DealID       string
	RecordingURL string // empty: the recording is a local file
}

// SyncTask is a follow-up task as one CRM is to get it (TaskForSync).
// softphone/crm/sync converts it to crm.Task.
type SyncTask struct {
	ID        string // local UUID, idempotency key
	Title     string
	Notes     string
	Due       time.Time
	Reminder  time.Time // zero for none
	ContactID string    // this CRM's ids, as in SyncCall
	DealID    string
	CallID    string // this CRM's id of the call it follows, once synced
}

// pickVendor resolves the optional vendor argument of CallForSync and
// TaskForSync: the given one, else the contact's own CRM, else the only
// connected CRM.
func (s *Store) pickVendor(ctx context.Context, q querier, vendor []Vendor, contactID string) (Vendor, error) {
	if len(vendor) > 0 && vendor[0] != "" {
		return vendor[0], nil
	}
	if contactID != "" {
		var src Vendor
		if q.QueryRowContext(ctx, `SELECT source FROM contacts WHERE id = ?`, contactID).Scan(&src) == nil && src != VendorLocal {
			return src, nil
		}
	}
	vs, err := s.ConnectedVendors(ctx)
	if err != nil {
		return "", err
	}
	if len(vs) != 1 {
		return "", fmt.Errorf("%w: say which CRM (%d connected)", ErrNotConnected, len(vs))
	}
	return vs[0], nil
}

// remoteIDs returns the vendor's ids of a contact, its company and a deal:
// each is set only when that record came from this vendor.
func remoteIDs(ctx context.Context, q querier, v Vendor, contactID, dealID string) (contact, company, deal string, err error) {
	if contactID != "" {
		var src, rid, coSrc, coRid string
		err = q.QueryRowContext(ctx, `SELECT c.source, c.remote_id, COALESCE(co.source, ''), COALESCE(co.remote_id, '')
			FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.id = ?`, contactID).Scan(&src, &rid, &coSrc, &coRid)
		if err != nil && err != sql.ErrNoRows {
			return
		}
		if src == string(v) {
			contact = rid
		}
		if coSrc == string(v) {
			company = coRid
		}
	}
	if dealID != "" {
		var src, rid string
		err = q.QueryRowContext(ctx, `SELECT source, remote_id FROM deals WHERE id = ?`, dealID).Scan(&src, &rid)
		if err != nil && err != sql.ErrNoRows {
			return
		}
		if src == string(v) {
			deal = rid
		}
	}
	return contact, company, deal, nil
}

// CallForSync maps a logged call to SyncCall for one CRM: numbers in
// E.164 when they parse, the vendor's outcome value from the outcome
// mapping (and the local label), and the vendor's ids of the contact, its
// company and the deal (empty when those records did not come from this
// CRM). vendor is optional for compatibility: without it the contact's own
// CRM is used, else the only connected one. RecordingURL stays empty: the
// recording is a local file.
func (s *Store) CallForSync(ctx context.Context, callID string, vendor ...Vendor) (SyncCall, error) {
	db, err := s.reader()
	if err != nil {
		return SyncCall{}, err
	}
	c, err := scanCall(db.QueryRowContext(ctx, `SELECT `+callCols+` FROM calls WHERE id = ?`, callID))
	if err != nil {
		return SyncCall{}, fmt.Errorf("store: call for sync: %w", notFound(err, "call", callID))
	}
	v, err := s.pickVendor(ctx, db, vendor, c.ContactID)
	if err != nil {
		return SyncCall{}, fmt.Errorf("store: call %s for sync: %w", callID, err)
	}
	out := SyncCall{ID: c.ID, Direction: c.Direction, From: s.e164Or(c.From), To: s.e164Or(c.To),
		Started: c.Started, Answered: c.Answered, Ended: c.Ended, Duration: c.Duration, Status: c.Status, Notes: c.Notes}
	if c.OutcomeID != 0 {
		if err := db.QueryRowContext(ctx, `SELECT label FROM outcomes WHERE id = ?`, c.OutcomeID).Scan(&out.OutcomeLabel); err != nil {
			return SyncCall{}, fmt.Errorf("store: call %s for sync: outcome: %w", callID, err)
		}
		err := db.QueryRowContext(ctx, `SELECT value FROM outcome_mappings WHERE outcome_id = ? AND vendor = ?`, c.OutcomeID, v).Scan(&out.Outcome)
		if err != nil && err != sql.ErrNoRows {
			return SyncCall{}, fmt.Errorf("store: call %s for sync: outcome mapping: %w", callID, err)
		}
	}
	if out.ContactID, out.CompanyID, out.DealID, err = remoteIDs(ctx, db, v, c.ContactID, c.DealID); err != nil {
		return SyncCall{}, fmt.Errorf("store: call %s for sync: %w", callID, err)
	}
	who := c.To
	if c.Direction == Inbound {
		who = c.From
	}
	if c.ContactID != "" {
		var fn, ln string
		if db.QueryRowContext(ctx, `SELECT first_name, last_name FROM contacts WHERE id = ?`, c.ContactID).Scan(&fn, &ln) == nil {
			if n := (Contact{FirstName: fn, LastName: ln}).Name(); n != "" {
				who = n
			}
		}
	}
	out.Title = "Call with " + who
	if c.Direction == Inbound && c.Status == StatusMissed {
		out.Title = "Missed call from " + who
	}
	return out, nil
}

// e164Or returns the E.164 form of a number, or the text itself.
func (s *Store) e164Or(raw string) string {
	if e := s.normalise(raw); e != "" {
		return e
	}
	return raw
}

// TaskForSync maps a follow-up task to SyncTask for one CRM, with the
// vendor's contact and deal ids and, once the call it follows has been
// synced to that CRM, the call's vendor id. vendor is optional as in
// CallForSync.
func (s *Store) TaskForSync(ctx context.Context, taskID string, vendor ...Vendor) (SyncTask, error) {
	t, err := s.Task(ctx, taskID)
	if err != nil {
		return SyncTask{}, err
	}
	db, err := s.reader()
	if err != nil {
		return SyncTask{}, err
	}
	v, err := s.pickVendor(ctx, db, vendor, t.ContactID)
	if err != nil {
		return SyncTask{}, fmt.Errorf("store: task %s for sync: %w", taskID, err)
	}
	out := SyncTask{ID: t.ID, Title: t.Title, Notes: t.Notes, Due: t.Due, Reminder: t.Reminder}
	if out.ContactID, _, out.DealID, err = remoteIDs(ctx, db, v, t.ContactID, t.DealID); err != nil {
		return SyncTask{}, fmt.Errorf("store: task %s for sync: %w", taskID, err)
	}
	if t.CallID != "" {
		err := db.QueryRowContext(ctx, `SELECT remote_id FROM outbox WHERE vendor = ? AND kind = 'call' AND ref_id = ? AND state = 'synced'`,
			v, t.CallID).Scan(&out.CallID)
		if err != nil && err != sql.ErrNoRows {
			return SyncTask{}, fmt.Errorf("store: task %s for sync: %w", taskID, err)
		}
	}
	return out, nil
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

var errNotYet = errors.New("store: not implemented yet")

type callerIndex struct{}

func newCallerIndex() *callerIndex                                   { return &callerIndex{} }
func (s *Store) loadIndex(ctx context.Context) error                 { return nil }
func reindexAll(ctx context.Context, tx *sql.Tx) error               { return nil }
func (s *Store) UpsertContact(ctx context.Context, c *Contact) error { return errNotYet }
func (s *Store) UpsertCompany(ctx context.Context, c *Company) error { return errNotYet }
func (s *Store) UpsertDeal(ctx context.Context, d *Deal) error       { return errNotYet }
func (s *Store) Contact(ctx context.Context, id string) (Contact, error) {
	return Contact{}, errNotYet
}
func (s *Store) DeleteContact(ctx context.Context, id string) error { return errNotYet }
func (s *Store) Search(ctx context.Context, q string, limit int) ([]SearchHit, error) {
	return nil, errNotYet
}
func (s *Store) LookupNumber(raw string) (CallerID, bool)                         { return CallerID{}, false }
func (s *Store) LogCall(ctx context.Context, c CallRecord) error                  { return errNotYet }
func (s *Store) SaveForm(ctx context.Context, callID string, f OutcomeForm) error { return errNotYet }
func (s *Store) Call(ctx context.Context, id string) (CallRecord, error) {
	return CallRecord{}, errNotYet
}
func (s *Store) History(ctx context.Context, f HistoryFilter) ([]CallRecord, error) {
	return nil, errNotYet
}
func (s *Store) ExportHistoryCSV(ctx context.Context, w io.Writer, f HistoryFilter) error {
	return errNotYet
}
func (s *Store) Outcomes(ctx context.Context, includeDisabled bool) ([]Outcome, error) {
	return nil, errNotYet
}
func (s *Store) CreateOutcome(ctx context.Context, label string) (Outcome, error) {
	return Outcome{}, errNotYet
}
func (s *Store) RenameOutcome(ctx context.Context, id int64, label string) error { return errNotYet }
func (s *Store) SetOutcomeEnabled(ctx context.Context, id int64, on bool) error  { return errNotYet }
func (s *Store) DeleteOutcome(ctx context.Context, id int64) error               { return errNotYet }
func (s *Store) SetOutcomeMapping(ctx context.Context, id int64, v crm.Vendor, value string) error {
	return errNotYet
}
func (s *Store) ConnectVendor(ctx context.Context, v crm.Vendor) error    { return errNotYet }
func (s *Store) DisconnectVendor(ctx context.Context, v crm.Vendor) error { return errNotYet }
func (s *Store) ConnectedVendors(ctx context.Context) ([]crm.Vendor, error) {
	return nil, errNotYet
}
func (s *Store) Due(ctx context.Context, v crm.Vendor, now time.Time, limit int) ([]OutboxItem, error) {
	return nil, errNotYet
}
func (s *Store) MarkSynced(ctx context.Context, itemID int64, remoteID string) error {
	return errNotYet
}
func (s *Store) MarkFailed(ctx context.Context, itemID int64, reason string, next time.Time, permanent bool) error {
	return errNotYet
}
func (s *Store) MarkInFlight(ctx context.Context, itemID int64) error { return errNotYet }
func (s *Store) Retry(ctx context.Context, itemID int64) error        { return errNotYet }
func (s *Store) OutboxCounts(ctx context.Context) (map[crm.Vendor]map[string]int, error) {
	return nil, errNotYet
}
func (s *Store) CallForSync(ctx context.Context, callID string, vendor ...crm.Vendor) (crm.Call, error) {
	return crm.Call{}, errNotYet
}
func (s *Store) TaskForSync(ctx context.Context, taskID string, vendor ...crm.Vendor) (crm.Task, error) {
	return crm.Task{}, errNotYet
}
func (s *Store) SyncState(ctx context.Context, v crm.Vendor) (last time.Time, cursor map[string]string, counts map[string]int, err error) {
	return time.Time{}, nil, nil, errNotYet
}
func (s *Store) SetSyncState(ctx context.Context, v crm.Vendor, last time.Time, cursor map[string]string, counts map[string]int) error {
	return errNotYet
}
func (s *Store) ImportContactsCSV(ctx context.Context, r io.Reader, progress func(done, total int)) (ImportReport, error) {
	return ImportReport{}, errNotYet
}
func (s *Store) SeedDemo(ctx context.Context) error { return errNotYet }

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	// google/uuid generates record ids (RFC 9562 UUIDs, the CRM sync
	// idempotency key) and packs them into 16 bytes for the caller-ID index.
	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"
)

// person is one contact in the caller-ID index, kept small: 1M contacts
// must fit comfortably in memory.
type person struct {
	id      uuid.UUID // the contact id when it is a UUID (else see odd)
	name    string
	company int64 // company rid, 0 none
	deal    int64 // best open deal rid, 0 none
}

type dealInfo struct{ name, amount, currency string }

// callerIndex maps E.164 numbers to contacts, in memory.
type callerIndex struct {
	mu        sync.RWMutex
	numbers   map[uint64]int64 // e164Key → contact rid
	people    map[int64]person
	odd       map[int64]string // contact rid → id, for ids that are not UUIDs
	companies map[int64]string // company rid → name
	deals     map[int64]dealInfo
}

func newCallerIndex() *callerIndex {
	return &callerIndex{
		numbers:   map[uint64]int64{},
		people:    map[int64]person{},
		odd:       map[int64]string{},
		companies: map[int64]string{},
		deals:     map[int64]dealInfo{},
	}
}

// isOpenStage reports whether a deal stage is still open.
func isOpenStage(stage string) bool {
	s := strings.ToLower(strings.ReplaceAll(stage, " ", ""))
	return !strings.HasPrefix(s, "closed") && s != "won" && s != "lost"
}

// LookupNumber returns what the store knows about the caller's number. The
// bool is false when no contact has the number; E164 and Formatted are
// still set when raw parses. It reads only memory.
func (s *Store) LookupNumber(raw string) (CallerID, bool) {
	region := s.Region()
	n, err := parseNumber(raw, region)
	if err != nil {
		return CallerID{}, false
	}
	e := phonenumbers.Format(n, phonenumbers.E164)
	cid := CallerID{E164: e, Formatted: formatFor(n, region)}
	k, ok := e164Key(e)
	if !ok {
		return cid, false
	}
	if !s.idxReady.Load() {
		return s.lookupSQL(e, cid)
	}
	ix := s.idx.Load()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	rid, ok := ix.numbers[k]
	if !ok {
		return cid, false
	}
	p := ix.people[rid]
	if id, odd := ix.odd[rid]; odd {
		cid.ContactID = id
	} else {
		cid.ContactID = p.id.String()
	}
	cid.Name = p.name
	cid.Company = ix.companies[p.company]
	if d, ok := ix.deals[p.deal]; ok {
		cid.DealName, cid.DealAmount, cid.DealCurrency = d.name, d.amount, d.currency
	}
	return cid, true
}

// WithLazyIndex makes Open return without building the in-memory
// caller-ID index (seconds at a million contacts). Call LoadIndex, e.g. on
// a background goroutine; until it has finished, LookupNumber answers from
// an indexed SQL query with the same result, only slower.
func WithLazyIndex() Option { return func(s *Store) { s.lazyIndex = true } }

// IndexReady reports whether the in-memory caller-ID index is loaded (always
// true without WithLazyIndex).
func (s *Store) IndexReady() bool { return s.idxReady.Load() }

// LoadIndex builds the in-memory caller-ID index of a store opened with
// WithLazyIndex; writes committed meanwhile are applied to it, and from
// its return LookupNumber reads only memory. It returns at once when the
// index is already loaded; on error (ctx ended) lookups keep using SQL
// and LoadIndex may be called again.
func (s *Store) LoadIndex(ctx context.Context) error {
	s.idxLoad.Lock()
	defer s.idxLoad.Unlock()
	if s.idxReady.Load() {
		return nil
	}
	s.idxMu.Lock()
	s.idxPending, s.idxLoading = nil, true
	s.idxMu.Unlock()
	err := s.loadIndex(ctx)
	if err != nil {
		s.idxMu.Lock()
		s.idxPending, s.idxLoading = nil, false
		s.idxMu.Unlock()
		return err
	}
	// Writes committed while the tables were read may be missing from the
	// new index: reload what they touched (from the current rows), until
	// none is left; the index is then ready under the same lock, so each
	// later write updates it directly.
	for {
		s.idxMu.Lock()
		pending := s.idxPending
		s.idxPending = nil
		if len(pending) == 0 {
			s.idxLoading = false
			s.idxReady.Store(true)
			s.idxMu.Unlock()
			return nil
		}
		s.idxMu.Unlock()
		for _, ch := range pending {
			if err := s.refreshErr(ctx, ch); err != nil {
				s.idxMu.Lock()
				s.idxPending, s.idxLoading = nil, false
				s.idxMu.Unlock()
				return fmt.Errorf("store: load caller-ID index: %w", err)
			}
		}
	}
}

// lookupSQL answers LookupNumber from the database, as the index would:
// the contact of the first phone row with the number, its company and its
// most recently updated open deal. The "e164 is not empty" term lets SQLite use the
// partial index phones_e164 (without it, every phone row is scanned).
func (s *Store) lookupSQL(e164 string, cid CallerID) (CallerID, bool) {
	ctx := context.Background()
	var id, fn, ln, company string
	err := s.db.QueryRowContext(ctx, `SELECT c.id, c.first_name, c.last_name, COALESCE(co.name, '')
		FROM phones p JOIN contacts c ON c.id = p.contact_id LEFT JOIN companies co ON co.id = c.company_id
		WHERE p.e164 = ? AND p.e164 <> '' ORDER BY p.id LIMIT 1`, e164).Scan(&id, &fn, &ln, &company)
	if err != nil {
		if err != sql.ErrNoRows {
			s.log.Warn("caller-ID lookup", "err", err)
		}
		return cid, false
	}
	cid.ContactID, cid.Name, cid.Company = id, Contact{FirstName: fn, LastName: ln}.Name(), company
	rows, err := s.db.QueryContext(ctx, `SELECT d.name, d.amount, d.currency, d.stage FROM deal_contacts dc
		JOIN deals d ON d.id = dc.deal_id WHERE dc.contact_id = ? ORDER BY d.updated, d.rid`, id)
	if err != nil {
		s.log.Warn("caller-ID lookup", "err", err)
		return cid, true
	}
	defer rows.Close()
	for rows.Next() {
		var name, amount, cur, stage string
		if err := rows.Scan(&name, &amount, &cur, &stage); err != nil {
			break
		}
		if isOpenStage(stage) {
			cid.DealName, cid.DealAmount, cid.DealCurrency = name, amount, cur
		}
	}
	return cid, true
}

// loadIndex builds the caller-ID index from the database and installs it.
func (s *Store) loadIndex(ctx context.Context) error {
	ix := newCallerIndex()
	fail := func(err error) error { return fmt.Errorf("store: load caller-ID index: %w", err) }
	rows, err := s.db.QueryContext(ctx, `SELECT rid, name FROM companies`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var rid int64
		var name string
		if err := rows.Scan(&rid, &name); err != nil {
			rows.Close()
			return fail(err)
		}
		ix.companies[rid] = name
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT c.rid, c.id, c.first_name, c.last_name, COALESCE(co.rid, 0)
		FROM contacts c LEFT JOIN companies co ON co.id = c.company_id`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var rid, co int64
		var id, fn, ln string
		if err := rows.Scan(&rid, &id, &fn, &ln, &co); err != nil {
			rows.Close()
			return fail(err)
		}
		ix.setPerson(rid, id, Contact{FirstName: fn, LastName: ln}.Name(), co, 0)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	if err := s.hookAt("index-contacts-read"); err != nil { // tests: write here
		return fail(err)
	}
	// Best open deal per contact: the most recently updated open one.
	rows, err = s.db.QueryContext(ctx, `SELECT c.rid, d.rid, d.name, d.amount, d.currency, d.stage
		FROM deal_contacts dc JOIN contacts c ON c.id = dc.contact_id JOIN deals d ON d.id = dc.deal_id
		ORDER BY d.updated, d.rid`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var crid, drid int64
		var name, amount, cur, stage string
		if err := rows.Scan(&crid, &drid, &name, &amount, &cur, &stage); err != nil {
			rows.Close()
			return fail(err)
		}
		if !isOpenStage(stage) {
			continue
		}
		p := ix.people[crid]
		p.deal = drid
		ix.people[crid] = p
		ix.deals[drid] = dealInfo{name, amount, cur}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT c.rid, p.e164 FROM phones p JOIN contacts c ON c.id = p.contact_id
		WHERE p.e164 <> '' ORDER BY p.id`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var rid int64
		var e string
		if err := rows.Scan(&rid, &e); err != nil {
			rows.Close()
			return fail(err)
		}
		if k, ok := e164Key(e); ok {
			if _, dup := ix.numbers[k]; !dup {
				ix.numbers[k] = rid
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	s.idx.Store(ix)
	return nil
}

func (ix *callerIndex) setPerson(rid int64, id, name string, company, deal int64) {
	p := person{name: name, company: company, deal: deal}
	if u, err := uuid.Parse(id); err == nil && u.String() == id {
		p.id = u
		delete(ix.odd, rid)
	} else {
		ix.odd[rid] = id
	}
	ix.people[rid] = p
}

// indexChange lists what a committed write touched.
type indexChange struct {
	contacts  []int64  // contact rids to reload (deleted ones are dropped)
	oldKeys   []uint64 // numbers those contacts had before the write
	companies []int64  // company rids to reload
}

func (c *indexChange) addOld(e164 string) {
	if k, ok := e164Key(e164); ok {
		c.oldKeys = append(c.oldKeys, k)
	}
}

// refresh reloads the touched entries after a commit. It reads with the
// pool (not the finished transaction). Errors are logged: the index then
// lags until the next Open, which is better than failing a committed write.
func (s *Store) refresh(ctx context.Context, ch *indexChange) {
	if ch == nil || (len(ch.contacts) == 0 && len(ch.companies) == 0) {
		return
	}
	s.idxMu.Lock()
	if s.idxLoading { // LoadIndex replays it on the index it is building
		s.idxPending = append(s.idxPending, ch)
		s.idxMu.Unlock()
		return
	}
	ready := s.idxReady.Load()
	s.idxMu.Unlock()
	if !ready {
		return // lookups use SQL until LoadIndex; nothing in memory to update
	}
	if err := s.refreshErr(ctx, ch); err != nil {
		s.log.Error("caller-ID index update failed", "err", err)
	}
}

type loadedPerson struct {
	rid, co, deal int64
	id, name      string
	dealInfo      dealInfo
	keys          []uint64
	gone          bool
}

func (s *Store) refreshErr(ctx context.Context, ch *indexChange) error {
	ctx = context.WithoutCancel(ctx)
	comps := map[int64]string{}
	for _, rid := range ch.companies {
		var name string
		err := s.db.QueryRowContext(ctx, `SELECT name FROM companies WHERE rid = ?`, rid).Scan(&name)
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		comps[rid] = name
	}
	var loaded []loadedPerson
	for _, rid := range ch.contacts {
		lp, err := s.loadPerson(ctx, rid)
		if err != nil {
			return err
		}
		loaded = append(loaded, lp)
	}
	ix := s.idx.Load()
	ix.mu.Lock()
	for rid, name := range comps {
		if name == "" {
			delete(ix.companies, rid)
		} else {
			ix.companies[rid] = name
		}
	}
	touched := map[int64]bool{}
	for _, lp := range loaded {
		touched[lp.rid] = true
	}
	var orphan []uint64
	for _, k := range ch.oldKeys {
		if touched[ix.numbers[k]] {
			delete(ix.numbers, k)
			orphan = append(orphan, k)
		}
	}
	for _, lp := range loaded {
		if lp.gone {
			delete(ix.people, lp.rid)
			delete(ix.odd, lp.rid)
			continue
		}
		ix.setPerson(lp.rid, lp.id, lp.name, lp.co, lp.deal)
		if lp.deal != 0 {
			ix.deals[lp.deal] = lp.dealInfo
		}
		for _, k := range lp.keys {
			if cur, taken := ix.numbers[k]; !taken || touched[cur] || cur == lp.rid {
				ix.numbers[k] = lp.rid
			}
		}
	}
	var still []uint64
	for _, k := range orphan {
		if _, ok := ix.numbers[k]; !ok {
			still = append(still, k)
		}
	}
	ix.mu.Unlock()
	// A number that another contact also has goes to that contact.
	for _, k := range still {
		var rid int64
		err := s.db.QueryRowContext(ctx, `SELECT c.rid FROM phones p JOIN contacts c ON c.id = p.contact_id
			WHERE p.e164 = ? AND p.e164 <> '' ORDER BY p.id LIMIT 1`, keyE164(k)).Scan(&rid)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return err
		}
		ix.mu.Lock()
		if _, ok := ix.numbers[k]; !ok {
			ix.numbers[k] = rid
		}
		ix.mu.Unlock()
	}
	return nil
}

func (s *Store) loadPerson(ctx context.Context, rid int64) (loadedPerson, error) {
	lp := loadedPerson{rid: rid}
	var fn, ln string
	err := s.db.QueryRowContext(ctx, `SELECT c.id, c.first_name, c.last_name, COALESCE(co.rid, 0)
		FROM contacts c LEFT JOIN companies co ON co.id = c.company_id WHERE c.rid = ?`, rid).Scan(&lp.id, &fn, &ln, &lp.co)
	if err == sql.ErrNoRows {
		lp.gone = true
		return lp, nil
	}
	if err != nil {
		return lp, err
	}
	lp.name = Contact{FirstName: fn, LastName: ln}.Name()
	rows, err := s.db.QueryContext(ctx, `SELECT d.rid, d.name, d.amount, d.currency, d.stage FROM deal_contacts dc
		JOIN deals d ON d.id = dc.deal_id WHERE dc.contact_id = ? ORDER BY d.updated, d.rid`, lp.id)
	if err != nil {
		return lp, err
	}
	for rows.Next() {
		var drid int64
		var di dealInfo
		var stage string
		if err := rows.Scan(&drid, &di.name, &di.amount, &di.currency, &stage); err != nil {
			rows.Close()
			return lp, err
		}
		if isOpenStage(stage) {
			lp.deal, lp.dealInfo = drid, di
		}
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT e164 FROM phones WHERE contact_id = ? AND e164 <> '' ORDER BY id`, lp.id)
	if err != nil {
		return lp, err
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return lp, err
		}
		if k, ok := e164Key(e); ok {
			lp.keys = append(lp.keys, k)
		}
	}
	return lp, rows.Err()
}

package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// bookmarkKey names the incremental-pull bookmark in the store's cursor map.
const bookmarkKey = "since"

func later(t *time.Time, u time.Time) {
	if u.After(*t) {
		*t = u
	}
}

// pullOrder is the order kinds are pulled in: deals link to companies and
// contacts, contacts to companies.
var pullOrder = []crm.ObjectKind{crm.KindCompanies, crm.KindContacts, crm.KindDeals}

// Pull copies the CRM's companies, contacts and deals into the store. The
// first pull (or full=true) fetches everything; later ones fetch what
// changed since the newest modification time the last pull saw (the CRM's
// clock; a record on that instant is fetched again, which upserting
// tolerates). The bookmark and the counts are saved
// with store.SetSyncState only once every kind is done, so an interrupted
// pull is repeated from the same point. Vendors without an API for a kind
// (crm.ErrUnsupported) are skipped.
func (w *Worker) Pull(ctx context.Context, full bool) (PullResult, error) {
	w.run.Lock()
	defer w.run.Unlock()
	last, cursors, _, err := w.st.SyncState(ctx, w.sv)
	if err != nil {
		return PullResult{}, err
	}
	// The bookmark is the CRM's own newest modification time seen (kept in
	// the cursor map), not our clock: the two clocks need not agree.
	var since time.Time
	if b, ok := cursors[bookmarkKey]; ok && !last.IsZero() {
		since, _ = time.Parse(time.RFC3339Nano, b)
	}
	if full {
		since = time.Time{}
	}
	newest := since
	res := PullResult{Full: since.IsZero(), Since: since, Counts: map[string]int{}}
	started := w.clock.Now()
	w.setState(ctx, StateSyncing, "", time.Time{})
	for _, kind := range pullOrder {
		n, err := w.pullKind(ctx, kind, since, &newest)
		res.Counts[string(kind)] = n
		if errors.Is(err, crm.ErrUnsupported) {
			continue
		}
		if err != nil {
			if errors.Is(err, crm.ErrAuth) || errors.Is(err, crm.ErrForbidden) {
				w.setState(ctx, StateReconnect, "reconnect your CRM: "+err.Error(), time.Time{})
			} else {
				w.setState(ctx, StateIdle, "", time.Time{})
			}
			return res, fmt.Errorf("sync: pull %s from %s: %w", kind, w.vendor, err)
		}
	}
	if cursors == nil {
		cursors = map[string]string{}
	}
	if !newest.IsZero() {
		cursors[bookmarkKey] = newest.UTC().Format(time.RFC3339Nano)
	}
	if err := w.st.SetSyncState(context.WithoutCancel(ctx), w.sv, started, cursors, res.Counts); err != nil {
		return res, err
	}
	w.mu.Lock()
	w.status.LastPull, w.status.Pulled = started, clone(res.Counts)
	w.mu.Unlock()
	w.setState(ctx, StateIdle, "", time.Time{})
	w.log.Info("pulled", "full", res.Full, "counts", res.Counts)
	return res, nil
}

// pullKind pages through one kind and upserts every record.
func (w *Worker) pullKind(ctx context.Context, kind crm.ObjectKind, since time.Time, newest *time.Time) (int, error) {
	n := 0
	cursor := ""
	for {
		page, err := w.pullPage(ctx, kind, since, cursor)
		if err != nil {
			return n, err
		}
		for _, co := range page.Companies {
			later(newest, co.Updated)
			if err := w.saveCompany(ctx, co); err != nil {
				return n, err
			}
			n++
		}
		for _, c := range page.Contacts {
			later(newest, c.Updated)
			if err := w.saveContact(ctx, c); err != nil {
				return n, err
			}
			n++
		}
		for _, d := range page.Deals {
			later(newest, d.Updated)
			if err := w.saveDeal(ctx, d); err != nil {
				return n, err
			}
			n++
		}
		if !page.More {
			return n, nil
		}
		cursor = page.Cursor
	}
}

// pullPage fetches one page, waiting through rate limits and transient
// failures (reads are safe to repeat).
func (w *Worker) pullPage(ctx context.Context, kind crm.ObjectKind, since time.Time, cursor string) (crm.Page, error) {
	for {
		page, err := w.a.Pull(ctx, kind, since, cursor)
		if err == nil {
			w.resetBackoff()
			return page, nil
		}
		if !crm.Retryable(err) {
			return page, err
		}
		var rl *crm.RateLimitError
		wait := time.Duration(0)
		if errors.As(err, &rl) {
			if rl.Daily {
				return page, err
			}
			wait = rl.RetryAfter
		}
		if wait <= 0 {
			wait = w.backoff()
		}
		w.setState(ctx, StateBackoff, err.Error(), w.clock.Now().Add(wait))
		select {
		case <-ctx.Done():
			return page, ctx.Err()
		case <-w.clock.After(wait):
		}
		w.setState(ctx, StateSyncing, "", time.Time{})
	}
}

func (w *Worker) saveCompany(ctx context.Context, co crm.Company) error {
	if co.Deleted {
		return nil // the store has no company deletion; calls keep their link
	}
	sc := store.Company{Name: co.Name, Address: co.Address, Phone: co.Phone, Domain: co.Domain,
		Source: w.sv, RemoteID: co.ID, Updated: co.Updated}
	if sc.Name == "" {
		sc.Name = co.Domain
	}
	if err := w.st.UpsertCompany(ctx, &sc); err != nil {
		return fmt.Errorf("company %s: %w", co.ID, err)
	}
	w.mu.Lock()
	w.companyIDs[co.ID] = sc.ID
	w.mu.Unlock()
	return nil
}

func (w *Worker) saveContact(ctx context.Context, c crm.Contact) error {
	sc := store.Contact{FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Title: c.Title,
		Address: c.Address, TimeZone: c.TimeZone, Company: c.Company, Source: w.sv, RemoteID: c.ID, Updated: c.Updated}
	w.mu.Lock()
	if id, ok := w.companyIDs[c.CompanyID]; ok && c.CompanyID != "" {
		sc.CompanyID = id
	}
	w.mu.Unlock()
	for _, p := range c.Phones {
		sc.Phones = append(sc.Phones, store.Phone{Label: p.Label, Raw: p.Number})
	}
	err := w.st.UpsertContact(ctx, &sc)
	if errors.Is(err, store.ErrInvalid) && sc.TimeZone != "" {
		sc.TimeZone = "" // a vendor zone name the store does not know
		err = w.st.UpsertContact(ctx, &sc)
	}
	if err != nil {
		return fmt.Errorf("contact %s: %w", c.ID, err)
	}
	if c.Deleted {
		if err := w.st.DeleteContact(ctx, sc.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("delete contact %s: %w", c.ID, err)
		}
		w.mu.Lock()
		delete(w.contactIDs, c.ID)
		w.mu.Unlock()
		return nil
	}
	w.mu.Lock()
	w.contactIDs[c.ID] = sc.ID
	w.mu.Unlock()
	return nil
}

func (w *Worker) saveDeal(ctx context.Context, d crm.Deal) error {
	if d.Deleted {
		return nil // the store has no deal deletion
	}
	sd := store.Deal{Name: d.Name, Amount: d.Amount, Currency: d.Currency, Stage: d.Stage,
		Source: w.sv, RemoteID: d.ID, Updated: d.Updated}
	if sd.Name == "" {
		sd.Name = "Deal " + d.ID
	}
	w.mu.Lock()
	sd.CompanyID = w.companyIDs[d.CompanyID]
	for _, cid := range d.ContactIDs {
		if id, ok := w.contactIDs[cid]; ok {
			sd.ContactIDs = append(sd.ContactIDs, id)
		}
	}
	w.mu.Unlock()
	err := w.st.UpsertDeal(ctx, &sd)
	if errors.Is(err, store.ErrInvalid) && (sd.Amount != "" || sd.Currency != "") {
		sd.Amount, sd.Currency = "", "" // keep the deal, drop a value the store refuses
		err = w.st.UpsertDeal(ctx, &sd)
	}
	if err != nil {
		return fmt.Errorf("deal %s: %w", d.ID, err)
	}
	return nil
}

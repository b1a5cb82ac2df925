package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// maxField bounds the short text fields (names, titles, addresses).
const maxField = 4096

var (
	amountRE   = regexp.MustCompile(`^-?[0-9]{1,15}(\.[0-9]{1,6})?$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
	tzRE       = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$`)
)

func checkText(field, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalid, field)
	}
	if len(v) > maxField {
		return fmt.Errorf("%w: %s is %d bytes, the limit is %d", ErrTooLarge, field, len(v), maxField)
	}
	return nil
}

func source(v Vendor) Vendor {
	if v == "" {
		return VendorLocal
	}
	return v
}

// dedupeKey is the import duplicate rule: the lower-cased email when there
// is one; else the sorted set of E.164 numbers plus the lower-cased name;
// else the name plus the company.
func dedupeKey(c *Contact) string {
	name := strings.ToLower(strings.Join(strings.Fields(c.Name()), " "))
	if e := strings.ToLower(strings.TrimSpace(c.Email)); e != "" {
		return "e:" + e
	}
	var nums []string
	for _, p := range c.Phones {
		if p.E164 != "" {
			nums = append(nums, p.E164)
		}
	}
	if len(nums) > 0 {
		sort.Strings(nums)
		nums = slices.Compact(nums)
		return "p:" + strings.Join(nums, ",") + "|n:" + name
	}
	if name != "" {
		return "n:" + name + "|c:" + strings.ToLower(strings.TrimSpace(c.Company))
	}
	return ""
}

// prepareContact trims and validates c and normalises its numbers. When
// strict, a number that does not parse is an error (CSV import); otherwise
// it is kept with an empty E164.
func (s *Store) prepareContact(c *Contact, strict bool) error {
	for _, f := range []*string{&c.FirstName, &c.LastName, &c.Title, &c.Email, &c.Address, &c.TimeZone, &c.Company} {
		*f = strings.TrimSpace(*f)
	}
	for name, v := range map[string]string{"first name": c.FirstName, "last name": c.LastName, "title": c.Title,
		"email": c.Email, "address": c.Address, "company": c.Company, "remote id": c.RemoteID} {
		if err := checkText(name, v); err != nil {
			return err
		}
	}
	if c.TimeZone != "" && !tzRE.MatchString(c.TimeZone) {
		return fmt.Errorf("%w: time zone %q is not an IANA name like Asia/Tokyo", ErrInvalid, c.TimeZone)
	}
	if c.Email != "" && (!strings.Contains(c.Email, "@") || strings.ContainsAny(c.Email, " \t<>")) {
		return fmt.Errorf("%w: email %q", ErrInvalid, c.Email)
	}
	c.Source = source(c.Source)
	phones := c.Phones[:0:0]
	for _, p := range c.Phones {
		p.Raw, p.Label = strings.TrimSpace(p.Raw), strings.TrimSpace(p.Label)
		if p.Raw == "" {
			p.Raw = p.E164
		}
		if p.Raw == "" {
			continue
		}
		if err := checkText("phone", p.Raw); err != nil {
			return err
		}
		e, _, err := s.FormatNumber(p.Raw)
		if err != nil && strict {
			return err
		}
		p.E164 = e
		phones = append(phones, p)
	}
	c.Phones = phones
	if c.Name() == "" && len(c.Phones) == 0 && c.Email == "" {
		return fmt.Errorf("%w: a contact needs a name, a number or an email", ErrInvalid)
	}
	return nil
}

// upsertResult says what txUpsertContact did.
type upsertResult int

const (
	resInserted upsertResult = iota
	resUpdated
	resUnchanged
)

// UpsertContact inserts or updates c. A contact is matched by ID, else by
// (Source, RemoteID) when RemoteID is set; otherwise it is new and gets a
// UUID. Numbers are normalised with the default region (a number that does
// not parse is kept with an empty E164). When CompanyID is empty and
// Company is set, the company is found by name or created. c.Deals is
// ignored (link deals with UpsertDeal).
func (s *Store) UpsertContact(ctx context.Context, c *Contact) error {
	if err := s.prepareContact(c, false); err != nil {
		return fmt.Errorf("store: save contact %q: %w", c.Name(), err)
	}
	ch := &indexChange{}
	err := s.write(ctx, "save contact "+c.Name(), func(tx *sql.Tx) error {
		_, err := s.txUpsertContact(ctx, tx, c, ch)
		return err
	})
	if err == nil {
		s.refresh(ctx, ch)
	}
	return err
}

// txUpsertContact writes a prepared contact.
func (s *Store) txUpsertContact(ctx context.Context, tx *sql.Tx, c *Contact, ch *indexChange) (upsertResult, error) {
	var rid int64
	var err error
	switch {
	case c.ID != "":
		err = tx.QueryRowContext(ctx, `SELECT rid FROM contacts WHERE id = ?`, c.ID).Scan(&rid)
	case c.RemoteID != "":
		err = tx.QueryRowContext(ctx, `SELECT rid, id FROM contacts WHERE source = ? AND remote_id = ?`, c.Source, c.RemoteID).Scan(&rid, &c.ID)
	default:
		err = sql.ErrNoRows
	}
	if err != nil && err != sql.ErrNoRows {
		return 0, err
	}
	var old *Contact
	if rid != 0 {
		o, err := loadContact(ctx, tx, "c.rid = ?", rid)
		if err != nil {
			return 0, err
		}
		old = &o
	}
	if err := s.txResolveCompany(ctx, tx, c, ch); err != nil {
		return 0, err
	}
	if old != nil && sameContact(old, c) {
		c.Updated = old.Updated
		return resUnchanged, nil
	}
	if c.Updated.IsZero() || old != nil && !c.Updated.After(old.Updated) {
		c.Updated = s.now().UTC()
	}
	var company any
	if c.CompanyID != "" {
		company = c.CompanyID
	}
	key := dedupeKey(c)
	res := resUpdated
	if old == nil {
		res = resInserted
		if c.ID == "" {
			c.ID = uuid.NewString()
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO contacts(id, first_name, last_name, title, email, address, time_zone,
			company_id, source, remote_id, dedupe_key, updated) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)`,
			c.ID, c.FirstName, c.LastName, c.Title, c.Email, c.Address, c.TimeZone, company, c.Source, c.RemoteID, key, ts(c.Updated))
		if err != nil {
			return 0, fmt.Errorf("insert contact: %w", err)
		}
		if rid, err = r.LastInsertId(); err != nil {
			return 0, err
		}
	} else {
		_, err := tx.ExecContext(ctx, `UPDATE contacts SET first_name=?, last_name=?, title=?, email=?, address=?, time_zone=?,
			company_id=?, source=?, remote_id=?, dedupe_key=?, updated=? WHERE rid=?`,
			c.FirstName, c.LastName, c.Title, c.Email, c.Address, c.TimeZone, company, c.Source, c.RemoteID, key, ts(c.Updated), rid)
		if err != nil {
			return 0, fmt.Errorf("update contact: %w", err)
		}
		for _, p := range old.Phones {
			ch.addOld(p.E164)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM phones WHERE contact_id = ?`, c.ID); err != nil {
			return 0, err
		}
	}
	for i := range c.Phones {
		p := &c.Phones[i]
		r, err := tx.ExecContext(ctx, `INSERT INTO phones(contact_id, position, label, raw, e164) VALUES(?,?,?,?,?)`,
			c.ID, i, p.Label, p.Raw, p.E164)
		if err != nil {
			return 0, fmt.Errorf("insert phone: %w", err)
		}
		p.ID, _ = r.LastInsertId()
	}
	if err := ftsRefresh(ctx, tx, rid); err != nil {
		return 0, err
	}
	ch.contacts = append(ch.contacts, rid)
	return res, nil
}

func sameContact(a, b *Contact) bool {
	if a.FirstName != b.FirstName || a.LastName != b.LastName || a.Title != b.Title || a.Email != b.Email ||
		a.Address != b.Address || a.TimeZone != b.TimeZone || a.CompanyID != b.CompanyID ||
		a.Source != b.Source || a.RemoteID != b.RemoteID || len(a.Phones) != len(b.Phones) {
		return false
	}
	for i := range a.Phones {
		p, q := a.Phones[i], b.Phones[i]
		if p.Label != q.Label || p.Raw != q.Raw || p.E164 != q.E164 {
			return false
		}
	}
	return true
}

// txResolveCompany fills c.CompanyID (and c.Company) from one another,
// creating a company by name when needed.
func (s *Store) txResolveCompany(ctx context.Context, tx *sql.Tx, c *Contact, ch *indexChange) error {
	if c.CompanyID != "" {
		err := tx.QueryRowContext(ctx, `SELECT name FROM companies WHERE id = ?`, c.CompanyID).Scan(&c.Company)
		return notFound(err, "company", c.CompanyID)
	}
	if c.Company == "" {
		return nil
	}
	err := tx.QueryRowContext(ctx, `SELECT id FROM companies WHERE name = ? COLLATE NOCASE ORDER BY source = ? DESC, rid LIMIT 1`,
		c.Company, c.Source).Scan(&c.CompanyID)
	if err != sql.ErrNoRows {
		return err
	}
	co := Company{Name: c.Company, Source: VendorLocal}
	return s.txUpsertCompany(ctx, tx, &co, ch, &c.CompanyID)
}

// UpsertCompany inserts or updates a company, matched by ID, else by
// (Source, RemoteID) when RemoteID is set.
func (s *Store) UpsertCompany(ctx context.Context, co *Company) error {
	co.Name = strings.TrimSpace(co.Name)
	if co.Name == "" {
		return fmt.Errorf("store: save company: %w: empty name", ErrInvalid)
	}
	for name, v := range map[string]string{"name": co.Name, "address": co.Address, "phone": co.Phone, "domain": co.Domain} {
		if err := checkText(name, v); err != nil {
			return fmt.Errorf("store: save company %q: %w", co.Name, err)
		}
	}
	co.Source = source(co.Source)
	ch := &indexChange{}
	err := s.write(ctx, "save company "+co.Name, func(tx *sql.Tx) error {
		return s.txUpsertCompany(ctx, tx, co, ch, nil)
	})
	if err == nil {
		s.refresh(ctx, ch)
	}
	return err
}

func (s *Store) txUpsertCompany(ctx context.Context, tx *sql.Tx, co *Company, ch *indexChange, idOut *string) error {
	var rid int64
	var oldName, oldAddr string
	var err error
	switch {
	case co.ID != "":
		err = tx.QueryRowContext(ctx, `SELECT rid, name, address FROM companies WHERE id = ?`, co.ID).Scan(&rid, &oldName, &oldAddr)
	case co.RemoteID != "":
		err = tx.QueryRowContext(ctx, `SELECT rid, id, name, address FROM companies WHERE source = ? AND remote_id = ?`,
			co.Source, co.RemoteID).Scan(&rid, &co.ID, &oldName, &oldAddr)
	default:
		err = sql.ErrNoRows
	}
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if co.Updated.IsZero() {
		co.Updated = s.now().UTC()
	}
	if rid == 0 {
		if co.ID == "" {
			co.ID = uuid.NewString()
		}
		r, err := tx.ExecContext(ctx, `INSERT INTO companies(id, name, address, phone, domain, source, remote_id, updated)
			VALUES(?,?,?,?,?,?,?,?)`, co.ID, co.Name, co.Address, co.Phone, co.Domain, co.Source, co.RemoteID, ts(co.Updated))
		if err != nil {
			return fmt.Errorf("insert company: %w", err)
		}
		rid, _ = r.LastInsertId()
	} else {
		if _, err := tx.ExecContext(ctx, `UPDATE companies SET name=?, address=?, phone=?, domain=?, source=?, remote_id=?, updated=?
			WHERE rid=?`, co.Name, co.Address, co.Phone, co.Domain, co.Source, co.RemoteID, ts(co.Updated), rid); err != nil {
			return fmt.Errorf("update company: %w", err)
		}
		if oldName != co.Name || oldAddr != co.Address {
			rows, err := tx.QueryContext(ctx, `SELECT rid FROM contacts WHERE company_id = ?`, co.ID)
			if err != nil {
				return err
			}
			var rids []int64
			for rows.Next() {
				var r int64
				rows.Scan(&r)
				rids = append(rids, r)
			}
			rows.Close()
			for _, r := range rids {
				if err := ftsRefresh(ctx, tx, r); err != nil {
					return err
				}
			}
		}
	}
	ch.companies = append(ch.companies, rid)
	if idOut != nil {
		*idOut = co.ID
	}
	return nil
}

// UpsertDeal inserts or updates a deal and replaces its contact links.
// Amount must be decimal text ("12500", "99.95"); Currency an ISO 4217
// code. Linked contacts must exist.
func (s *Store) UpsertDeal(ctx context.Context, d *Deal) error {
	d.Name, d.Amount = strings.TrimSpace(d.Name), strings.TrimSpace(d.Amount)
	d.Currency = strings.ToUpper(strings.TrimSpace(d.Currency))
	switch {
	case d.Name == "":
		return fmt.Errorf("store: save deal: %w: empty name", ErrInvalid)
	case d.Amount != "" && !amountRE.MatchString(d.Amount):
		return fmt.Errorf("store: save deal %q: %w: amount %q is not a decimal number", d.Name, ErrInvalid, d.Amount)
	case d.Currency != "" && !currencyRE.MatchString(d.Currency):
		return fmt.Errorf("store: save deal %q: %w: currency %q is not an ISO 4217 code", d.Name, ErrInvalid, d.Currency)
	}
	if err := checkText("deal name", d.Name); err != nil {
		return fmt.Errorf("store: save deal: %w", err)
	}
	d.Source = source(d.Source)
	ch := &indexChange{}
	err := s.write(ctx, "save deal "+d.Name, func(tx *sql.Tx) error {
		var rid int64
		var err error
		switch {
		case d.ID != "":
			err = tx.QueryRowContext(ctx, `SELECT rid FROM deals WHERE id = ?`, d.ID).Scan(&rid)
		case d.RemoteID != "":
			err = tx.QueryRowContext(ctx, `SELECT rid, id FROM deals WHERE source = ? AND remote_id = ?`, d.Source, d.RemoteID).Scan(&rid, &d.ID)
		default:
			err = sql.ErrNoRows
		}
		if err != nil && err != sql.ErrNoRows {
			return err
		}
		var company any
		if d.CompanyID != "" {
			var x int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM companies WHERE id = ?`, d.CompanyID).Scan(&x); err != nil {
				return notFound(err, "company", d.CompanyID)
			}
			company = d.CompanyID
		}
		if d.Updated.IsZero() {
			d.Updated = s.now().UTC()
		}
		if rid == 0 {
			if d.ID == "" {
				d.ID = uuid.NewString()
			}
			_, err = tx.ExecContext(ctx, `INSERT INTO deals(id, name, amount, currency, stage, company_id, source, remote_id, updated)
				VALUES(?,?,?,?,?,?,?,?,?)`, d.ID, d.Name, d.Amount, d.Currency, d.Stage, company, d.Source, d.RemoteID, ts(d.Updated))
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE deals SET name=?, amount=?, currency=?, stage=?, company_id=?, source=?, remote_id=?, updated=?
				WHERE rid=?`, d.Name, d.Amount, d.Currency, d.Stage, company, d.Source, d.RemoteID, ts(d.Updated), rid)
		}
		if err != nil {
			return err
		}
		// Old and new linked contacts both need their best deal recomputed.
		rows, err := tx.QueryContext(ctx, `SELECT c.rid FROM deal_contacts dc JOIN contacts c ON c.id = dc.contact_id WHERE dc.deal_id = ?`, d.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r int64
			rows.Scan(&r)
			ch.contacts = append(ch.contacts, r)
		}
		rows.Close()
		if _, err := tx.ExecContext(ctx, `DELETE FROM deal_contacts WHERE deal_id = ?`, d.ID); err != nil {
			return err
		}
		for _, cid := range d.ContactIDs {
			var r int64
			if err := tx.QueryRowContext(ctx, `SELECT rid FROM contacts WHERE id = ?`, cid).Scan(&r); err != nil {
				return notFound(err, "contact", cid)
			}
			if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO deal_contacts(deal_id, contact_id) VALUES(?, ?)`, d.ID, cid); err != nil {
				return err
			}
			ch.contacts = append(ch.contacts, r)
		}
		return nil
	})
	if err == nil {
		s.refresh(ctx, ch)
	}
	return err
}

// Contact returns the contact with its numbers, company name and deals.
func (s *Store) Contact(ctx context.Context, id string) (Contact, error) {
	db, err := s.reader()
	if err != nil {
		return Contact{}, err
	}
	c, err := loadContact(ctx, db, "c.id = ?", id)
	if err != nil {
		return Contact{}, fmt.Errorf("store: read contact: %w", err)
	}
	if c.Deals, err = loadDeals(ctx, db, c.ID); err != nil {
		return Contact{}, fmt.Errorf("store: read deals of contact %s: %w", id, err)
	}
	return c, nil
}

const contactCols = `c.id, c.first_name, c.last_name, c.title, c.email, c.address, c.time_zone,
	COALESCE(c.company_id, ''), COALESCE(co.name, ''), c.source, c.remote_id, c.updated`

func scanContact(sc interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var upd int64
	err := sc.Scan(&c.ID, &c.FirstName, &c.LastName, &c.Title, &c.Email, &c.Address, &c.TimeZone,
		&c.CompanyID, &c.Company, &c.Source, &c.RemoteID, &upd)
	c.Updated = fromTS(upd)
	return c, err
}

func loadContact(ctx context.Context, q querier, where string, arg any) (Contact, error) {
	c, err := scanContact(q.QueryRowContext(ctx, `SELECT `+contactCols+` FROM contacts c
		LEFT JOIN companies co ON co.id = c.company_id WHERE `+where, arg))
	if err != nil {
		return c, notFound(err, "contact", arg)
	}
	c.Phones, err = loadPhones(ctx, q, c.ID)
	return c, err
}

func loadPhones(ctx context.Context, q querier, contactID string) ([]Phone, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, label, raw, e164 FROM phones WHERE contact_id = ? ORDER BY position, id`, contactID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Phone
	for rows.Next() {
		var p Phone
		if err := rows.Scan(&p.ID, &p.Label, &p.Raw, &p.E164); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func loadDeals(ctx context.Context, q querier, contactID string) ([]Deal, error) {
	rows, err := q.QueryContext(ctx, `SELECT d.id, d.name, d.amount, d.currency, d.stage, COALESCE(d.company_id, ''),
		d.source, d.remote_id, d.updated FROM deal_contacts dc JOIN deals d ON d.id = dc.deal_id
		WHERE dc.contact_id = ? ORDER BY d.updated DESC`, contactID)
	if err != nil {
		return nil, err
	}
	var out []Deal
	for rows.Next() {
		var d Deal
		var upd int64
		if err := rows.Scan(&d.ID, &d.Name, &d.Amount, &d.Currency, &d.Stage, &d.CompanyID, &d.Source, &d.RemoteID, &upd); err != nil {
			rows.Close()
			return nil, err
		}
		d.Updated = fromTS(upd)
		out = append(out, d)
	}
	rows.Close()
	for i := range out {
		r, err := q.QueryContext(ctx, `SELECT contact_id FROM deal_contacts WHERE deal_id = ?`, out[i].ID)
		if err != nil {
			return nil, err
		}
		for r.Next() {
			var id string
			r.Scan(&id)
			out[i].ContactIDs = append(out[i].ContactIDs, id)
		}
		r.Close()
	}
	return out, nil
}

// Deal returns one deal with its contact ids.
func (s *Store) Deal(ctx context.Context, id string) (Deal, error) {
	db, err := s.reader()
	if err != nil {
		return Deal{}, err
	}
	var d Deal
	var upd int64
	err = db.QueryRowContext(ctx, `SELECT id, name, amount, currency, stage, COALESCE(company_id, ''), source, remote_id, updated
		FROM deals WHERE id = ?`, id).Scan(&d.ID, &d.Name, &d.Amount, &d.Currency, &d.Stage, &d.CompanyID, &d.Source, &d.RemoteID, &upd)
	if err != nil {
		return d, fmt.Errorf("store: read deal: %w", notFound(err, "deal", id))
	}
	d.Updated = fromTS(upd)
	rows, err := db.QueryContext(ctx, `SELECT contact_id FROM deal_contacts WHERE deal_id = ?`, id)
	if err != nil {
		return d, fmt.Errorf("store: read deal: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		rows.Scan(&c)
		d.ContactIDs = append(d.ContactIDs, c)
	}
	return d, rows.Err()
}

// DeleteContact deletes a contact and its numbers. Calls keep their row
// with the contact link cleared.
func (s *Store) DeleteContact(ctx context.Context, id string) error {
	ch := &indexChange{}
	err := s.write(ctx, "delete contact "+id, func(tx *sql.Tx) error {
		var rid int64
		if err := tx.QueryRowContext(ctx, `SELECT rid FROM contacts WHERE id = ?`, id).Scan(&rid); err != nil {
			return notFound(err, "contact", id)
		}
		phones, err := loadPhones(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, p := range phones {
			ch.addOld(p.E164)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts_fts WHERE rowid = ?`, rid); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM contacts WHERE rid = ?`, rid); err != nil {
			return err
		}
		ch.contacts = append(ch.contacts, rid)
		return nil
	})
	if err == nil {
		s.refresh(ctx, ch)
	}
	return err
}

// FindDeal returns the most recently updated deal with this name
// (case-insensitive).
func (s *Store) FindDeal(ctx context.Context, name string) (Deal, error) {
	db, err := s.reader()
	if err != nil {
		return Deal{}, err
	}
	var id string
	err = db.QueryRowContext(ctx, `SELECT id FROM deals WHERE name = ? COLLATE NOCASE ORDER BY updated DESC LIMIT 1`,
		strings.TrimSpace(name)).Scan(&id)
	if err != nil {
		return Deal{}, fmt.Errorf("store: find deal: %w", notFound(err, "deal named", name))
	}
	return s.Deal(ctx, id)
}

package dialer

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pitchline/pitchline/softphone/store"
)

// SaveList stores l (its settings validated first) with its contacts in
// order, replacing an earlier version with the same ID. It sets l.ID,
// l.Created and l.Updated.
func SaveList(ctx context.Context, st *store.Store, l *List) error {
	if err := l.Settings.Validate(); err != nil {
		return err
	}
	settings, err := json.Marshal(l.Settings)
	if err != nil {
		return fmt.Errorf("dialer: save list %q: %w", l.Name, err)
	}
	cs := make([]store.DialerContact, len(l.Contacts))
	for i, c := range l.Contacts {
		nums := make([]store.DialerNumber, len(c.Numbers))
		for j, n := range c.Numbers {
			nums[j] = store.DialerNumber{Raw: n.Raw, Key: n.Key, Label: n.Label}
		}
		cs[i] = store.DialerContact{Name: c.Name, Company: c.Company, Email: c.Email, TimeZone: c.TimeZone, Numbers: nums, Extra: c.Extra}
	}
	saved, err := st.SaveDialerList(ctx, store.DialerList{ID: l.ID, Name: l.Name, Settings: string(settings)}, cs)
	if err != nil {
		return fmt.Errorf("dialer: save list %q: %w", l.Name, err)
	}
	l.ID, l.Created, l.Updated = saved.ID, saved.Created, saved.Updated
	return nil
}

// LoadList reads list id back (the error wraps ErrNotFound when there is
// none).
func LoadList(ctx context.Context, st *store.Store, id string) (*List, error) {
	h, cs, err := st.DialerList(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: call list %q: %w", ErrNotFound, id, err)
	}
	if err != nil {
		return nil, fmt.Errorf("dialer: load list: %w", err)
	}
	l := &List{ID: h.ID, Name: h.Name, Created: h.Created, Updated: h.Updated}
	if err := json.Unmarshal([]byte(h.Settings), &l.Settings); err != nil {
		return nil, fmt.Errorf("dialer: list %q settings: %w", h.Name, err)
	}
	l.Contacts = make([]Contact, len(cs))
	for i, c := range cs {
		nums := make([]Number, len(c.Numbers))
		for j, n := range c.Numbers {
			nums[j] = Number{Raw: n.Raw, Key: n.Key, Label: n.Label}
			if !nums[j].IsSIP() {
				nums[j].E164 = n.Key
			} else if sn, err := parseSIP(n.Key, n.Key); err == nil {
				nums[j].E164 = sn.E164
			}
		}
		l.Contacts[i] = Contact{Name: c.Name, Company: c.Company, Email: c.Email, TimeZone: c.TimeZone, Numbers: nums, Extra: c.Extra}
	}
	return l, nil
}

// DNC is the local do-not-call list, kept in the store. Numbers are matched
// by their normalised form, so any spelling of a number finds it.
type DNC struct {
	st     *store.Store
	region string
}

// NewDNC returns the DNC list of st; national numbers are read with region
// ("US" when empty).
func NewDNC(st *store.Store, region string) (*DNC, error) {
	if st == nil {
		return nil, fmt.Errorf("%w: no store", ErrInvalidSettings)
	}
	region = strings.ToUpper(region)
	if region == "" {
		region = "US"
	}
	return &DNC{st: st, region: region}, nil
}

// key normalises raw for the DNC list: any possible phone number (not only
// valid ones) or a SIP address, written as a URI (sip:bob@example.com), a
// name-addr as a call shows it ("Bob" <sip:bob@example.com;transport=udp>)
// or a bare user@host; every form is kept as sip:user@host, the key a
// list's SIP number has, so the session's check before the INVITE finds it.
func (d *DNC) key(raw string) (Number, error) {
	n, err := parseNumber(sipAddress(raw), d.region, false)
	n.Raw = raw
	return n, err
}

// sipAddress returns the URI inside a name-addr (RFC 3261 §20.10:
// "Bob" <sip:bob@host>), "sip:" + raw for a bare user@host, and raw
// itself otherwise.
func sipAddress(raw string) string {
	t := strings.TrimSpace(raw)
	if i := strings.LastIndexByte(t, '<'); i >= 0 {
		if j := strings.IndexByte(t[i:], '>'); j > 0 {
			return strings.TrimSpace(t[i+1 : i+j])
		}
	}
	l := strings.ToLower(t)
	if strings.Contains(t, "@") && !strings.HasPrefix(l, "sip:") && !strings.HasPrefix(l, "sips:") &&
		!strings.HasPrefix(l, "tel:") && !strings.ContainsAny(t, " \t<>\"") {
		return "sip:" + t
	}
	return t
}

// Add puts raw on the list with a note and a source ("manual", "form").
// It returns the number as stored.
func (d *DNC) Add(ctx context.Context, raw, note, source string) (Number, error) {
	n, err := d.key(raw)
	if err != nil {
		return n, err
	}
	if _, err := d.st.AddDNC(ctx, store.DNCEntry{Number: n.Key, Raw: strings.TrimSpace(raw), Note: note, Source: source}); err != nil {
		return n, fmt.Errorf("dialer: add %s to the do-not-call list: %w", raw, err)
	}
	return n, nil
}

// Remove takes raw off the list (the error wraps ErrNotFound when it is
// not on it).
func (d *DNC) Remove(ctx context.Context, raw string) error {
	n, err := d.key(raw)
	if err != nil {
		return err
	}
	err = d.st.RemoveDNC(ctx, n.Key)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s is not on the do-not-call list: %w", ErrNotFound, raw, err)
	}
	return err
}

// Contains reports whether raw is on the list.
func (d *DNC) Contains(ctx context.Context, raw string) (bool, error) {
	n, err := d.key(raw)
	if err != nil {
		return false, err
	}
	return d.st.IsDNC(ctx, n.Key)
}

// Set returns a snapshot of the list for Decide.
func (d *DNC) Set(ctx context.Context) (DNCSet, error) {
	es, err := d.st.DNCEntries(ctx)
	if err != nil {
		return nil, err
	}
	s := make(DNCSet, len(es))
	for _, e := range es {
		s[e.Number] = struct{}{}
	}
	return s, nil
}

// DNCImport is the report of DNC.Import.
type DNCImport struct {
	// Added counts numbers new on the list; Already those that were on it
	// (or twice in the file).
	Added, Already int
	// Rejected are the rows whose number could not be read.
	Rejected []RowResult
}

// Import adds the numbers of a CSV or plain text file, one per row: the
// column headed phone or number when the first row has one, else the first
// column (then the first row is data too). All numbers are added in one
// transaction.
func (d *DNC) Import(ctx context.Context, r io.Reader, source string) (*DNCImport, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rep := &DNCImport{}
	col, first := 0, true
	var entries []store.DNCEntry
	seen := map[string]bool{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				rep.Rejected = append(rep.Rejected, RowResult{Line: pe.StartLine, Status: RowRejected, Reason: RejectBadRow,
					Message: fmt.Sprintf("Line %d cannot be read; fix the quotes on it.", pe.StartLine)})
				continue
			}
			return nil, fmt.Errorf("dialer: read do-not-call file: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if header := headerColumn(rec); header >= 0 {
				col = header
				continue
			}
		}
		if col >= len(rec) || strings.TrimSpace(rec[col]) == "" {
			continue
		}
		if len(entries) >= MaxContacts*10 {
			return nil, fmt.Errorf("%w: the do-not-call file has more than %d numbers", ErrTooLarge, MaxContacts*10)
		}
		raw := strings.TrimSpace(strings.TrimPrefix(rec[col], "\ufeff"))
		n, err := d.key(raw)
		if err != nil {
			rep.Rejected = append(rep.Rejected, RowResult{Line: line, Status: RowRejected, Reason: RejectInvalidNumber,
				Message: fmt.Sprintf("Line %d: %s.", line, reasonText(err))})
			continue
		}
		if seen[n.Key] {
			rep.Already++
			continue
		}
		seen[n.Key] = true
		entries = append(entries, store.DNCEntry{Number: n.Key, Raw: raw, Source: source})
	}
	added, err := d.st.AddDNC(ctx, entries...)
	if err != nil {
		return nil, fmt.Errorf("dialer: import do-not-call list: %w", err)
	}
	rep.Added, rep.Already = added, rep.Already+len(entries)-added
	return rep, nil
}

// headerColumn returns the index of a phone or number header cell in rec,
// or -1 when rec looks like data.
func headerColumn(rec []string) int {
	for i, c := range rec {
		if f, ok := DefaultMapping()[store.HeaderKey(c)]; ok && (f == FieldPhone || f == FieldOtherPhone) {
			return i
		}
	}
	return -1
}

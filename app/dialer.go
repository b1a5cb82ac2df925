package app

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/store"
)

// This file binds the power dialer (softphone/dialer) for the window: call
// lists, their CSV import with a column mapping and per-row report, list
// settings, the do-not-call list, and the preview of a list's contacts with
// the compliance verdict. It translates between the dialer's types and the
// view types; the decisions are the dialer's (dialer.Checker).

// DialerSettingsView is a call list's settings. Durations are
// milliseconds, the calling hours "HH:MM-HH:MM".
type DialerSettingsView struct {
	// Mode is "preview", "power" or "parallel".
	Mode string `json:"mode"`
	// Lines is how many lines ring at once (1, up to 5 in parallel mode).
	Lines int `json:"lines"`
	// WrapUpMs is the pause after an outcome before power mode dials on.
	WrapUpMs int64 `json:"wrapUpMs"`
	// CallerID is the number shown to contacts ("" = the account's).
	CallerID string `json:"callerId"`
	// Hours is the calling-hours window in each contact's local time.
	Hours string `json:"hours"`
	// MaxAttempts caps the dials of one contact; MaxPerDay per day.
	MaxAttempts int `json:"maxAttempts"`
	// MaxPerDay caps the dials of one contact per day.
	MaxPerDay int `json:"maxPerDay"`
	// RetrySpacingMs is the least time between two dials of one contact.
	RetrySpacingMs int64 `json:"retrySpacingMs"`
	// Voicemail is the WAV or MP3 file dropped into machine answers in
	// power and parallel modes ("" for none).
	Voicemail string `json:"voicemail"`
	// Apology is the WAV or MP3 file an abandoned contact hears in
	// parallel mode ("" for the bundled prompt).
	Apology string `json:"apology"`
	// ScriptID is the call script of the list's calls (0 = the default
	// script; see ScriptsService).
	ScriptID int64 `json:"scriptId"`
}

// DialerListView is one call list's header.
type DialerListView struct {
	// ID identifies the list.
	ID string `json:"id"`
	// Name is what the rep calls the list.
	Name string `json:"name"`
	// Contacts counts the list's contacts.
	Contacts int `json:"contacts"`
	// Settings are the list's own settings.
	Settings DialerSettingsView `json:"settings"`
	// Created and Updated are RFC 3339.
	Created string `json:"created"`
	// Updated is when the list last changed.
	Updated string `json:"updated"`
}

// DialerColumnView is one column of a CSV file to import, with the field
// it maps to by default.
type DialerColumnView struct {
	// Header is the header cell as written.
	Header string `json:"header"`
	// Field is name, phone, other_phone, company, email, timezone, extra
	// or ignore.
	Field string `json:"field"`
	// Sample is the column's cell on the first data row.
	Sample string `json:"sample"`
}

// DialerImportInput is a CSV import request.
type DialerImportInput struct {
	// Name names the new list ("" = "Imported list").
	Name string `json:"name"`
	// CSV is the file's text.
	CSV string `json:"csv"`
	// Mapping maps header cells to fields, overriding the defaults.
	Mapping map[string]string `json:"mapping"`
	// DryRun reports what the import would do without saving a list.
	DryRun bool `json:"dryRun"`
}

// DialerRowView is the import report of one data row.
type DialerRowView struct {
	// Line is the row's line in the file (the header is line 1).
	Line int `json:"line"`
	// Name is the row's name cell.
	Name string `json:"name"`
	// Status is "imported" or "rejected".
	Status string `json:"status"`
	// Reason is empty_phone, invalid_number, duplicate or bad_row.
	Reason string `json:"reason"`
	// Message is one sentence a rep can act on.
	Message string `json:"message"`
	// Warnings are problems that did not stop the row.
	Warnings []string `json:"warnings"`
}

// DialerImportReport is the result of an import.
type DialerImportReport struct {
	// List is the saved list (nil on a dry run).
	List *DialerListView `json:"list"`
	// Imported, Rejected and Blank count the rows.
	Imported int `json:"imported"`
	// Rejected counts rows left out.
	Rejected int `json:"rejected"`
	// Blank counts empty rows skipped without a report.
	Blank int `json:"blank"`
	// Rows has one entry per data row, in file order.
	Rows []DialerRowView `json:"rows"`
}

// DialerNumberView is one number of a contact.
type DialerNumberView struct {
	// Raw is the number as written in the list.
	Raw string `json:"raw"`
	// Key is the normalised form (E.164 or a SIP URI).
	Key string `json:"key"`
	// Label names the column it came from.
	Label string `json:"label"`
}

// DialerContactView is one contact of a list with its status.
type DialerContactView struct {
	// Position is the contact's place in the list (0-based).
	Position int `json:"position"`
	// Name, Company and Email are as imported.
	Name string `json:"name"`
	// Company is the contact's company.
	Company string `json:"company"`
	// Email is the contact's email address.
	Email string `json:"email"`
	// Numbers are the contact's numbers, the primary one first.
	Numbers []DialerNumberView `json:"numbers"`
	// Status is "ready" or the reason the contact would be skipped now
	// (dnc, calling_hours, retry_cap, invalid_number).
	Status string `json:"status"`
	// Message says why in one sentence ("" when ready).
	Message string `json:"message"`
}

// DialerContactsPage is a page of a list's contacts.
type DialerContactsPage struct {
	// Total counts the list's contacts.
	Total int `json:"total"`
	// Contacts are the page's contacts, in list order.
	Contacts []DialerContactView `json:"contacts"`
}

// DialerPreview is the preview card of one contact: who, what we know, the
// contact's local time and whether a dial may go out now.
type DialerPreview struct {
	// ListID and Position say which contact this is; Total counts the
	// list.
	ListID string `json:"listId"`
	// Position is the contact's place in the list (0-based).
	Position int `json:"position"`
	// Total counts the list's contacts.
	Total int `json:"total"`
	// Contact is the contact with its status.
	Contact DialerContactView `json:"contact"`
	// Number is the number Dial calls (the first one allowed, else the
	// primary one).
	Number string `json:"number"`
	// Formatted is Number formatted for display.
	Formatted string `json:"formatted"`
	// DealName, DealAmount and DealCurrency describe the contact's open
	// deal in the local store, when the number matches a contact there.
	DealName string `json:"dealName"`
	// DealAmount is the deal amount as a decimal string.
	DealAmount string `json:"dealAmount"`
	// DealCurrency is the ISO 4217 currency of DealAmount.
	DealCurrency string `json:"dealCurrency"`
	// LastOutcome is the outcome label of the last logged call to the
	// number ("" when none); LastCalled is when (RFC 3339).
	LastOutcome string `json:"lastOutcome"`
	// LastCalled is when the number was last called ("" when never).
	LastCalled string `json:"lastCalled"`
	// LocalTime is the contact's wall-clock time "HH:MM", TimeZone its
	// zone and ZoneSource where it came from (contact, number, rep).
	LocalTime string `json:"localTime"`
	// TimeZone is the IANA zone of LocalTime.
	TimeZone string `json:"timeZone"`
	// ZoneSource is "contact", "number" or "rep".
	ZoneSource string `json:"zoneSource"`
	// Allowed is true when a dial may go out now.
	Allowed bool `json:"allowed"`
	// Reason is the skip reason when not allowed (Contact.Status).
	Reason string `json:"reason"`
	// Message is the verdict's sentence ("" when allowed).
	Message string `json:"message"`
}

// DNCEntryView is one number on the do-not-call list.
type DNCEntryView struct {
	// Number is the normalised number (E.164 or a SIP URI).
	Number string `json:"number"`
	// Raw is the number as entered.
	Raw string `json:"raw"`
	// Note is the rep's note.
	Note string `json:"note"`
	// Source is "manual", "form" or "import".
	Source string `json:"source"`
	// Added is RFC 3339.
	Added string `json:"added"`
}

// DNCImportReport is the result of a DNC import.
type DNCImportReport struct {
	// Added counts numbers new on the list; Already those already on it.
	Added int `json:"added"`
	// Already counts numbers that were on the list (or twice in the file).
	Already int `json:"already"`
	// Rejected are the rows whose number could not be read.
	Rejected []DialerRowView `json:"rejected"`
	// Entries is the list after the import.
	Entries []DNCEntryView `json:"entries"`
}

// Error codes of the dialer (errfmt.go's messages has their sentences).
const (
	// CodeBadCSV means a CSV file cannot be read as a call list.
	CodeBadCSV = "bad_csv"
	// CodeDialerSettings means list settings are out of range.
	CodeDialerSettings = "dialer_settings"
	// CodeDialerVoicemail means a list's voicemail file cannot be played.
	CodeDialerVoicemail = "dialer_voicemail"
	// CodeDialerApology means a list's apology prompt file cannot be
	// played (or is longer than the prompt may be).
	CodeDialerApology = "dialer_apology"
	// CodeDialerState means a session control does not apply now (Dial
	// while a call is up, a control after the session ended).
	CodeDialerState = "dialer_state"
	// CodeDialerTooLarge means an import is over the dialer's limits.
	CodeDialerTooLarge = "dialer_too_large"
	// CodeSkipDNC, CodeSkipHours, CodeSkipRetry and CodeSkipInvalid
	// refuse a dial from a list, one per dialer.Reason.
	CodeSkipDNC = "skip_dnc"
	// CodeSkipHours: outside the calling hours in the contact's time.
	CodeSkipHours = "skip_calling_hours"
	// CodeSkipRetry: the retry policy does not allow another dial yet.
	CodeSkipRetry = "skip_retry_cap"
	// CodeSkipInvalid: the number cannot be dialled.
	CodeSkipInvalid = "skip_invalid_number"
)

// dialerErrorCodes maps the dialer's sentinels to codes; coreErrorCodes
// includes them.
func dialerErrorCodes() []errorCode {
	return append(vmRecordErrorCodes(), []errorCode{ // dialer_vmrecord.go
		{dialer.ErrBadCSV, CodeBadCSV},
		{dialer.ErrBadVoicemail, CodeDialerVoicemail},
		{dialer.ErrBadApology, CodeDialerApology},
		{dialer.ErrInvalidSettings, CodeDialerSettings},
		{dialer.ErrTooLarge, CodeDialerTooLarge},
		{dialer.ErrInvalidNumber, CodeInvalidNumber},
		{dialer.ErrEmptyNumber, CodeInvalidNumber},
		{dialer.ErrNotFound, "not_found"},
		{dialer.ErrInvalidState, CodeDialerState},
	}...)
}

// refusedDial is the error of a dial the compliance check refused; its
// text is the dialer's sentence (the details), its code names the reason.
type refusedDial struct{ d dialer.Decision }

func (e refusedDial) Error() string { return "dialer: dial refused: " + e.d.Message }

// ErrorCode implements Coder.
func (e refusedDial) ErrorCode() string {
	switch e.d.Reason {
	case dialer.ReasonDNC:
		return CodeSkipDNC
	case dialer.ReasonCallingHours:
		return CodeSkipHours
	case dialer.ReasonRetryCap:
		return CodeSkipRetry
	}
	return CodeSkipInvalid
}

// maxImportText bounds a CSV or DNC file handed to the dialer (bytes).
const maxImportText = 32 << 20

// DialerService binds call lists, the DNC list and the preview card.
type DialerService struct{ c *core }

// Lists returns the call lists, newest first.
func (s *DialerService) Lists() ([]DialerListView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	ls, err := st.DialerLists(s.c.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DialerListView, 0, len(ls))
	for _, h := range ls {
		var set dialer.Settings
		if err := set.UnmarshalJSON([]byte(h.Settings)); err != nil {
			set = dialer.DefaultSettings()
		}
		out = append(out, listView(h.ID, h.Name, h.Contacts, set, h.Created, h.Updated))
	}
	return out, nil
}

// Columns reads the header and first data row of a CSV file and says what
// each column maps to by default (for the import dialog's mapping).
func (s *DialerService) Columns(csvText string) ([]DialerColumnView, error) {
	if len(csvText) > maxImportText {
		return nil, fmt.Errorf("%w: the file is over %d MB", dialer.ErrTooLarge, maxImportText>>20)
	}
	header, first, err := csvHead(csvText)
	if err != nil {
		return nil, err
	}
	def := dialer.DefaultMapping()
	out := make([]DialerColumnView, len(header))
	for i, h := range header {
		f, ok := def[store.HeaderKey(h)]
		if !ok {
			f = dialer.FieldExtra
		}
		out[i] = DialerColumnView{Header: h, Field: string(f)}
		if i < len(first) {
			out[i].Sample = first[i]
		}
	}
	return out, nil
}

// Import reads a CSV call list with the given column mapping and saves it
// as a new list (not on a dry run). Every data row is in the report.
func (s *DialerService) Import(in DialerImportInput) (DialerImportReport, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return DialerImportReport{}, err
	}
	if len(in.CSV) > maxImportText {
		return DialerImportReport{}, fmt.Errorf("%w: the file is over %d MB", dialer.ErrTooLarge, maxImportText>>20)
	}
	m := dialer.ColumnMapping{}
	for h, f := range in.Mapping {
		switch fld := dialer.Field(f); fld {
		case dialer.FieldName, dialer.FieldPhone, dialer.FieldOtherPhone, dialer.FieldCompany, dialer.FieldEmail,
			dialer.FieldTimeZone, dialer.FieldExtra, dialer.FieldIgnore:
			m[h] = fld
		default:
			return DialerImportReport{}, fmt.Errorf("%w: column %q cannot be mapped to %q", ErrInvalidArgument, h, f)
		}
	}
	imp, err := dialer.ParseCSV(strings.NewReader(in.CSV), dialer.ImportOptions{Mapping: m, Region: st.Region()})
	if err != nil {
		return DialerImportReport{}, err
	}
	rep := DialerImportReport{Imported: imp.Imported, Rejected: imp.Rejected, Blank: imp.Blank, Rows: make([]DialerRowView, len(imp.Rows))}
	for i, r := range imp.Rows {
		rep.Rows[i] = rowView(r)
	}
	if in.DryRun {
		return rep, nil
	}
	if imp.Imported == 0 {
		return rep, fmt.Errorf("%w: no row of the file could be imported; fix the rows listed and import again", dialer.ErrBadCSV)
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = "Imported list"
	}
	l := &dialer.List{Name: name, Settings: dialer.DefaultSettings(), Contacts: imp.Contacts}
	if err := dialer.SaveList(s.c.ctx, st, l); err != nil {
		return rep, err
	}
	v := listView(l.ID, l.Name, len(l.Contacts), l.Settings, l.Created, l.Updated)
	rep.List = &v
	return rep, nil
}

// Rename renames list id.
func (s *DialerService) Rename(id, name string) (DialerListView, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return DialerListView{}, fmt.Errorf("%w: a list needs a name", ErrInvalidArgument)
	}
	return s.update(id, func(l *dialer.List) error { l.Name = name; return nil })
}

// SaveSettings validates and saves list id's settings.
func (s *DialerService) SaveSettings(id string, v DialerSettingsView) (DialerListView, error) {
	set, err := settingsFrom(v)
	if err != nil {
		return DialerListView{}, err
	}
	if set.ScriptID, err = s.c.listScriptID(set.ScriptID); err != nil { // scripts.go
		return DialerListView{}, err
	}
	return s.update(id, func(l *dialer.List) error { l.Settings = set; return nil })
}

func (s *DialerService) update(id string, fn func(*dialer.List) error) (DialerListView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return DialerListView{}, err
	}
	l, err := dialer.LoadList(s.c.ctx, st, id)
	if err != nil {
		return DialerListView{}, err
	}
	if err := fn(l); err != nil {
		return DialerListView{}, err
	}
	if err := dialer.SaveList(s.c.ctx, st, l); err != nil {
		return DialerListView{}, err
	}
	return listView(l.ID, l.Name, len(l.Contacts), l.Settings, l.Created, l.Updated), nil
}

// Delete removes list id and returns the lists left.
func (s *DialerService) Delete(id string) ([]DialerListView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if err := st.DeleteDialerList(s.c.ctx, id); err != nil {
		return nil, err
	}
	return s.Lists()
}

// Contacts returns up to limit contacts of list id from offset, each with
// its status now (ready, or the reason it would be skipped).
func (s *DialerService) Contacts(id string, offset, limit int) (DialerContactsPage, error) {
	l, chk, dnc, err := s.load(id)
	if err != nil {
		return DialerContactsPage{}, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	offset = max(offset, 0)
	page := DialerContactsPage{Total: len(l.Contacts), Contacts: []DialerContactView{}}
	for i := offset; i < len(l.Contacts) && i < offset+limit; i++ {
		v, _, _ := s.contactView(l, i, chk, dnc)
		page.Contacts = append(page.Contacts, v)
	}
	return page, nil
}

// Preview returns the preview card of the contact at position of list id.
func (s *DialerService) Preview(id string, position int) (DialerPreview, error) {
	l, chk, dnc, err := s.load(id)
	if err != nil {
		return DialerPreview{}, err
	}
	if position < 0 || position >= len(l.Contacts) {
		return DialerPreview{}, fmt.Errorf("%w: the list has %d contacts, there is no contact %d", ErrInvalidArgument, len(l.Contacts), position+1)
	}
	cv, n, d := s.contactView(l, position, chk, dnc)
	p := DialerPreview{ListID: l.ID, Position: position, Total: len(l.Contacts), Contact: cv,
		Number: dialTarget(n), Formatted: n.Raw, Allowed: d.Allowed, Reason: string(d.Reason), Message: d.Message,
		LocalTime: d.LocalTime.Format("15:04"), TimeZone: d.LocalTime.Location().String(), ZoneSource: string(d.ZoneSource)}
	if !n.IsSIP() {
		cid := s.c.callerID(n.E164)
		p.Formatted = cid.Formatted
		p.DealName, p.DealAmount, p.DealCurrency = cid.DealName, cid.DealAmount, cid.DealCurrency
		if p.Contact.Company == "" {
			p.Contact.Company = cid.Company
		}
	}
	p.LastOutcome, p.LastCalled = s.lastCall(n)
	return p, nil
}

// Dial checks the contact at position of list id against the DNC list, the
// calling hours and the retry policy, then calls its number the way the
// dialpad does. A refused dial sends nothing and says why.
func (s *DialerService) Dial(id string, position int) (CallView, error) {
	l, chk, dnc, err := s.load(id)
	if err != nil {
		return CallView{}, err
	}
	if position < 0 || position >= len(l.Contacts) {
		return CallView{}, fmt.Errorf("%w: the list has %d contacts, there is no contact %d", ErrInvalidArgument, len(l.Contacts), position+1)
	}
	_, n, d := s.contactView(l, position, chk, dnc)
	if !d.Allowed {
		return CallView{}, refusedDial{d}
	}
	return s.c.dial(dialTarget(n))
}

// DNC returns the do-not-call list, newest first.
func (s *DialerService) DNC() ([]DNCEntryView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	es, err := st.DNCEntries(s.c.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]DNCEntryView, 0, len(es))
	for _, e := range es {
		out = append(out, DNCEntryView{Number: e.Number, Raw: e.Raw, Note: e.Note, Source: e.Source, Added: rfc3339(e.Added)})
	}
	return out, nil
}

// AddDNC puts number on the do-not-call list with a note; source is
// "manual" (the DNC manager) or "form" (the post-call form).
func (s *DialerService) AddDNC(number, note, source string) ([]DNCEntryView, error) {
	d, err := s.dnc()
	if err != nil {
		return nil, err
	}
	switch source {
	case "", "manual":
		source = "manual"
	case "form":
	default:
		return nil, fmt.Errorf("%w: source %q is not manual or form", ErrInvalidArgument, source)
	}
	if len(note) > 1000 {
		return nil, fmt.Errorf("%w: the note is over 1000 characters", store.ErrTooLarge)
	}
	if _, err := d.Add(s.c.ctx, number, strings.TrimSpace(note), source); err != nil {
		return nil, err
	}
	return s.DNC()
}

// RemoveDNC takes number off the do-not-call list.
func (s *DialerService) RemoveDNC(number string) ([]DNCEntryView, error) {
	d, err := s.dnc()
	if err != nil {
		return nil, err
	}
	if err := d.Remove(s.c.ctx, number); err != nil {
		return nil, err
	}
	return s.DNC()
}

// ImportDNC adds the numbers of a CSV or text file (one a row).
func (s *DialerService) ImportDNC(text string) (DNCImportReport, error) {
	d, err := s.dnc()
	if err != nil {
		return DNCImportReport{}, err
	}
	if len(text) > maxImportText {
		return DNCImportReport{}, fmt.Errorf("%w: the file is over %d MB", dialer.ErrTooLarge, maxImportText>>20)
	}
	r, err := d.Import(s.c.ctx, strings.NewReader(text), "import")
	if err != nil {
		return DNCImportReport{}, err
	}
	rep := DNCImportReport{Added: r.Added, Already: r.Already, Rejected: make([]DialerRowView, len(r.Rejected))}
	for i, row := range r.Rejected {
		rep.Rejected[i] = rowView(row)
	}
	if rep.Entries, err = s.DNC(); err != nil {
		return rep, err
	}
	return rep, nil
}

// ---- helpers ----

func (s *DialerService) dnc() (*dialer.DNC, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	return dialer.NewDNC(st, st.Region())
}

// load reads list id, a checker on the app's clock in this computer's time
// zone (the rep's), and a snapshot of the DNC list.
func (s *DialerService) load(id string) (*dialer.List, *dialer.Checker, dialer.DNCSet, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, nil, nil, err
	}
	l, err := dialer.LoadList(s.c.ctx, st, id)
	if err != nil {
		return nil, nil, nil, err
	}
	chk, err := dialer.NewChecker(time.Local, dialer.WithClock(s.c.cfg.now))
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := s.dnc()
	if err != nil {
		return nil, nil, nil, err
	}
	set, err := d.Set(s.c.ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	return l, chk, set, nil
}

// contactView returns contact i of l with its verdict: the first of its
// numbers that may be dialled now, else its primary number's refusal.
func (s *DialerService) contactView(l *dialer.List, i int, chk *dialer.Checker, dnc dialer.DNCSet) (DialerContactView, dialer.Number, dialer.Decision) {
	c := l.Contacts[i]
	v := DialerContactView{Position: i, Name: c.Name, Company: c.Company, Email: c.Email, Numbers: make([]DialerNumberView, len(c.Numbers))}
	for j, n := range c.Numbers {
		v.Numbers[j] = DialerNumberView{Raw: n.Raw, Key: n.Key, Label: n.Label}
	}
	var first dialer.Decision
	var num dialer.Number
	for j, n := range c.Numbers {
		d := chk.Check(dialer.Request{Contact: c, Number: n, Settings: l.Settings, DNC: dnc})
		if j == 0 {
			first, num = d, n
		}
		if d.Allowed {
			v.Status = "ready"
			return v, n, d
		}
	}
	if len(c.Numbers) == 0 {
		first = dialer.Decision{Reason: dialer.ReasonInvalidNumber, Message: "This contact has no number.", LocalTime: s.c.cfg.now()}
	}
	v.Status, v.Message = string(first.Reason), first.Message
	return v, num, first
}

// lastCall returns the outcome label and time of the last logged call to
// n, among the latest 500 outbound calls.
func (s *DialerService) lastCall(n dialer.Number) (outcome, when string) {
	st := s.c.st
	if st == nil || n.Key == "" {
		return "", ""
	}
	recs, err := st.History(s.c.ctx, store.HistoryFilter{Direction: store.Outbound, Limit: 500})
	if err != nil {
		return "", ""
	}
	for _, r := range recs {
		if !sameNumber(st, r.To, n) {
			continue
		}
		if r.OutcomeID != 0 {
			if o, err := st.Outcome(s.c.ctx, r.OutcomeID); err == nil {
				outcome = o.Label
			}
		}
		return outcome, rfc3339(r.Started)
	}
	return "", ""
}

// sameNumber reports whether a logged remote (a URI or a number) is n.
func sameNumber(st *store.Store, remote string, n dialer.Number) bool {
	if strings.EqualFold(remote, n.Key) {
		return true
	}
	if n.E164 == "" {
		return false
	}
	e164, _, err := st.FormatNumber(numberOf(remote))
	return err == nil && e164 == n.E164
}

// dialTarget is what the engine dials for n: a SIP URI as is, else E.164.
func dialTarget(n dialer.Number) string {
	if n.IsSIP() || n.E164 == "" {
		return n.Key
	}
	return n.E164
}

func rowView(r dialer.RowResult) DialerRowView {
	w := r.Warnings
	if w == nil {
		w = []string{}
	}
	return DialerRowView{Line: r.Line, Name: r.Name, Status: string(r.Status), Reason: string(r.Reason), Message: r.Message, Warnings: w}
}

func listView(id, name string, contacts int, s dialer.Settings, created, updated time.Time) DialerListView {
	return DialerListView{ID: id, Name: name, Contacts: contacts, Settings: settingsView(s), Created: rfc3339(created), Updated: rfc3339(updated)}
}

func settingsView(s dialer.Settings) DialerSettingsView {
	return DialerSettingsView{Mode: string(s.Mode), Lines: s.Lines, WrapUpMs: s.WrapUp.Milliseconds(), CallerID: s.CallerID,
		Hours: s.Hours.String(), MaxAttempts: s.Retry.MaxAttempts, MaxPerDay: s.Retry.MaxPerDay, RetrySpacingMs: s.Retry.Spacing.Milliseconds(),
		Voicemail: s.Voicemail, Apology: s.Apology, ScriptID: s.ScriptID}
}

func settingsFrom(v DialerSettingsView) (dialer.Settings, error) {
	mode, err := dialer.ParseMode(v.Mode)
	if err != nil {
		return dialer.Settings{}, err
	}
	w, err := dialer.ParseWindow(v.Hours)
	if err != nil {
		return dialer.Settings{}, err
	}
	s := dialer.Settings{Mode: mode, Lines: v.Lines, WrapUp: time.Duration(v.WrapUpMs) * time.Millisecond,
		CallerID: strings.TrimSpace(v.CallerID), Hours: w,
		Retry:     dialer.RetryPolicy{MaxAttempts: v.MaxAttempts, MaxPerDay: v.MaxPerDay, Spacing: time.Duration(v.RetrySpacingMs) * time.Millisecond},
		Voicemail: strings.TrimSpace(v.Voicemail),
		Apology:   strings.TrimSpace(v.Apology),
		ScriptID:  v.ScriptID}
	if s.Voicemail != "" {
		if _, err := dialer.CheckVoicemail(s.Voicemail); err != nil {
			return dialer.Settings{}, err // a file that cannot be played is refused when saved, not at the first machine
		}
	}
	if s.Apology != "" {
		if _, err := dialer.CheckApology(s.Apology); err != nil {
			return dialer.Settings{}, err
		}
	}
	return s, s.Validate()
}

// errRefused reports whether err is a refused dial (tests).
func errRefused(err error) (dialer.Reason, bool) {
	var r refusedDial
	if errors.As(err, &r) {
		return r.d.Reason, true
	}
	return "", false
}

// csvHead reads the header row and the first data row of a CSV file.
func csvHead(text string) (header, first []string, err error) {
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(text, "\ufeff")))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err = cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, fmt.Errorf("%w: the file is empty; it needs a header row with name and phone columns", dialer.ErrBadCSV)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%w: cannot read the header row: %w", dialer.ErrBadCSV, err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	first, _ = cr.Read()
	return header, first, nil
}

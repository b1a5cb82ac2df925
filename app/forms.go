package app

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/store"
)

// The post-call outcome form. When a call ends the core logs it; then
// every outbound call (answered or not) and every answered inbound call
// gets a pending form, announced with EvForm and listed in the snapshot
// until it is saved or dismissed. A missed inbound call is logged with no
// form. Notes typed after the far end hung up are still accepted for a
// call whose form is pending (the form is prefilled with them).

// keyRequireOutcome is the store setting of "Require an outcome" ("1" = on).
const keyRequireOutcome = "forms.require_outcome"

// Form states carried by FormView.State.
const (
	FormPending   = "pending"
	FormSaved     = "saved"
	FormDismissed = "dismissed"
)

// CodeOutcomeRequired is the error code of FormsService.Dismiss (and Save)
// when "Require an outcome" is on and no outcome was chosen.
const CodeOutcomeRequired = "outcome_required"

// ErrOutcomeRequired is returned (wrapped) when "Require an outcome" is on
// and a form is saved or dismissed without an outcome.
var ErrOutcomeRequired = errors.New("app: choose an outcome before closing the call form (Require an outcome is on)")

// ErrNoForm is returned when no form is pending for the call.
var ErrNoForm = errors.New("app: no outcome form is pending for this call")

// maxPendingForms bounds how many unsaved forms are kept (oldest dropped).
const maxPendingForms = 50

// restoreFormsWindow is how far back forms left open by a previous run are
// offered again.
const restoreFormsWindow = 24 * time.Hour

// codedError gives an error its own frontend code (see Coder).
type codedError struct {
	code string
	err  error
}

func (e codedError) Error() string     { return e.err.Error() }
func (e codedError) Unwrap() error     { return e.err }
func (e codedError) ErrorCode() string { return e.code }

// OutcomeView is one configurable call outcome.
type OutcomeView struct {
	// ID identifies the outcome.
	ID int64 `json:"id"`
	// Label is what the rep picks.
	Label string `json:"label"`
	// Enabled outcomes are offered in the form.
	Enabled bool `json:"enabled"`
	// Deleted outcomes stay on old calls but are never offered.
	Deleted bool `json:"deleted"`
	// Position orders the list.
	Position int `json:"position"`
	// Mapping is the CRM's own value per vendor (HubSpot disposition GUID,
	// Pipedrive outcome, Sell outcome id, Zoho Call_Result).
	Mapping map[string]string `json:"mapping"`
}

// FormView is one post-call outcome form.
type FormView struct {
	// CallID is the call the form logs.
	CallID string `json:"callId"`
	// State is "pending", then "saved" or "dismissed".
	State string `json:"state"`
	// Direction is "inbound" or "outbound".
	Direction string `json:"direction"`
	// Number is the remote number.
	Number string `json:"number"`
	// CallerID describes the remote party.
	CallerID CallerIDView `json:"callerId"`
	// Contact is the matched contact (nil when the number is unknown).
	Contact *ContactView `json:"contact"`
	// Deals are the contact's deals (the topic select is shown when any).
	Deals []DealView `json:"deals"`
	// Status is the crm call status (completed, no_answer, busy, ...).
	Status string `json:"status"`
	// Started is when the call started (RFC 3339).
	Started string `json:"started"`
	// DurationMs is the talk time.
	DurationMs int64 `json:"durationMs"`
	// Notes are the notes taken during the call (the form's prefill).
	Notes string `json:"notes"`
	// Outcomes are the enabled outcomes, in order.
	Outcomes []OutcomeView `json:"outcomes"`
	// RequireOutcome is true when the form cannot be dismissed without one.
	RequireOutcome bool `json:"requireOutcome"`
}

// FormsView is the forms part of the snapshot.
type FormsView struct {
	// Pending lists the unsaved forms, oldest first.
	Pending []FormView `json:"pending"`
	// RequireOutcome is the "Require an outcome" setting.
	RequireOutcome bool `json:"requireOutcome"`
}

// TaskInputView is the follow-up task of a saved form.
type TaskInputView struct {
	// Title is required.
	Title string `json:"title"`
	// Due is RFC 3339 (required).
	Due string `json:"due"`
	// Reminder is RFC 3339, "" for none.
	Reminder string `json:"reminder"`
}

// FormInput is what the rep saves.
type FormInput struct {
	// CallID is the call.
	CallID string `json:"callId"`
	// OutcomeID is the chosen outcome (0 = none).
	OutcomeID int64 `json:"outcomeId"`
	// Notes replace the call's notes.
	Notes string `json:"notes"`
	// DealID associates the call with one of the contact's deals ("" = none).
	DealID string `json:"dealId"`
	// Task is the follow-up task (nil = none).
	Task *TaskInputView `json:"task"`
}

// SyncView is a call's sync state for one CRM.
type SyncView struct {
	// Vendor is hubspot, pipedrive, sell or zoho.
	Vendor string `json:"vendor"`
	// State is "pending", "synced" or "failed".
	State string `json:"state"`
	// Error is the reason of a failure.
	Error string `json:"error"`
	// RemoteID is the CRM's id once synced.
	RemoteID string `json:"remoteId"`
	// Attempts counts the sends so far.
	Attempts int `json:"attempts"`
}

// formEntry is one form the registry knows: expected (call just ended,
// not logged yet) or pending (logged, shown).
type formEntry struct {
	view    FormView
	rec     store.CallRecord
	logged  bool
	late    bool // notes arrived after the call ended
	created time.Time
}

// formRegistry holds the pending forms. It never takes core.mu, so the core
// may call expect while holding it.
type formRegistry struct {
	mu      sync.Mutex
	entries map[string]*formEntry
	order   []string
}

// expect notes that call id just ended: notes arriving before its form is
// shown are kept for it.
func (r *formRegistry) expect(id string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries == nil {
		r.entries = map[string]*formEntry{}
	}
	if _, ok := r.entries[id]; ok {
		return
	}
	for k, e := range r.entries { // calls whose logging failed
		if !e.logged && now.Sub(e.created) > time.Minute {
			delete(r.entries, k)
		}
	}
	r.entries[id] = &formEntry{view: FormView{CallID: id, State: FormPending}, created: now}
}

// drop forgets a form.
func (r *formRegistry) drop(id string) {
	delete(r.entries, id)
	for i, k := range r.order {
		if k == id {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
}

// pending lists the shown forms, oldest first.
func (r *formRegistry) pending() []FormView {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]FormView, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.entries[id].view)
	}
	return out
}

// needsForm reports whether a logged call gets an outcome form.
func needsForm(rec store.CallRecord) bool {
	return !(rec.Direction == store.Inbound && rec.Status == store.StatusMissed) && !rec.FormDone
}

// requireOutcome reads the "Require an outcome" setting.
func (c *core) requireOutcome() bool {
	if c.st == nil {
		return false
	}
	v, _, _ := c.st.GetSetting(c.ctx, keyRequireOutcome)
	return v == "1"
}

// outcomeViews lists the outcomes (enabled only unless all).
func (c *core) outcomeViews(all bool) ([]OutcomeView, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return nil, err
	}
	list, err := st.Outcomes(c.ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]OutcomeView, 0, len(list))
	for _, o := range list {
		if o.Deleted && !all {
			continue
		}
		out = append(out, outcomeView(o))
	}
	return out, nil
}

func outcomeView(o store.Outcome) OutcomeView {
	v := OutcomeView{ID: o.ID, Label: o.Label, Enabled: o.Enabled, Deleted: o.Deleted, Position: o.Position,
		Mapping: map[string]string{}}
	for k, val := range o.Mapping {
		v.Mapping[string(k)] = val
	}
	return v
}

// formView builds the form of a logged call.
func (c *core) formView(rec store.CallRecord, id CallerIDView, notes string) FormView {
	number := rec.To
	if rec.Direction == store.Inbound {
		number = rec.From
	}
	f := FormView{CallID: rec.ID, State: FormPending, Direction: string(rec.Direction), Number: number, CallerID: id,
		Status: string(rec.Status), Started: rfc3339(rec.Started), DurationMs: rec.Duration.Milliseconds(),
		Notes: notes, Deals: []DealView{}, RequireOutcome: c.requireOutcome()}
	contactID := id.ContactID
	if contactID == "" {
		contactID = rec.ContactID
	}
	if contactID != "" {
		if ct, err := c.st.Contact(c.ctx, contactID); err == nil {
			cv := c.contactView(ct)
			f.Contact = &cv
			f.Deals = cv.Deals
		}
	}
	if f.Outcomes, _ = c.outcomeViews(false); f.Outcomes == nil {
		f.Outcomes = []OutcomeView{}
	}
	return f
}

// callEnded is called once an ended call is logged: it shows the outcome
// form (EvForm) unless none is needed, applying notes that arrived late.
func (c *core) callEnded(rec store.CallRecord, id CallerIDView) {
	r := &c.forms
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.entries == nil {
		r.entries = map[string]*formEntry{}
	}
	e := r.entries[rec.ID]
	if !needsForm(rec) {
		delete(r.entries, rec.ID)
		return
	}
	if e == nil {
		e = &formEntry{created: c.cfg.now()}
		r.entries[rec.ID] = e
	}
	if e.late && e.view.Notes != rec.Notes {
		rec.Notes = e.view.Notes
		if err := c.st.LogCall(c.ctx, rec); err != nil {
			c.log.Warn("late call notes not stored", "call", rec.ID, "err", err)
		}
	}
	e.rec, e.logged = rec, true
	e.view = c.formView(rec, id, rec.Notes)
	r.order = append(r.order, rec.ID)
	for len(r.order) > maxPendingForms {
		r.drop(r.order[0])
	}
	emit(c.out, EvForm, e.view)
}

// lateNotes keeps notes for a call that has ended but whose form is
// pending (or about to be shown): the notes race where the far end hangs
// up while the rep is still typing. ok is false when no form is expected.
func (c *core) lateNotes(id, notes string) (CallView, bool, error) {
	r := &c.forms
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[id]
	if e == nil {
		return CallView{}, false, nil
	}
	e.late = true
	e.view.Notes = notes
	v := CallView{ID: id, State: string(softphone.CallEnded), Notes: notes, Direction: e.view.Direction,
		Number: e.view.Number, CallerID: e.view.CallerID}
	if !e.logged {
		return v, true, nil
	}
	e.rec.Notes = notes
	if err := c.st.LogCall(c.ctx, e.rec); err != nil {
		return CallView{}, true, err
	}
	emit(c.out, EvForm, e.view)
	return v, true, nil
}

// formsView is the forms part of the snapshot.
func (c *core) formsView() FormsView {
	return FormsView{Pending: c.forms.pending(), RequireOutcome: c.requireOutcome()}
}

// restoreForms offers again the forms a previous run left open (calls of
// the last day that were logged but whose form was never saved).
func (c *core) restoreForms() {
	recs, err := c.st.History(c.ctx, store.HistoryFilter{Since: c.cfg.now().Add(-restoreFormsWindow), Limit: 200})
	if err != nil {
		c.log.Warn("pending forms not restored", "err", err)
		return
	}
	for i := len(recs) - 1; i >= 0; i-- { // oldest first
		rec := recs[i]
		if !needsForm(rec) {
			continue
		}
		number := rec.To
		if rec.Direction == store.Inbound {
			number = rec.From
		}
		c.forms.expect(rec.ID, c.cfg.now())
		c.callEnded(rec, c.callerID(number))
	}
}

// parseFormTime parses an RFC 3339 time of the form ("" = zero).
func parseFormTime(what, s string) (time.Time, error) {
	if strings.TrimSpace(s) == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %q is not an RFC 3339 time", ErrInvalidArgument, what, s)
	}
	return t, nil
}

// maxTaskTitle bounds a follow-up task title.
const maxTaskTitle = 500

// saveForm validates and stores a form in one store transaction (record,
// task and outbox rows), closes it, kicks the sync worker and emits
// EvForm (saved) and EvHistory.
func (c *core) saveForm(in FormInput, state string) (HistoryEntry, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return HistoryEntry{}, err
	}
	if in.CallID == "" {
		return HistoryEntry{}, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	if len(in.Notes) > store.MaxNotesBytes {
		return HistoryEntry{}, fmt.Errorf("%w: notes are %d KB; the limit is %d KB", ErrInvalidArgument,
			(len(in.Notes)+1023)/1024, store.MaxNotesBytes/1024)
	}
	if in.OutcomeID == 0 && c.requireOutcome() {
		return HistoryEntry{}, codedError{CodeOutcomeRequired, ErrOutcomeRequired}
	}
	f := store.OutcomeForm{OutcomeID: in.OutcomeID, Notes: in.Notes, DealID: in.DealID}
	if in.OutcomeID != 0 {
		o, err := st.Outcome(c.ctx, in.OutcomeID)
		if err != nil {
			return HistoryEntry{}, fmt.Errorf("%w: outcome %d: %v", ErrInvalidArgument, in.OutcomeID, err)
		}
		if o.Deleted || !o.Enabled {
			return HistoryEntry{}, fmt.Errorf("%w: the outcome %q is no longer offered", ErrInvalidArgument, o.Label)
		}
	}
	if in.Task != nil {
		title := strings.TrimSpace(in.Task.Title)
		switch {
		case title == "":
			return HistoryEntry{}, fmt.Errorf("%w: the follow-up task needs a title", ErrInvalidArgument)
		case len(title) > maxTaskTitle:
			return HistoryEntry{}, fmt.Errorf("%w: the task title is longer than %d characters", ErrInvalidArgument, maxTaskTitle)
		}
		due, err := parseFormTime("due", in.Task.Due)
		if err != nil {
			return HistoryEntry{}, err
		}
		if due.IsZero() {
			return HistoryEntry{}, fmt.Errorf("%w: the follow-up task needs a due date and time", ErrInvalidArgument)
		}
		rem, err := parseFormTime("reminder", in.Task.Reminder)
		if err != nil {
			return HistoryEntry{}, err
		}
		if !rem.IsZero() && rem.After(due) {
			return HistoryEntry{}, fmt.Errorf("%w: the reminder is after the due time", ErrInvalidArgument)
		}
		f.Task = &store.TaskInput{Title: title, Due: due, Reminder: rem}
	}
	if err := st.SaveForm(c.ctx, in.CallID, f); err != nil {
		if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrTooLarge) {
			return HistoryEntry{}, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
		}
		return HistoryEntry{}, err
	}
	c.forms.mu.Lock()
	view := FormView{CallID: in.CallID}
	if e := c.forms.entries[in.CallID]; e != nil {
		view = e.view
	}
	c.forms.drop(in.CallID)
	c.forms.mu.Unlock()
	view.State, view.Notes = state, in.Notes
	c.kickSync()
	rec, err := st.Call(c.ctx, in.CallID)
	if err != nil {
		return HistoryEntry{}, err
	}
	number := rec.To
	if rec.Direction == store.Inbound {
		number = rec.From
	}
	h := historyEntry(rec, c.callerID(number))
	emit(c.out, EvForm, view)
	emit(c.out, EvHistory, h)
	c.emitSync()
	label := ""
	if in.OutcomeID != 0 {
		if o, err := st.Outcome(c.ctx, in.OutcomeID); err == nil {
			label = o.Label
		}
	}
	c.dialerOutcome(label, in.Notes)
	return h, nil
}

// dismissForm closes a form without the rep's input: the call is still
// logged and synced (with the notes taken during it, and no outcome),
// unless "Require an outcome" is on.
func (c *core) dismissForm(callID string) (HistoryEntry, error) {
	if callID == "" {
		return HistoryEntry{}, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	if c.requireOutcome() {
		return HistoryEntry{}, codedError{CodeOutcomeRequired, ErrOutcomeRequired}
	}
	c.forms.mu.Lock()
	e := c.forms.entries[callID]
	notes := ""
	if e != nil {
		notes = e.view.Notes
	}
	c.forms.mu.Unlock()
	if e == nil || !e.logged {
		return HistoryEntry{}, codedError{"no_form", fmt.Errorf("%w: call %s", ErrNoForm, callID)}
	}
	return c.saveForm(FormInput{CallID: callID, Notes: notes}, FormDismissed)
}

// syncViews converts a call's per-CRM sync states.
func syncViews(in []store.SyncStatus) []SyncView {
	out := make([]SyncView, 0, len(in))
	for _, s := range in {
		out = append(out, SyncView{Vendor: string(s.Vendor), State: s.State, Error: s.Error, RemoteID: s.RemoteID, Attempts: s.Attempts})
	}
	return out
}

// FormsService is the post-call outcome form.
type FormsService struct{ c *core }

// Pending lists the forms waiting for the rep, oldest first.
func (s *FormsService) Pending() (FormsView, error) {
	if _, err := s.c.storeOrErr(); err != nil {
		return FormsView{}, err
	}
	return s.c.formsView(), nil
}

// Save stores the form (outcome, notes, deal, follow-up task) and queues
// the call for the connected CRM in the same transaction; the form closes
// once it is stored.
func (s *FormsService) Save(form FormInput) (HistoryEntry, error) {
	return s.c.saveForm(form, FormSaved)
}

// Dismiss closes a form without an outcome (the call is still logged with
// its notes). It fails with the code "outcome_required" while "Require an
// outcome" is on.
func (s *FormsService) Dismiss(callID string) (HistoryEntry, error) { return s.c.dismissForm(callID) }

// SetRequireOutcome turns "Require an outcome" on or off.
func (s *FormsService) SetRequireOutcome(on bool) (FormsView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return FormsView{}, err
	}
	v := "0"
	if on {
		v = "1"
	}
	if err := st.SetSetting(s.c.ctx, keyRequireOutcome, v); err != nil {
		return FormsView{}, err
	}
	s.c.forms.mu.Lock()
	for _, e := range s.c.forms.entries {
		e.view.RequireOutcome = on
	}
	s.c.forms.mu.Unlock()
	return s.c.formsView(), nil
}

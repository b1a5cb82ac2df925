package app

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/secret"
	"github.com/pitchline/pitchline/softphone/store"
)

// secretNotFound is the keychain's "no such secret" sentinel.
var secretNotFound = secret.ErrNotFound

// The bound services. Each is a thin struct over the shared core; the Wails
// window binds them (window.go.app.<Service>.<Method>) and browser mode
// dispatches to the very same values by reflection (serve.go). Every method
// returns (T, error); errors reach the frontend as ErrorPayload.

// CallsService places and controls calls.
type CallsService struct{ c *core }

// Dial calls a number, user, sip:/tel:/callto: URI.
func (s *CallsService) Dial(target string) (CallView, error) { return s.c.dial(target) }

// DialFrom calls target from account (an AccountView.ID; "" = the default
// account, as Dial).
func (s *CallsService) DialFrom(account, target string) (CallView, error) {
	return s.c.dialFrom(account, target)
}

// dial places a call (the bound Dial, DialFrom, Redial and call-back
// methods all come here) from the default account and remembers it for Redial.
func (c *core) dial(target string) (CallView, error) { return c.dialFrom("", target) }

// dialFrom places a call from account ("" = the default account) and
// remembers it for Redial. The engine picks the line, refuses one that
// is not registered and holds the other calls (Switchboard.Dial).
func (c *core) dialFrom(account, target string) (CallView, error) {
	target = strings.TrimSpace(target)
	if target == "" {
		return CallView{}, fmt.Errorf("%w: nothing to dial", ErrInvalidArgument)
	}
	board, err := c.switchboard()
	if err != nil {
		return CallView{}, err
	}
	var opts []softphone.DialOption
	if account != "" {
		opts = append(opts, softphone.WithAccount(account))
	}
	call, line, err := board.Dial(c.ctx, target, opts...)
	if err != nil {
		return CallView{}, engineErr(err)
	}
	c.mu.Lock()
	c.lastDialed = target
	c.mu.Unlock()
	_ = c.st.SetSetting(c.ctx, keyLastDialed, target)
	v := c.viewOf(call)
	v.Account = line
	return v, nil
}

// Answer answers a ringing inbound call (other calls go on hold).
func (s *CallsService) Answer(callID string) (CallView, error) { return s.c.answer(callID) }

// Reject ignores a ringing inbound call (486 Busy Here).
func (s *CallsService) Reject(callID string) (CallView, error) {
	return s.c.callAction(callID, func(c *softphone.Call) error { return c.Reject(true) })
}

// Forward sends a ringing inbound call to target ("" = the configured
// forward number) with 302 Moved Temporarily.
func (s *CallsService) Forward(callID, target string) (CallView, error) {
	return s.c.forward(callID, target)
}

// Hangup ends a call (CANCEL, reject or BYE as the state needs).
func (s *CallsService) Hangup(callID string) (CallView, error) {
	return s.c.callAction(callID, (*softphone.Call).Hangup)
}

// Mute turns the microphone off (on=true) or back on for a call.
func (s *CallsService) Mute(callID string, on bool) (CallView, error) {
	return s.c.callAction(callID, func(c *softphone.Call) error { return c.SetMute(on) })
}

// Hold puts a call on hold.
func (s *CallsService) Hold(callID string) (CallView, error) {
	return s.c.callAction(callID, (*softphone.Call).Hold)
}

// Resume takes a call off hold (other calls go on hold).
func (s *CallsService) Resume(callID string) (CallView, error) { return s.c.resume(callID) }

// SwitchTo holds every other call and resumes (or answers) this one.
func (s *CallsService) SwitchTo(callID string) (CallView, error) { return s.c.switchTo(callID) }

// SendDTMF sends digits (0-9 * # A-D) with RFC 4733.
func (s *CallsService) SendDTMF(callID, digits string) (CallView, error) {
	return s.c.callAction(callID, func(c *softphone.Call) error { return c.SendDTMF(digits) })
}

// Transfer blind-transfers a call to target (REFER).
func (s *CallsService) Transfer(callID, target string) (CallView, error) {
	return s.c.callAction(callID, func(c *softphone.Call) error { return c.Transfer(target) })
}

// SetNotes keeps a note with the call; it is logged with the call.
func (s *CallsService) SetNotes(callID, notes string) (CallView, error) {
	return s.c.setNotes(callID, notes)
}

// Redial dials the last number dialled.
func (s *CallsService) Redial() (CallView, error) {
	s.c.mu.Lock()
	last := s.c.lastDialed
	s.c.mu.Unlock()
	if last == "" {
		return CallView{}, fmt.Errorf("%w: nothing dialled yet", ErrInvalidArgument)
	}
	return s.c.dial(last)
}

// List returns the active calls.
func (s *CallsService) List() ([]CallView, error) { return s.c.callViews(), nil }

// DevicesService chooses audio devices.
type DevicesService struct{ c *core }

// List returns the devices and the current selection.
func (s *DevicesService) List() (DevicesView, error) { return s.c.devicesView(), nil }

// SelectInput selects the microphone ("" = system default), mid-call too.
func (s *DevicesService) SelectInput(id string) (DevicesView, error) {
	return s.c.selectDevice("input", id)
}

// SelectOutput selects the speaker ("" = system default), mid-call too.
func (s *DevicesService) SelectOutput(id string) (DevicesView, error) {
	return s.c.selectDevice("output", id)
}

// SelectRinger selects the ringer device ("" = system default).
func (s *DevicesService) SelectRinger(id string) (DevicesView, error) {
	return s.c.selectDevice("ringer", id)
}

// TestTone plays a one-second tone on "output" or "ringer".
func (s *DevicesService) TestTone(which string) (bool, error) {
	p, err := s.c.getPhone()
	if err != nil {
		return false, err
	}
	if err := p.PlayTestTone(which); err != nil {
		return false, err
	}
	return true, nil
}

// SetMeter keeps the device open for the live microphone meter (levels
// arrive on EvTick).
func (s *DevicesService) SetMeter(on bool) (DevicesView, error) {
	p, err := s.c.getPhone()
	if err != nil {
		return DevicesView{}, err
	}
	if err := p.SetMeter(on); err != nil {
		return DevicesView{}, err
	}
	v := s.c.devicesView()
	emit(s.c.out, EvDevices, v)
	return v, nil
}

// AccountsService manages SIP accounts.
type AccountsService struct{ c *core }

// List returns the accounts (the demo line when none is configured).
func (s *AccountsService) List() ([]AccountView, error) { return s.c.accountViews(), nil }

// Save adds or edits an account; the password goes to the OS keychain.
func (s *AccountsService) Save(in AccountInput) (AccountView, error) { return s.c.saveAccount(in) }

// Remove deletes an account and its keychain entry.
func (s *AccountsService) Remove(id string) ([]AccountView, error) { return s.c.removeAccount(id) }

// Test registers once with the given settings and reports the outcome.
func (s *AccountsService) Test(in AccountInput) (RegistrationTest, error) {
	return s.c.testRegistration(in)
}

// SetDefault makes account the one Dial calls from (persisted); every
// account registers and takes calls whichever is the default.
func (s *AccountsService) SetDefault(account string) ([]AccountView, error) {
	return s.c.setDefault(account)
}

// SetDND turns do-not-disturb on or off.
func (s *AccountsService) SetDND(on bool) (AccountView, error) { return s.c.setDND(on) }

// DemoNumbers lists the demo line's numbers.
func (s *AccountsService) DemoNumbers() ([]DemoNumber, error) { return demoNumbers(), nil }

// ContactsService searches the contact store.
type ContactsService struct{ c *core }

// Search is the type-ahead over name, company, phone and address.
func (s *ContactsService) Search(query string, limit int) ([]ContactHit, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	hits, err := st.Search(s.c.ctx, query, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ContactHit, 0, len(hits))
	for _, h := range hits {
		out = append(out, ContactHit{Contact: s.c.contactView(h.Contact), Field: h.Field})
	}
	return out, nil
}

// Get returns one contact with numbers and deals.
func (s *ContactsService) Get(id string) (ContactView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return ContactView{}, err
	}
	ct, err := st.Contact(s.c.ctx, id)
	if err != nil {
		return ContactView{}, err
	}
	return s.c.contactView(ct), nil
}

// CallerID looks a number up (contact, company, deal) or formats it.
func (s *ContactsService) CallerID(number string) (CallerIDView, error) {
	if _, err := s.c.storeOrErr(); err != nil {
		return CallerIDView{}, err
	}
	return s.c.callerID(number), nil
}

// HistoryService reads the call log.
type HistoryService struct{ c *core }

// List returns logged calls, newest first.
func (s *HistoryService) List(f HistoryFilter) ([]HistoryEntry, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	sf := store.HistoryFilter{Direction: store.Direction(f.Direction), Missed: f.Missed, Limit: f.Limit}
	switch f.Direction {
	case "", string(store.Inbound), string(store.Outbound):
	default:
		return nil, fmt.Errorf("%w: direction %q", ErrInvalidArgument, f.Direction)
	}
	if sf.Limit <= 0 {
		sf.Limit = 100
	}
	if sf.Since, err = parseWhen(f.Since, false); err != nil {
		return nil, err
	}
	if sf.Until, err = parseWhen(f.Until, true); err != nil {
		return nil, err
	}
	recs, err := st.History(s.c.ctx, sf)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(recs))
	for _, r := range recs {
		number := r.To
		if r.Direction == store.Inbound {
			number = r.From
		}
		out = append(out, historyEntry(r, s.c.callerID(number)))
	}
	return out, nil
}

// Detail returns one logged call with what the history row does not carry:
// the outcome's label, the deal, the follow-up tasks and the recording.
func (s *HistoryService) Detail(id string) (HistoryDetail, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return HistoryDetail{}, err
	}
	if id == "" {
		return HistoryDetail{}, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	r, err := st.Call(s.c.ctx, id)
	if err != nil {
		return HistoryDetail{}, err
	}
	number := r.To
	if r.Direction == store.Inbound {
		number = r.From
	}
	d := HistoryDetail{Entry: historyEntry(r, s.c.callerID(number)), Recording: r.RecordingPath, Tasks: []TaskView{}}
	if r.OutcomeID != 0 {
		if o, err := st.Outcome(s.c.ctx, r.OutcomeID); err == nil {
			d.OutcomeLabel = o.Label
		}
	}
	if r.DealID != "" {
		if deal, err := st.Deal(s.c.ctx, r.DealID); err == nil {
			d.DealName, d.DealStage = deal.Name, deal.Stage
		}
	}
	tasks, err := st.TasksForCall(s.c.ctx, id)
	if err != nil {
		return HistoryDetail{}, err
	}
	for _, t := range tasks {
		d.Tasks = append(d.Tasks, TaskView{ID: t.ID, Title: t.Title, Due: rfc3339(t.Due), Reminder: rfc3339(t.Reminder), Done: t.Done})
	}
	return d, nil
}

// CallBack dials the number of a logged call.
func (s *HistoryService) CallBack(id string) (CallView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return CallView{}, err
	}
	r, err := st.Call(s.c.ctx, id)
	if err != nil {
		return CallView{}, err
	}
	number := r.To
	if r.Direction == store.Inbound {
		number = r.From
	}
	return s.c.dial(number)
}

// SettingsService reads and saves the user's settings.
type SettingsService struct{ c *core }

// Get returns the settings.
func (s *SettingsService) Get() (SettingsView, error) { return s.c.settings() }

// Save validates and persists the settings.
func (s *SettingsService) Save(v SettingsView) (SettingsView, error) { return s.c.saveSettings(v) }

// SystemService answers questions about the running application.
type SystemService struct {
	c       *core
	version string
	logger  *slog.Logger
}

// Version returns the application version (set at build time through
// -ldflags "-X main.version=...").
func (s *SystemService) Version() (string, error) {
	if s == nil || s.version == "" {
		return "", ErrNotStarted
	}
	s.logger.Debug("version served", "version", s.version)
	return s.version, nil
}

// Snapshot returns the full UI state; the UI loads it on DOM ready and then
// applies events.
func (s *SystemService) Snapshot() (Snapshot, error) {
	if s == nil || s.c == nil || s.c.st == nil {
		return Snapshot{}, ErrNotStarted
	}
	return s.c.snapshot(), nil
}

// services groups the bound services, in binding order.
type services struct {
	Calls      *CallsService
	Devices    *DevicesService
	Accounts   *AccountsService
	Contacts   *ContactsService
	History    *HistoryService
	Settings   *SettingsService
	System     *SystemService
	Forms      *FormsService
	Outcomes   *OutcomesService
	Crm        *CrmService
	Reports    *ReportsService
	Conference *ConferenceService
	Dialer     *DialerService
	Scripts    *ScriptsService // scripts.go
}

func newServices(c *core, version string, log *slog.Logger) *services {
	return &services{
		Calls: &CallsService{c}, Devices: &DevicesService{c}, Accounts: &AccountsService{c},
		Contacts: &ContactsService{c}, History: &HistoryService{c}, Settings: &SettingsService{c},
		System: &SystemService{c: c, version: version, logger: log},
		Forms:  &FormsService{c}, Outcomes: &OutcomesService{c}, Crm: &CrmService{c},
		Reports: newReportsService(c), Dialer: &DialerService{c}, Conference: &ConferenceService{c: c},
		Scripts: &ScriptsService{c},
	}
}

// list returns the services for binding.
func (s *services) list() []any {
	return []any{s.Calls, s.Devices, s.Accounts, s.Contacts, s.History, s.Settings, s.System, s.Forms, s.Outcomes, s.Crm, s.Reports, s.Dialer, s.Conference, s.Scripts}
}

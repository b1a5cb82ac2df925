package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/media"
	"github.com/pitchline/pitchline/softphone/store"
)

// qualityOf rates a call from RTP loss and jitter: good below 1 % loss and
// 30 ms jitter, poor above 5 % or 60 ms (the usual VoIP planning figures,
// ITU-T G.114/G.1020 territory), fair in between.
func qualityOf(s media.Stats) Quality {
	expected := s.PacketsReceived + s.Lost
	if expected == 0 {
		return Quality{Level: "unknown"}
	}
	q := Quality{LossPct: 100 * float64(s.Lost) / float64(expected), JitterMs: s.JitterMs, RTTMs: s.RTTMs}
	switch {
	case q.LossPct > 5 || q.JitterMs > 60:
		q.Level = "poor"
	case q.LossPct > 1 || q.JitterMs > 30:
		q.Level = "fair"
	default:
		q.Level = "good"
	}
	return q
}

// levels reads the phone's meters.
func (c *core) levels() Levels {
	p, err := c.getPhone()
	if err != nil {
		return Levels{MicDb: -96, SpeakerDb: -96}
	}
	mic, spk, active := p.Levels()
	return Levels{Active: active, MicDb: mic, SpeakerDb: spk}
}

// tickLoop emits EvTick every TickInterval while a call is active or the
// meter is on: the one place high-rate data reaches the UI.
func (c *core) tickLoop() {
	defer c.wg.Done()
	t := time.NewTicker(TickInterval)
	defer t.Stop()
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
		board, err := c.switchboard()
		if err != nil {
			continue
		}
		p, err := board.Phone("")
		if err != nil {
			continue
		}
		c.mu.Lock()
		n := len(c.calls)
		c.mu.Unlock()
		if n == 0 && !p.Metering() {
			continue
		}
		tick := Tick{Levels: c.levels(), Calls: []TickCall{}}
		for _, bc := range board.Calls() {
			info := bc.CallInfo
			tc := TickCall{ID: info.ID, Quality: qualityOf(info.Stats), Participants: tickParticipants(info)}
			if !info.Answered.IsZero() {
				tc.DurationMs = c.cfg.now().Sub(info.Answered).Milliseconds()
			}
			tick.Calls = append(tick.Calls, tc)
		}
		emit(c.out, EvTick, tick)
	}
}

// logCall writes an ended call to the history and emits EvHistory.
func (c *core) logCall(v CallView, e softphone.CallEvent) {
	if c.st == nil {
		return
	}
	rec := store.CallRecord{ID: v.ID, Direction: store.Direction(v.Direction), Cause: v.Cause, SIPCode: v.Status,
		Notes: v.Notes, ContactID: v.CallerID.ContactID, Ended: e.At, Duration: e.Duration}
	// The account the call was on, by its stable id (its line's): the
	// AOR of a SIP account, demoAccountID for the demo line (whose SIP
	// address changes every run and would make a new account in reports).
	account := v.Account
	rec.Account = account
	if t, err := time.Parse(time.RFC3339Nano, v.Created); err == nil {
		rec.Started = t
	}
	if t, err := time.Parse(time.RFC3339Nano, v.Answered); err == nil {
		rec.Answered = t
	}
	number := v.Number
	if v.CallerID.E164 != "" {
		number = v.CallerID.E164
	}
	if v.Direction == string(softphone.Inbound) {
		rec.From, rec.To = number, account
	} else {
		rec.From, rec.To = account, number
	}
	rec.Status = statusOf(v, rec.Answered)
	if rec.Status == store.StatusMissed || softphone.EndCause(v.Cause) == softphone.CauseMerged {
		// A missed call needs no outcome; nor does a call merged into
		// another: its participants talk on, and the conference's call
		// asks for the outcome when it ends.
		rec.FormDone = true
	}
	if err := c.st.LogCall(c.ctx, rec); err != nil {
		c.log.Warn("call not logged", "call", v.ID, "err", err)
		return
	}
	emit(c.out, EvHistory, historyEntry(rec, v.CallerID))
	c.callEnded(rec, v.CallerID) // the outcome form (forms.go)
}

// statusOf maps an ended call to the CRM call status.
func statusOf(v CallView, answered time.Time) store.CallStatus {
	if !answered.IsZero() {
		return store.StatusCompleted
	}
	switch softphone.EndCause(v.Cause) {
	case softphone.CauseBusy:
		return store.StatusBusy
	case softphone.CauseNoAnswer, softphone.CauseCanceled:
		if v.Direction == string(softphone.Outbound) {
			return store.StatusNoAnswer
		}
	}
	if v.Direction == string(softphone.Inbound) {
		return store.StatusMissed
	}
	return store.StatusFailed
}

// historyEntry converts a call record to a view.
func historyEntry(r store.CallRecord, id CallerIDView) HistoryEntry {
	number := r.To
	if r.Direction == store.Inbound {
		number = r.From
	}
	return HistoryEntry{ID: r.ID, Direction: string(r.Direction), Missed: r.Status == store.StatusMissed,
		Number: number, CallerID: id, Started: rfc3339(r.Started), DurationMs: r.Duration.Milliseconds(),
		Status: string(r.Status), Cause: r.Cause, Notes: r.Notes,
		OutcomeID: r.OutcomeID, FormDone: r.FormDone, Sync: syncViews(r.Sync)}
}

// call returns an active call by id, on whichever account it is.
func (c *core) call(id string) (*softphone.Call, error) {
	if id == "" {
		return nil, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	board, err := c.switchboard()
	if err != nil {
		return nil, err
	}
	call, _, err := board.Call(id)
	return call, err
}

// viewOf returns the current view of a call (from the table, or the
// engine's info once the call has gone).
func (c *core) viewOf(call *softphone.Call) CallView {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ce := c.calls[call.ID()]; ce != nil {
		c.fillFromInfo(&ce.view, call.Info())
		return ce.view
	}
	v := CallView{ID: call.ID(), Direction: string(call.Direction()), Remote: call.Remote(), Number: numberOf(call.Remote())}
	c.fillFromInfo(&v, call.Info())
	return v
}

// setDefault makes account id the one Dial calls from, and persists it.
func (c *core) setDefault(id string) ([]AccountView, error) {
	board, err := c.switchboard()
	if err != nil {
		return nil, err
	}
	if err := board.SetDefault(id); err != nil {
		return nil, engineErr(err)
	}
	def := board.Default()
	if err := c.st.SetSetting(c.ctx, keyDefaultAcc, def); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.defaultID = def
	c.mu.Unlock()
	v := c.accountViews()
	emit(c.out, EvAccounts, v)
	return v, nil
}

// callAction runs fn on a call and returns its view.
func (c *core) callAction(id string, fn func(*softphone.Call) error) (CallView, error) {
	call, err := c.call(id)
	if err != nil {
		return CallView{}, err
	}
	if err := fn(call); err != nil {
		return CallView{}, err
	}
	return c.viewOf(call), nil
}

// boardAction runs a switchboard call action (answer, resume, switch
// to: each holds the other calls on every account first) and returns
// the call's view.
func (c *core) boardAction(id string, fn func(*softphone.Switchboard, string) (*softphone.Call, error)) (CallView, error) {
	if id == "" {
		return CallView{}, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	board, err := c.switchboard()
	if err != nil {
		return CallView{}, err
	}
	call, err := fn(board, id)
	if err != nil {
		return CallView{}, err
	}
	return c.viewOf(call), nil
}

// answer answers a ringing call; the other calls go on hold.
func (c *core) answer(id string) (CallView, error) {
	return c.boardAction(id, (*softphone.Switchboard).Answer)
}

// resume takes a call off hold; the other calls go on hold.
func (c *core) resume(id string) (CallView, error) {
	return c.boardAction(id, (*softphone.Switchboard).Resume)
}

// switchTo holds every other call (on any account), then resumes or
// answers id.
func (c *core) switchTo(id string) (CallView, error) {
	return c.boardAction(id, (*softphone.Switchboard).SwitchTo)
}

// setNotes keeps a note with an active call (logged with it at the end).
func (c *core) setNotes(id, notes string) (CallView, error) {
	if len(notes) > store.MaxNotesBytes {
		return CallView{}, fmt.Errorf("%w: notes are %d KB; the limit is %d KB", ErrInvalidArgument,
			(len(notes)+1023)/1024, store.MaxNotesBytes/1024)
	}
	c.mu.Lock()
	if ce := c.calls[id]; ce != nil {
		ce.view.Notes = notes
		v := ce.view
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	// The call has ended (the far end may hang up while the rep types):
	// the notes go to its pending outcome form (forms.go).
	if v, ok, err := c.lateNotes(id, notes); ok {
		return v, err
	}
	call, err := c.call(id)
	if err != nil {
		return CallView{}, err
	}
	return c.viewOf(call), nil
}

// forward redirects a ringing call to target or the configured number.
func (c *core) forward(id, target string) (CallView, error) {
	if target == "" {
		target = c.forwardTo()
	}
	if target == "" {
		return CallView{}, fmt.Errorf("%w: no forward number configured (Settings)", ErrInvalidArgument)
	}
	return c.callAction(id, func(call *softphone.Call) error { return call.Forward(target) })
}

// settings reads the settings from the store.
func (c *core) settings() (SettingsView, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return SettingsView{}, err
	}
	get := func(k, def string) string {
		if v, ok, _ := st.GetSetting(c.ctx, k); ok && v != "" {
			return v
		}
		return def
	}
	s := SettingsView{Language: get(keyLanguage, "en"), DefaultCountry: get(keyCountry, "US"),
		Ringtone: get(keyRingtone, "classic"), ForwardTo: get(keyForwardTo, ""), Scripts: []ScriptView{}}
	scripts, err := st.Scripts(c.ctx)
	if err != nil {
		return s, err
	}
	for _, sc := range scripts {
		s.Scripts = append(s.Scripts, ScriptView{ID: sc.ID, Name: sc.Name, Body: sc.Body, Default: sc.Default})
	}
	return s, nil
}

// saveSettings validates and persists settings, then emits EvSettings.
func (c *core) saveSettings(s SettingsView) (SettingsView, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return SettingsView{}, err
	}
	if s.Language != "en" && s.Language != "ja" {
		return SettingsView{}, fmt.Errorf("%w: language %q (en or ja)", ErrInvalidArgument, s.Language)
	}
	s.DefaultCountry = strings.ToUpper(strings.TrimSpace(s.DefaultCountry))
	if err := st.SetRegion(s.DefaultCountry); err != nil {
		return SettingsView{}, fmt.Errorf("%w: default country %q: %v", ErrInvalidArgument, s.DefaultCountry, err)
	}
	if s.Ringtone == "" {
		s.Ringtone = softphone.RingtoneClassic
	}
	if _, err := softphone.RingtoneCadence(s.Ringtone); err != nil {
		return SettingsView{}, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	if s.ForwardTo != "" {
		if _, err := softphone.ParseTarget(s.ForwardTo, "example.invalid"); err != nil {
			return SettingsView{}, fmt.Errorf("%w: forward number: %v", ErrInvalidArgument, err)
		}
	}
	for k, v := range map[string]string{keyLanguage: s.Language, keyCountry: s.DefaultCountry,
		keyRingtone: s.Ringtone, keyForwardTo: strings.TrimSpace(s.ForwardTo)} {
		if err := st.SetSetting(c.ctx, k, v); err != nil {
			return SettingsView{}, err
		}
	}
	old, err := st.Scripts(c.ctx)
	if err != nil {
		return SettingsView{}, err
	}
	keep := map[int64]bool{}
	for _, sv := range s.Scripts {
		sc := store.Script{ID: sv.ID, Name: sv.Name, Body: sv.Body, Default: sv.Default}
		if err := st.SaveScript(c.ctx, &sc); err != nil {
			return SettingsView{}, fmt.Errorf("%w: script %q: %v", ErrInvalidArgument, sv.Name, err)
		}
		keep[sc.ID] = true
	}
	for _, sc := range old {
		if !keep[sc.ID] {
			if err := st.DeleteScript(c.ctx, sc.ID); err != nil {
				return SettingsView{}, err
			}
		}
	}
	// The ringtone applies at once, to a call already ringing too (the
	// phones share one ringer, so any of them sets it for all).
	if p, err := c.getPhone(); err == nil {
		if err := p.SetRingtone(s.Ringtone); err != nil {
			return SettingsView{}, err
		}
	}
	out, err := c.settings()
	if err != nil {
		return SettingsView{}, err
	}
	emit(c.out, EvSettings, out)
	return out, nil
}

// devicesView lists the devices and the selection.
func (c *core) devicesView() DevicesView {
	v := DevicesView{Devices: []DeviceView{}}
	p, err := c.getPhone()
	if err != nil {
		p := classifyError(err)
		v.Error, v.Problem = err.Error(), &p
		return v
	}
	v.Input, v.Output, v.Ringer = p.Devices()
	v.Meter = p.Metering()
	b := p.AudioBackend()
	v.Backend = b.Name()
	list, err := b.Devices()
	if err != nil {
		p := classifyError(err)
		v.Error, v.Problem = err.Error(), &p
		return v
	}
	for _, d := range list {
		v.Devices = append(v.Devices, DeviceView{ID: d.ID, Name: d.Name, Input: d.MaxInputs > 0, Output: d.MaxOutputs > 0,
			DefaultInput: d.DefaultInput, DefaultOutput: d.DefaultOutput})
	}
	return v
}

// selectDevice switches one device (mid-call too) and persists it.
func (c *core) selectDevice(which, id string) (DevicesView, error) {
	p, err := c.getPhone()
	if err != nil {
		return DevicesView{}, err
	}
	in, out, ring := p.Devices()
	var key string
	switch which {
	case "input":
		in, key = id, keyInput
	case "output":
		out, key = id, keyOutput
	case "ringer":
		ring, key = id, keyRinger
	}
	if err := p.SetDevices(in, out, ring); err != nil {
		return DevicesView{}, err
	}
	if err := c.st.SetSetting(c.ctx, key, id); err != nil {
		return DevicesView{}, err
	}
	v := c.devicesView()
	emit(c.out, EvDevices, v)
	return v, nil
}

// saveAccounts persists the account list (passwords are not in it).
func (c *core) saveAccounts(accts []softphone.AccountConfig) error {
	raw, err := json.Marshal(accts)
	if err != nil {
		return err
	}
	return c.st.SetSetting(c.ctx, keyAccounts, string(raw))
}

// accountConfig validates an AccountInput.
func accountConfig(in AccountInput) (softphone.AccountConfig, error) {
	a := softphone.AccountConfig{AOR: strings.TrimSpace(in.AOR), AuthUser: strings.TrimSpace(in.AuthUser),
		DisplayName: strings.TrimSpace(in.DisplayName), Registrar: strings.TrimSpace(in.Registrar),
		OutboundProxy: strings.TrimSpace(in.OutboundProxy),
		Transport:     strings.ToLower(strings.TrimSpace(in.Transport)), Register: true, Password: in.Password}
	if a.Transport == "" {
		a.Transport = "udp"
	}
	if !strings.HasPrefix(a.AOR, "sip:") && !strings.HasPrefix(a.AOR, "sips:") && a.AOR != "" {
		a.AOR = "sip:" + a.AOR
	}
	if _, err := softphone.NewPhone(softphone.Config{Account: a}); err != nil {
		return a, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	return a, nil
}

// saveAccount adds or replaces an account, stores its password in the
// keychain, and restarts the phones (one per account).
func (c *core) saveAccount(in AccountInput) (AccountView, error) {
	a, err := accountConfig(in)
	if err != nil {
		return AccountView{}, err
	}
	if a.Password != "" {
		if err := c.secrets.Set(a.AOR, a.Password); err != nil {
			return AccountView{}, err
		}
	}
	a.Password = ""
	c.mu.Lock()
	accts := append([]softphone.AccountConfig(nil), c.accounts...)
	c.mu.Unlock()
	replaced := false
	for i := range accts {
		if accts[i].AOR == a.AOR {
			accts[i], replaced = a, true
		}
	}
	if !replaced {
		accts = append(accts, a)
	}
	if err := c.saveAccounts(accts); err != nil {
		return AccountView{}, err
	}
	c.mu.Lock()
	c.accounts = accts
	c.mu.Unlock()
	if err := c.switchPhone(); err != nil {
		return AccountView{}, err
	}
	emit(c.out, EvAccounts, c.accountViews())
	for _, v := range c.accountViews() {
		if v.ID == a.AOR {
			return v, nil
		}
	}
	return AccountView{}, fmt.Errorf("%w: account vanished", ErrNotStarted)
}

// removeAccount deletes an account and its keychain entry.
func (c *core) removeAccount(id string) ([]AccountView, error) {
	if id == demoAccountID {
		return nil, fmt.Errorf("%w: the demo line cannot be removed; add an account to replace it", ErrInvalidArgument)
	}
	c.mu.Lock()
	var accts []softphone.AccountConfig
	found := false
	for _, a := range c.accounts {
		if a.AOR == id {
			found = true
			continue
		}
		accts = append(accts, a)
	}
	c.mu.Unlock()
	if !found {
		return nil, fmt.Errorf("%w: no account %q", ErrInvalidArgument, id)
	}
	if err := c.saveAccounts(accts); err != nil {
		return nil, err
	}
	if err := c.secrets.Delete(id); err != nil && !errors.Is(err, secretNotFound) {
		c.log.Warn("keychain delete", "err", err)
	}
	c.mu.Lock()
	c.accounts = accts
	c.mu.Unlock()
	if err := c.switchPhone(); err != nil {
		return nil, err
	}
	v := c.accountViews()
	emit(c.out, EvAccounts, v)
	return v, nil
}

// testRegistration registers a throw-away phone with in and reports the
// outcome (registered, or failed with the registrar's reason).
func (c *core) testRegistration(in AccountInput) (RegistrationTest, error) {
	a, err := accountConfig(in)
	if err != nil {
		return RegistrationTest{}, err
	}
	if a.Password == "" {
		if pw, err := c.secrets.Get(a.AOR); err == nil {
			a.Password = pw
		}
	}
	ctx, cancel := context.WithTimeout(c.ctx, 15*time.Second)
	defer cancel()
	re, err := softphone.CheckRegistration(ctx, softphone.Config{Account: a, Listen: listenFor(a)}, softphone.WithLogger(c.cfg.logger))
	if err != nil {
		return RegistrationTest{}, fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	if re.Err == nil { // registered (or an account that does not register)
		return RegistrationTest{OK: re.State == softphone.RegRegistered, State: string(re.State)}, nil
	}
	pl := classifyError(re.Err)
	c.log.Info("registration test failed", "account", a.AOR, "code", pl.Code, "err", re.Err)
	return RegistrationTest{State: string(re.State), Reason: pl.Message, Error: &pl}, nil
}

// setDND turns do-not-disturb on or off for every account and persists it.
func (c *core) setDND(on bool) (AccountView, error) {
	board, err := c.switchboard()
	if err != nil {
		return AccountView{}, err
	}
	board.SetDND(on)
	v := "0"
	if on {
		v = "1"
	}
	if err := c.st.SetSetting(c.ctx, keyDND, v); err != nil {
		return AccountView{}, err
	}
	for _, v := range c.accountViews() {
		emit(c.out, EvAccount, v)
	}
	a, _ := c.activeAccount()
	return a, nil
}

// contactView converts a store contact.
func (c *core) contactView(ct store.Contact) ContactView {
	v := ContactView{ID: ct.ID, Name: ct.Name(), FirstName: ct.FirstName, LastName: ct.LastName, Title: ct.Title,
		Email: ct.Email, Company: ct.Company, Address: ct.Address, Phones: []PhoneView{}, Deals: []DealView{}}
	for _, ph := range ct.Phones {
		pv := PhoneView{Label: ph.Label, Raw: ph.Raw, E164: ph.E164, Formatted: ph.Raw}
		if _, f, err := c.st.FormatNumber(ph.Raw); err == nil && f != "" {
			pv.Formatted = f
		}
		v.Phones = append(v.Phones, pv)
	}
	for _, d := range ct.Deals {
		v.Deals = append(v.Deals, DealView{ID: d.ID, Name: d.Name, Amount: d.Amount, Currency: d.Currency, Stage: d.Stage})
	}
	return v
}

// parseWhen parses RFC 3339 or YYYY-MM-DD; endOfDay moves a bare date to
// the next midnight (an exclusive upper bound).
func parseWhen(s string, endOfDay bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, time.Local)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: date %q (RFC 3339 or YYYY-MM-DD)", ErrInvalidArgument, s)
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return t, nil
}

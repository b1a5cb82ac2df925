package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/demo"
	"github.com/pitchline/pitchline/softphone/secret"
	"github.com/pitchline/pitchline/softphone/store"
)

// KeychainService is the OS keychain service SIP passwords live under (the
// same as the command line's, so both find the same passwords).
const KeychainService = "pitchline-sip"

// Setting keys in the store.
const (
	keyAccounts   = "app.accounts"       // JSON []softphone.AccountConfig
	keyLanguage   = "ui.language"        // en | ja
	keyCountry    = "ui.country"         // ISO 3166 alpha-2
	keyRingtone   = "ui.ringtone"        // ringtone name
	keyForwardTo  = "calls.forward"      // forward number
	keyInput      = "audio.input"        // device id
	keyOutput     = "audio.output"       // device id
	keyRinger     = "audio.ringer"       // device id
	keyDND        = "calls.dnd"          // "1" when on
	keyLastDialed = "calls.last"         // redial target
	keyDefaultAcc = "app.defaultAccount" // account id that dials out by default
	demoAccountID = "demo"               // AccountView.ID of the demo line
	demoCaller    = "+1 555-010-0199"    // a seeded demo contact (Margaret Lee)
)

// coreConfig is what the composition root hands the core.
type coreConfig struct {
	dataDir   string
	backend   audio.Backend
	forceDemo bool
	logger    *slog.Logger
	now       func() time.Time
	demoOpts  []demo.Option
}

// callEntry is the core's view of one active call: what the window shows
// beyond the engine's call table (caller ID, notes, last statistics).
type callEntry struct {
	view  CallView
	stats softphone.StatsEvent
	has   bool // stats seen
}

// core is the backend behind every bound service: the store, the keychain,
// the engine's Switchboard (one Phone per account and the demo line, on
// one shared audio device), its event pump and the 200 ms tick. Call
// policy (which account dials, the call table, call waiting) is the
// Switchboard's; the core translates. Services are thin methods over it;
// the Wails window and browser mode share one core type.
type core struct {
	cfg     coreConfig
	log     *slog.Logger
	out     emitter
	version string

	st      *store.Store
	secrets *secret.Store

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	audio      *softphone.SharedAudio // every phone's device, mixer and ringer
	board      *softphone.Switchboard // one line per account, then the demo line
	stopPump   func()                 // ends the board's event pump
	line       *demo.Line
	accounts   []softphone.AccountConfig
	defaultID  string // the account Dial uses; "" = the first
	calls      map[string]*callEntry
	lastDialed string
	started    bool
	closing    bool // close has begun: no new goroutine joins wg (hold)

	forms  formRegistry  // pending post-call outcome forms (forms.go)
	crm    crmRuntime    // connected CRM and its sync worker (crm.go)
	dialer dialerRuntime // the running dialer session (dialer_session.go)
	vmrec  vmRecorder    // a list's voicemail being recorded (dialer_vmrecord.go); close finishes it as Stop would
	vmplay vmPlayer      // a voicemail played on the speaker (dialer_vmplay.go); close stops it
}

// newCore builds a core; start opens the store and the phone.
func newCore(cfg coreConfig, out emitter, version string) *core {
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &core{cfg: cfg, log: cfg.logger.With("component", "app-core"), out: out, version: version,
		calls: make(map[string]*callEntry)}
}

// start opens the store, loads the accounts and starts a phone for every
// account, or the demo line when there is none.
func (c *core) start(ctx context.Context) error {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return nil
	}
	c.started = true
	c.mu.Unlock()
	c.ctx, c.cancel = context.WithCancel(ctx)
	dir := c.cfg.dataDir
	if dir == "" {
		p, err := store.DefaultPath()
		if err != nil {
			return err
		}
		dir = filepath.Dir(p)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("app: data directory: %w", err)
	}
	// The caller-ID index loads in the background (seconds at a million
	// contacts); until then caller ID comes from an indexed SQL query, so
	// the window is interactive whatever the number of contacts.
	st, err := store.Open(filepath.Join(dir, "pitchline.db"), store.WithLogger(c.cfg.logger), store.WithLazyIndex())
	if err != nil {
		return err
	}
	c.st = st
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		if err := st.LoadIndex(c.ctx); err != nil && c.ctx.Err() == nil {
			c.log.Warn("caller-ID index not loaded; lookups stay on SQL", "err", err)
		}
	}()
	if cc, ok, _ := st.GetSetting(c.ctx, keyCountry); ok && cc != "" {
		_ = st.SetRegion(cc)
	}
	if c.secrets, err = secret.New(KeychainService); err != nil {
		return err
	}
	if raw, ok, _ := st.GetSetting(c.ctx, keyAccounts); ok && raw != "" {
		if err := json.Unmarshal([]byte(raw), &c.accounts); err != nil {
			c.log.Warn("stored accounts unreadable; ignoring them", "err", err)
		}
	}
	c.lastDialed, _, _ = st.GetSetting(c.ctx, keyLastDialed)
	c.defaultID, _, _ = st.GetSetting(c.ctx, keyDefaultAcc)
	if c.cfg.backend != nil {
		in, _, _ := st.GetSetting(c.ctx, keyInput)
		out, _, _ := st.GetSetting(c.ctx, keyOutput)
		ring, _, _ := st.GetSetting(c.ctx, keyRinger)
		if c.audio, err = softphone.NewSharedAudio(c.cfg.backend, in, out, ring, c.cfg.logger); err != nil {
			return err
		}
	}
	if err := c.switchPhone(); err != nil {
		return err
	}
	c.startCRM()
	c.wg.Add(1)
	go c.tickLoop()
	return nil
}

// hold reserves a place in wg for a goroutine a bound call is about to
// start (the caller starts it, or calls wg.Done if it does not), unless
// close has begun: an Add while close waits on wg would race with Wait.
func (c *core) hold() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.started || c.closing {
		return fmt.Errorf("%w: Pitchline is closing", ErrNotStarted)
	}
	c.wg.Add(1)
	return nil
}

// close stops the phone, the demo line and the store, and waits.
func (c *core) close() error {
	c.mu.Lock()
	if !c.started {
		c.mu.Unlock()
		return nil
	}
	c.closing = true
	c.mu.Unlock()
	c.stopVoicemailPlay(PlayQuit)
	c.finishRecordingOnQuit() // while the store is open: set on its list as Stop would
	c.stopPhone()
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	if c.audio != nil {
		_ = c.audio.Close()
	}
	if c.st != nil {
		return c.st.Close()
	}
	return nil
}

// usesDemo reports whether the phone should run on the demo line.
func (c *core) usesDemo() bool { return c.cfg.forceDemo || len(c.accounts) == 0 }

// stopPhone stops the switchboard (every phone) and the demo line.
func (c *core) stopPhone() {
	c.mu.Lock()
	board, stop, line := c.board, c.stopPump, c.line
	c.board, c.stopPump, c.line = nil, nil, nil
	c.calls = make(map[string]*callEntry)
	c.mu.Unlock()
	if board != nil {
		_ = board.Close() // the phones unregister in parallel
		stop()
	}
	if line != nil {
		_ = line.Close()
	}
}

// switchPhone (re)starts the phones: one per account, each with its own
// SIP user agent and port, all on the shared audio, and the demo line
// after them. The demo line always runs (on loopback): it is the default
// when there is no account, and it stays when an account fails, so that a
// mistyped registrar never leaves the rep without a working line. An
// account whose phone cannot start is shown as failed with the reason; the
// others run.
func (c *core) switchPhone() error {
	c.stopPhone()
	var line *demo.Line
	type acctID struct {
		id   string
		acct softphone.AccountConfig
	}
	var accts []acctID
	if !c.cfg.forceDemo {
		c.mu.Lock()
		list := append([]softphone.AccountConfig(nil), c.accounts...)
		c.mu.Unlock()
		for _, a := range list {
			if pw, err := c.secrets.Get(a.AOR); err == nil {
				a.Password = pw
			} else if !errors.Is(err, secret.ErrNotFound) {
				c.log.Warn("keychain", "err", err)
			}
			accts = append(accts, acctID{a.AOR, a})
		}
	}
	{
		opts := append([]demo.Option{demo.WithLogger(c.cfg.logger), demo.WithCallbackFrom(demoCaller, "")}, c.cfg.demoOpts...)
		l, err := demo.New(opts...)
		if err != nil {
			return err
		}
		if err := l.Start(c.ctx); err != nil {
			return err
		}
		if c.usesDemo() {
			if err := c.st.SeedDemo(c.ctx); err != nil {
				c.log.Warn("demo contacts not seeded", "err", err)
			}
		}
		// Calls older versions logged under the demo line's per-run
		// address (sip:rep@127.0.0.1:PORT) join the demo line's account.
		if n, err := c.st.RelabelAccounts(c.ctx, "sip:"+demo.User+"@127.0.0.1:%", demoAccountID); err != nil {
			c.log.Warn("demo calls not relabelled", "err", err)
		} else if n > 0 {
			c.log.Info("demo calls relabelled to the demo account", "calls", n)
		}
		line = l
		accts = append(accts, acctID{demoAccountID, l.Account()})
	}
	ringtone, _, _ := c.st.GetSetting(c.ctx, keyRingtone)
	dnd, _, _ := c.st.GetSetting(c.ctx, keyDND)
	var lines []softphone.Line
	var firstErr error
	for _, a := range accts {
		p, err := c.newPhone(a.acct, ringtone)
		if err != nil {
			c.log.Warn("account not started", "account", a.id, "err", err)
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		lines = append(lines, softphone.Line{ID: a.id, Phone: p})
	}
	if len(lines) == 0 && firstErr != nil {
		if line != nil {
			_ = line.Close()
		}
		return firstErr
	}
	c.mu.Lock()
	def := c.defaultID
	c.mu.Unlock()
	if c.usesDemo() {
		def = demoAccountID // no account: the demo line dials
	}
	board, err := softphone.NewSwitchboard(lines, softphone.WithBoardLogger(c.cfg.logger),
		softphone.WithBoardClock(c.cfg.now), softphone.WithDefaultLine(def))
	if err != nil {
		for _, l := range lines {
			_ = l.Phone.Close()
		}
		if line != nil {
			_ = line.Close()
		}
		return err
	}
	board.SetDND(dnd == "1")
	events, unsub := board.Subscribe()
	var pumpWG sync.WaitGroup
	pumpWG.Add(1)
	go func() { defer pumpWG.Done(); c.pump(board, events) }()
	c.mu.Lock()
	c.board, c.line = board, line
	c.stopPump = func() { unsub(); pumpWG.Wait() }
	c.mu.Unlock()
	if err := board.Start(c.ctx); err != nil {
		c.log.Warn("account not started", "err", err) // shown failed, with the reason
	}
	c.emitSnapshot()
	return nil
}

// newPhone builds the phone of one account on the shared audio; the
// switchboard starts it.
func (c *core) newPhone(acct softphone.AccountConfig, ringtone string) (*softphone.Phone, error) {
	opts := []softphone.Option{softphone.WithLogger(c.cfg.logger)}
	if c.audio != nil {
		opts = append(opts, softphone.WithSharedAudio(c.audio))
	}
	if _, err := softphone.RingtoneCadence(ringtone); ringtone != "" && err == nil {
		opts = append(opts, softphone.WithRingtone(ringtone))
	}
	return softphone.NewPhone(softphone.Config{Account: acct, Listen: listenFor(acct), Leads: c.leads()}, opts...)
}

// listenFor picks the local SIP address: loopback for the demo line (and
// any loopback registrar), all interfaces' default otherwise.
func listenFor(a softphone.AccountConfig) string {
	if strings.Contains(a.AOR, "@127.0.0.1") || strings.Contains(a.Registrar, "127.0.0.1") {
		return "127.0.0.1:0"
	}
	return ""
}

// switchboard returns the running switchboard or ErrNotStarted.
func (c *core) switchboard() (*softphone.Switchboard, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.board == nil {
		return nil, ErrNotStarted
	}
	return c.board, nil
}

// getPhone returns the default account's phone (any phone reaches the
// shared audio devices) or ErrNotStarted.
func (c *core) getPhone() (*softphone.Phone, error) {
	b, err := c.switchboard()
	if err != nil {
		return nil, err
	}
	return b.Phone("")
}

// engineErr translates the switchboard's refusals into the app's
// sentinels.
func engineErr(err error) error {
	switch {
	case errors.Is(err, softphone.ErrNoSuchLine):
		return fmt.Errorf("%w: no running account: %w", ErrInvalidArgument, err)
	case errors.Is(err, softphone.ErrNotRegistered):
		return fmt.Errorf("%w: %w", ErrNotRegistered, err)
	}
	return err
}

// storeOrErr returns the store or ErrNotStarted.
func (c *core) storeOrErr() (*store.Store, error) {
	if c == nil || c.st == nil {
		return nil, ErrNotStarted
	}
	return c.st, nil
}

// pump turns the switchboard's events (every line's) into catalogue
// events until the stream closes.
func (c *core) pump(board *softphone.Switchboard, events <-chan softphone.Event) {
	for ev := range events {
		le, ok := ev.(softphone.LineEvent)
		if !ok {
			continue
		}
		p, err := board.Phone(le.Line)
		if err != nil {
			continue
		}
		switch e := le.Event.(type) {
		case softphone.RegistrationEvent:
			if v, ok := c.accountView(le.Line); ok {
				emit(c.out, EvAccount, v)
			}
		case softphone.CallEvent:
			c.onCallEvent(p, le.Line, e)
		case softphone.HoldEvent:
			c.refreshCall(p, e.CallID)
		case softphone.MuteEvent:
			c.refreshCall(p, e.CallID)
		case softphone.StatsEvent:
			c.mu.Lock()
			if ce := c.calls[e.CallID]; ce != nil {
				ce.stats, ce.has = e, true
			}
			c.mu.Unlock()
		case softphone.LegEvent:
			c.onLegChange(p, e.CallID)
		case softphone.ConferenceEvent:
			c.onLegChange(p, e.CallID)
		case softphone.DTMFEvent:
			emit(c.out, EvDTMF, DTMFView{CallID: e.CallID, Digit: e.Digit})
		case softphone.TransferEvent:
			emit(c.out, EvTransfer, TransferView{CallID: e.CallID, Target: e.Target, Status: e.Status,
				Reason: e.Reason, Final: e.Final, OK: e.Final && e.Status >= 200 && e.Status < 300})
		case softphone.BlockedEvent:
			if e.Monitor {
				// A refused monitor request: the would-be lead's own
				// window says it was refused; the rep, mid-call, gets
				// no toast for it, only this note in the log.
				c.log.Info("refused a monitor request", "line", le.Line, "from", e.From, "source", e.Source, "reason", e.Reason)
				break
			}
			emit(c.out, EvNotice, Notice{Level: "warning", Code: "blocked", Params: map[string]string{"from": e.From, "reason": string(e.Reason)},
				Message: fmt.Sprintf("blocked an INVITE from %s (%s)", e.From, e.Reason)})
		}
	}
}

// onCallEvent updates the call's view, emits EvCall, and logs ended
// calls.
func (c *core) onCallEvent(p *softphone.Phone, line string, e softphone.CallEvent) {
	c.mu.Lock()
	ce := c.calls[e.CallID]
	started := ce == nil
	if ce == nil {
		ce = &callEntry{view: CallView{ID: e.CallID, Account: line, Direction: string(e.Direction), Remote: e.Remote,
			Number: numberOf(e.Remote), Display: e.Display, Created: rfc3339(e.At)}}
		ce.view.CallerID = c.callerID(ce.view.Number)
		c.calls[e.CallID] = ce
	}
	if call, err := p.Call(e.CallID); err == nil {
		c.fillFromInfo(&ce.view, call.Info())
	}
	ce.view.State = string(e.State)
	if e.State == softphone.CallEnded {
		ce.view.Cause, ce.view.Status, ce.view.Reason = string(e.Cause), e.Status, e.Reason
		if e.Duration > 0 {
			ce.view.DurationMs = e.Duration.Milliseconds()
		}
		delete(c.calls, e.CallID)
		c.forms.expect(e.CallID, c.cfg.now()) // late notes go to its form
	}
	ce.view.Forwardable = ce.view.State == string(softphone.CallIncoming) && c.forwardTo() != ""
	view := ce.view
	c.mu.Unlock()
	if started {
		c.stopVoicemailPlay(PlayCall) // the rep hears the call, not a voicemail preview
	}
	emit(c.out, EvCall, view)
	if e.State == softphone.CallEnded {
		c.logCall(view, e)
	}
}

// refreshCall re-reads a call's flags and emits it.
func (c *core) refreshCall(p *softphone.Phone, id string) {
	call, err := p.Call(id)
	if err != nil {
		return
	}
	c.mu.Lock()
	ce := c.calls[id]
	if ce == nil {
		c.mu.Unlock()
		return
	}
	c.fillFromInfo(&ce.view, call.Info())
	view := ce.view
	c.mu.Unlock()
	emit(c.out, EvCall, view)
}

// fillFromInfo copies the engine snapshot into a view (c.mu held).
func (c *core) fillFromInfo(v *CallView, in softphone.CallInfo) {
	v.State = string(in.State)
	if v.Created == "" {
		v.Created = rfc3339(in.Created)
	}
	v.Muted, v.Held, v.RemoteHeld = in.Muted, in.Held, in.RemoteHeld
	v.Codec = in.Codec
	if in.Display != "" {
		v.Display = in.Display
	}
	if !in.Answered.IsZero() {
		v.Answered = rfc3339(in.Answered)
		v.DurationMs = c.cfg.now().Sub(in.Answered).Milliseconds()
	}
	v.Quality = qualityOf(in.Stats)
	v.Left = in.Left
	v.Participants = make([]ParticipantView, 0, len(in.Legs))
	for _, l := range in.Legs {
		v.Participants = append(v.Participants, c.participantView(l))
	}
}

// forwardTo returns the configured forward number (c.mu may be held; the
// store has its own lock).
func (c *core) forwardTo() string {
	if c.st == nil {
		return ""
	}
	v, _, _ := c.st.GetSetting(c.ctx, keyForwardTo)
	return v
}

// callerID looks a number up in the store.
func (c *core) callerID(number string) CallerIDView {
	if c.st == nil || number == "" {
		return CallerIDView{Formatted: number}
	}
	if id, ok := c.st.LookupNumber(number); ok {
		return CallerIDView{Known: true, ContactID: id.ContactID, Name: id.Name, Company: id.Company,
			DealName: id.DealName, DealAmount: id.DealAmount, DealCurrency: id.DealCurrency,
			E164: id.E164, Formatted: id.Formatted}
	}
	v := CallerIDView{Formatted: number}
	if e164, formatted, err := c.st.FormatNumber(number); err == nil {
		v.E164, v.Formatted = e164, formatted
	}
	return v
}

// numberOf returns the user part of a SIP URI ("sip:100@host" → "100").
func numberOf(uri string) string {
	s := uri
	if i := strings.IndexByte(s, ':'); i >= 0 && !strings.HasPrefix(s, "+") {
		s = s[i+1:]
	}
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	return s
}

// rfc3339 formats t, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// activeAccount returns the view of the default account (the one Dial
// uses).
func (c *core) activeAccount() (AccountView, bool) {
	for _, a := range c.accountViews() {
		if a.Active {
			return a, true
		}
	}
	return AccountView{}, false
}

// accountView returns the view of account id.
func (c *core) accountView(id string) (AccountView, bool) {
	for _, a := range c.accountViews() {
		if a.ID == id {
			return a, true
		}
	}
	return AccountView{}, false
}

// accountViews lists the accounts (plus the demo line when it runs), each
// with its line's registration state; Active marks the default account.
func (c *core) accountViews() []AccountView {
	c.mu.Lock()
	accts := append([]softphone.AccountConfig(nil), c.accounts...)
	line, board := c.line, c.board
	c.mu.Unlock()
	regs := map[string]softphone.LineInfo{}
	def := ""
	if board != nil {
		for _, l := range board.Lines() {
			regs[l.ID] = l
			if l.Default {
				def = l.ID
			}
		}
	}
	var out []AccountView
	for _, a := range accts {
		label := a.DisplayName
		if label == "" {
			label = a.AOR
		}
		v := AccountView{ID: a.AOR, Label: label, AOR: a.AOR, AuthUser: a.AuthUser,
			DisplayName: a.DisplayName, Registrar: a.Registrar, OutboundProxy: a.OutboundProxy, Transport: a.Transport}
		if c.secrets != nil {
			_, err := c.secrets.Get(a.AOR)
			v.HasPassword = err == nil
		}
		out = append(out, v)
	}
	if line != nil { // after the accounts: the demo line is the fallback
		a := line.Account()
		out = append(out, AccountView{ID: demoAccountID, Label: "Demo line", Demo: true,
			AOR: a.AOR, DisplayName: a.DisplayName, Transport: a.Transport})
	}
	for i := range out {
		out[i].Active = out[i].ID == def
		out[i].State = string(softphone.RegUnregistered)
		if r, ok := regs[out[i].ID]; ok {
			out[i].State, out[i].Reason, out[i].DND = string(r.State), r.Reason, r.DND
			if r.Err != nil && (r.State == softphone.RegFailed || r.State == softphone.RegReconnecting) {
				p := classifyError(r.Err)
				out[i].Reason, out[i].Error = p.Message, &p
			}
		}
	}
	return out
}

// snapshot builds the full UI state.
func (c *core) snapshot() Snapshot {
	s := Snapshot{Version: c.version, Accounts: c.accountViews(), Calls: c.callViews(),
		Devices: c.devicesView(), Levels: c.levels()}
	s.Settings, _ = c.settings()
	s.Forms, s.CRM = c.formsView(), c.crmStatus()
	c.mu.Lock()
	s.Demo = DemoView{Active: c.line != nil, Numbers: demoNumbers()}
	s.LastDialed = c.lastDialed
	c.mu.Unlock()
	return s
}

func (c *core) emitSnapshot() { emit(c.out, EvSnapshot, c.snapshot()) }

// callViews lists the active calls in the order of the engine's call
// table (oldest first).
func (c *core) callViews() []CallView {
	out := []CallView{}
	board, err := c.switchboard()
	if err != nil {
		return out
	}
	table := board.Calls()
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.now()
	for _, bc := range table {
		ce := c.calls[bc.ID]
		if ce == nil {
			continue // its first event is still on the way
		}
		v := ce.view
		if v.Answered != "" {
			if t, err := time.Parse(time.RFC3339Nano, v.Answered); err == nil {
				v.DurationMs = now.Sub(t).Milliseconds()
			}
		}
		out = append(out, v)
	}
	return out
}

// demoNumbers converts the demo line's numbers to views.
func demoNumbers() []DemoNumber {
	out := make([]DemoNumber, 0, len(demo.Numbers))
	for _, n := range demo.Numbers {
		out = append(out, DemoNumber{Number: n.Number, Behaviour: string(n.Behaviour), Description: n.Description})
	}
	return out
}

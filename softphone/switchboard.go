package softphone

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"
)

// Line is one account on a Switchboard: its Phone and the name the
// application knows the account by (its address of record, or any stable
// name such as "demo").
type Line struct {
	ID    string
	Phone *Phone
}

// LineInfo is a snapshot of one line: its registration state and whether
// it is the line calls go out from by default.
type LineInfo struct {
	ID     string
	AOR    string
	State  RegState
	Reason string
	// Err is the failure behind a failed or reconnecting state.
	Err     error
	DND     bool
	Default bool
}

// BoardCall is one row of the call table: a call and the line it is on.
type BoardCall struct {
	Line string
	// Added is when the switchboard first saw the call (its clock).
	Added time.Time
	CallInfo
}

// LineEvent is an event of one line's Phone, relayed by the Switchboard.
type LineEvent struct {
	Line  string
	Event Event
}

// EventName implements Event.
func (LineEvent) EventName() string { return "line" }

// BoardOption configures a Switchboard.
type BoardOption func(*Switchboard) error

// WithBoardLogger sets the switchboard's logger.
func WithBoardLogger(l *slog.Logger) BoardOption {
	return func(b *Switchboard) error {
		if l != nil {
			b.log = l
		}
		return nil
	}
}

// WithBoardClock sets the clock that stamps the call table's rows
// (default time.Now).
func WithBoardClock(now func() time.Time) BoardOption {
	return func(b *Switchboard) error {
		if now == nil {
			return fmt.Errorf("%w: nil clock", ErrBadConfig)
		}
		b.now = now
		return nil
	}
}

// WithDefaultLine names the line calls go out from when the dial names no
// account. A name with no line falls back to the first line.
func WithDefaultLine(id string) BoardOption {
	return func(b *Switchboard) error { b.def = id; return nil }
}

// Switchboard is the engine's call policy over several accounts: it owns
// one Phone per account (a line), chooses the line a dial leaves from
// (the account asked for, else the default line, and never a line that
// is not registered), keeps the table of every call on every line in the
// order the calls appeared, and applies call waiting: a call that is
// dialled, answered, resumed or switched to puts the other live calls on
// hold, on whichever line they are, so only one call has the
// microphone. A conference is one Call, so its legs are never "others";
// a call dialled WithParallel holds nothing, so a parallel dialer's lines
// do not hold each other.
//
// A Phone used on its own (the headless command line, the dialer's
// PhoneEngine) never holds other calls: the rule lives here only.
// Switchboard.Dial is in sipleg.go, beside Phone.Dial.
type Switchboard struct {
	log *slog.Logger
	now func() time.Time
	bus *bus
	wg  sync.WaitGroup

	closeOnce sync.Once

	mu    sync.Mutex
	lines []*boardLine
	def   string
	calls map[string]*boardEntry
	seq   uint64
}

type boardLine struct {
	Line
	state  RegState
	reason string
	err    error
}

type boardEntry struct {
	line  *boardLine
	call  *Call
	seq   uint64
	added time.Time
}

// NewSwitchboard takes ownership of lines (at least one, each with a
// distinct non-empty ID and its own Phone, not yet started) and relays
// their events. Start the phones with Start; Close closes them.
func NewSwitchboard(lines []Line, opts ...BoardOption) (*Switchboard, error) {
	if len(lines) == 0 {
		return nil, fmt.Errorf("%w: a switchboard needs at least one line", ErrBadConfig)
	}
	b := &Switchboard{log: slog.Default(), now: time.Now, bus: newBus(), calls: make(map[string]*boardEntry)}
	for _, o := range opts {
		if err := o(b); err != nil {
			return nil, err
		}
	}
	b.log = b.log.With("component", "switchboard")
	seen := make(map[string]bool, len(lines))
	for _, l := range lines {
		if l.ID == "" || l.Phone == nil {
			return nil, fmt.Errorf("%w: a line needs an ID and a phone", ErrBadConfig)
		}
		if seen[l.ID] {
			return nil, fmt.Errorf("%w: two lines named %q", ErrBadConfig, l.ID)
		}
		seen[l.ID] = true
		b.lines = append(b.lines, &boardLine{Line: l, state: RegRegistering})
	}
	for _, ln := range b.lines {
		events, _ := ln.Phone.Subscribe() // ends when the phone closes
		b.wg.Add(1)
		go func() {
			defer b.wg.Done()
			for ev := range events {
				if b.observe(ln, ev) {
					b.bus.publish(LineEvent{Line: ln.ID, Event: ev})
				}
			}
		}()
	}
	return b, nil
}

// Start starts every line's phone. A line that cannot start is marked
// failed with the reason (and a RegistrationEvent says so) while the
// others run; the returned error joins the failures.
func (b *Switchboard) Start(ctx context.Context) error {
	var errs []error
	for _, ln := range b.lines {
		if err := ln.Phone.Start(ctx); err != nil {
			b.mu.Lock()
			ln.state, ln.reason, ln.err = RegFailed, err.Error(), err
			b.mu.Unlock()
			b.log.Warn("line not started", "line", ln.ID, "err", err)
			b.bus.publish(LineEvent{Line: ln.ID, Event: RegistrationEvent{Account: ln.Phone.AOR(),
				State: RegFailed, Reason: err.Error(), Err: err, At: b.now()}})
			errs = append(errs, fmt.Errorf("%s: %w", ln.ID, err))
		}
	}
	return errors.Join(errs...)
}

// Close closes every line's phone (they unregister in parallel), waits
// for the relays and ends the event stream.
func (b *Switchboard) Close() error {
	b.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, ln := range b.lines {
			wg.Add(1)
			go func() { defer wg.Done(); _ = ln.Phone.Close() }()
		}
		wg.Wait()
		b.wg.Wait()
		b.bus.close()
	})
	return nil
}

// Subscribe returns every line's events, each as a LineEvent, in the
// order each phone published them, after the switchboard has applied
// them to its lines and call table. A retry after a failed registration
// is not relayed: the line stays failed, with its reason, until it
// registers.
func (b *Switchboard) Subscribe() (<-chan Event, func()) { return b.bus.subscribe() }

// observe applies one phone event to the lines and the call table and
// says whether to relay it (relay goroutine).
func (b *Switchboard) observe(ln *boardLine, ev Event) bool {
	switch e := ev.(type) {
	case RegistrationEvent:
		b.mu.Lock()
		defer b.mu.Unlock()
		if e.State == RegRegistering && ln.state == RegFailed && ln.err != nil {
			return false
		}
		ln.state, ln.reason, ln.err = e.State, e.Reason, e.Err
	case CallEvent:
		if e.State == CallEnded {
			b.mu.Lock()
			delete(b.calls, e.CallID)
			b.mu.Unlock()
			return true
		}
		b.mu.Lock()
		_, known := b.calls[e.CallID]
		b.mu.Unlock()
		if !known {
			if c, err := ln.Phone.Call(e.CallID); err == nil {
				b.track(ln, c)
			}
		}
	}
	return true
}

// track adds c to the call table unless it is there or has ended. The
// state is read under b.mu: a call not ended then has its CallEnded
// still to come, which removes it.
func (b *Switchboard) track(ln *boardLine, c *Call) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.calls[c.ID()]; ok || c.Info().State == CallEnded {
		return
	}
	b.seq++
	b.calls[c.ID()] = &boardEntry{line: ln, call: c, seq: b.seq, added: b.now()}
}

// Lines returns the lines in the order given to NewSwitchboard.
func (b *Switchboard) Lines() []LineInfo {
	b.mu.Lock()
	def := b.defaultLine()
	out := make([]LineInfo, 0, len(b.lines))
	for _, ln := range b.lines {
		out = append(out, LineInfo{ID: ln.ID, AOR: ln.Phone.AOR(), State: ln.state, Reason: ln.reason, Err: ln.err,
			Default: ln == def})
	}
	b.mu.Unlock()
	for i, ln := range b.lines { // outside b.mu: DND reads the phone
		out[i].DND = ln.Phone.DND()
	}
	return out
}

// Phone returns the phone of line id ("" = the default line); any line's
// phone reaches the shared audio devices.
func (b *Switchboard) Phone(id string) (*Phone, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ln, err := b.lineFor(id)
	if err != nil {
		return nil, err
	}
	return ln.Phone, nil
}

// Default returns the ID of the line calls go out from by default.
func (b *Switchboard) Default() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.defaultLine().ID
}

// SetDefault makes line id the one calls go out from by default.
func (b *Switchboard) SetDefault(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	ln, err := b.lineFor(id)
	if err != nil {
		return err
	}
	b.def = ln.ID
	return nil
}

// defaultLine is the named default line, else the first (b.mu held).
func (b *Switchboard) defaultLine() *boardLine {
	for _, ln := range b.lines {
		if ln.ID == b.def {
			return ln
		}
	}
	return b.lines[0]
}

// lineFor finds the line by ID or by its phone's address of record; ""
// is the default line (b.mu held).
func (b *Switchboard) lineFor(account string) (*boardLine, error) {
	if account == "" {
		return b.defaultLine(), nil
	}
	for _, ln := range b.lines {
		if ln.ID == account {
			return ln, nil
		}
	}
	for _, ln := range b.lines {
		if ln.Phone.isAccount(account) {
			return ln, nil
		}
	}
	return nil, fmt.Errorf("%w: %q", ErrNoSuchLine, account)
}

// SetDND turns do-not-disturb on or off on every line.
func (b *Switchboard) SetDND(on bool) {
	for _, ln := range b.lines {
		ln.Phone.SetDND(on)
	}
}

// Calls returns the call table: every active call on every line, in the
// order the switchboard first saw them (a dial, a ringing call, a split).
func (b *Switchboard) Calls() []BoardCall {
	b.mu.Lock()
	entries := make([]*boardEntry, 0, len(b.calls))
	for _, e := range b.calls {
		entries = append(entries, e)
	}
	b.mu.Unlock()
	sort.Slice(entries, func(i, j int) bool { return entries[i].seq < entries[j].seq })
	out := make([]BoardCall, 0, len(entries))
	for _, e := range entries {
		if info := e.call.Info(); info.State != CallEnded {
			out = append(out, BoardCall{Line: e.line.ID, Added: e.added, CallInfo: info})
		}
	}
	return out
}

// Call returns an active call by ID, on whichever line it is, and the
// line's ID.
func (b *Switchboard) Call(id string) (*Call, string, error) {
	b.mu.Lock()
	e := b.calls[id]
	b.mu.Unlock()
	if e != nil {
		return e.call, e.line.ID, nil
	}
	// A call whose first event has not been relayed yet.
	for _, ln := range b.lines {
		if c, err := ln.Phone.Call(id); err == nil {
			return c, ln.ID, nil
		}
	}
	return nil, "", fmt.Errorf("%w: %s", ErrNoSuchCall, id)
}

// ready refuses a line that is not registered; lines that are
// reconnecting (registered before, refresh failing) or that do not
// register (direct calls) may dial.
func (b *Switchboard) ready(ln *boardLine) error {
	b.mu.Lock()
	state, cause := ln.state, ln.err
	b.mu.Unlock()
	switch state {
	case RegRegistered, RegReconnecting, RegDisabled:
		return nil
	}
	if cause != nil {
		return fmt.Errorf("%w: %s is %s: %w", ErrNotRegistered, ln.ID, state, cause)
	}
	return fmt.Errorf("%w: %s is %s", ErrNotRegistered, ln.ID, state)
}

// Answer answers a ringing call after putting the other live calls on
// hold (call waiting).
func (b *Switchboard) Answer(id string) (*Call, error) {
	c, _, err := b.Call(id)
	if err != nil {
		return nil, err
	}
	if st := c.Info().State; st != CallIncoming {
		return nil, fmt.Errorf("%w: answer in state %s", ErrInvalidState, st)
	}
	if err := b.holdOthers(id); err != nil {
		return nil, err
	}
	return c, c.Answer()
}

// Resume takes a call off hold after putting the other live calls on
// hold.
func (b *Switchboard) Resume(id string) (*Call, error) {
	c, _, err := b.Call(id)
	if err != nil {
		return nil, err
	}
	switch st := c.Info().State; st {
	case CallConnected, CallHeld, CallRemoteHeld:
	default:
		return nil, fmt.Errorf("%w: resume in state %s", ErrInvalidState, st)
	}
	if err := b.holdOthers(id); err != nil {
		return nil, err
	}
	return c, c.Resume()
}

// SwitchTo makes call id the one the rep talks on: the other live calls
// go on hold, then id is answered (ringing) or resumed (held).
func (b *Switchboard) SwitchTo(id string) (*Call, error) {
	c, _, err := b.Call(id)
	if err != nil {
		return nil, err
	}
	if err := b.holdOthers(id); err != nil {
		return nil, err
	}
	switch info := c.Info(); {
	case info.State == CallIncoming:
		err = c.Answer()
	case info.Held:
		err = c.Resume()
	}
	return c, err
}

// holdOthers puts every live, unheld call on every line on hold, except
// keep and conferences the rep has left (they run on without the rep).
// A call that ends meanwhile is no failure.
func (b *Switchboard) holdOthers(keep string) error {
	for _, ln := range b.lines {
		for _, info := range ln.Phone.Calls() {
			if info.ID == keep || info.Held || info.Left {
				continue
			}
			if info.State != CallConnected && info.State != CallRemoteHeld {
				continue
			}
			c, err := ln.Phone.Call(info.ID)
			if err != nil {
				continue
			}
			if err := c.Hold(); err != nil && c.Info().State != CallEnded {
				return fmt.Errorf("holding call %s: %w", info.ID, err)
			}
		}
	}
	return nil
}

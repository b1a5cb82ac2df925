package dialer

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
)

// State is the state of a session. Every change goes through
// Session.transition, which checks sessionTransitions.
type State string

const (
	// StateIdle: created or reopened, not started.
	StateIdle State = "idle"
	// StateReady: preview mode shows the next contact's card; the rep
	// dials or skips.
	StateReady State = "ready"
	// StateDialing: one or more lines ring.
	StateDialing State = "dialing"
	// StateConnected: the rep talks to a contact.
	StateConnected State = "connected"
	// StateWrapUp: the call ended; the session waits for the outcome
	// (when required) and the wrap-up time.
	StateWrapUp State = "wrap_up"
	// StatePaused: nothing is dialled until Resume.
	StatePaused State = "paused"
	// StateDone: every contact was dialled or skipped (contacts waiting
	// for a retry later are counted in Status.RetriesPending).
	StateDone State = "done"
	// StateStopped: the rep stopped the session; it can be resumed later
	// by reopening it.
	StateStopped State = "stopped"
)

// String returns the state's name.
func (s State) String() string { return string(s) }

// Terminal reports whether the session's run is over.
func (s State) Terminal() bool { return s == StateDone || s == StateStopped }

var sessionTransitions = map[State][]State{
	StateIdle:      {StateReady, StateDialing, StatePaused, StateDone, StateStopped},
	StateReady:     {StateReady, StateDialing, StatePaused, StateDone, StateStopped},
	StateDialing:   {StateDialing, StateConnected, StateWrapUp, StateReady, StatePaused, StateDone, StateStopped},
	StateConnected: {StateWrapUp, StateReady, StateDialing, StatePaused, StateDone, StateStopped},
	StateWrapUp:    {StateWrapUp, StateReady, StateDialing, StatePaused, StateDone, StateStopped},
	StatePaused:    {StateReady, StateDialing, StateWrapUp, StateDone, StateStopped},
}

// Result is how one dial ended.
type Result string

const (
	// ResultConnected: a human answered and was connected to the rep.
	ResultConnected Result = "connected"
	// ResultVoicemail: a machine answered (a voicemail was dropped when
	// the list has one).
	ResultVoicemail Result = "voicemail"
	// ResultNoAnswer: nobody answered (480/408, or the ring timeout).
	ResultNoAnswer Result = "no_answer"
	// ResultBusy: busy or declined (486/600/603).
	ResultBusy Result = "busy"
	// ResultAbandoned: a human answered and was dropped because the rep
	// was already on another line (parallel mode).
	ResultAbandoned Result = "abandoned"
	// ResultHungUp: the contact answered and hung up while answering
	// machine detection was still listening, before anyone was connected
	// to the rep: not reached (counted as no answer, never as a human
	// connect, so the abandon rate's denominator stays honest) and
	// retried per policy.
	ResultHungUp Result = "hung_up"
	// ResultCanceled: another line connected first and this one was
	// cancelled before the answer (parallel mode); retried per policy.
	ResultCanceled Result = "canceled"
	// ResultFailed: the call could not be placed or failed.
	ResultFailed Result = "failed"
	// ResultInterrupted: the session was killed while the call was out;
	// the attempt counts as dialled and the contact is not dialled again
	// by this session.
	ResultInterrupted Result = "interrupted"
)

// String returns the result's name.
func (r Result) String() string { return string(r) }

// retryable reports whether the contact may be dialled again per policy.
func (r Result) retryable() bool {
	return r == ResultNoAnswer || r == ResultBusy || r == ResultCanceled || r == ResultHungUp
}

// ReasonRep is the skip reason when the rep skipped a contact.
const ReasonRep Reason = "rep"

// AMDResult is an answering-machine detection result.
type AMDResult string

const (
	// AMDHuman: a person answered.
	AMDHuman AMDResult = "human"
	// AMDMachine: a voicemail or answering machine answered.
	AMDMachine AMDResult = "machine"
	// AMDUnknown: the classifier could not tell; the call is treated as
	// human (never drop a person).
	AMDUnknown AMDResult = "unknown"
)

// String returns the result's name.
func (a AMDResult) String() string { return string(a) }

// Classifier decides whether an answered call is a human or a machine
// (softphone/dialer/amd plugs in here). It is called once per answered
// call, on its own goroutine, and must return by ctx's end.
type Classifier func(ctx context.Context, call EngineCall) (AMDResult, error)

// VoicemailDropper plays the list's voicemail file into a call answered by
// a machine, after the beep, and returns when it was played.
type VoicemailDropper func(ctx context.Context, call EngineCall, file string) error

// Counters are a session's running totals.
type Counters struct {
	Dialled   int `json:"dialled"`
	Connected int `json:"connected"`
	Voicemail int `json:"voicemail"`
	NoAnswer  int `json:"no_answer"`
	Busy      int `json:"busy"`
	Abandoned int `json:"abandoned"`
	Skipped   int `json:"skipped"`
}

// AbandonRate is abandoned / (connected + abandoned): the share of humans
// answered and then dropped.
func (c Counters) AbandonRate() float64 {
	if c.Connected+c.Abandoned == 0 {
		return 0
	}
	return float64(c.Abandoned) / float64(c.Connected+c.Abandoned)
}

// EventKind names a session event. The names are those of the headless
// contract's --json events (README, "pitchline dialer run").
type EventKind string

const (
	EventSessionStarted   EventKind = "session_started"   // Total
	EventState            EventKind = "state"             // State (and the contact, when ready)
	EventDial             EventKind = "dial"              // Contact, Number, Line, CallerID, Presence
	EventSkipped          EventKind = "skipped"           // Contact, Reason, Message, LocalTime
	EventAnswered         EventKind = "answered"          // Contact, Line
	EventAMD              EventKind = "amd"               // Contact, AMD, DecisionMS
	EventVoicemailDropped EventKind = "voicemail_dropped" // Contact
	EventEnded            EventKind = "ended"             // Contact, Cause, Result
	EventOutcomeSaved     EventKind = "outcome_saved"     // Contact, Outcome
	EventProgress         EventKind = "session_progress"  // Done, Total
	EventLines            EventKind = "lines"             // Lines (the governor changed them)
	EventSessionEnded     EventKind = "session_ended"     // Counters
)

// Event is one session event. Fields not listed for a kind are zero.
type Event struct {
	Kind    EventKind
	Session string // session id
	State   State
	// Index is the contact's 0-based place on the list; Contact its name
	// as written in the list; Number the number or URI dialled.
	Index   int
	Contact string
	Number  string
	// Line is the line of the dial (1-based).
	Line int
	// CallerID is the caller ID of the dial ("" for the account's
	// default); Presence says how local presence chose it.
	CallerID string
	Presence Presence
	// Reason and Message say why a contact was skipped; LocalTime is the
	// contact's local time for calling_hours.
	Reason    Reason
	Message   string
	LocalTime time.Time
	// AMD and DecisionMS are the classifier's answer and how long it took.
	AMD        AMDResult
	DecisionMS int64
	// Cause is the engine's end cause; Result the dial's result.
	Cause  string
	Result Result
	// Outcome is the outcome label saved.
	Outcome string
	// Done and Total are the progress ("23 of 120").
	Done, Total int
	// Lines is the number of lines in use (parallel mode).
	Lines    int
	Counters Counters
	At       time.Time
}

// Card is what the session view shows of a contact.
type Card struct {
	Index       int
	Contact     Contact
	Number      Number
	Attempts    int
	LastResult  Result
	LastOutcome string
	// LocalTime is the contact's local time now; Zones where it came from.
	LocalTime time.Time
	Zones     []string
}

// Skip is one skipped contact and why.
type Skip struct {
	Index     int
	Contact   string
	Number    string
	Reason    Reason
	Message   string
	LocalTime time.Time
}

// Status is a snapshot of a session.
type Status struct {
	ID, Name string
	ListID   string
	ListName string
	State    State
	Mode     Mode
	// Lines is the number of lines in use (lowered by the governor).
	Lines    int
	Counters Counters
	// Done and Total are the progress: Done counts the contacts worked
	// through (skipped, or dialled with a result, including those waiting
	// for a retry).
	Done, Total int
	// Current is the contact on the line or shown in preview (nil when
	// none); Ringing lists every contact whose line rings.
	Current *Card
	Ringing []Card
	// NeedOutcome is set while the session waits for SaveOutcome.
	NeedOutcome bool
	// RetriesPending counts contacts waiting for a retry; NextRetry is
	// the earliest one.
	RetriesPending int
	NextRetry      time.Time
	// Skips are the contacts skipped so far, with their reasons.
	Skips []Skip
	// Paused is set while paused (also when a pause waits for the call
	// to end).
	Paused bool
}

// SessionOption configures NewSession and ResumeSession.
type SessionOption func(*sessionConfig)

type sessionConfig struct {
	name           string
	clock          func() time.Time
	checker        *Checker
	rep            *time.Location
	log            *slog.Logger
	dnc            *DNC
	classifier     Classifier
	dropper        VoicemailDropper
	voicemail      string
	apology        string
	requireOutcome bool
	ringTimeout    time.Duration
	amdTimeout     time.Duration
	maxAbandon     float64
	govMinSample   int
	govStep        int
	dialOpts       DialOptions
	callerIDs      []string
}

// WithName names a new session (unique in the store); ResumeSessionByName
// finds it again.
func WithName(name string) SessionOption { return func(c *sessionConfig) { c.name = name } }

// WithSessionClock sets the clock used for compliance checks and attempt
// times (default time.Now).
func WithSessionClock(now func() time.Time) SessionOption {
	return func(c *sessionConfig) { c.clock = now }
}

// WithRepZone sets the rep's time zone, used when a contact has none
// (default time.Local).
func WithRepZone(loc *time.Location) SessionOption { return func(c *sessionConfig) { c.rep = loc } }

// WithSessionLogger sets the session's logger.
func WithSessionLogger(l *slog.Logger) SessionOption { return func(c *sessionConfig) { c.log = l } }

// WithDNCList checks every number against d before it is dialled.
func WithDNCList(d *DNC) SessionOption { return func(c *sessionConfig) { c.dnc = d } }

// WithClassifier sets the answering-machine detector run on every answer.
// Without one every answer is treated as human.
func WithClassifier(f Classifier) SessionOption { return func(c *sessionConfig) { c.classifier = f } }

// WithVoicemailDrop sets the file dropped into machine answers and the
// function that plays it.
func WithVoicemailDrop(file string, f VoicemailDropper) SessionOption {
	return func(c *sessionConfig) { c.voicemail, c.dropper = file, f }
}

// WithRequireOutcome sets whether the next dial waits for SaveOutcome
// after a call the rep talked on (default true).
func WithRequireOutcome(on bool) SessionOption {
	return func(c *sessionConfig) { c.requireOutcome = on }
}

// WithRingTimeout sets how long a line rings before it is cancelled as no
// answer (default 30 s).
func WithRingTimeout(d time.Duration) SessionOption {
	return func(c *sessionConfig) { c.ringTimeout = d }
}

// WithAMDTimeout bounds the classifier (default 5 s; then "unknown").
func WithAMDTimeout(d time.Duration) SessionOption {
	return func(c *sessionConfig) { c.amdTimeout = d }
}

// WithMaxAbandonRate sets the parallel-mode abandon-rate cap (default
// 0.03): above it the governor lowers the lines.
func WithMaxAbandonRate(r float64) SessionOption { return func(c *sessionConfig) { c.maxAbandon = r } }

// WithGovernorSample sets how much the parallel-mode governor measures
// before it raises the lines again after lowering them: at least
// minSample human answers (connected + abandoned) in the session, and
// step since its last change (defaults 30 and 10). Lowering never waits.
func WithGovernorSample(minSample, step int) SessionOption {
	return func(c *sessionConfig) { c.govMinSample, c.govStep = minSample, step }
}

// WithDialOptions sets the options passed to every dial (caller ID,
// early media, ringback). The list's CallerID overrides CallerID.
func WithDialOptions(o DialOptions) SessionOption { return func(c *sessionConfig) { c.dialOpts = o } }

// WithCallerIDs turns on local presence: every dial shows the owned
// number (E.164) in the contact's area, else in the contact's country,
// else the list's caller ID (or the account's default). See
// LocalPresence. NewSession refuses a number that is not valid E.164.
func WithCallerIDs(owned []string) SessionOption {
	return func(c *sessionConfig) { c.callerIDs = append([]string(nil), owned...) }
}

// Session works through a call list in preview, power or parallel mode.
// It is persisted in the store after every step: every dial is written
// as an attempt before the INVITE leaves, so a session reopened after a
// crash never dials a contact twice by accident. All methods are safe for
// concurrent use; the work happens on one goroutine started by Start and
// stopped by Close.
type Session struct {
	cfg   sessionConfig
	st    *store.Store
	eng   Engine
	list  *List
	id    string
	log   *slog.Logger
	check *Checker
	// presence chooses each dial's caller ID (nil: always the list's).
	presence *LocalPresence

	cmds   chan func()
	done   chan struct{}
	bus    *eventBus
	wg     sync.WaitGroup
	cancel context.CancelFunc

	mu     sync.Mutex // guards status (a copy for Snapshot)
	status Status
	err    error

	started bool
	r       *runState // owned by the loop goroutine
}

// NewSession creates a new session for list in st (the list is saved
// first when it has no ID) dialling through eng.
func NewSession(ctx context.Context, st *store.Store, eng Engine, list *List, opts ...SessionOption) (*Session, error) {
	if st == nil || eng == nil || list == nil {
		return nil, fmt.Errorf("%w: a session needs a store, an engine and a list", ErrInvalidSettings)
	}
	if err := list.Settings.Validate(); err != nil {
		return nil, err
	}
	if list.ID == "" {
		if err := SaveList(ctx, st, list); err != nil {
			return nil, err
		}
	}
	s, err := newSession(st, eng, list, opts)
	if err != nil {
		return nil, err
	}
	settings, _ := json.Marshal(list.Settings)
	counters, _ := json.Marshal(Counters{})
	ds, err := st.CreateDialerSession(ctx, store.DialerSession{Name: s.cfg.name, ListID: list.ID, State: string(StateIdle),
		Settings: string(settings), Counters: string(counters)})
	if err != nil {
		return nil, fmt.Errorf("dialer: create session: %w", err)
	}
	s.id = ds.ID
	return s, s.load(ctx, ds)
}

// ResumeSession reopens session id of st: contacts already dialled or
// skipped are not dialled again. An attempt left "dialing" by a crash
// counts as dialled (logged).
func ResumeSession(ctx context.Context, st *store.Store, eng Engine, id string, opts ...SessionOption) (*Session, error) {
	ds, err := st.DialerSession(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("dialer: resume session: %w", err)
	}
	return resume(ctx, st, eng, ds, opts)
}

// ResumeSessionByName reopens the session named name (the error wraps
// ErrNotFound when there is none).
func ResumeSessionByName(ctx context.Context, st *store.Store, eng Engine, name string, opts ...SessionOption) (*Session, error) {
	ds, err := st.DialerSessionByName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%w: session %q: %w", ErrNotFound, name, err)
	}
	return resume(ctx, st, eng, ds, append(opts, WithName(name)))
}

func resume(ctx context.Context, st *store.Store, eng Engine, ds store.DialerSession, opts []SessionOption) (*Session, error) {
	if eng == nil {
		return nil, fmt.Errorf("%w: a session needs an engine", ErrInvalidSettings)
	}
	list, err := LoadList(ctx, st, ds.ListID)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ds.Settings), &list.Settings); err != nil {
		return nil, fmt.Errorf("dialer: session settings: %w", err)
	}
	s, err := newSession(st, eng, list, opts)
	if err != nil {
		return nil, err
	}
	s.id = ds.ID
	return s, s.load(ctx, ds)
}

func newSession(st *store.Store, eng Engine, list *List, opts []SessionOption) (*Session, error) {
	cfg := sessionConfig{clock: time.Now, rep: time.Local, requireOutcome: true, ringTimeout: 30 * time.Second,
		amdTimeout: 5 * time.Second, maxAbandon: 0.03, govMinSample: 30, govStep: 10, log: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxAbandon < 0 || cfg.maxAbandon > 1 {
		return nil, fmt.Errorf("%w: abandon rate cap %v: want 0 to 1", ErrInvalidSettings, cfg.maxAbandon)
	}
	if cfg.govMinSample < 1 || cfg.govStep < 1 {
		return nil, fmt.Errorf("%w: governor sample %d, step %d: want at least 1", ErrInvalidSettings, cfg.govMinSample, cfg.govStep)
	}
	if cfg.ringTimeout <= 0 {
		return nil, fmt.Errorf("%w: ring timeout must be positive", ErrInvalidSettings)
	}
	if _, err := openApology(cfg.apology); err != nil {
		return nil, err // a prompt that cannot be played is refused before the first dial
	}
	check := cfg.checker
	if check == nil {
		var err error
		if check, err = NewChecker(cfg.rep, WithClock(cfg.clock)); err != nil {
			return nil, err
		}
	}
	if list.Settings.CallerID != "" {
		cfg.dialOpts.CallerID = list.Settings.CallerID
	}
	var presence *LocalPresence
	if len(cfg.callerIDs) > 0 {
		var err error
		if presence, err = NewLocalPresence(cfg.callerIDs); err != nil {
			return nil, err
		}
	}
	return &Session{cfg: cfg, st: st, eng: eng, list: list, log: cfg.log.With("component", "dialer"), check: check,
		presence: presence, cmds: make(chan func()), done: make(chan struct{}), bus: newEventBus()}, nil
}

// ID returns the session's id in the store.
func (s *Session) ID() string { return s.id }

// Subscribe returns a channel of the session's events and a function that
// ends the subscription. Publishing never blocks the session; no event
// is dropped. The channel is closed after Close.
func (s *Session) Subscribe() (<-chan Event, func()) { return s.bus.subscribe() }

// Start starts working through the list. ctx bounds the session: when it
// ends, calls are hung up and the session stops (as Stop).
func (s *Session) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return fmt.Errorf("%w: the session was already started", ErrInvalidState)
	}
	s.started = true
	s.mu.Unlock()
	ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.done)
		s.loop(ctx)
	}()
	return nil
}

// Done is closed when the session's run is over (done or stopped).
func (s *Session) Done() <-chan struct{} { return s.done }

// Err returns the error that ended the run early (a store failure), or
// nil.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close stops the session (hanging up calls) and waits for it; it then
// ends every subscription.
func (s *Session) Close() error {
	s.mu.Lock()
	started := s.started
	s.started = true
	s.mu.Unlock()
	if started && s.cancel != nil {
		s.cancel()
		s.wg.Wait()
	}
	s.bus.close()
	return s.Err()
}

// Snapshot returns the session's current status.
func (s *Session) Snapshot() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.status
	st.Skips = append([]Skip(nil), st.Skips...)
	st.Ringing = append([]Card(nil), st.Ringing...)
	if st.Current != nil {
		c := *st.Current
		st.Current = &c
	}
	return st
}

// do runs fn on the session's goroutine and returns its error.
func (s *Session) do(fn func() error) error {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	if !started {
		return fmt.Errorf("%w: the session has not started", ErrInvalidState)
	}
	errc := make(chan error, 1)
	select {
	case s.cmds <- func() { errc <- fn() }:
		return <-errc
	case <-s.done:
		return fmt.Errorf("%w: the session is over", ErrInvalidState)
	}
}

// Dial dials the contact shown in preview mode (state ready).
func (s *Session) Dial() error { return s.do(func() error { return s.r.dialPreview() }) }

// Skip skips the contact shown in preview mode, or, while lines ring, the
// contacts ringing (their calls are cancelled). The skip is logged with
// reason "rep".
func (s *Session) Skip() error { return s.do(func() error { return s.r.skipNow() }) }

// Hangup ends the connected call.
func (s *Session) Hangup() error { return s.do(func() error { return s.r.hangup() }) }

// SaveOutcome saves the outcome (and notes) of the last call the rep
// talked on; with "require an outcome" on, the next dial waits for it.
func (s *Session) SaveOutcome(label, notes string) error {
	return s.do(func() error { return s.r.saveOutcome(label, notes) })
}

// Pause stops dialling; a call in progress goes on, and the session
// pauses when it ends.
func (s *Session) Pause() error { return s.do(func() error { return s.r.pause() }) }

// Resume undoes Pause.
func (s *Session) Resume() error { return s.do(func() error { return s.r.resume() }) }

// Stop ends the session's run: ringing lines are cancelled, a connected
// call is hung up. The session stays in the store and can be resumed.
func (s *Session) Stop() error { return s.do(func() error { s.r.stop(); return nil }) }

// SessionInfo is a stored session's summary, for a session picker.
type SessionInfo struct {
	ID, Name, ListID, ListName string
	State                      State
	Counters                   Counters
	Total                      int
	Created, Updated           time.Time
}

// Sessions lists the sessions in st, most recently updated first.
func Sessions(ctx context.Context, st *store.Store) ([]SessionInfo, error) {
	ss, err := st.DialerSessions(ctx)
	if err != nil {
		return nil, fmt.Errorf("dialer: list sessions: %w", err)
	}
	lists, err := st.DialerLists(ctx)
	if err != nil {
		return nil, fmt.Errorf("dialer: list sessions: %w", err)
	}
	byID := map[string]store.DialerList{}
	for _, l := range lists {
		byID[l.ID] = l
	}
	out := make([]SessionInfo, 0, len(ss))
	for _, s := range ss {
		si := SessionInfo{ID: s.ID, Name: s.Name, ListID: s.ListID, ListName: byID[s.ListID].Name, State: State(s.State),
			Total: byID[s.ListID].Contacts, Created: s.Created, Updated: s.Updated}
		_ = json.Unmarshal([]byte(s.Counters), &si.Counters)
		out = append(out, si)
	}
	return out, nil
}

package sync

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// Clock is the worker's time source. After must fire once d has passed.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time                         { return time.Now() }
func (systemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// State is what the worker is doing for its CRM.
type State string

// Worker states, shown next to the pending count in the UI.
const (
	StateIdle      State = "idle"      // nothing to send
	StateSyncing   State = "syncing"   // sending or pulling
	StateBackoff   State = "backoff"   // waiting after a temporary failure or a 429
	StatePaused    State = "paused"    // daily quota exhausted until Status.Until
	StateReconnect State = "reconnect" // token expired or revoked (or missing a scope)
)

// String returns the state name.
func (s State) String() string { return string(s) }

// UnknownResultPrefix starts the outbox reason of an item whose last
// request ended without a known result; such an item is looked up with
// Adapter.FindCalls before it is created again.
const UnknownResultPrefix = "unknown result: "

// maxBadResponses is how many unreadable answers to a whole request an
// item gets before it is parked as failed.
const maxBadResponses = 5

// Progress reports a drain's advance (for a progress indicator).
type Progress struct {
	Vendor  crm.Vendor
	Pending int // items still to send (pending or in flight), including tasks
	Done    int // items synced by this Drain
	Failed  int // items parked as failed (need a person)
	State   State
	Reason  string    // why the worker waits or stopped, "" when syncing
	Until   time.Time // when a wait ends (backoff, pause)
	// Unmapped counts the calls this Drain synced without a CRM outcome
	// because their outcome has no mapping for the vendor, by the
	// outcome's label (nil when there were none).
	Unmapped map[string]int
}

// Status is the worker's current state for the settings page.
type Status struct {
	Vendor   crm.Vendor
	State    State
	Reason   string
	Until    time.Time
	LastPush time.Time      // last time an item was synced
	LastPull time.Time      // last successful pull
	Pulled   map[string]int // records per kind in the last pull
}

// PullResult tells what Pull did.
type PullResult struct {
	Full   bool
	Since  time.Time      // the bookmark the pull started from (zero: full)
	Counts map[string]int // records upserted (or deleted) per kind
}

// Option configures a Worker.
type Option func(*Worker) error

// WithClock sets the clock (default: the wall clock).
func WithClock(c Clock) Option {
	return func(w *Worker) error {
		if c == nil {
			return fmt.Errorf("%w: nil clock", ErrBadOption)
		}
		w.clock = c
		return nil
	}
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option {
	return func(w *Worker) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrBadOption)
		}
		w.log = l
		return nil
	}
}

// WithJitterSource sets the source of backoff jitter: a function returning
// a number in [0, 1) (default math/rand/v2).
func WithJitterSource(f func() float64) Option {
	return func(w *Worker) error {
		if f == nil {
			return fmt.Errorf("%w: nil jitter source", ErrBadOption)
		}
		w.jitter = f
		return nil
	}
}

// WithBackoff sets the first and the largest backoff after a temporary
// failure (default 1 s and 5 min). The delay doubles with each consecutive
// failure; the actual wait is drawn between half the delay and the delay.
func WithBackoff(min, max time.Duration) Option {
	return func(w *Worker) error {
		if min <= 0 || max < min {
			return fmt.Errorf("%w: backoff %s..%s", ErrBadOption, min, max)
		}
		w.minBackoff, w.maxBackoff = min, max
		return nil
	}
}

// WithCheckDelay sets how long after an unknown result the worker waits
// before looking the items up with FindCalls (default 10 s, HubSpot's
// search-index lag).
func WithCheckDelay(d time.Duration) Option {
	return func(w *Worker) error {
		if d < 0 {
			return fmt.Errorf("%w: check delay %s", ErrBadOption, d)
		}
		w.checkDelay = d
		return nil
	}
}

// WithProgress sets a callback for Progress events. It is called from the
// worker's goroutine and must not block for long.
func WithProgress(f func(Progress)) Option {
	return func(w *Worker) error {
		w.progress = f
		return nil
	}
}

// WithPullEvery sets how often Run pulls contacts, companies and deals
// (default 24 h; 0 turns automatic pulls off).
func WithPullEvery(d time.Duration) Option {
	return func(w *Worker) error {
		if d < 0 {
			return fmt.Errorf("%w: pull interval %s", ErrBadOption, d)
		}
		w.pullEvery = d
		return nil
	}
}

// Worker syncs one CRM. Drain, Pull and Run serialise with each other.
type Worker struct {
	st     *store.Store
	a      crm.Adapter
	vendor crm.Vendor
	sv     store.Vendor // vendor in the store's vocabulary

	clock      Clock
	log        *slog.Logger
	jitter     func() float64
	minBackoff time.Duration
	maxBackoff time.Duration
	checkDelay time.Duration
	progress   func(Progress)
	pullEvery  time.Duration

	run  gosync.Mutex // one Drain/Pull at a time
	kick chan struct{}

	mu       gosync.Mutex
	status   Status
	failures int // consecutive temporary failures (backoff exponent)
	// callsUntil is the latest time a call item was put off to.
	callsUntil time.Time
	// remote → local ids seen by pulls in this process (deal links).
	contactIDs map[string]string
	companyIDs map[string]string
}

// New returns a worker that syncs st's outbox for a.Vendor() to a.
func New(st *store.Store, a crm.Adapter, opts ...Option) (*Worker, error) {
	if st == nil || a == nil {
		return nil, fmt.Errorf("%w: nil store or adapter", ErrBadOption)
	}
	w := &Worker{
		st: st, a: a, vendor: a.Vendor(), sv: StoreVendor(a.Vendor()),
		clock: systemClock{}, log: slog.Default(), jitter: rand.Float64,
		minBackoff: time.Second, maxBackoff: 5 * time.Minute, checkDelay: 10 * time.Second,
		pullEvery:  24 * time.Hour,
		kick:       make(chan struct{}, 1),
		contactIDs: map[string]string{}, companyIDs: map[string]string{},
	}
	for _, o := range opts {
		if err := o(w); err != nil {
			return nil, err
		}
	}
	if a.MaxBatch() < 1 {
		return nil, fmt.Errorf("%w: adapter MaxBatch %d", ErrBadOption, a.MaxBatch())
	}
	w.log = w.log.With("component", "crm-sync", "vendor", string(w.vendor))
	w.status = Status{Vendor: w.vendor, State: StateIdle}
	if last, _, counts, err := st.SyncState(context.Background(), w.sv); err == nil {
		w.status.LastPull, w.status.Pulled = last, counts
	}
	return w, nil
}

// Vendor returns the CRM this worker syncs.
func (w *Worker) Vendor() crm.Vendor { return w.vendor }

// Status returns the worker's current state.
func (w *Worker) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Pulled = clone(s.Pulled)
	return s
}

// Kick wakes Run to send what is due now (call it after SaveForm, or after
// the user reconnected the CRM or retried an item). It never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// setState is the worker's one state transition; it records the reason and
// mirrors it into the store's settings ("crm.<vendor>.sync_state") so that
// another process (the UI, `pitchline crm sync`) can show it.
func (w *Worker) setState(ctx context.Context, s State, reason string, until time.Time) {
	w.mu.Lock()
	changed := w.status.State != s || w.status.Reason != reason || !w.status.Until.Equal(until)
	w.status.State, w.status.Reason, w.status.Until = s, reason, until
	w.mu.Unlock()
	if !changed {
		return
	}
	w.log.Info("sync state", "state", string(s), "reason", reason, "until", until)
	val := string(s)
	if reason != "" {
		val += ": " + reason
	}
	if err := w.st.SetSetting(context.WithoutCancel(ctx), "crm."+string(w.vendor)+".sync_state", val); err != nil {
		w.log.Warn("saving sync state", "err", err)
	}
}

// backoff returns the next wait after a temporary failure and counts it.
func (w *Worker) backoff() time.Duration {
	w.mu.Lock()
	n := w.failures
	w.failures++
	w.mu.Unlock()
	d := w.minBackoff
	for i := 0; i < n && d < w.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, w.maxBackoff)
	j := w.jitter()
	if j < 0 || j >= 1 {
		j = 0
	}
	return d/2 + time.Duration(j*float64(d/2))
}

func (w *Worker) resetBackoff() {
	w.mu.Lock()
	w.failures = 0
	w.mu.Unlock()
}

// Run drains the outbox until ctx ends: at start, on Kick, when a backoff
// or pause ends, and pulls every WithPullEvery. After an authentication
// failure it waits for Kick. It returns ctx's error.
func (w *Worker) Run(ctx context.Context) error {
	for {
		if w.pullEvery > 0 {
			if last := w.Status().LastPull; last.IsZero() || w.clock.Now().Sub(last) >= w.pullEvery {
				if _, err := w.Pull(ctx, false); err != nil && ctx.Err() == nil {
					w.log.Warn("pull", "err", err)
				}
			}
		}
		_, err := w.Drain(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var wake <-chan time.Time
		st := w.Status()
		switch {
		case err == nil && w.pullEvery > 0:
			wake = w.clock.After(max(time.Second, st.LastPull.Add(w.pullEvery).Sub(w.clock.Now())))
		case err != nil && st.State == StatePaused:
			wake = w.clock.After(max(time.Second, st.Until.Sub(w.clock.Now())))
		case err != nil && st.State != StateReconnect:
			wake = w.clock.After(w.backoff())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.kick:
		case <-wake:
		}
	}
}

func clone(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

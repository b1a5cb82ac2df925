package dialer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/store"
)

// This file is the session's loop: one goroutine owns runState and does
// every step in order (controls, call updates, timers), writing the
// session to the store after each.

// contactRun is a contact's progress in this session.
type contactRun struct {
	done        bool
	inFlight    bool
	tried       int       // dials in this session
	retryAt     time.Time // zero: not waiting for a retry
	lastResult  Result
	lastOutcome string
	// front: the last dial was cancelled by us before any answer; the
	// contact is dialled next, ahead of the list order and retries.
	front bool
}

// lineRun is one call in progress.
type lineRun struct {
	n         int // 1-based line
	idx       int
	number    Number
	attemptID int64
	call      EngineCall
	cancel    context.CancelFunc
	ring      *time.Timer

	answered, connected   bool
	classifying, machine  bool
	dropped               bool
	abandon, canceledByUs bool
	ringTimedOut, repSkip bool
	outcome               string
}

// lineUpdate is what the loop receives about a line.
type lineUpdate struct {
	l      *lineRun
	u      CallUpdate
	amd    AMDResult
	amdDur time.Duration
	isAMD  bool
	ring   bool // the ring timer fired
	drop   bool // the voicemail drop finished
	// apology: the apology prompt of an abandoned line finished.
	apology bool
}

type runState struct {
	s        *Session
	ctx      context.Context
	state    State
	contacts []contactRun
	cursor   int
	lines    map[*lineRun]struct{}
	updates  chan lineUpdate
	counters Counters
	nLines   int
	// govAt is the number of human answers when the governor last
	// changed the lines.
	govAt int

	connected    *lineRun
	preview      int // contact shown in preview, -1 when none
	paused       bool
	pauseReq     bool
	stopping     bool
	needOutcome  bool
	lastTalk     int64 // attempt id of the last call the rep talked on
	lastTalkIdx  int
	outcomeSaved bool
	wrap         *time.Timer
	wrapC        <-chan time.Time
	skips        []Skip
	quit         chan struct{}
}

// load rebuilds the session's progress from its stored attempts. An
// attempt still "dialing" was cut short by a crash: it counts as dialled,
// is finished as "interrupted", and its contact is not dialled again.
func (s *Session) load(ctx context.Context, ds store.DialerSession) error {
	r := &runState{s: s, state: StateIdle, contacts: make([]contactRun, len(s.list.Contacts)), lines: map[*lineRun]struct{}{},
		updates: make(chan lineUpdate, 64), preview: -1, nLines: s.list.Settings.Lines, quit: make(chan struct{})}
	if r.nLines < 1 {
		r.nLines = 1
	}
	if ds.Counters != "" {
		var saved savedCounters
		_ = json.Unmarshal([]byte(ds.Counters), &saved)
		r.counters = saved.Counters
		// The governor's lines carry over (within the list's Lines): a
		// resumed session does not go back to full lines and abandon
		// again the calls that made it lower them.
		if saved.Lines >= 1 && saved.Lines < r.nLines {
			r.nLines, r.govAt = saved.Lines, saved.GovAt
		}
	}
	attempts, err := s.st.DialerAttempts(ctx, s.id)
	if err != nil {
		return fmt.Errorf("dialer: load session: %w", err)
	}
	pol := s.list.Settings.Retry
	for _, a := range attempts {
		if a.Position < 0 || a.Position >= len(r.contacts) {
			continue
		}
		c := &r.contacts[a.Position]
		c.front = false
		switch a.Status {
		case store.AttemptSkipped:
			c.done = true
			r.skips = append(r.skips, Skip{Index: a.Position, Contact: s.list.Contacts[a.Position].Name, Number: a.Number,
				Reason: Reason(a.Reason), Message: a.Message})
		case store.AttemptCancelled:
			// Cancelled by us before any answer: not reached, not a
			// retry; the contact is dialled again first (see finish).
			c.front = true
			continue
		case store.AttemptDialing:
			c.done, c.tried, c.lastResult = true, c.tried+1, ResultInterrupted
			s.log.Warn("a dial was cut short when the session last stopped; it counts as dialled and is not dialled again",
				"session", s.id, "contact", s.list.Contacts[a.Position].Name, "number", a.Number, "started", a.Started)
			a.Status, a.Result, a.Ended = store.AttemptDone, string(ResultInterrupted), s.cfg.clock()
			if err := s.st.FinishDialerAttempt(ctx, a, "", ""); err != nil {
				return fmt.Errorf("dialer: load session: %w", err)
			}
		default:
			c.tried++
			c.lastResult, c.lastOutcome = Result(a.Result), a.Outcome
			c.done = !c.lastResult.retryable() || (pol.MaxAttempts > 0 && c.tried >= pol.MaxAttempts)
			if !c.done {
				at := a.Ended
				if at.IsZero() {
					at = a.Started
				}
				c.retryAt = at.Add(pol.Spacing)
			}
		}
	}
	s.r = r
	s.publishStatus()
	return nil
}

func (s *Session) loop(ctx context.Context) {
	r := s.r
	r.ctx = ctx
	defer close(r.quit)
	s.emit(Event{Kind: EventSessionStarted, Total: len(s.list.Contacts), Done: r.doneCount()})
	r.advance()
	for !r.state.Terminal() {
		select {
		case fn := <-s.cmds:
			fn()
		case u := <-r.updates:
			r.onUpdate(u)
		case <-r.wrapC:
			r.wrap, r.wrapC = nil, nil
			r.advance()
		case <-ctx.Done():
			r.stop()
			r.drain()
			return
		}
	}
}

// drain waits (bounded) for the lines cancelled by stop to end, so their
// results are written.
func (r *runState) drain() {
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for len(r.lines) > 0 {
		select {
		case u := <-r.updates:
			r.onUpdate(u)
		case <-deadline.C:
			r.s.log.Warn("calls did not end after the session stopped", "lines", len(r.lines))
			return
		}
	}
}

// doneCount counts the contacts worked through: skipped, or dialled with
// a result (those waiting for a retry included: Status.RetriesPending
// counts them again).
func (r *runState) doneCount() int {
	n := 0
	for i := range r.contacts {
		if c := &r.contacts[i]; c.done || (c.tried > 0 && !c.inFlight) {
			n++
		}
	}
	return n
}

// transition changes the session's state, writes it to the store and
// publishes it. It is the only place r.state changes.
func (r *runState) transition(to State, ev Event) {
	if to != r.state {
		ok := false
		for _, s := range sessionTransitions[r.state] {
			if s == to {
				ok = true
			}
		}
		if !ok {
			r.s.log.Error("invalid session transition", "from", r.state, "to", to)
			return
		}
	}
	r.state = to
	r.persist()
	ev.Kind, ev.State = EventState, to
	r.s.emit(ev)
	if to.Terminal() {
		r.s.emit(Event{Kind: EventSessionEnded, Counters: r.counters, Done: r.doneCount(), Total: len(r.contacts)})
	}
}

// savedCounters is what the session row's counters column holds: the
// counters, plus the governor's state (the lines in use and the human
// answers measured at its last change), so a resumed session keeps them.
// Readers that only want the counters decode it as Counters.
type savedCounters struct {
	Counters
	Lines int `json:"lines,omitempty"`
	GovAt int `json:"governor_at,omitempty"`
}

func (r *runState) countersJSON() string {
	b, _ := json.Marshal(savedCounters{Counters: r.counters, Lines: r.nLines, GovAt: r.govAt})
	return string(b)
}

func (r *runState) persist() {
	if err := r.s.st.UpdateDialerSession(context.WithoutCancel(r.ctx), r.s.id, string(r.state), r.countersJSON()); err != nil {
		r.fail(err)
	}
}

// fail records a store failure: the session stops (a dial that cannot be
// written first is never made).
func (r *runState) fail(err error) {
	r.s.log.Error("session store write failed; stopping", "err", err)
	r.s.mu.Lock()
	if r.s.err == nil {
		r.s.err = fmt.Errorf("dialer: session %s: %w", r.s.id, err)
	}
	r.s.mu.Unlock()
	r.stop()
}

// advance decides what happens next when no call needs the session.
func (r *runState) advance() {
	if r.state.Terminal() || len(r.lines) > 0 || r.connected != nil {
		return
	}
	if r.stopping {
		r.transition(StateStopped, Event{})
		return
	}
	if r.needOutcome || r.wrap != nil {
		r.transition(StateWrapUp, Event{})
		return
	}
	if r.paused || r.pauseReq {
		r.paused, r.pauseReq = true, false
		r.transition(StatePaused, Event{})
		return
	}
	mode := r.s.list.Settings.Mode
	want := 1
	if mode == ModeParallel {
		want = r.nLines
	}
	var picks []pick
	for len(picks) < want {
		p, ok := r.nextDialable()
		if !ok {
			break
		}
		picks = append(picks, p)
		r.contacts[p.idx].inFlight = true
	}
	for _, p := range picks {
		r.contacts[p.idx].inFlight = false
	}
	if r.state.Terminal() {
		return
	}
	if len(picks) == 0 {
		r.transition(StateDone, Event{})
		return
	}
	if mode == ModePreview {
		r.preview = picks[0].idx
		c := r.s.list.Contacts[picks[0].idx]
		r.transition(StateReady, Event{Index: picks[0].idx, Contact: c.Name, Number: picks[0].number.Key})
		return
	}
	for i, p := range picks {
		r.dial(p, i+1)
	}
	if len(r.lines) > 0 {
		r.transition(StateDialing, Event{})
	} else {
		r.advance()
	}
}

// pick is a contact cleared to dial, and the number.
type pick struct {
	idx    int
	number Number
}

// nextDialable returns the next contact that compliance clears; refused
// contacts are skipped (written and reported) on the way, contacts whose
// retry is not due yet wait.
func (r *runState) nextDialable() (pick, bool) {
	for {
		idx := r.nextCandidate()
		if idx < 0 {
			return pick{}, false
		}
		p, ok := r.clear(idx)
		if ok {
			return p, true
		}
		if r.state.Terminal() || r.stopping {
			return pick{}, false
		}
	}
}

// nextCandidate returns the next contact to try: list order first, then
// retries that are due; contacts whose dial we cancelled before any
// answer come first. -1 when none.
func (r *runState) nextCandidate() int {
	for i := range r.contacts {
		if c := &r.contacts[i]; c.front && !c.done && !c.inFlight {
			return i
		}
	}
	for r.cursor < len(r.contacts) {
		c := &r.contacts[r.cursor]
		if !c.done && !c.inFlight && c.retryAt.IsZero() && c.tried == 0 {
			return r.cursor
		}
		r.cursor++
	}
	now := r.s.cfg.clock()
	best := -1
	for i := range r.contacts {
		c := &r.contacts[i]
		if c.done || c.inFlight || c.retryAt.IsZero() || c.retryAt.After(now) {
			continue
		}
		if best < 0 || c.retryAt.Before(r.contacts[best].retryAt) {
			best = i
		}
	}
	return best
}

// clear runs compliance for contact idx: the first of its numbers that
// may be dialled, else the contact is skipped with the primary number's
// reason (or waits, when only the retry spacing refused it).
func (r *runState) clear(idx int) (pick, bool) {
	c := r.s.list.Contacts[idx]
	ctx := context.WithoutCancel(r.ctx)
	var times []time.Time
	for _, n := range c.Numbers {
		as, err := r.s.st.DialerAttemptsForNumber(ctx, n.Key)
		if err != nil {
			r.fail(err)
			return pick{}, false
		}
		for _, a := range as {
			if a.Status == store.AttemptCancelled {
				continue // not reached: neither a retry nor spacing
			}
			times = append(times, a.Started)
		}
	}
	var first *Decision
	var firstNum Number
	for _, n := range c.Numbers {
		dnc := DNCSet{}
		for _, k := range []string{n.Key, n.E164} {
			if k == "" {
				continue
			}
			on, err := r.s.st.IsDNC(ctx, k)
			if err != nil {
				r.fail(err)
				return pick{}, false
			}
			if on {
				dnc[k] = struct{}{}
			}
		}
		d := r.s.check.Check(Request{Contact: c, Number: n, Settings: r.s.list.Settings, Attempts: times, DNC: dnc})
		if d.Allowed {
			return pick{idx: idx, number: n}, true
		}
		if first == nil {
			first, firstNum = &d, n
		}
	}
	if first == nil { // a contact without numbers
		first = &Decision{Reason: ReasonInvalidNumber, Message: fmt.Sprintf("%s has no number to dial.", orUnnamed(c.Name))}
	}
	if first.Reason == ReasonRetryCap && !first.NotBefore.IsZero() {
		r.contacts[idx].retryAt = first.NotBefore
		r.contacts[idx].front = false // waits like a retry now
		return pick{}, false
	}
	r.skip(idx, firstNum.Key, first.Reason, first.Message, first.LocalTime)
	return pick{}, false
}

// skip writes and reports a skipped contact.
func (r *runState) skip(idx int, number string, reason Reason, msg string, local time.Time) {
	c := r.s.list.Contacts[idx]
	r.counters.Skipped++
	r.contacts[idx].done = true
	if _, err := r.s.st.AddDialerAttempt(context.WithoutCancel(r.ctx), store.DialerAttempt{SessionID: r.s.id, Position: idx,
		Number: number, Status: store.AttemptSkipped, Reason: string(reason), Message: msg, Started: r.s.cfg.clock()},
		string(r.state), r.countersJSON()); err != nil {
		r.fail(err)
		return
	}
	sk := Skip{Index: idx, Contact: c.Name, Number: number, Reason: reason, Message: msg, LocalTime: local}
	r.skips = append(r.skips, sk)
	r.s.log.Info("contact skipped", "session", r.s.id, "contact", c.Name, "number", number, "reason", reason, "message", msg,
		"local_time", local.Format("2006-01-02 15:04 MST"))
	r.s.emit(Event{Kind: EventSkipped, Index: idx, Contact: c.Name, Number: number, Reason: reason, Message: msg, LocalTime: local})
	r.progress()
}

func (r *runState) progress() {
	r.s.emit(Event{Kind: EventProgress, Done: r.doneCount(), Total: len(r.contacts), Counters: r.counters})
}

// dial writes the attempt as "dialing" (committed) and only then asks the
// engine to send the INVITE.
func (r *runState) dial(p pick, line int) {
	c := r.s.list.Contacts[p.idx]
	cr := &r.contacts[p.idx]
	r.counters.Dialled++
	cr.tried++
	cr.inFlight = true
	cr.retryAt = time.Time{}
	cr.front = false
	id, err := r.s.st.AddDialerAttempt(context.WithoutCancel(r.ctx), store.DialerAttempt{SessionID: r.s.id, Position: p.idx,
		Number: p.number.Key, Line: line, Status: store.AttemptDialing, Started: r.s.cfg.clock()}, string(StateDialing), r.countersJSON())
	if err != nil {
		r.counters.Dialled--
		cr.tried--
		cr.inFlight = false
		r.fail(err)
		return
	}
	l := &lineRun{n: line, idx: p.idx, number: p.number, attemptID: id}
	opts := r.s.cfg.dialOpts
	opts.LocalRingback = line == 1
	// One line at a time: the rep hears what the network plays before the
	// answer (a carrier's "not in service" announcement). In parallel mode
	// no line's early media reaches the speaker.
	opts.EarlyMedia = r.s.list.Settings.Mode != ModeParallel
	how := PresenceDefault
	if r.s.presence != nil {
		opts.CallerID, how = r.s.presence.Choose(p.number, opts.CallerID)
	}
	ctx, cancel := context.WithCancel(r.ctx)
	l.cancel = cancel
	r.s.emit(Event{Kind: EventDial, Index: p.idx, Contact: c.Name, Number: p.number.Key, Line: line, CallerID: opts.CallerID, Presence: how})
	call, err := r.s.eng.Dial(ctx, p.number.Key, opts)
	if err != nil {
		cancel()
		r.s.log.Warn("dial failed", "contact", c.Name, "number", p.number.Key, "err", err)
		r.lines[l] = struct{}{}
		r.finish(l, CallUpdate{Ended: true, Cause: "failed", Reason: err.Error()})
		return
	}
	l.call = call
	r.lines[l] = struct{}{}
	if err := r.s.st.FinishDialerAttempt(context.WithoutCancel(r.ctx), store.DialerAttempt{ID: id, CallID: call.ID()}, "", ""); err != nil {
		r.s.log.Warn("could not write the call id of a dial", "err", err)
	}
	l.ring = time.AfterFunc(r.s.cfg.ringTimeout, func() { r.post(lineUpdate{l: l, ring: true}) })
	r.s.wg.Add(1)
	go func() {
		defer r.s.wg.Done()
		for u := range call.Updates() {
			if !r.post(lineUpdate{l: l, u: u}) {
				return
			}
		}
	}()
}

// post hands an update to the loop; false once the loop has exited.
func (r *runState) post(u lineUpdate) bool {
	select {
	case r.updates <- u:
		return true
	case <-r.quit:
		return false
	}
}

func (r *runState) onUpdate(u lineUpdate) {
	l := u.l
	if _, ok := r.lines[l]; !ok {
		return
	}
	switch {
	case u.ring:
		if !l.answered {
			l.ringTimedOut = true
			l.cancel() // CANCEL
		}
	case u.drop:
		l.dropped = true
		c := r.s.list.Contacts[l.idx]
		r.s.emit(Event{Kind: EventVoicemailDropped, Index: l.idx, Contact: c.Name, Line: l.n})
		l.cancel()
	case u.apology:
		l.cancel() // BYE after the apology prompt
	case u.isAMD:
		r.onAMD(l, u.amd, u.amdDur)
	case u.u.Answered:
		r.onAnswered(l)
	case u.u.Ended:
		r.finish(l, u.u)
		r.afterLine()
	}
}

func (r *runState) onAnswered(l *lineRun) {
	if l.ring != nil {
		l.ring.Stop()
	}
	l.answered = true
	c := r.s.list.Contacts[l.idx]
	if r.connected != nil || r.stopping || l.canceledByUs {
		// Another line already has the rep: the contact hears the
		// apology prompt and the call is dropped (an abandoned call).
		r.abandonLine(l)
		return
	}
	r.s.emit(Event{Kind: EventAnswered, Index: l.idx, Contact: c.Name, Line: l.n})
	if f := r.s.cfg.classifier; f != nil {
		l.classifying = true
		started := time.Now()
		ctx, cancel := context.WithTimeout(r.ctx, r.s.cfg.amdTimeout)
		r.s.wg.Add(1)
		go func() {
			defer r.s.wg.Done()
			defer cancel()
			res, err := f(ctx, l.call)
			if err != nil || res == "" {
				res = AMDUnknown
			}
			r.post(lineUpdate{l: l, isAMD: true, amd: res, amdDur: time.Since(started)})
		}()
		return
	}
	r.connect(l)
}

func (r *runState) onAMD(l *lineRun, res AMDResult, d time.Duration) {
	l.classifying = false
	c := r.s.list.Contacts[l.idx]
	r.s.emit(Event{Kind: EventAMD, Index: l.idx, Contact: c.Name, AMD: res, DecisionMS: d.Milliseconds(), Line: l.n})
	if res == AMDMachine {
		l.machine = true
		if r.s.cfg.dropper != nil && r.s.cfg.voicemail != "" {
			file, f, call := r.s.cfg.voicemail, r.s.cfg.dropper, l.call
			r.s.wg.Add(1)
			go func() {
				defer r.s.wg.Done()
				if err := f(r.ctx, call, file); err != nil {
					r.s.log.Warn("voicemail drop failed", "contact", c.Name, "err", err)
					l.cancel()
					return
				}
				r.post(lineUpdate{l: l, drop: true})
			}()
			return
		}
		l.cancel()
		return
	}
	if r.connected != nil || r.stopping {
		r.abandonLine(l)
		return
	}
	r.connect(l)
}

// connect gives line l to the rep and cancels every other ringing line.
func (r *runState) connect(l *lineRun) {
	l.connected = true
	r.connected = l
	r.counters.Connected++
	r.lastTalk, r.lastTalkIdx, r.outcomeSaved = l.attemptID, l.idx, false
	for o := range r.lines {
		if o != l && !o.answered {
			o.canceledByUs = true
			o.cancel() // CANCEL at once
		}
	}
	r.governor()
	r.transition(StateConnected, Event{Index: l.idx, Contact: r.s.list.Contacts[l.idx].Name, Number: l.number.Key, Line: l.n})
}

// governor adjusts the parallel lines to the abandon rate, the way an
// adaptive predictive dialer does (VICIdial's "adaptive" dial method):
//
//   - above the cap it lowers the lines by one at once (compliance
//     first: no minimum sample before lowering);
//   - it raises them by one, up to the list's Lines, only once at least
//     govMinSample human answers (connected + abandoned) were measured,
//     the rate is at or under the cap times govRaiseBelow (hysteresis: a
//     rate hovering at the cap does not flap the lines), and at least
//     govStep human answers were measured since the last change.
//
// It runs after every connect and every abandoned call.
func (r *runState) governor() {
	maxLines := r.s.list.Settings.Lines
	if r.s.list.Settings.Mode != ModeParallel || maxLines <= 1 {
		return
	}
	humans := r.counters.Connected + r.counters.Abandoned
	rate := r.counters.AbandonRate()
	cfg := r.s.cfg
	switch {
	case rate > cfg.maxAbandon && r.nLines > 1:
		r.nLines--
		r.s.log.Info("abandon rate above the cap; fewer lines", "rate", rate, "cap", cfg.maxAbandon, "lines", r.nLines)
	case r.nLines < maxLines && humans >= cfg.govMinSample && humans-r.govAt >= cfg.govStep &&
		rate <= cfg.maxAbandon*govRaiseBelow:
		r.nLines++
		r.s.log.Info("abandon rate back under the cap; more lines", "rate", rate, "cap", cfg.maxAbandon, "lines", r.nLines,
			"sample", humans)
	default:
		return
	}
	r.govAt = humans
	r.s.emit(Event{Kind: EventLines, Lines: r.nLines, Counters: r.counters})
}

// govRaiseBelow is the governor's hysteresis: lines come back only once
// the rate is at or under this share of the cap.
const govRaiseBelow = 2.0 / 3

// finish records how line l ended.
func (r *runState) finish(l *lineRun, u CallUpdate) {
	delete(r.lines, l)
	if l.ring != nil {
		l.ring.Stop()
	}
	if l.cancel != nil {
		l.cancel()
	}
	cr := &r.contacts[l.idx]
	cr.inFlight = false
	var res Result
	switch {
	case l.abandon, u.Cause == string(softphone.CauseAnsweredAfterCancel):
		// The second: the contact answered as our CANCEL crossed the
		// answer; the engine ACKed and hung up (a human, or unknown,
		// dropped: abandoned, never requeued).
		res = ResultAbandoned
		r.counters.Abandoned++
		r.governor()
	case l.machine:
		res = ResultVoicemail
		r.counters.Voicemail++
	case l.connected:
		res = ResultConnected
	case l.repSkip:
		res = ResultCanceled
	case l.canceledByUs:
		res = ResultCanceled
	case l.ringTimedOut:
		res = ResultNoAnswer
		r.counters.NoAnswer++
	case u.Cause == "busy" || u.Cause == "declined":
		res = ResultBusy
		r.counters.Busy++
	case u.Cause == "no_answer" || u.Cause == "canceled":
		res = ResultNoAnswer
		r.counters.NoAnswer++
	case l.answered:
		// Answered and hung up while being classified: nobody reached the
		// rep (not a connect; the contact is retried).
		res = ResultHungUp
		r.counters.NoAnswer++
	default:
		res = ResultFailed
	}
	outcome := ""
	switch res {
	case ResultVoicemail:
		outcome = "Voicemail"
		if l.dropped {
			outcome = "Left voicemail"
		}
	case ResultNoAnswer:
		outcome = "No answer"
	case ResultHungUp:
		outcome = "Hung up"
	case ResultBusy:
		outcome = "Busy"
	case ResultAbandoned:
		outcome = "Abandoned"
	case ResultConnected:
		outcome = l.outcome
	}
	pol := r.s.list.Settings.Retry
	status := store.AttemptDone
	// requeue: we cancelled the line before any answer (another line won,
	// or the session stopped): the contact was not reached. It goes back
	// to the front of the queue and the dial is not counted as a retry,
	// but the attempt stays in the log as "cancelled" (the INVITE did go
	// out; Dialled counts it). Resume stays safe: the attempt was written
	// "dialing" before the INVITE and only becomes "cancelled" once the
	// engine reported the call ended unanswered; a crash before that
	// leaves it "dialing", which load treats as dialled and never redials.
	// A 2xx that crossed our CANCEL is not a cancel: the engine reports
	// it as answered_after_cancel and it counts as abandoned.
	requeue := res == ResultCanceled && l.canceledByUs && !l.repSkip && !l.answered
	if requeue {
		status = store.AttemptCancelled
		cr.tried--
		cr.front = true
	} else {
		cr.lastResult = res
	}
	switch {
	case requeue:
		cr.retryAt = time.Time{}
	case l.repSkip:
		cr.done = true
	case res.retryable() && (pol.MaxAttempts == 0 || cr.tried < pol.MaxAttempts):
		cr.retryAt = r.s.cfg.clock().Add(pol.Spacing)
	default:
		cr.done = true
	}
	if outcome != "" {
		cr.lastOutcome = outcome
	}
	state := ""
	if l.connected {
		r.connected = nil
		if r.s.cfg.requireOutcome && !r.outcomeSaved && !r.stopping {
			r.needOutcome = true
		}
		if !r.needOutcome && !r.stopping {
			r.startWrap()
		}
	}
	if err := r.s.st.FinishDialerAttempt(context.WithoutCancel(r.ctx), store.DialerAttempt{ID: l.attemptID, SessionID: r.s.id,
		Status: status, Result: string(res), Outcome: outcome, Ended: r.s.cfg.clock(), Message: u.Reason},
		orState(state, r.state), r.countersJSON()); err != nil {
		r.fail(err)
	}
	c := r.s.list.Contacts[l.idx]
	cause := u.Cause
	r.s.emit(Event{Kind: EventEnded, Index: l.idx, Contact: c.Name, Number: l.number.Key, Line: l.n, Cause: cause, Result: res})
	if outcome != "" && !l.connected {
		r.s.emit(Event{Kind: EventOutcomeSaved, Index: l.idx, Contact: c.Name, Outcome: outcome})
	}
	r.progress()
}

func orState(a string, s State) string {
	if a != "" {
		return a
	}
	return string(s)
}

// afterLine moves on once every line of a round has ended.
func (r *runState) afterLine() {
	if len(r.lines) > 0 || r.connected != nil {
		return
	}
	if r.s.list.Settings.Mode == ModePreview && r.wrap != nil {
		r.wrap.Stop()
		r.wrap, r.wrapC = nil, nil
	}
	r.advance()
}

// startWrap starts the wrap-up time after a call the rep talked on (power
// and parallel modes; 0 moves on at once).
func (r *runState) startWrap() {
	if r.s.list.Settings.Mode == ModePreview || r.s.list.Settings.WrapUp <= 0 {
		return
	}
	r.wrap = time.NewTimer(r.s.list.Settings.WrapUp)
	r.wrapC = r.wrap.C
}

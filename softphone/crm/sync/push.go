package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// farFuture is the horizon used to peek at the next item's due time.
const farFuture = 100 * 365 * 24 * time.Hour

// Drain pushes due items until none is pending (only permanently failed
// items, if any, remain): it waits through rate limits and backoffs. It
// returns early with ErrPaused when the CRM's daily limit is exhausted and
// with an error wrapping crm.ErrAuth (or crm.ErrForbidden) when the token
// no longer works; the queue is kept in both cases.
func (w *Worker) Drain(ctx context.Context) (Progress, error) {
	w.run.Lock()
	defer w.run.Unlock()
	p := Progress{Vendor: w.vendor}
	if st := w.Status(); st.State == StatePaused && w.clock.Now().Before(st.Until) {
		w.fill(ctx, &p)
		return p, fmt.Errorf("%w until %s: %s", ErrPaused, st.Until.Format(time.RFC3339), st.Reason)
	}
	for {
		if err := ctx.Err(); err != nil {
			return p, err
		}
		now := w.clock.Now()
		items, err := w.st.Due(ctx, w.sv, now, 4*w.a.MaxBatch())
		if err != nil {
			return p, err
		}
		if len(items) == 0 {
			if err := w.fill(ctx, &p); err != nil {
				return p, err
			}
			next, err := w.st.Due(ctx, w.sv, now.Add(farFuture), 1)
			if err != nil {
				return p, err
			}
			if p.Pending == 0 || len(next) == 0 {
				w.setState(ctx, StateIdle, "", time.Time{})
				w.emit(ctx, &p)
				return p, nil
			}
			until := next[0].NextAt
			reason := strings.TrimPrefix(next[0].LastError, UnknownResultPrefix)
			w.setState(ctx, StateBackoff, reason, until)
			w.emit(ctx, &p)
			select {
			case <-ctx.Done():
				return p, ctx.Err()
			case <-w.clock.After(until.Sub(now)):
			case <-w.kick:
			}
			continue
		}
		w.setState(ctx, StateSyncing, "", time.Time{})
		var calls, tasks []store.OutboxItem
		for _, it := range items {
			if it.Kind == store.KindCall {
				calls = append(calls, it)
			} else {
				tasks = append(tasks, it)
			}
		}
		if len(calls) > 0 {
			err = w.pushCalls(ctx, calls[:min(len(calls), w.a.MaxBatch())], &p)
		} else {
			err = w.pushTasks(ctx, tasks, &p)
		}
		w.emit(ctx, &p)
		if err != nil {
			return p, err
		}
	}
}

// fill sets the queue counts of p.
func (w *Worker) fill(ctx context.Context, p *Progress) error {
	counts, err := w.st.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	c := counts[w.sv]
	p.Pending = c[store.OutboxPending] + c[store.OutboxInFlight]
	p.Failed = c[store.OutboxFailed]
	return nil
}

func (w *Worker) emit(ctx context.Context, p *Progress) {
	if w.fill(ctx, p) != nil {
		return
	}
	st := w.Status()
	p.State, p.Reason, p.Until = st.State, st.Reason, st.Until
	if w.progress != nil {
		c := *p
		c.Unmapped = clone(p.Unmapped)
		w.progress(c)
	}
}

// unknown reports whether an earlier attempt of it may have reached the CRM.
func unknown(it store.OutboxItem) bool {
	return it.Uncertain || strings.HasPrefix(it.LastError, UnknownResultPrefix)
}

// pushCalls sends one batch of call items, after looking up those whose
// earlier attempt had an unknown result.
func (w *Worker) pushCalls(ctx context.Context, items []store.OutboxItem, p *Progress) error {
	var check []string
	for _, it := range items {
		if unknown(it) {
			check = append(check, it.RefID)
		}
	}
	if len(check) > 0 {
		found, err := w.a.FindCalls(ctx, check)
		if err != nil {
			return w.requestFailed(ctx, items, err, false)
		}
		rest := items[:0:0]
		for _, it := range items {
			if rid, ok := found[it.RefID]; ok && rid != "" {
				if err := w.synced(ctx, it, rid, p); err != nil {
					return err
				}
				w.log.Info("call found at the CRM, not created again", "call", it.RefID, "remote", rid)
				continue
			}
			rest = append(rest, it)
		}
		items = rest
	}
	var send []store.OutboxItem
	var calls []crm.Call
	for _, it := range items {
		sc, err := w.st.CallForSync(ctx, it.RefID, w.sv)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := w.st.MarkFailed(ctx, it.ID, "cannot prepare the call: "+err.Error(), w.clock.Now(), true); err != nil {
				return err
			}
			continue
		}
		if err := w.st.MarkInFlight(ctx, it.ID); err != nil {
			return err
		}
		send = append(send, it)
		calls = append(calls, CRMCall(sc))
	}
	if len(calls) == 0 {
		return nil
	}
	return w.sendCalls(ctx, send, calls, p)
}

// sendCalls creates in-flight calls. A batch the CRM refuses as a whole is
// split into single calls so that only the bad record fails.
func (w *Worker) sendCalls(ctx context.Context, items []store.OutboxItem, calls []crm.Call, p *Progress) error {
	res, err := w.a.CreateCalls(ctx, calls)
	if err != nil {
		if errors.Is(err, crm.ErrRejected) && len(calls) > 1 {
			w.log.Info("batch rejected, sending one by one", "n", len(calls), "err", err)
			for i := range calls {
				if err := w.sendCalls(ctx, items[i:i+1], calls[i:i+1], p); err != nil {
					for _, rest := range items[i+1:] { // give back what was not tried
						w.st.MarkFailed(context.WithoutCancel(ctx), rest.ID, "not sent: "+err.Error(), w.clock.Now(), false)
					}
					return err
				}
			}
			return nil
		}
		return w.requestFailed(ctx, items, err, true)
	}
	w.resetBackoff()
	byID := make(map[string]crm.Result, len(res))
	for _, r := range res {
		byID[r.LocalID] = r
	}
	for i, it := range items {
		r, ok := byID[it.RefID]
		switch {
		case ok && r.Err == nil && r.RemoteID != "":
			if err := w.synced(ctx, it, r.RemoteID, p); err != nil {
				return err
			}
			if noOutcome(calls[i]) {
				w.log.Warn("call synced without a CRM outcome: its outcome is not mapped", "call", it.RefID, "outcome", calls[i].OutcomeLabel)
				if p.Unmapped == nil {
					p.Unmapped = map[string]int{}
				}
				p.Unmapped[calls[i].OutcomeLabel]++
			}
		case ok && r.Err != nil:
			if err := w.itemFailed(ctx, it, r.Err); err != nil {
				return err
			}
		default:
			if err := w.itemFailed(ctx, it, fmt.Errorf("%w: no result for call %s", crm.ErrTransient, it.RefID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// pushTasks sends task items one by one, each after the call it follows.
func (w *Worker) pushTasks(ctx context.Context, items []store.OutboxItem, p *Progress) error {
	for _, it := range items {
		t, err := w.st.Task(ctx, it.RefID)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err := w.st.MarkFailed(ctx, it.ID, "cannot prepare the task: "+err.Error(), w.clock.Now(), true); err != nil {
				return err
			}
			continue
		}
		if t.CallID != "" {
			waiting, until, err := w.callPending(ctx, t.CallID)
			if err != nil {
				return err
			}
			if waiting {
				if err := w.st.MarkFailed(ctx, it.ID, "waiting for its call to sync", until, false); err != nil {
					return err
				}
				continue
			}
		}
		stask, err := w.st.TaskForSync(ctx, it.RefID, w.sv)
		if err != nil {
			if err := w.st.MarkFailed(ctx, it.ID, "cannot prepare the task: "+err.Error(), w.clock.Now(), true); err != nil {
				return err
			}
			continue
		}
		ct := CRMTask(stask)
		if f, ok := w.a.(crm.TaskFinder); ok && unknown(it) {
			// An earlier attempt may have created it: look before creating.
			found, err := f.FindTasks(ctx, []crm.Task{ct})
			if err != nil {
				if err := w.requestFailed(ctx, []store.OutboxItem{it}, err, false); err != nil {
					return err
				}
				return nil // back to Drain, which waits for the backoff
			}
			if rid := found[ct.ID]; rid != "" {
				if err := w.synced(ctx, it, rid, p); err != nil {
					return err
				}
				w.log.Info("task found at the CRM, not created again", "task", it.RefID, "remote", rid)
				continue
			}
		}
		if err := w.st.MarkInFlight(ctx, it.ID); err != nil {
			return err
		}
		rid, err := w.a.CreateTask(ctx, ct)
		switch {
		case err == nil:
			w.resetBackoff()
			if err := w.synced(ctx, it, rid, p); err != nil {
				return err
			}
		case errors.Is(err, crm.ErrRejected):
			if err := w.itemFailed(ctx, it, err); err != nil {
				return err
			}
		default:
			// Including an unreadable answer: the task may exist, so it is
			// looked up (crm.TaskFinder) before it is sent again.
			if err := w.requestFailed(ctx, []store.OutboxItem{it}, err, true); err != nil {
				return err
			}
			return nil // back to Drain, which waits for the backoff
		}
	}
	return nil
}

// callPending reports whether a call still waits to be synced to this CRM,
// and until when a task following it should wait.
func (w *Worker) callPending(ctx context.Context, callID string) (bool, time.Time, error) {
	rec, err := w.st.Call(ctx, callID)
	if errors.Is(err, store.ErrNotFound) {
		return false, time.Time{}, nil
	}
	if err != nil {
		return false, time.Time{}, err
	}
	for _, s := range rec.Sync {
		if s.Vendor == w.sv && s.State == store.OutboxPending {
			until := w.clock.Now().Add(w.minBackoff)
			w.mu.Lock()
			if w.callsUntil.After(until) {
				until = w.callsUntil
			}
			w.mu.Unlock()
			return true, until, nil
		}
	}
	return false, time.Time{}, nil
}

func (w *Worker) synced(ctx context.Context, it store.OutboxItem, remoteID string, p *Progress) error {
	if err := w.st.MarkSynced(context.WithoutCancel(ctx), it.ID, remoteID); err != nil {
		return err
	}
	p.Done++
	w.mu.Lock()
	w.status.LastPush = w.clock.Now()
	w.mu.Unlock()
	return nil
}

// itemFailed handles the CRM's answer for one record of a request that
// succeeded as a whole.
func (w *Worker) itemFailed(ctx context.Context, it store.OutboxItem, err error) error {
	if crm.Retryable(err) || errors.Is(err, crm.ErrAuth) || errors.Is(err, crm.ErrForbidden) {
		return w.requestFailed(ctx, []store.OutboxItem{it}, err, errors.Is(err, crm.ErrTransient))
	}
	w.log.Warn("record failed", "kind", it.Kind, "id", it.RefID, "err", err)
	return w.st.MarkFailed(context.WithoutCancel(ctx), it.ID, err.Error(), w.clock.Now(), true)
}

// requestFailed handles a request that failed as a whole. sent is true when
// the CRM may have processed it (the result is unknown). It returns an
// error only when Drain must stop (paused, reconnect, cancelled).
func (w *Worker) requestFailed(ctx context.Context, items []store.OutboxItem, err error, sent bool) error {
	now := w.clock.Now()
	bg := context.WithoutCancel(ctx)
	mark := func(reason string, next time.Time, unknownResult bool) error {
		w.holdCalls(items, next)
		for _, it := range items {
			r := reason
			if unknownResult || unknown(it) {
				r = UnknownResultPrefix + reason
			}
			if e := w.st.MarkFailed(bg, it.ID, r, next, false); e != nil {
				return e
			}
		}
		return nil
	}
	var rl *crm.RateLimitError
	switch {
	case errors.As(err, &rl):
		wait := rl.RetryAfter
		if rl.Daily {
			if wait <= 0 {
				wait = time.Hour
			}
			until := now.Add(wait)
			reason := "the CRM's daily API limit is used up; sync resumes at " + until.Format(time.RFC3339)
			if e := mark(reason, until, false); e != nil {
				return e
			}
			w.setState(ctx, StatePaused, reason, until)
			return fmt.Errorf("%w until %s: %w", ErrPaused, until.Format(time.RFC3339), err)
		}
		if wait <= 0 {
			wait = w.backoff()
		}
		w.log.Info("rate limited", "wait", wait)
		if e := mark("rate limited: "+err.Error(), now.Add(wait), false); e != nil {
			return e
		}
		w.setState(ctx, StateBackoff, "rate limited", now.Add(wait))
		return nil
	case errors.Is(err, crm.ErrAuth), errors.Is(err, crm.ErrForbidden):
		reason := "reconnect your CRM: " + err.Error()
		if errors.Is(err, crm.ErrForbidden) {
			reason = "the CRM token lacks a permission, reconnect your CRM: " + err.Error()
		}
		if e := mark(reason, now, false); e != nil {
			return e
		}
		w.setState(ctx, StateReconnect, reason, time.Time{})
		return err
	case ctx.Err() != nil:
		if e := mark("interrupted: "+ctx.Err().Error(), now, sent); e != nil {
			return e
		}
		return ctx.Err()
	case sent && !crm.Retryable(err) && !errors.Is(err, crm.ErrBadResponse) && !errors.Is(err, context.DeadlineExceeded):
		// The CRM refused the request (e.g. a 400 for a lone call): a
		// person must look at it.
		for _, it := range items {
			w.log.Warn("record failed", "kind", it.Kind, "id", it.RefID, "err", err)
			if e := w.st.MarkFailed(bg, it.ID, err.Error(), now, true); e != nil {
				return e
			}
		}
		return nil
	case errors.Is(err, crm.ErrBadResponse) && sent:
		d := max(w.backoff(), w.checkDelay)
		for _, it := range items {
			if it.Attempts+1 >= maxBadResponses {
				if e := w.st.MarkFailed(bg, it.ID, err.Error(), now, true); e != nil {
					return e
				}
				continue
			}
			w.holdCalls(items, now.Add(d))
			if e := w.st.MarkFailed(bg, it.ID, UnknownResultPrefix+err.Error(), now.Add(d), false); e != nil {
				return e
			}
		}
		w.setState(ctx, StateBackoff, err.Error(), now.Add(d))
		return nil
	case !sent && !crm.Retryable(err):
		// A lookup that cannot be used (bad body): try again later.
		fallthrough
	default:
		d := w.backoff()
		if sent {
			d = max(d, w.checkDelay)
		}
		w.log.Info("temporary failure", "err", err, "wait", d, "n", len(items))
		if e := mark(err.Error(), now.Add(d), sent); e != nil {
			return e
		}
		w.setState(ctx, StateBackoff, err.Error(), now.Add(d))
		return nil
	}
}

// holdCalls remembers until when call items wait, so that tasks waiting
// for their calls are not polled in between.
func (w *Worker) holdCalls(items []store.OutboxItem, until time.Time) {
	if len(items) == 0 || items[0].Kind != store.KindCall {
		return
	}
	w.mu.Lock()
	if until.After(w.callsUntil) {
		w.callsUntil = until
	}
	w.mu.Unlock()
}

package dialer

import (
	"context"
	"fmt"
	"time"

	"github.com/pitchline/pitchline/softphone/store"
)

// This file holds the rep's controls as run on the session's goroutine,
// and the events and status the session publishes.

// ---- controls (on the loop goroutine) ----

func (r *runState) dialPreview() error {
	if r.state != StateReady || r.preview < 0 {
		return fmt.Errorf("%w: there is no contact to dial (session %s)", ErrInvalidState, r.state)
	}
	idx := r.preview
	r.preview = -1
	p, ok := r.clear(idx) // the clock may have moved since the card came up
	if !ok {
		r.advance()
		return nil
	}
	r.dial(p, 1)
	if len(r.lines) > 0 {
		r.transition(StateDialing, Event{Index: idx})
		return nil
	}
	r.advance()
	return nil
}

func (r *runState) skipNow() error {
	switch {
	case r.state == StateReady && r.preview >= 0:
		idx := r.preview
		r.preview = -1
		n := ""
		if ns := r.s.list.Contacts[idx].Numbers; len(ns) > 0 {
			n = ns[0].Key
		}
		r.skip(idx, n, ReasonRep, "Skipped by the rep.", time.Time{})
		r.advance()
		return nil
	case r.state == StateDialing && r.connected == nil:
		for l := range r.lines {
			if !l.answered {
				l.repSkip = true
				l.cancel()
			}
		}
		return nil
	}
	return fmt.Errorf("%w: nothing to skip (session %s)", ErrInvalidState, r.state)
}

func (r *runState) hangup() error {
	if r.connected == nil {
		return fmt.Errorf("%w: no call to hang up", ErrInvalidState)
	}
	r.connected.cancel() // BYE
	return nil
}

func (r *runState) saveOutcome(label, notes string) error {
	if label == "" {
		return fmt.Errorf("%w: an outcome needs a label", ErrInvalidSettings)
	}
	if r.lastTalk == 0 || (r.outcomeSaved && !r.needOutcome && r.connected == nil) {
		return fmt.Errorf("%w: no call waits for an outcome", ErrInvalidState)
	}
	if err := r.s.st.FinishDialerAttempt(context.WithoutCancel(r.ctx), store.DialerAttempt{ID: r.lastTalk, Outcome: label,
		Message: notes}, "", ""); err != nil {
		return fmt.Errorf("dialer: save outcome: %w", err)
	}
	r.outcomeSaved = true
	r.contacts[r.lastTalkIdx].lastOutcome = label
	if r.connected != nil && r.connected.attemptID == r.lastTalk {
		r.connected.outcome = label
	}
	c := r.s.list.Contacts[r.lastTalkIdx]
	r.s.emit(Event{Kind: EventOutcomeSaved, Index: r.lastTalkIdx, Contact: c.Name, Outcome: label})
	if r.needOutcome {
		r.needOutcome = false
		r.startWrap()
		if r.wrap == nil {
			r.advance()
		} else {
			r.transition(StateWrapUp, Event{})
		}
	}
	return nil
}

func (r *runState) pause() error {
	if r.state.Terminal() {
		return fmt.Errorf("%w: the session is over", ErrInvalidState)
	}
	switch r.state {
	case StateDialing, StateConnected:
		r.pauseReq = true
	case StatePaused:
	default:
		r.paused = true
		if !r.needOutcome && r.wrap == nil {
			if r.preview >= 0 {
				r.preview = -1
			}
			r.transition(StatePaused, Event{})
		}
	}
	r.s.publishStatus()
	return nil
}

func (r *runState) resume() error {
	if r.state.Terminal() {
		return fmt.Errorf("%w: the session is over", ErrInvalidState)
	}
	r.paused, r.pauseReq = false, false
	if r.state == StatePaused {
		r.advance()
	}
	r.s.publishStatus()
	return nil
}

func (r *runState) stop() {
	if r.state.Terminal() {
		return
	}
	r.stopping = true
	r.needOutcome = false
	if r.wrap != nil {
		r.wrap.Stop()
		r.wrap, r.wrapC = nil, nil
	}
	for l := range r.lines {
		if !l.answered {
			l.canceledByUs = true
		}
		l.cancel()
	}
	if len(r.lines) == 0 {
		r.connected = nil
		r.transition(StateStopped, Event{})
	}
}

// ---- status and events ----

func (s *Session) emit(ev Event) {
	ev.Session = s.id
	if ev.At.IsZero() {
		ev.At = time.Now()
	}
	if ev.State == "" && s.r != nil {
		ev.State = s.r.state
	}
	if ev.Total == 0 && s.r != nil {
		ev.Total = len(s.r.contacts)
	}
	s.publishStatus()
	s.bus.publish(ev)
}

// publishStatus refreshes the copy Snapshot returns (loop goroutine).
func (s *Session) publishStatus() {
	r := s.r
	if r == nil {
		return
	}
	st := Status{ID: s.id, Name: s.cfg.name, ListID: s.list.ID, ListName: s.list.Name, State: r.state, Mode: s.list.Settings.Mode,
		Lines: r.nLines, Counters: r.counters, Done: r.doneCount(), Total: len(r.contacts), NeedOutcome: r.needOutcome,
		Skips: append([]Skip(nil), r.skips...), Paused: r.paused || r.pauseReq || r.state == StatePaused}
	card := func(idx int, n Number) Card {
		c := s.list.Contacts[idx]
		cd := Card{Index: idx, Contact: c, Number: n, Attempts: r.contacts[idx].tried, LastResult: r.contacts[idx].lastResult,
			LastOutcome: r.contacts[idx].lastOutcome}
		zones, _ := contactZones(c, n, s.cfg.rep)
		cd.LocalTime = s.cfg.clock().In(zones[0])
		for _, z := range zones {
			cd.Zones = append(cd.Zones, z.String())
		}
		return cd
	}
	switch {
	case r.connected != nil:
		c := card(r.connected.idx, r.connected.number)
		st.Current = &c
	case r.preview >= 0:
		var n Number
		if ns := s.list.Contacts[r.preview].Numbers; len(ns) > 0 {
			n = ns[0]
		}
		c := card(r.preview, n)
		st.Current = &c
	}
	for l := range r.lines {
		if !l.connected {
			st.Ringing = append(st.Ringing, card(l.idx, l.number))
		}
	}
	for i := range r.contacts {
		c := &r.contacts[i]
		if !c.done && !c.retryAt.IsZero() {
			st.RetriesPending++
			if st.NextRetry.IsZero() || c.retryAt.Before(st.NextRetry) {
				st.NextRetry = c.retryAt
			}
		}
	}
	s.mu.Lock()
	s.status = st
	s.mu.Unlock()
}

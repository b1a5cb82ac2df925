package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/pitchline/pitchline/softphone"
)

// dtmfDelay is how long after the answer --dtmf digits are sent.
const dtmfDelay = time.Second

// scripted tracks one call driven by the script flags.
type scripted struct {
	call     *softphone.Call
	answered bool
	timers   []*time.Timer
	failed   error
	consult  *softphone.Call // attended transfer: the consultation call
}

// runner drives calls from the event loop. Script actions run on timers
// that post closures to the loop, so every call action happens in order.
type runner struct {
	s       *session
	o       *options
	calls   map[string]*scripted
	actions chan func()
}

func newRunner(s *session, o *options) *runner {
	return &runner{s: s, o: o, calls: make(map[string]*scripted), actions: make(chan func(), 16)}
}

func (r *runner) after(sc *scripted, d time.Duration, fn func()) {
	sc.timers = append(sc.timers, time.AfterFunc(d, func() { r.actions <- fn }))
}

// onAnswered schedules the script for a call that just connected.
func (r *runner) onAnswered(sc *scripted) {
	o, c := r.o, sc.call
	if o.dtmf != "" {
		r.after(sc, dtmfDelay, func() {
			if err := c.SendDTMF(o.dtmf); err != nil {
				sc.failed = fmt.Errorf("dtmf: %w", err)
			}
		})
	}
	if o.holdAfter > 0 {
		r.after(sc, o.holdAfter, func() {
			if err := c.Hold(); err != nil {
				sc.failed = fmt.Errorf("hold: %w", err)
			}
		})
	}
	if o.resumeAfter > 0 {
		r.after(sc, o.resumeAfter, func() {
			if err := c.Resume(); err != nil {
				sc.failed = fmt.Errorf("resume: %w", err)
			}
		})
	}
	if o.transferTo != "" {
		r.after(sc, o.transferAfter, func() {
			if err := c.Transfer(o.transferTo); err != nil {
				sc.failed = fmt.Errorf("transfer: %w", err)
			}
		})
	}
	if o.consult != "" {
		r.after(sc, o.consultAfter, func() {
			cc, err := c.Consult(r.s.ctx, o.consult)
			if err != nil {
				sc.failed = fmt.Errorf("consult: %w", err)
				return
			}
			sc.consult = cc
			r.s.out.emit("consult", line{"call_id": c.ID(), "consult_id": cc.ID(), "target": o.consult})
		})
		if o.completeAfter > 0 {
			r.after(sc, o.completeAfter, func() {
				if sc.consult == nil {
					return
				}
				if err := c.CompleteTransfer(sc.consult); err != nil {
					sc.failed = fmt.Errorf("complete transfer: %w", err)
				}
			})
		}
		if o.cancelAfter > 0 {
			r.after(sc, o.cancelAfter, func() {
				if sc.consult == nil {
					return
				}
				if err := c.CancelConsult(sc.consult); err != nil {
					sc.failed = fmt.Errorf("cancel consult: %w", err)
				}
			})
		}
	}
	for _, v := range o.monitorSwitch {
		role, d, _ := parseMonitorSwitch(v) // checked by validate
		r.after(sc, d, func() {
			if err := c.SetMonitorRole(role); err != nil {
				sc.failed = fmt.Errorf("monitor role %s: %w", role, err)
				return
			}
			r.s.out.emit("monitor_changed", line{"call_id": c.ID(), "role": string(role)})
		})
	}
	if o.hangupAfter > 0 {
		r.after(sc, o.hangupAfter, func() { _ = c.Hangup() })
	}
}

func (r *runner) stopTimers(sc *scripted) {
	for _, t := range sc.timers {
		t.Stop()
	}
}

// step handles one event; it returns the ended call's result when a
// tracked call ends.
func (r *runner) step(ev softphone.Event) (ended *scripted, endEv softphone.CallEvent) {
	r.s.out.translate(ev)
	ce, ok := ev.(softphone.CallEvent)
	if !ok {
		return nil, ce
	}
	sc := r.calls[ce.CallID]
	if sc == nil {
		return nil, ce
	}
	switch ce.State {
	case softphone.CallConnected:
		if !sc.answered {
			sc.answered = true
			r.s.out.emit("answered", line{"call_id": ce.CallID, "remote": ce.Remote})
			r.onAnswered(sc)
		}
	case softphone.CallEnded:
		r.stopTimers(sc)
		delete(r.calls, ce.CallID)
		return sc, ce
	}
	return nil, ce
}

func runCall(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlagSet("call", &o, stderr, false)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: call needs exactly one TARGET (a number, user, or sip:/tel: URI)", ErrUsage)
	}
	if err := o.validate(false); err != nil {
		return err
	}
	s, err := start(&o, stdout, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	var dopts []softphone.DialOption
	if o.monitor != "" {
		dopts = append(dopts, softphone.WithMonitor(softphone.Role(o.monitor)))
	}
	call, err := s.phone.Dial(s.ctx, pos[0], dopts...)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCallFailed, err)
	}
	r := newRunner(s, &o)
	r.calls[call.ID()] = &scripted{call: call}
	for {
		select {
		case fn := <-r.actions:
			fn()
		case ev, ok := <-s.events:
			if !ok {
				return fmt.Errorf("%w: phone closed", ErrCallFailed)
			}
			sc, ce := r.step(ev)
			if sc == nil {
				continue
			}
			return callResult(sc, ce)
		}
	}
}

// callResult decides the exit status of a scripted call: it must have
// been answered and must not have failed a scripted step.
func callResult(sc *scripted, ce softphone.CallEvent) error {
	if sc.failed != nil {
		return fmt.Errorf("%w: %v", ErrCallFailed, sc.failed)
	}
	if !sc.answered {
		reason := string(ce.Cause)
		if ce.Status != 0 {
			reason = fmt.Sprintf("%s (%d %s)", ce.Cause, ce.Status, ce.Reason)
		}
		return fmt.Errorf("%w: %s", ErrCallFailed, reason)
	}
	switch ce.Cause {
	case softphone.CauseLocalHangup, softphone.CauseRemoteHangup, softphone.CauseTransferred:
		return nil
	default:
		return fmt.Errorf("%w: ended with %s %s", ErrCallFailed, ce.Cause, ce.Reason)
	}
}

func runAnswer(args []string, stdout, stderr io.Writer) error {
	var o options
	fs := newFlagSet("answer", &o, stderr, true)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: answer takes no arguments", ErrUsage)
	}
	if err := o.validate(true); err != nil {
		return err
	}
	s, err := start(&o, stdout, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	s.out.emit("ready", line{"listen": s.phone.LocalAddr()})
	r := newRunner(s, &o)
	done := 0
	for {
		select {
		case <-s.ctx.Done():
			return nil
		case fn := <-r.actions:
			fn()
		case ev, ok := <-s.events:
			if !ok {
				return nil
			}
			if ce, isCall := ev.(softphone.CallEvent); isCall && ce.State == softphone.CallIncoming {
				call, err := s.phone.Call(ce.CallID)
				if err == nil {
					sc := &scripted{call: call}
					r.calls[ce.CallID] = sc
					r.scheduleAnswer(sc)
				}
			}
			if sc, _ := r.step(ev); sc != nil {
				done++
				if o.maxCalls > 0 && done >= o.maxCalls {
					return nil
				}
			}
		}
	}
}

// scheduleAnswer answers or rejects an incoming call after --ring-for.
func (r *runner) scheduleAnswer(sc *scripted) {
	act := func() {
		var err error
		switch r.o.reject {
		case "busy":
			err = sc.call.Reject(true)
		case "decline":
			err = sc.call.Reject(false)
		default:
			err = sc.call.Answer()
		}
		if err != nil {
			sc.failed = err
		}
	}
	if r.o.ringFor <= 0 {
		act()
		return
	}
	r.after(sc, r.o.ringFor, act)
}

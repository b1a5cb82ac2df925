package app

import (
	"fmt"
	"sync"

	"github.com/pitchline/pitchline/softphone/dialer"
)

// This file binds the dialer's session runner (dialer.Session) to the
// window: one session at a time works through a list on the default
// account's phone; every session event is sent as EvDialer with the
// session's status and the preview card of its current contact. The
// session decides what to dial; this file only translates.

// DialerCounters are a session's totals.
type DialerCounters struct {
	Dialled   int `json:"dialled"`
	Connected int `json:"connected"`
	Voicemail int `json:"voicemail"`
	NoAnswer  int `json:"noAnswer"`
	Busy      int `json:"busy"`
	Abandoned int `json:"abandoned"`
	Skipped   int `json:"skipped"`
}

// DialerSkipView is one skipped contact and why.
type DialerSkipView struct {
	// Index is the contact's place in the list (0-based).
	Index int `json:"index"`
	// Contact is the contact's name.
	Contact string `json:"contact"`
	// Number is the number that was not dialled.
	Number string `json:"number"`
	// Reason is dnc, calling_hours, retry_cap, invalid_number or rep (the
	// rep skipped).
	Reason string `json:"reason"`
	// Message is one sentence for the rep.
	Message string `json:"message"`
	// LocalTime is the contact's local time then, "HH:MM" ("" if none).
	LocalTime string `json:"localTime"`
}

// DialerSessionView is the running (or last) session.
type DialerSessionView struct {
	// Active is false when no session was started since the app started.
	Active bool `json:"active"`
	// Seq orders the views of a run: a higher Seq is a later status
	// (replies and events may arrive in either order).
	Seq int64 `json:"seq"`
	// ID, ListID and ListName identify the session and its list.
	ID string `json:"id"`
	// ListID is the list worked through.
	ListID string `json:"listId"`
	// ListName is the list's name.
	ListName string `json:"listName"`
	// State is idle, ready, dialing, connected, wrap_up, paused, done or
	// stopped.
	State string `json:"state"`
	// Mode is preview, power or parallel; Lines the lines in use.
	Mode string `json:"mode"`
	// Lines is the number of lines in use (the governor may lower it).
	Lines int `json:"lines"`
	// Counters are the session's totals.
	Counters DialerCounters `json:"counters"`
	// Done and Total are the progress ("23 of 120").
	Done int `json:"done"`
	// Total counts the list's contacts.
	Total int `json:"total"`
	// Current is the preview card of the contact shown or on the line
	// (nil when none).
	Current *DialerPreview `json:"current"`
	// NeedOutcome is set while the next dial waits for the outcome form.
	NeedOutcome bool `json:"needOutcome"`
	// Paused is set while paused (or pausing once the call ends).
	Paused bool `json:"paused"`
	// RetriesPending counts contacts waiting for a retry.
	RetriesPending int `json:"retriesPending"`
	// Skips are the contacts skipped, with their reasons.
	Skips []DialerSkipView `json:"skips"`
	// Error is set when the session ended early on an error.
	Error *ErrorPayload `json:"error"`
}

// dialerRuntime is the core's running session, if any.
type dialerRuntime struct {
	mu  sync.Mutex
	s   *dialer.Session
	eng *dialer.PhoneEngine

	// snap orders status snapshots: seq grows with every one, so the UI
	// keeps the newest whether a reply or an event arrives last.
	snap sync.Mutex
	seq  int64
}

func (r *dialerRuntime) session() *dialer.Session {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.s
}

// StartSession starts working through list id on the default account's
// phone, with the list's settings, the DNC list and "Require an outcome".
// Only one session runs at a time.
func (s *DialerService) StartSession(id string) (DialerSessionView, error) {
	c := s.c
	st, err := c.storeOrErr()
	if err != nil {
		return DialerSessionView{}, err
	}
	rt := &c.dialer
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.s != nil {
		select {
		case <-rt.s.Done():
		default:
			return DialerSessionView{}, fmt.Errorf("%w: a session is running on %q; stop it first", ErrInvalidArgument, rt.s.Snapshot().ListName)
		}
	}
	l, err := dialer.LoadList(c.ctx, st, id)
	if err != nil {
		return DialerSessionView{}, err
	}
	p, err := c.getPhone()
	if err != nil {
		return DialerSessionView{}, err
	}
	dnc, err := s.dnc()
	if err != nil {
		return DialerSessionView{}, err
	}
	eng, err := dialer.NewPhoneEngine(p)
	if err != nil {
		return DialerSessionView{}, err
	}
	sopts := []dialer.SessionOption{dialer.WithDNCList(dnc), dialer.WithSessionClock(c.cfg.now),
		dialer.WithRequireOutcome(c.requireOutcome()), dialer.WithSessionLogger(c.log.With("component", "dialer-session"))}
	if err := apologyPrompt(l, &sopts); err != nil { // dialer_voicemail.go
		_ = eng.Close()
		return DialerSessionView{}, err
	}
	amd, err := voicemailDrop(c, l, &sopts) // dialer_voicemail.go
	if err != nil {
		_ = eng.Close()
		return DialerSessionView{}, err
	}
	sess, err := dialer.NewSession(c.ctx, st, eng, l, sopts...)
	if err != nil {
		_ = eng.Close()
		amd.Close()
		return DialerSessionView{}, err
	}
	events, unsub := sess.Subscribe()
	if err := sess.Start(c.ctx); err != nil {
		unsub()
		_ = sess.Close()
		_ = eng.Close()
		amd.Close()
		return DialerSessionView{}, err
	}
	if err := c.hold(); err != nil {
		unsub()
		_ = sess.Close()
		_ = eng.Close()
		amd.Close()
		return DialerSessionView{}, err
	}
	rt.s, rt.eng = sess, eng
	go func() {
		defer c.wg.Done()
		defer unsub()
		for {
			select {
			case _, ok := <-events:
				if !ok {
					return
				}
				s.emitSession(sess)
			case <-sess.Done():
				_ = sess.Close()
				_ = eng.Close()
				amd.Close()
				s.emitSession(sess)
				return
			}
		}
	}()
	return s.sessionView(sess), nil
}

// emitSession sends sess's status, unless a newer session has replaced it
// (a stopped session's last event must not cover the new one's).
func (s *DialerService) emitSession(sess *dialer.Session) {
	if s.c.dialer.session() != sess {
		return
	}
	emit(s.c.out, EvDialer, s.sessionView(sess))
}

// Session returns the running (or last) session's status.
func (s *DialerService) Session() (DialerSessionView, error) {
	sess := s.c.dialer.session()
	if sess == nil {
		return DialerSessionView{Skips: []DialerSkipView{}}, nil
	}
	return s.sessionView(sess), nil
}

// SessionDial dials the contact shown in preview mode (the session checks
// compliance first).
func (s *DialerService) SessionDial() (DialerSessionView, error) {
	return s.sessionDo((*dialer.Session).Dial)
}

// SessionSkip skips the contact shown (or ringing), logged with reason
// "rep".
func (s *DialerService) SessionSkip() (DialerSessionView, error) {
	return s.sessionDo((*dialer.Session).Skip)
}

// SessionPause stops dialling (a call in progress goes on).
func (s *DialerService) SessionPause() (DialerSessionView, error) {
	return s.sessionDo((*dialer.Session).Pause)
}

// SessionResume undoes SessionPause.
func (s *DialerService) SessionResume() (DialerSessionView, error) {
	return s.sessionDo((*dialer.Session).Resume)
}

// SessionStop ends the session's run (ringing lines are cancelled, a
// connected call is hung up).
func (s *DialerService) SessionStop() (DialerSessionView, error) {
	return s.sessionDo((*dialer.Session).Stop)
}

func (s *DialerService) sessionDo(fn func(*dialer.Session) error) (DialerSessionView, error) {
	sess := s.c.dialer.session()
	if sess == nil {
		return DialerSessionView{}, fmt.Errorf("%w: no dialer session is running; start one first", ErrInvalidArgument)
	}
	if err := fn(sess); err != nil {
		return s.sessionView(sess), err
	}
	return s.sessionView(sess), nil
}

// outcomeSaved hands a saved post-call form to the session when it waits
// for one ("Require an outcome").
func (c *core) dialerOutcome(label, notes string) {
	sess := c.dialer.session()
	if sess == nil || !sess.Snapshot().NeedOutcome {
		return
	}
	if err := sess.SaveOutcome(label, notes); err != nil {
		c.log.Warn("dialer session: outcome not taken", "err", err)
	}
}

// sessionView translates a session's status, with the preview card of its
// current contact.
func (s *DialerService) sessionView(sess *dialer.Session) DialerSessionView {
	rt := &s.c.dialer
	rt.snap.Lock()
	rt.seq++
	seq := rt.seq
	st := sess.Snapshot()
	rt.snap.Unlock()
	k := st.Counters
	v := DialerSessionView{Active: true, Seq: seq, ID: st.ID, ListID: st.ListID, ListName: st.ListName, State: string(st.State),
		Mode: string(st.Mode), Lines: st.Lines, Done: st.Done, Total: st.Total, NeedOutcome: st.NeedOutcome, Paused: st.Paused,
		RetriesPending: st.RetriesPending, Skips: make([]DialerSkipView, len(st.Skips)),
		Counters: DialerCounters{Dialled: k.Dialled, Connected: k.Connected, Voicemail: k.Voicemail, NoAnswer: k.NoAnswer,
			Busy: k.Busy, Abandoned: k.Abandoned, Skipped: k.Skipped}}
	for i, sk := range st.Skips {
		v.Skips[i] = DialerSkipView{Index: sk.Index, Contact: sk.Contact, Number: sk.Number, Reason: string(sk.Reason), Message: sk.Message}
		if !sk.LocalTime.IsZero() {
			v.Skips[i].LocalTime = sk.LocalTime.Format("15:04")
		}
	}
	if err := sess.Err(); err != nil {
		p := classifyError(err)
		v.Error = &p
	}
	if st.Current != nil {
		if p, err := s.Preview(st.ListID, st.Current.Index); err == nil {
			if st.Current.LastOutcome != "" {
				p.LastOutcome = st.Current.LastOutcome
			}
			v.Current = &p
		}
	}
	return v
}

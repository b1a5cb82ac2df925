package softphone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/softphone/media"
)

// Monitor requests: a team lead's Pitchline calls a rep's Pitchline to
// listen to, whisper into or barge into the rep's current call, with no
// contact-centre platform in between.
//
// The signal is a header on the INVITE:
//
//	X-Pitchline-Monitor: listen | whisper | barge
//
// A header rather than a Request-URI parameter (;monitor=listen) because
// the Request-URI is rewritten by the registrar's proxy when it routes to
// the rep's contact (RFC 3261 §16.5), which drops the lead's parameters,
// while proxies forward unknown headers unchanged (RFC 3261 §16.6 step 1;
// Kamailio does). The role change mid-call goes in an INFO on the same
// dialog carrying the same header (no body): the media does not change,
// so a re-INVITE's offer/answer would be ceremony, and the INFO's final
// response tells the lead at once whether the new role is in force
// (RFC 6086 carries the method).
//
// The rep's phone accepts a monitor INVITE only when its From address is
// one of Config.Leads (compared by user and host: the registrar
// authenticates the From user, RFC 3261 §22), the role is one of the
// three, and the rep has an answered call; it then answers at once (it
// never rings) and adds the lead's leg to that call with the role. Any
// other monitor INVITE gets 403 Forbidden and a BlockedEvent with
// Monitor set, as the scanner shield refuses an unknown caller. The lead leaves with BYE; the
// call goes on. When the rep's last other participant leaves, the lead's
// leg is hung up too.

// MonitorHeader is the SIP header carrying a monitor request's role.
const MonitorHeader = "X-Pitchline-Monitor"

// MonitorEvent reports a team lead's monitoring of a call on the rep's
// phone: it started, its role changed, or it ended.
type MonitorEvent struct {
	CallID string `json:"callId"`
	LegID  string `json:"legId"`
	Lead   string `json:"lead"`
	Role   Role   `json:"role"`
	// State is "started", "changed" or "ended".
	State string    `json:"state"`
	At    time.Time `json:"at"`
}

// EventName implements Event.
func (MonitorEvent) EventName() string { return "monitor" }

// ParseMonitorRole reads a monitor role as sent in MonitorHeader:
// listen, whisper or barge (case-insensitive, surrounding blanks
// ignored).
func ParseMonitorRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	switch r {
	case RoleListen, RoleWhisper, RoleBarge:
		return r, nil
	}
	return "", fmt.Errorf("%w: monitor role %q (use listen, whisper or barge)", ErrBadConfig, s)
}

// WithMonitor makes the call a team lead's monitor request with role
// (listen, whisper or barge) to a rep's Pitchline, which adds the lead
// to its current call (see MonitorHeader).
func WithMonitor(role Role) DialOption {
	return func(o *dialOptions) error {
		r, err := ParseMonitorRole(string(role))
		if err != nil {
			return err
		}
		o.monitor = r
		o.localRingback = false
		return nil
	}
}

// parseLeads parses Config.Leads.
func parseLeads(list []string) ([]sip.Uri, error) {
	var out []sip.Uri
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		t := strings.TrimSuffix(strings.TrimPrefix(s, "<"), ">")
		if !strings.HasPrefix(strings.ToLower(t), "sip:") && !strings.HasPrefix(strings.ToLower(t), "sips:") {
			t = "sip:" + t
		}
		var u sip.Uri
		if err := sip.ParseUri(t, &u); err != nil || u.User == "" || u.Host == "" {
			return nil, fmt.Errorf("%w: team lead %q is not a SIP address (sip:user@host)", ErrBadConfig, s)
		}
		out = append(out, u)
	}
	return out, nil
}

// SetLeads replaces Config.Leads on a running phone (the rep edited the
// list in the settings): monitor requests are checked against the new list
// from the next INVITE on; leads already in a call stay. A bad address
// leaves the list as it was and wraps ErrBadConfig.
func (p *Phone) SetLeads(list []string) error {
	leads, err := parseLeads(list)
	if err != nil {
		return err
	}
	if !p.q.do(func() { p.acct.leads = leads }) {
		return ErrClosed
	}
	return nil
}

// isLead reports whether from is a configured team lead (queue only).
func (p *Phone) isLead(from sip.Uri) bool {
	for _, u := range p.acct.leads {
		if strings.EqualFold(u.User, from.User) && strings.EqualFold(u.Host, from.Host) {
			return true
		}
	}
	return false
}

// monitoredCall returns the rep's current call (queue only): the
// answered call that is connected (not held), or nil.
func (p *Phone) monitoredCall() *Call {
	var best *Call
	for _, c := range p.calls {
		if c.state != CallConnected && c.state != CallRemoteHeld {
			continue
		}
		if c.answered.IsZero() || len(c.legs) >= p.maxLegs() {
			continue
		}
		if best == nil || c.answered.After(best.answered) {
			best = c
		}
	}
	return best
}

// onlyMonitors reports whether every leg left in the call is a team
// lead's monitor leg (queue only).
func (c *Call) onlyMonitors() bool {
	if len(c.legs) == 0 {
		return false
	}
	for _, l := range c.legs {
		sl, ok := l.(*sipLeg)
		if !ok || sl.monitorLead == "" {
			return false
		}
	}
	return true
}

// refuseMonitor answers a monitor INVITE 403, as the scanner shield
// answers an unknown caller, and reports it.
func (p *Phone) refuseMonitor(req *sip.Request, tx sip.ServerTransaction, from, reason string) {
	n := p.blocked.Add(1)
	p.log.Info("monitor request refused", "from", from, "source", req.Source(), "reason", reason)
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	p.publish(BlockedEvent{From: from, Source: req.Source(), Reason: reason, Count: n, Monitor: true})
}

// onMonitorInvite handles an INVITE carrying MonitorHeader (after the
// scanner shield let it through).
func (p *Phone) onMonitorInvite(req *sip.Request, tx sip.ServerTransaction) {
	fromH := req.From()
	if fromH == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	from := fromH.Address
	lead := (&sip.Uri{Scheme: "sip", User: from.User, Host: from.Host}).String()
	role, err := ParseMonitorRole(req.GetHeader(MonitorHeader).Value())
	isLead := false
	p.q.do(func() { isLead = p.isLead(from) })
	switch {
	case !isLead:
		p.refuseMonitor(req, tx, lead, "monitor request from "+lead+", which is not a configured team lead")
		return
	case err != nil:
		p.refuseMonitor(req, tx, lead, "monitor request with an unknown role: "+err.Error())
		return
	case len(req.Body()) == 0:
		// A lead's phone always offers (ours does); late offers are not
		// worth the extra state here.
		p.refuseMonitor(req, tx, lead, "monitor request without an SDP offer")
		return
	}
	var c *Call
	p.q.do(func() { c = p.monitoredCall() })
	if c == nil {
		p.refuseMonitor(req, tx, lead, "monitor request from "+lead+" while no call is up")
		return
	}
	dlg, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	p.joinInvite(req, tx, dlg, c, func(l *sipLeg) {
		l.role, l.monitorLead = role, lead
	}, func(l *sipLeg) {
		p.publish(MonitorEvent{CallID: c.id, LegID: l.id, Lead: lead, Role: role, State: "started", At: time.Now()})
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			<-l.done
			p.q.enqueue(func() {
				p.publish(MonitorEvent{CallID: c.id, LegID: l.id, Lead: lead, Role: l.role, State: "ended", At: time.Now()})
			})
		}()
	})
}

// joinInvite answers an inbound INVITE at once (it never rings) with a
// new leg in the existing call c: a lead's monitor leg, or the leg that
// replaces another (RFC 3891). setup runs on the queue before the offer
// is processed; answered runs on the queue once the 200 is on its way.
// It returns when the INVITE transaction is over.
func (p *Phone) joinInvite(req *sip.Request, tx sip.ServerTransaction, dlg *sipgo.DialogServerSession, c *Call, setup, answered func(l *sipLeg)) {
	from := req.From()
	var l *sipLeg
	var err error
	status, reason := 0, ""
	ok := p.q.do(func() {
		if c.state == CallEnded || len(c.legs) >= p.maxLegs() {
			status, reason = 403, "Forbidden"
			return
		}
		l, err = p.newSIPLeg(c, p.ctx, Inbound, from.Address, from.DisplayName)
		if err != nil {
			status, reason = 500, "Server Internal Error"
			return
		}
		l.server, l.invite, l.tx = dlg, req, tx
		l.sipID = req.CallID().Value()
		setup(l)
		fail := func(st int, rs string) {
			status, reason = st, rs
			c.removeLeg(l)
			l.teardown()
			c.regroup()
		}
		l.answerSDP, err = l.media.ProcessOffer(req.Body())
		if err != nil {
			if errors.Is(err, media.ErrIncompatible) {
				fail(488, "Not Acceptable Here")
			} else {
				fail(400, "Bad Request")
			}
			return
		}
		p.addLeg(l.sipID, l)
		if err = l.transition(LegIncoming); err != nil {
			fail(500, "Server Internal Error")
			return
		}
		// Answered at once: a hang-up from now on (the call's last
		// customer leaving) waits for the ACK, then sends BYE.
		if err = l.transition(LegAnswering); err != nil {
			fail(500, "Server Internal Error")
			return
		}
		if err = l.answer(); err != nil {
			return // answer sent the error response and ends the leg
		}
		answered(l)
	})
	switch {
	case !ok:
		_ = dlg.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	case status != 0:
		p.log.Info("refused INVITE", "status", status, "err", err)
		_ = dlg.Respond(status, reason, nil)
		return
	}
	<-l.inviteDone
}

// onMonitorInfo handles an INFO carrying MonitorHeader: the lead's new
// role, on the lead's monitor leg only.
func (p *Phone) onMonitorInfo(l *sipLeg, req *sip.Request, tx sip.ServerTransaction) {
	role, err := ParseMonitorRole(req.GetHeader(MonitorHeader).Value())
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Monitor Role", nil))
		return
	}
	status := 200
	p.q.do(func() {
		c := l.call
		switch {
		case l.monitorLead == "":
			status = 403 // not a monitor leg: a participant cannot make itself a lead
		case l.state == LegEnded || c == nil:
			status = 481
		case l.role != role:
			l.role = role
			c.remix()
			l.publish()
			p.publish(MonitorEvent{CallID: c.id, LegID: l.id, Lead: l.monitorLead, Role: role, State: "changed", At: time.Now()})
		}
	})
	switch status {
	case 403:
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
	case 481:
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	default:
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	}
}

// SetMonitorRole switches a team lead's monitor call (one placed with
// WithMonitor) to role, by an INFO carrying MonitorHeader; the rep's
// phone applies it from the next frame and answers 200.
func (c *Call) SetMonitorRole(role Role) error {
	r, err := ParseMonitorRole(string(role))
	if err != nil {
		return err
	}
	p := c.p
	var l *sipLeg
	var sess dialogSession
	var to sip.Uri
	if !p.q.do(func() {
		if o, ok := c.origin.(*sipLeg); ok && o.dial.monitor != "" && o.state.Talking() {
			l, sess, to = o, o.session(), o.remoteTarget()
		}
	}) {
		return ErrClosed
	}
	if l == nil {
		return fmt.Errorf("%w: not an answered monitor call", ErrInvalidState)
	}
	ctx, cancel := context.WithTimeout(c.ctx, 10*time.Second)
	defer cancel()
	req := inDialogRequest(sip.INFO, to)
	req.AppendHeader(sip.NewHeader(MonitorHeader, string(r)))
	res, err := sendInDialog(ctx, sess, p.client, digestFor(p), req)
	if err != nil {
		return fmt.Errorf("%w: monitor role change: %w", ErrInvalidState, err)
	}
	if !res.IsSuccess() {
		return fmt.Errorf("%w: monitor role change answered %d %s", ErrInvalidState, res.StatusCode, res.Reason)
	}
	p.q.do(func() { l.dial.monitor = r })
	return nil
}

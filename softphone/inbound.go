package softphone

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/softphone/media"
)

// onInvite handles every INVITE: re-INVITEs inside a dialog, and new calls
// after the scanner shield has let them through. sipgo terminates the
// transaction when this handler returns, so for a new call it waits until
// the INVITE transaction is over (answered, rejected or cancelled).
func (p *Phone) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil && to.Params.Has("tag") {
		p.onReInvite(req, tx)
		return
	}
	if reason := p.shield(req); reason != "" {
		n := p.blocked.Add(1)
		from := ""
		if f := req.From(); f != nil {
			from = f.Address.String()
		}
		p.log.Info("scanner shield blocked INVITE", "from", from, "source", req.Source(), "reason", reason)
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
		p.publish(BlockedEvent{From: from, Source: req.Source(), Reason: reason, Count: n})
		return
	}
	if req.GetHeader(MonitorHeader) != nil {
		p.onMonitorInvite(req, tx) // monitor.go
		return
	}
	if req.GetHeader("Replaces") != nil {
		p.onReplacesInvite(req, tx) // attended.go
		return
	}
	dlg, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	from := req.From()
	var c *Call
	var l *sipLeg
	var answerSDP []byte
	var status int
	var reason string
	ok := p.q.do(func() {
		c = newCall(p, p.ctx, Inbound, from.Address, from.DisplayName)
		l, err = p.newSIPLeg(c, p.ctx, Inbound, from.Address, from.DisplayName)
		if err != nil {
			status, reason = 500, "Server Internal Error"
			return
		}
		l.server, l.invite, l.tx = dlg, req, tx
		l.sipID = req.CallID().Value()
		if len(req.Body()) > 0 {
			answerSDP, err = l.media.ProcessOffer(req.Body())
			if err != nil {
				status, reason = 488, "Not Acceptable Here"
				if !errors.Is(err, media.ErrIncompatible) {
					status, reason = 400, "Bad Request"
				}
				l.teardown()
				return
			}
		}
		l.answerSDP = answerSDP
		p.addLeg(l.sipID, l)
	})
	if !ok {
		_ = dlg.Respond(sip.StatusServiceUnavailable, "Service Unavailable", nil)
		return
	}
	if status != 0 {
		p.log.Info("refused INVITE", "status", status, "err", err)
		_ = dlg.Respond(status, reason, nil)
		return
	}
	// Provisional responses go out before the call becomes visible, so a
	// quick Answer cannot race with them on the dialog.
	_ = dlg.Respond(sip.StatusTrying, "Trying", nil)
	_ = dlg.Respond(sip.StatusRinging, "Ringing", nil)

	p.q.enqueue(func() {
		p.calls[c.id] = c
		if err := l.transition(LegIncoming); err != nil {
			return
		}
		c.updateState()
		if p.dndReject(c) {
			return
		}
		if p.cfg.AutoAnswer {
			_ = c.answer()
			return
		}
		p.updateRinger()
	})

	// Watch for CANCEL (sipgo ends the dialog context) while ringing. The
	// context also ends once our own final error response (reject, DND,
	// forward) has gone out; that is not a CANCEL, and the path that sent
	// it ends the leg with its own cause and status.
	go func() {
		select {
		case <-dlg.Context().Done():
			p.q.enqueue(func() {
				if !l.finalSent && (l.state == LegIncoming || l.state == LegAnswering) {
					l.end(CauseRemoteCancel, 487, "Request Terminated")
				}
			})
		case <-l.inviteDone:
		}
	}()
	<-l.inviteDone
}

// updateRinger plays the ringtone while an inbound call rings and no other
// call is connected; with a call in progress a short call-waiting beep
// plays in the speaker instead (queue only).
func (p *Phone) updateRinger() {
	ringing, busy := false, false
	for _, c := range p.calls {
		switch c.state {
		case CallIncoming:
			ringing = true
		case CallConnected, CallRemoteHeld, CallHeld, CallDialing, CallRinging, CallAnswering:
			busy = true
		}
	}
	switch {
	case ringing && !busy:
		if err := p.audio.startRinging(p); err != nil {
			p.log.Warn("ringer", "err", err)
		}
	case ringing && busy:
		p.audio.stopRinging(p)
		if src, err := tone.NewSine(440, 0.2, busRate); err == nil {
			_, _ = p.audio.playTone("callwaiting", src, 300*time.Millisecond)
		}
	default:
		p.audio.stopRinging(p)
	}
}

// answer sends 200 OK with our SDP (queue only); the ACK arrives later.
func (l *sipLeg) answer() error {
	p := l.p
	sdp := l.answerSDP
	if sdp == nil { // late offer: we offer in the 200, the answer is in the ACK
		var err error
		sdp, err = l.media.CreateOffer()
		if err != nil {
			return err
		}
	}
	if err := l.connectAudio(); err != nil {
		l.cause, l.reason = CauseMediaError, err.Error()
		l.reject(500, "Server Internal Error")
		return err
	}
	if err := l.media.Start(); err != nil {
		l.cause, l.reason = CauseMediaError, err.Error()
		l.reject(500, "Server Internal Error")
		return err
	}
	l.startStats()
	p.updateRinger()
	dlg := l.server
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		err := dlg.RespondSDP(sdp) // blocks until the ACK
		p.q.enqueue(func() {
			defer l.inviteOnce.Do(func() { close(l.inviteDone) })
			if l.state == LegEnded {
				return
			}
			if err != nil {
				if l.byeOnAck { // hung up while answering, and no ACK came
					l.end(l.cause, 0, "")
					return
				}
				l.end(CauseFailed, 0, "answer: "+err.Error())
				return
			}
			if l.byeOnAck { // hung up while answering: now that the ACK is in
				l.bye()
				return
			}
			_ = l.transition(LegConnected)
			if l.heldLocal || l.heldRemote {
				_ = l.transition(l.holdState())
			}
			if l.call != nil {
				l.call.updateState()
			}
		})
	}()
	return nil
}

// reject sends a final error response (queue only).
func (l *sipLeg) reject(status int, reason string) {
	p := l.p
	if l.finalSent {
		return // Reject raced with a hangup or Close: one final response
	}
	l.finalSent = true
	dlg := l.server
	cause := l.cause
	if cause == "" {
		cause = CauseRejected
	}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		if err := dlg.Respond(status, reason, nil); err != nil {
			p.log.Debug("reject", "err", err)
		}
		p.q.enqueue(func() {
			l.end(cause, status, reason)
			l.inviteOnce.Do(func() { close(l.inviteDone) })
		})
	}()
}

// shield implements the scanner shield. It returns "" to accept an INVITE
// or the reason to refuse it. While registered, only the registrar or
// outbound proxy (or a configured trusted peer) may send INVITEs, and only
// to our own user.
func (p *Phone) shield(req *sip.Request) string {
	if p.cfg.ShieldOff {
		return ""
	}
	registered := false
	p.q.do(func() { registered = p.reg != nil && (p.reg.state == RegRegistered || p.reg.state == RegReconnecting) })
	src := req.Source()
	if p.trusted(src) {
		return p.checkUser(req)
	}
	if !registered {
		if p.cfg.Account.Register {
			return "not registered: INVITE refused until registration succeeds"
		}
		// Direct (peer-to-peer) mode: no registrar to trust; still check the user.
		return p.checkUser(req)
	}
	if !p.fromRegistrar(req) {
		return "source " + src + " is not the registrar or outbound proxy"
	}
	return p.checkUser(req)
}

func (p *Phone) checkUser(req *sip.Request) string {
	if !strings.EqualFold(req.Recipient.User, p.acct.aor.User) {
		return fmt.Sprintf("addressed to %q, not to our user %q", req.Recipient.User, p.acct.aor.User)
	}
	return ""
}

func (p *Phone) trusted(src string) bool {
	sap, err := netip.ParseAddrPort(src)
	if err != nil {
		return false
	}
	for _, t := range p.acct.trusted {
		if ap, err := netip.ParseAddrPort(t); err == nil && ap == sap {
			return true
		}
		if a, err := netip.ParseAddr(t); err == nil && a == sap.Addr() {
			return true
		}
	}
	return false
}

// fromRegistrar checks the transport source. Over UDP the registrar sends
// from its listening port, so IP and port must match. Over TCP/TLS the
// source port is ephemeral: the IP must match and the top Via must name
// the registrar's listening address.
func (p *Phone) fromRegistrar(req *sip.Request) bool {
	sap, err := netip.ParseAddrPort(req.Source())
	if err != nil {
		return false
	}
	for _, wap := range p.registrarAddrs() {
		if sap == wap {
			return true
		}
		if strings.EqualFold(req.Transport(), "udp") || sap.Addr() != wap.Addr() {
			continue
		}
		if via := req.Via(); via != nil {
			port := via.Port
			if port == 0 {
				port = 5060
			}
			if via.Host == wap.Addr().String() && port == int(wap.Port()) {
				return true
			}
		}
	}
	return false
}

// registrarAddrs returns the addresses of the registrar or outbound proxy.
// A host name is resolved once and cached; a failed lookup is not cached,
// so the next INVITE tries again.
func (p *Phone) registrarAddrs() []netip.AddrPort {
	p.routeMu.Lock()
	defer p.routeMu.Unlock()
	if p.routeAddrs != nil {
		return p.routeAddrs
	}
	host, portStr, err := net.SplitHostPort(p.acct.routeHost())
	if err != nil {
		return nil
	}
	port, err := strconv.Atoi(portStr)
	if err != nil {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil {
		p.routeAddrs = []netip.AddrPort{netip.AddrPortFrom(a.Unmap(), uint16(port))}
		return p.routeAddrs
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ips, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		p.log.Warn("scanner shield: cannot resolve registrar", "host", host, "err", err)
		return nil
	}
	for _, ip := range ips {
		p.routeAddrs = append(p.routeAddrs, netip.AddrPortFrom(ip.Unmap(), uint16(port)))
	}
	return p.routeAddrs
}

// Incoming returns the ringing inbound calls.
func (p *Phone) Incoming() []*Call {
	var out []*Call
	p.q.do(func() {
		for _, c := range p.calls {
			if c.state == CallIncoming {
				out = append(out, c)
			}
		}
	})
	return out
}

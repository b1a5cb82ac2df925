package softphone

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/emiago/sipgo/sip"
)

// refer sends a blind-transfer REFER (RFC 3515) on the leg's dialog. The
// outcome arrives in NOTIFYs with message/sipfrag bodies (onNotify).
func (l *sipLeg) refer(target sip.Uri) error {
	return l.referWith(target.String(), "<"+target.String()+">")
}

// referWith sends a REFER whose Refer-To header value is referTo (an
// attended transfer embeds Replaces, attended.go); target names the
// transfer target in TransferEvents.
func (l *sipLeg) referWith(target, referTo string) error {
	p := l.p
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var sess dialogSession
	var to sip.Uri
	var c *Call
	if !p.q.do(func() { l.transferTarget, sess, to, c = target, l.session(), l.remoteTarget(), l.call }) {
		return ErrClosed
	}
	req := inDialogRequest(sip.REFER, to)
	req.AppendHeader(sip.NewHeader("Refer-To", referTo))
	req.AppendHeader(sip.NewHeader("Referred-By", "<"+p.acct.aor.String()+">"))
	// A challenged REFER is re-sent once with credentials (RFC 3261 §22.2).
	res, err := sendInDialog(ctx, sess, p.client, digestFor(p), req)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		p.publish(TransferEvent{CallID: c.id, Target: target, Status: status, Reason: err.Error(), Final: true})
		return fmt.Errorf("%w: REFER: %w", ErrTransferFailed, err)
	}
	p.publish(TransferEvent{CallID: c.id, Target: target, Status: res.StatusCode, Reason: res.Reason, Final: !res.IsSuccess()})
	if !res.IsSuccess() {
		return fmt.Errorf("%w: REFER answered %d %s", ErrTransferFailed, res.StatusCode, res.Reason)
	}
	return nil
}

// onNotify handles the NOTIFYs of a transfer we started.
func (p *Phone) onNotify(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	ev := ""
	if h := req.GetHeader("Event"); h != nil {
		ev = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	if l == nil || !strings.HasPrefix(ev, "refer") {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Subscription Does Not Exist", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	status, reason, ok := parseSipfrag(req.Body())
	if !ok {
		return
	}
	terminated := false
	if h := req.GetHeader("Subscription-State"); h != nil {
		terminated = strings.HasPrefix(strings.ToLower(strings.TrimSpace(h.Value())), "terminated")
	}
	final := status >= 200 || terminated
	p.q.enqueue(func() {
		c := l.call
		if c == nil {
			return
		}
		p.publish(TransferEvent{CallID: c.id, Target: l.transferTarget, Status: status, Reason: reason, Final: final})
		if final && status >= 200 && status < 300 && l.state != LegEnded {
			l.cause = CauseTransferred
			l.bye()
		}
		if final && status >= 200 && status < 300 && l.consult != nil {
			// Attended transfer: the colleague's phone normally hangs
			// up the consultation when the Replaces INVITE arrives; if
			// it did not, we do (RFC 5589 §7.1).
			cc := l.consult
			l.consult = nil
			if cc.state != CallEnded {
				cc.cause = CauseTransferred
				for _, x := range append([]Leg(nil), cc.legs...) {
					x.base().cause = CauseTransferred
					x.hangupLeg()
				}
			}
		}
	})
}

// parseSipfrag reads the status line of a message/sipfrag body (RFC 3420).
func parseSipfrag(body []byte) (int, string, bool) {
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	line = strings.TrimSpace(line)
	if !strings.HasPrefix(line, "SIP/2.0 ") {
		return 0, "", false
	}
	rest := strings.TrimPrefix(line, "SIP/2.0 ")
	code, reason, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(code)
	if err != nil || n < 100 || n > 699 {
		return 0, "", false
	}
	return n, reason, true
}

// onRefer accepts a transfer request from the peer: we answer 202, call
// the Refer-To target as a new call, and report its progress back in
// NOTIFYs. When the new call connects, the old one is hung up.
func (p *Phone) onRefer(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	if l == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	h := req.GetHeader("Refer-To")
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Missing Refer-To", nil))
		return
	}
	target := strings.TrimSpace(h.Value())
	target = strings.TrimPrefix(target, "<")
	if i := strings.IndexByte(target, '>'); i >= 0 {
		target = target[:i]
	}
	var replaces *Replaces
	if i := strings.IndexByte(target, '?'); i >= 0 {
		// Embedded headers (RFC 3261 §19.1.1): Replaces is followed
		// (attended transfer, RFC 5589 §7); others are ignored.
		hdrs := target[i+1:]
		target = target[:i]
		for _, kv := range strings.Split(hdrs, "&") {
			k, v, _ := strings.Cut(kv, "=")
			if !strings.EqualFold(k, "Replaces") {
				continue
			}
			uv, err := url.QueryUnescape(v)
			var rp Replaces
			if err == nil {
				rp, err = ParseReplaces(uv)
			}
			if err != nil {
				_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Replaces in Refer-To", nil))
				return
			}
			replaces = &rp
		}
	}
	if _, err := ParseTarget(target, p.acct.domain()); err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Refer-To", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusAccepted, "Accepted", nil))
	var old *Call
	p.q.do(func() { old = l.call })
	p.publish(TransferEvent{CallID: old.id, Target: target, Status: 202, Reason: "Accepted", Incoming: true})
	var opts []DialOption
	if replaces != nil {
		opts = append(opts, withReplaces(*replaces))
	}
	go p.followRefer(l, target, opts...)
}

func (p *Phone) followRefer(l *sipLeg, target string, opts ...DialOption) {
	var old *Call
	p.q.do(func() { old = l.call })
	p.notifyRefer(l, 100, "Trying", false)
	nc, err := p.Dial(p.ctx, target, opts...)
	if err != nil {
		p.notifyRefer(l, 503, "Service Unavailable", true)
		return
	}
	sub, cancel := p.Subscribe()
	defer cancel()
	for ev := range sub {
		ce, ok := ev.(CallEvent)
		if !ok || ce.CallID != nc.ID() {
			continue
		}
		switch ce.State {
		case CallRinging:
			p.notifyRefer(l, 180, "Ringing", false)
		case CallConnected:
			p.notifyRefer(l, 200, "OK", true)
			p.publish(TransferEvent{CallID: old.id, Target: target, Status: 200, Reason: "OK", Final: true, Incoming: true})
			p.q.enqueue(func() {
				if l.state != LegEnded {
					l.cause = CauseTransferred
					l.bye()
				}
			})
			return
		case CallEnded:
			st := ce.Status
			if st == 0 {
				st = 500
			}
			p.notifyRefer(l, st, ce.Reason, true)
			p.publish(TransferEvent{CallID: old.id, Target: target, Status: st, Reason: ce.Reason, Final: true, Incoming: true})
			return
		}
	}
}

// notifyRefer sends a NOTIFY with a sipfrag status (RFC 3515 §2.4.5).
func (p *Phone) notifyRefer(l *sipLeg, status int, reason string, final bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var sess dialogSession
	var to sip.Uri
	if !p.q.do(func() { sess, to = l.session(), l.remoteTarget() }) {
		return
	}
	req := inDialogRequest(sip.NOTIFY, to)
	req.AppendHeader(sip.NewHeader("Event", "refer"))
	state := "active;expires=60"
	if final {
		state = "terminated;reason=noresource"
	}
	req.AppendHeader(sip.NewHeader("Subscription-State", state))
	req.AppendHeader(sip.NewHeader("Content-Type", "message/sipfrag;version=2.0"))
	req.SetBody([]byte(fmt.Sprintf("SIP/2.0 %d %s\r\n", status, reason)))
	if _, err := sendInDialog(ctx, sess, p.client, digestFor(p), req); err != nil {
		p.log.Debug("NOTIFY", "err", err)
	}
}

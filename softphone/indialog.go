package softphone

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/softphone/media"
)

func (p *Phone) legForRequest(req *sip.Request) *sipLeg {
	cid := req.CallID()
	if cid == nil {
		return nil
	}
	return p.legFor(cid.Value())
}

func (p *Phone) onAck(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	if l == nil || l.server == nil {
		return
	}
	if err := l.server.ReadAck(req, tx); err != nil {
		p.log.Debug("ACK", "err", err)
	}
	if body := req.Body(); len(body) > 0 && l.answerSDP == nil {
		b := append([]byte(nil), body...)
		p.q.enqueue(func() {
			if l.media.SetRemoteAnswer(b) == nil {
				l.followRate()
			}
		})
	}
}

func (p *Phone) onBye(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	if l == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	var err error
	var client *sipgo.DialogClientSession
	var server *sipgo.DialogServerSession
	p.q.do(func() { client, server = l.client, l.server }) // queue-owned fields (race seen under -race)
	switch {
	case client != nil:
		err = client.ReadBye(req, tx)
	case server != nil:
		err = server.ReadBye(req, tx)
	}
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	p.q.enqueue(func() {
		if l.cause == "" {
			l.cause = CauseRemoteHangup
		}
		l.end(l.cause, 0, "")
	})
}

// onCancel answers a CANCEL that matched no transaction (sipgo answers the
// matching ones itself and ends the dialog, which onInvite watches).
func (p *Phone) onCancel(req *sip.Request, tx sip.ServerTransaction) {
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
}

func (p *Phone) onOptions(req *sip.Request, tx sip.ServerTransaction) {
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	res.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS"))
	res.AppendHeader(sip.NewHeader("Accept", "application/sdp"))
	_ = tx.Respond(res)
}

// onReInvite answers an in-dialog INVITE: a new offer that may put us on
// hold (sendonly/inactive) or take us off it (RFC 3264 §8.4).
func (p *Phone) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	if l == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	var answer []byte
	var err error
	var status int
	p.q.do(func() {
		if l.state == LegEnded {
			status = 481
			return
		}
		if l.reinviting {
			status = 491 // Request Pending, RFC 3261 §14.2
			return
		}
		if len(req.Body()) == 0 {
			answer, err = l.media.CreateOffer()
			return
		}
		answer, err = l.media.ProcessOffer(req.Body())
		if err != nil {
			status = 488
			return
		}
		l.followRate()
		rd := l.media.RemoteDirection()
		held := rd == media.DirSendOnly || rd == media.DirInactive
		if held != l.heldRemote {
			l.heldRemote = held
			if l.state.Talking() {
				_ = l.transition(l.holdState())
			}
			if c := l.call; c != nil {
				p.publish(HoldEvent{CallID: c.id, LegID: l.id, Held: held, Remote: true})
				c.updateState()
			}
		}
	})
	switch {
	case status == 481:
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
	case status == 491:
		_ = tx.Respond(sip.NewResponseFromRequest(req, 491, "Request Pending", nil))
	case status == 488 || err != nil:
		_ = tx.Respond(sip.NewResponseFromRequest(req, 488, "Not Acceptable Here", nil))
	default:
		res := sip.NewSDPResponseFromRequest(req, answer)
		res.AppendHeader(p.contact.Clone())
		_ = tx.Respond(res)
		// Wait briefly for the ACK so the transaction is not torn down
		// before it arrives (sipgo terminates it when we return).
		select {
		case <-tx.Acks():
		case <-tx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

// applyHold sends a hold or resume re-INVITE (queue only). On hold the
// peer hears music; our microphone is disconnected from the leg. When the
// re-INVITE fails (for example its challenge is refused), the session
// stays as it was (RFC 3261 §14.1): the hold change is undone locally and
// a HoldEvent says so.
func (l *sipLeg) applyHold(on bool) {
	p := l.p
	l.setLocalHold(on)
	offer, err := l.media.CreateOffer()
	if err != nil {
		p.log.Warn("hold offer", "err", err)
		return
	}
	l.reinviting = true
	sess, target := l.session(), l.remoteTarget()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		answer, err := l.sendReInvite(sess, target, offer)
		p.q.enqueue(func() {
			l.reinviting = false
			if l.state == LegEnded {
				return
			}
			if err != nil {
				p.log.Warn("re-INVITE failed; hold change undone", "leg", l.id, "hold", on, "err", err)
				if l.heldLocal == on {
					l.heldLocal = !on
					l.setLocalHold(!on)
					_ = l.transition(l.holdState())
					if c := l.call; c != nil {
						p.publish(HoldEvent{CallID: c.id, LegID: l.id, Held: !on})
						c.updateState()
					}
				}
				return
			}
			if err := l.media.SetRemoteAnswer(answer); err != nil {
				p.log.Warn("re-INVITE answer", "leg", l.id, "err", err)
				return
			}
			l.followRate()
		})
	}()
}

// setLocalHold switches our side of the media for hold (queue only): SDP
// direction, hold music or our microphone.
func (l *sipLeg) setLocalHold(on bool) {
	p := l.p
	if on {
		l.media.SetLocalDirection(media.DirSendOnly)
		if p.holdMusic != "" {
			if l.holdSrc == nil {
				if src, err := file.OpenSource(p.holdMusic, busRate, file.WithLoop()); err == nil {
					l.holdSrc = src
				} else {
					p.log.Warn("hold music", "file", p.holdMusic, "err", err)
				}
			}
		}
		if l.holdSrc != nil {
			l.media.SetInput(l.holdSrc)
		} else {
			l.media.SetInput(nil)
		}
		if l.port != nil {
			l.port.SetConnected(false)
		}
	} else {
		l.media.SetLocalDirection(media.DirSendRecv)
		if in := l.input(); in != nil {
			l.media.SetInput(in)
		}
		if l.port != nil {
			l.port.SetConnected(true)
		}
	}
}

// sendReInvite sends an in-dialog INVITE with offer (answering a
// challenge once, and ACKing the 2xx: sendInDialog) and returns the
// answer body.
func (l *sipLeg) sendReInvite(sess dialogSession, target sip.Uri, offer []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req := inDialogRequest(sip.INVITE, target)
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.SetBody(offer)
	res, err := sendInDialog(ctx, sess, l.p.client, digestFor(l.p), req)
	if err != nil {
		return nil, err
	}
	if !res.IsSuccess() {
		return nil, &CallFailedError{Status: res.StatusCode, Reason: res.Reason}
	}
	return append([]byte(nil), res.Body()...), nil
}

func (l *sipLeg) remoteTarget() sip.Uri {
	if l.client != nil && l.client.InviteResponse != nil {
		if c := l.client.InviteResponse.Contact(); c != nil {
			return c.Address
		}
	}
	if l.server != nil {
		if c := l.server.InviteRequest.Contact(); c != nil {
			return c.Address
		}
	}
	return l.remote
}

// onInfo accepts SIP INFO DTMF (application/dtmf-relay and
// application/dtmf bodies; RFC 6086 carries the method, the bodies are
// de-facto formats).
func (p *Phone) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	l := p.legForRequest(req)
	if l == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 481, "Call/Transaction Does Not Exist", nil))
		return
	}
	if req.GetHeader(MonitorHeader) != nil {
		p.onMonitorInfo(l, req, tx) // monitor.go
		return
	}
	ct := ""
	if h := req.ContentType(); h != nil {
		ct = strings.ToLower(strings.TrimSpace(h.Value()))
	}
	digit, ok := parseInfoDTMF(ct, req.Body())
	if !ok {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusUnsupportedMediaType, "Unsupported Media Type", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	p.q.enqueue(func() {
		if l.call != nil {
			p.publish(DTMFEvent{CallID: l.call.id, LegID: l.id, Digit: digit, Method: "info"})
		}
	})
}

// parseInfoDTMF reads one digit from an INFO body.
func parseInfoDTMF(contentType string, body []byte) (string, bool) {
	valid := func(s string) (string, bool) {
		s = strings.ToUpper(strings.TrimSpace(s))
		if len(s) == 1 && strings.ContainsAny(s, "0123456789*#ABCD") {
			return s, true
		}
		switch s {
		case "10":
			return "*", true
		case "11":
			return "#", true
		}
		return "", false
	}
	switch {
	case strings.HasPrefix(contentType, "application/dtmf-relay"):
		for _, line := range bytes.Split(body, []byte("\n")) {
			k, v, found := strings.Cut(string(line), "=")
			if found && strings.EqualFold(strings.TrimSpace(k), "signal") {
				return valid(v)
			}
		}
	case strings.HasPrefix(contentType, "application/dtmf"):
		return valid(string(body))
	}
	return "", false
}

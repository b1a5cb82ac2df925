package softphone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/audio/mixer"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/softphone/media"
)

// Leg is one SIP dialog plus one media session. A Call owns its legs; the
// serial queue owns their state.
type Leg struct {
	id    string
	call  *Call
	p     *Phone
	media *media.Session

	client *sipgo.DialogClientSession // outbound legs
	server *sipgo.DialogServerSession // inbound legs
	invite *sip.Request               // the initial INVITE (ours or theirs)
	tx     sip.ServerTransaction      // inbound INVITE transaction
	sipID  string                     // SIP Call-ID, the key in Phone.legs

	port     *mixer.Port
	recorder *wav.Writer
	holdSrc  audio.Source
	playSrc  audio.Source

	// inviteDone is closed when an inbound INVITE transaction is finished
	// (answered and ACKed, rejected or cancelled); the sipgo handler waits
	// on it.
	inviteDone chan struct{}
	inviteOnce sync.Once

	dial dialOptions // outbound legs: how Dial was asked to place it

	wg             sync.WaitGroup
	tornDown       bool
	statsRunning   bool
	answerSDP      []byte
	transferTarget string
	statsStop      chan struct{}
	reinviting     bool
	finalSent      bool // an inbound leg's final error response is on its way
}

func (p *Phone) newLeg(c *Call) (*Leg, error) {
	ms, err := media.NewSession(media.Config{
		LocalIP: p.localIP,
		PortMin: p.cfg.RTPPortMin, PortMax: p.cfg.RTPPortMax,
		Codecs: p.cfg.Codecs,
	}, media.WithLogger(p.log.With("call", c.id)),
		// The device's frame clock drives every leg (connectAudio): one
		// wake-up per 20 ms for the whole phone, not one per leg.
		media.WithExternalClock(),
		media.WithOnDTMF(func(d rune) {
			p.publish(DTMFEvent{CallID: c.id, Digit: string(d), Method: "rfc4733"})
		}))
	if err != nil {
		return nil, fmt.Errorf("softphone: media session: %w", err)
	}
	l := &Leg{id: newID(), call: c, p: p, media: ms, inviteDone: make(chan struct{}), statsStop: make(chan struct{})}
	c.legs = append(c.legs, l)
	return l, nil
}

// connectAudio wires the leg to the device (or the play/record files).
// It runs on the queue when media starts.
func (l *Leg) connectAudio() error {
	p := l.p
	if p.playPath != "" && l.playSrc == nil {
		src, err := file.OpenSource(p.playPath, busRate)
		if err != nil {
			return err
		}
		l.playSrc = src
	}
	if p.recordPath != "" && l.recorder == nil {
		path := p.recordPath
		if n := p.recordSeq(); n > 1 {
			ext := ".wav"
			path = strings.TrimSuffix(path, ext) + fmt.Sprintf("-%d", n) + ext
		}
		w, err := wav.Create(path, busRate)
		if err != nil {
			return err
		}
		l.recorder = w
		l.media.SetRecorder(w)
	}
	if l.port == nil {
		port, err := p.audio.attach()
		if err != nil {
			return err
		}
		l.port = port
		port.SetOnTick(l.media.Tick)
	}
	l.port.SetConnected(!l.call.heldLocal)
	if l.playSrc != nil {
		l.media.SetInput(l.playSrc)
	} else {
		l.media.SetInput(l.port)
	}
	l.media.SetOutput(l.port)
	return nil
}

// startEarlyMedia starts RTP for early media where the dial options
// route it: the speaker (as an answered call), a callback (the leg's
// port stays disconnected from the mix; it only paces the session), or
// nowhere (no RTP before the answer).
func (l *Leg) startEarlyMedia() error {
	switch l.dial.early.mode {
	case "none":
		return nil
	case "callback":
		if err := l.connectAudio(); err != nil {
			return err
		}
		l.port.SetConnected(false)
		l.media.SetInput(nil)
		l.media.SetOutput(earlySink{rate: busRate, fn: l.dial.early.fn})
		if err := l.media.Start(); err != nil {
			return err
		}
		l.startStats()
		return nil
	}
	return l.startMedia()
}

// startMedia starts RTP once an answer (or early media) is known.
func (l *Leg) startMedia() error {
	if err := l.connectAudio(); err != nil {
		return err
	}
	if err := l.media.Start(); err != nil {
		return err
	}
	l.startStats()
	return nil
}

func (l *Leg) startStats() {
	select {
	case <-l.statsStop:
		return
	default:
	}
	if l.statsRunning {
		return
	}
	l.statsRunning = true
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-l.statsStop:
				return
			case <-t.C:
				l.p.publish(StatsEvent{CallID: l.call.id, LegID: l.id, Stats: l.media.Stats()})
			}
		}
	}()
}

// teardown stops media and releases the device port (queue only).
func (l *Leg) teardown() {
	if l.tornDown {
		return
	}
	l.tornDown = true
	l.p.removeLeg(l.sipID)
	close(l.statsStop)
	l.inviteOnce.Do(func() { close(l.inviteDone) })
	ms, port, rec := l.media, l.port, l.recorder
	// Closing media waits for its goroutines; do it off the queue.
	l.p.wg.Add(1)
	go func() {
		defer l.p.wg.Done()
		l.wg.Wait()
		if ms != nil {
			_ = ms.Close()
		}
		if rec != nil {
			_ = rec.Close()
		}
		l.p.audio.detach(port)
	}()
}

// ---- outbound ----

// Dial places an outbound call to target (a number, user, user@host or a
// sip:/tel:/callto: URI). The context is the call's lifetime: cancelling
// it before the answer sends CANCEL, after the answer sends BYE. Options
// choose the account, the caller ID, where early media goes and whether
// local ringback plays (dialopts.go).
func (p *Phone) Dial(ctx context.Context, target string, opts ...DialOption) (*Call, error) {
	o, err := p.applyDialOptions(opts)
	if err != nil {
		return nil, err
	}
	to, err := ParseTarget(target, p.acct.domain())
	if err != nil {
		return nil, err
	}
	var c *Call
	var l *Leg
	var offer []byte
	ok := p.q.do(func() {
		c = newCall(p, ctx, Outbound, to, "")
		l, err = p.newLeg(c)
		if err != nil {
			return
		}
		l.dial = o
		offer, err = l.media.CreateOffer()
		if err != nil {
			l.teardown()
			return
		}
		p.calls[c.id] = c
		// The SIP Call-ID is ours to choose; setting it here keeps
		// l.sipID owned by the queue and lets in-dialog requests find
		// the leg from the first response on.
		l.sipID = newID()
		p.addLeg(l.sipID, l)
		_ = c.transition(CallDialing)
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}

	req := sip.NewRequest(sip.INVITE, to)
	req.SetTransport(strings.ToUpper(p.acct.transport))
	if p.acct.viaProxy(to) {
		dest := p.acct.routeHost()
		req.SetDestination(dest)
		if req.Destination() != hostPortDefault(to, p.acct.transport) {
			// Pre-loaded route to the proxy (RFC 3261 §8.1.2), so that
			// the CANCEL, which sipgo builds from the Request-URI and the
			// Route set, goes where the INVITE went.
			req.AppendHeader(&sip.RouteHeader{Address: p.acct.routeURI()})
		}
	}
	from, ppi := p.dialFrom(o)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: to})
	if ppi != nil {
		req.AppendHeader(ppi)
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS"))
	req.SetBody(offer)
	callID := sip.CallIDHeader(l.sipID)
	req.AppendHeader(&callID)

	l.invite = req
	l.wg.Add(1)
	go l.runOutbound(req)
	return c, nil
}

func (l *Leg) runOutbound(req *sip.Request) {
	defer l.wg.Done()
	p, c := l.p, l.call
	dlg, err := p.dua.WriteInvite(c.ctx, req)
	if err != nil {
		p.q.enqueue(func() { c.end(CauseFailed, 0, err.Error()) })
		return
	}
	p.q.enqueue(func() { l.client = dlg })

	err = dlg.WaitAnswer(c.ctx, sipgo.AnswerOptions{
		Username: p.acct.authUser,
		Password: p.acct.cfg.Password,
		OnResponse: func(res *sip.Response) error {
			if res.StatusCode == 180 || res.StatusCode == 183 {
				body := append([]byte(nil), res.Body()...)
				code := res.StatusCode
				p.q.enqueue(func() { l.onProvisional(code, body) })
			}
			return nil
		},
	})
	if err != nil {
		var dr *sipgo.ErrDialogResponse
		var drv sipgo.ErrDialogResponse
		status, reason := 0, err.Error()
		switch {
		case errors.As(err, &dr):
			status, reason = dr.Res.StatusCode, dr.Res.Reason
		case errors.As(err, &drv):
			status, reason = drv.Res.StatusCode, drv.Res.Reason
		}
		p.q.enqueue(func() {
			switch {
			case status != 0:
				cause := causeFromStatus(status)
				if cause == CauseCanceled && c.cause != "" {
					cause = c.cause
				}
				c.end(cause, status, reason)
			case errors.Is(err, context.Canceled) || c.ctx.Err() != nil:
				cause := c.cause
				if cause == "" {
					cause = CauseCanceled
				}
				c.end(cause, 487, "Request Terminated")
			default:
				c.end(CauseFailed, 0, reason)
			}
		})
		return
	}
	answer := append([]byte(nil), dlg.InviteResponse.Body()...)
	ackErr := dlg.Ack(context.Background())
	p.q.enqueue(func() {
		if c.state == CallEnded {
			return
		}
		if ackErr != nil {
			c.end(CauseFailed, 0, "ACK: "+ackErr.Error())
			return
		}
		if err := l.media.SetRemoteAnswer(answer); err != nil {
			p.log.Warn("bad SDP answer", "call", c.id, "err", err)
			c.cause = CauseMediaError
			l.bye()
			return
		}
		p.audio.stopTone("ringback:" + c.id)
		if err := l.startMedia(); err != nil {
			p.log.Warn("media start failed", "call", c.id, "err", err)
			c.cause, c.reason = CauseMediaError, err.Error()
			l.bye()
			return
		}
		_ = c.transition(CallConnected)
	})
	// The call's context is its lifetime: cancelling it after the answer
	// hangs up.
	select {
	case <-c.ctx.Done():
		p.q.enqueue(func() {
			if c.state != CallEnded {
				if c.cause == "" {
					c.cause = CauseLocalHangup
				}
				l.bye()
			}
		})
	case <-c.done:
	}
}

// onProvisional handles 180/183 (queue only): ringing state, early media
// when an SDP answer came with it, local ringback otherwise.
func (l *Leg) onProvisional(code int, body []byte) {
	c := l.call
	if c.state != CallDialing && c.state != CallRinging {
		return
	}
	if len(body) > 0 && !c.early {
		if err := l.media.SetRemoteAnswer(body); err == nil {
			c.early = true
			l.p.audio.stopTone("ringback:" + c.id)
			if err := l.startEarlyMedia(); err != nil {
				l.p.log.Warn("early media start failed", "err", err)
			}
		}
	}
	if !c.early && code == 180 && l.dial.localRingback {
		if src, err := tone.NewRingback(busRate, l.p.ringbackRegion()); err == nil {
			_ = l.p.audio.playTone("ringback:"+c.id, src, 0)
		}
	}
	_ = c.transition(CallRinging)
}

// bye sends BYE (queue only) on a goroutine and ends the call when done.
// A challenged BYE is re-sent once with credentials (sendInDialog); when
// the BYE still fails, the call ends here anyway (RFC 3261 §15) but the
// ended event carries the status and reason, because the far end may
// still be in the call.
func (l *Leg) bye() {
	c, p := l.call, l.p
	if c.cause == "" {
		c.cause = CauseLocalHangup
	}
	sess := l.session()
	if sess == nil {
		c.end(c.cause, 0, "")
		return
	}
	target := l.remoteTarget()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		res, err := sendInDialog(ctx, sess, p.client, digestFor(p), inDialogRequest(sip.BYE, target))
		status, reason := 0, ""
		switch {
		case err != nil && res != nil:
			status, reason = res.StatusCode, "hang-up not confirmed by the network: "+err.Error()
		case err != nil:
			reason = "hang-up not confirmed by the network: " + err.Error()
		case !res.IsSuccess() && res.StatusCode != sip.StatusCallTransactionDoesNotExists:
			// 481: the peer had already ended the dialog.
			status, reason = res.StatusCode, fmt.Sprintf("hang-up not confirmed by the network: BYE answered %d %s", res.StatusCode, res.Reason)
		}
		if reason != "" {
			p.log.Warn("BYE failed", "call", c.id, "status", status, "err", reason)
		}
		p.q.enqueue(func() { c.end(c.cause, status, reason) })
	}()
}

// session returns the leg's sipgo dialog, or nil before there is one
// (queue only).
func (l *Leg) session() dialogSession {
	switch {
	case l.client != nil:
		return l.client
	case l.server != nil:
		return l.server
	}
	return nil
}

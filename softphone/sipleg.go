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
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/softphone/media"
)

// sipLeg is a Leg made of one SIP dialog plus one media.Session (RTP).
type sipLeg struct {
	legBase
	media *media.Session

	client *sipgo.DialogClientSession // outbound legs
	server *sipgo.DialogServerSession // inbound legs
	invite *sip.Request               // the initial INVITE (ours or theirs)
	tx     sip.ServerTransaction      // inbound INVITE transaction
	sipID  string                     // SIP Call-ID, the key in Phone.legs

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
	finalSent      bool   // an inbound leg's final error response is on its way
	byeOnAck       bool   // hung up while answering: BYE once the ACK is in
	monitorLead    string // a team lead's monitor leg: the lead's address (monitor.go)
	consult        *Call  // attended transfer: the consultation to end on success (attended.go)
}

// newSIPLeg builds a SIP leg in call c (queue only). parent is the leg's
// lifetime.
func (p *Phone) newSIPLeg(c *Call, parent context.Context, dir Direction, remote sip.Uri, display string) (*sipLeg, error) {
	l := &sipLeg{
		legBase:    newLegBase(p, LegSIP, c, parent, dir, remote, display),
		inviteDone: make(chan struct{}), statsStop: make(chan struct{}),
	}
	l.self = l
	ms, err := media.NewSession(media.Config{
		LocalIP: p.localIP,
		PortMin: p.cfg.RTPPortMin, PortMax: p.cfg.RTPPortMax,
		Codecs: p.cfg.Codecs,
	}, media.WithLogger(p.log.With("leg", l.id)),
		// The device's frame clock drives every leg (connectAudio): one
		// wake-up per 20 ms for the whole phone, not one per leg.
		media.WithExternalClock(),
		media.WithOnDTMF(func(d rune) {
			// The callback runs on a media goroutine: the call the leg is
			// in is read on the queue.
			p.q.enqueue(func() {
				if l.call != nil {
					p.publish(DTMFEvent{CallID: l.call.id, LegID: l.id, Digit: string(d), Method: "rfc4733"})
				}
			})
		}))
	if err != nil {
		return nil, fmt.Errorf("softphone: media session: %w", err)
	}
	l.media = ms
	c.addLeg(l)
	return l, nil
}

// mediaInfo implements Leg.
func (l *sipLeg) mediaInfo() legMedia {
	if l.media == nil {
		return nil
	}
	return l.media
}

// sendDTMF implements Leg (RFC 4733).
func (l *sipLeg) sendDTMF(digits string) error { return l.media.SendDTMF(digits) }

// connectAudio wires the leg to its mixer port (or the play/record
// files). It runs on the queue when media starts.
func (l *sipLeg) connectAudio() error {
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
		// At the codec's rate: the mixer mixes what this leg hears at
		// that rate and converts only what crosses rates, once for all
		// the legs at a rate (an all-G.711 conference: two conversions
		// per frame, not two per leg); the session converts nothing.
		port, err := p.audio.attachAt(l.media.Rate())
		if err != nil {
			return err
		}
		l.port = port
		port.SetOnTick(l.media.Tick)
	} else {
		l.followRate() // early media's answer may have had another codec
	}
	l.port.SetConnected(!l.heldLocal)
	if l.heldLocal {
		l.setLocalHold(true)
	} else {
		l.media.SetInput(l.input())
	}
	l.applyOutput()
	if l.call != nil {
		l.call.remix()
	}
	return nil
}

// followRate moves the leg's mixer port to its session's codec rate when
// a negotiation changed it (a re-INVITE from PCMU to Opus or back, ours or
// the peer's), so the leg mixes at its codec's rate: switched to Opus it
// carries wideband audio, not 8 kHz audio converted to 48 kHz. The port
// keeps its Node, so its routes (roles, hold, mute, whisper) stay as they
// are; the mixer swaps the rate in at a tick boundary with a one-frame
// fade out and in (mixer.Port.SetRate), and the media path, which reads
// the port's rate every frame, takes no lock of ours. Until then the
// session converts between the port's rate and the codec's (queue only).
func (l *sipLeg) followRate() {
	if l.port == nil || l.media == nil {
		return
	}
	if rate := l.media.Rate(); rate != l.port.Rate() {
		if err := l.port.SetRate(rate); err != nil {
			l.p.log.Warn("mixer port kept at its rate after a codec change", "leg", l.id, "rate", l.port.Rate(), "codec_rate", rate, "err", err)
		}
	}
}

// input is what the leg sends when not held: the play file if one is
// set and the leg is not bridged to others, else its mixer port (the
// microphone and, in a conference, the other participants).
func (l *sipLeg) input() audio.Source {
	if l.playSrc != nil && (l.call == nil || !l.call.conference()) {
		return l.playSrc
	}
	if l.port == nil {
		return nil
	}
	return l.port
}

// refreshInput implements Leg: an answered leg that is not held sends
// input() (queue only).
func (l *sipLeg) refreshInput() {
	if l.media == nil || l.heldLocal || !l.state.Talking() {
		return
	}
	if in := l.input(); in != nil {
		l.media.SetInput(in)
	}
}

// startEarlyMedia starts RTP for early media where the dial options
// route it: the speaker (as an answered call), a callback (the leg's
// port stays disconnected from the mix; it only paces the session), or
// nowhere (no RTP before the answer).
func (l *sipLeg) startEarlyMedia() error {
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
func (l *sipLeg) startMedia() error {
	if err := l.connectAudio(); err != nil {
		return err
	}
	if err := l.media.Start(); err != nil {
		return err
	}
	l.startStats()
	return nil
}

func (l *sipLeg) startStats() {
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
				st := l.media.Stats()
				l.p.q.enqueue(func() {
					if l.call != nil && l.state != LegEnded {
						l.p.publish(StatsEvent{CallID: l.call.id, LegID: l.id, Stats: st})
					}
				})
			}
		}
	}()
}

// teardown implements Leg: it stops media and releases the device port
// (queue only).
func (l *sipLeg) teardown() {
	if l.tornDown {
		return
	}
	l.tornDown = true
	l.p.removeLeg(l.sipID)
	l.p.audio.stopTone("ringback:" + l.id)
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

// hangupLeg implements Leg (queue only): CANCEL while the leg rings out
// (cancelling its context makes WaitAnswer send it), a 603 while it rings
// in, BYE once answered.
func (l *sipLeg) hangupLeg() {
	switch l.state {
	case LegDialing, LegRinging, "":
		if l.cause == "" || l.cause == CauseLocalHangup {
			l.cause = CauseCanceled
		}
		l.cancel(context.Canceled)
	case LegIncoming:
		l.cause = CauseRejected
		l.reject(603, "Decline")
	case LegAnswering:
		// Our 200 is out, its ACK not in yet: the BYE waits for the ACK
		// (RFC 3261 §15: a callee MUST NOT send BYE on a confirmed dialog
		// before the ACK for its 2xx, or the server transaction's timeout).
		// answer() sends it then.
		if l.cause == "" {
			l.cause = CauseLocalHangup
		}
		l.byeOnAck = true
	case LegEnded:
	default:
		l.bye()
	}
}

// ---- outbound ----

// Dial places a call from the line WithAccount names (its ID or address
// of record), else from the default line, after putting the other live
// calls on hold (not WithParallel). A line that is not registered is
// refused with ErrNotRegistered before any INVITE; a bad target is
// refused before anything is held. Otherwise as Phone.Dial. (It lives
// here, beside Phone.Dial, so the dial path reads in one file.)
func (b *Switchboard) Dial(ctx context.Context, target string, opts ...DialOption) (*Call, string, error) {
	o, err := parseDialOptions(opts)
	if err != nil {
		return nil, "", err
	}
	b.mu.Lock()
	ln, err := b.lineFor(o.account)
	b.mu.Unlock()
	if err != nil {
		return nil, "", err
	}
	if err := b.ready(ln); err != nil {
		return nil, "", err
	}
	if _, err := ParseTarget(target, ln.Phone.acct.domain()); err != nil {
		return nil, "", err
	}
	if !o.parallel {
		if err := b.holdOthers(""); err != nil {
			return nil, "", err
		}
	}
	// The line's own address, so the phone's account check passes when
	// the line was named by its ID.
	all := append(append(make([]DialOption, 0, len(opts)+1), opts...), WithAccount(ln.Phone.AOR()))
	c, err := ln.Phone.Dial(ctx, target, all...)
	if err != nil {
		return nil, "", err
	}
	b.track(ln, c)
	return c, ln.ID, nil
}

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
	ok := p.q.do(func() {
		c = newCall(p, ctx, Outbound, to, "")
		if _, err = p.dialLeg(c, ctx, to, o); err != nil {
			return
		}
		p.calls[c.id] = c
		c.updateState()
	})
	if !ok {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// dialLeg creates an outbound SIP leg to `to` in call c and sends its
// INVITE (queue only; the INVITE goes out on the leg's goroutine).
func (p *Phone) dialLeg(c *Call, parent context.Context, to sip.Uri, o dialOptions) (*sipLeg, error) {
	l, err := p.newSIPLeg(c, parent, Outbound, to, "")
	if err != nil {
		return nil, err
	}
	l.dial = o
	offer, err := l.media.CreateOffer()
	if err != nil {
		c.removeLeg(l)
		l.teardown()
		return nil, err
	}
	// The SIP Call-ID is ours to choose; setting it here keeps l.sipID
	// owned by the queue and lets in-dialog requests find the leg from
	// the first response on.
	l.sipID = newID()
	p.addLeg(l.sipID, l)
	_ = l.transition(LegDialing)

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
	if o.monitor != "" {
		req.AppendHeader(sip.NewHeader(MonitorHeader, string(o.monitor)))
	}
	if o.replaces != "" {
		req.AppendHeader(sip.NewHeader("Replaces", o.replaces))
	}
	req.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS"))
	req.SetBody(offer)
	callID := sip.CallIDHeader(l.sipID)
	req.AppendHeader(&callID)

	l.invite = req
	l.wg.Add(1)
	go l.runOutbound(req)
	return l, nil
}

func (l *sipLeg) runOutbound(req *sip.Request) {
	defer l.wg.Done()
	p := l.p
	dlg, err := p.dua.WriteInvite(l.ctx, req)
	if err != nil {
		p.q.enqueue(func() { l.end(CauseFailed, 0, err.Error()) })
		return
	}
	p.q.enqueue(func() { l.client = dlg })

	err = dlg.WaitAnswer(l.ctx, sipgo.AnswerOptions{
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
	if ir := dlg.InviteResponse; err != nil && ir != nil && ir.IsSuccess() && l.ctx.Err() != nil {
		// A 2xx crossed our CANCEL (sipgo's CANCEL path keeps it and
		// returns the context's error): the dialog is established, so RFC
		// 3261 §9.1 and §15 (and §13.2.2.4) require an ACK and then a BYE.
		// https://www.rfc-editor.org/rfc/rfc3261#section-15
		ackErr := dlg.Ack(context.Background())
		p.q.enqueue(func() {
			if l.state == LegEnded {
				return
			}
			l.client = dlg
			if ackErr != nil {
				p.log.Warn("ACK of a 2xx that crossed our CANCEL failed", "leg", l.id, "err", ackErr)
			}
			l.cause = CauseAnsweredAfterCancel
			l.bye()
		})
		return
	}
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
				if cause == CauseCanceled && l.cause != "" {
					cause = l.cause
				}
				l.end(cause, status, reason)
			case errors.Is(err, context.Canceled) || l.ctx.Err() != nil:
				cause := l.cause
				if cause == "" {
					cause = CauseCanceled
				}
				l.end(cause, 487, "Request Terminated")
			default:
				l.end(CauseFailed, 0, reason)
			}
		})
		return
	}
	answer := append([]byte(nil), dlg.InviteResponse.Body()...)
	ackErr := dlg.Ack(context.Background())
	p.q.enqueue(func() {
		if l.state == LegEnded {
			return
		}
		if ackErr != nil {
			l.end(CauseFailed, 0, "ACK: "+ackErr.Error())
			return
		}
		if err := l.media.SetRemoteAnswer(answer); err != nil {
			p.log.Warn("bad SDP answer", "leg", l.id, "err", err)
			l.cause = CauseMediaError
			l.bye()
			return
		}
		p.audio.stopTone("ringback:" + l.id)
		if err := l.startMedia(); err != nil {
			p.log.Warn("media start failed", "leg", l.id, "err", err)
			l.cause, l.reason = CauseMediaError, err.Error()
			l.bye()
			return
		}
		_ = l.transition(LegConnected)
		if l.call != nil {
			l.call.updateState()
		}
	})
	// The leg's context is its lifetime: cancelling it after the answer
	// hangs up.
	select {
	case <-l.ctx.Done():
		p.q.enqueue(func() {
			if l.state != LegEnded {
				if l.cause == "" {
					l.cause = CauseLocalHangup
				}
				l.bye()
			}
		})
	case <-l.done:
	}
}

// onProvisional handles 180/183 (queue only): ringing state, early media
// when an SDP answer came with it, local ringback otherwise.
func (l *sipLeg) onProvisional(code int, body []byte) {
	if l.state != LegDialing && l.state != LegRinging {
		return
	}
	if len(body) > 0 && !l.early {
		if err := l.media.SetRemoteAnswer(body); err == nil {
			l.early = true
			l.p.audio.stopTone("ringback:" + l.id)
			if err := l.startEarlyMedia(); err != nil {
				l.p.log.Warn("early media start failed", "err", err)
			}
		}
	}
	if !l.early && code == 180 && l.dial.localRingback {
		if src, err := tone.NewRingback(busRate, l.p.ringbackRegion()); err == nil {
			_, _ = l.p.audio.playTone("ringback:"+l.id, src, 0)
		}
	}
	_ = l.transition(LegRinging)
	if l.call != nil {
		l.call.updateState()
	}
}

// bye sends BYE (queue only) on a goroutine and ends the leg when done.
// A challenged BYE is re-sent once with credentials (sendInDialog); when
// the BYE still fails, the leg ends here anyway (RFC 3261 §15) but its
// end carries the status and reason, because the far end may still be in
// the call.
func (l *sipLeg) bye() {
	p := l.p
	if l.cause == "" {
		l.cause = CauseLocalHangup
	}
	sess := l.session()
	if sess == nil {
		l.end(l.cause, 0, "")
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
			p.log.Warn("BYE failed", "leg", l.id, "status", status, "err", reason)
		}
		p.q.enqueue(func() { l.end(l.cause, status, reason) })
	}()
}

// session returns the leg's sipgo dialog, or nil before there is one
// (queue only).
func (l *sipLeg) session() dialogSession {
	switch {
	case l.client != nil:
		return l.client
	case l.server != nil:
		return l.server
	}
	return nil
}

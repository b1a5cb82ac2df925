package demo

import (
	"context"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/pitchline/pitchline/softphone/media"
)

// outboundCall is a callback the line placed; done closes when the rep's
// side sends BYE (or rejects the call).
type outboundCall struct {
	dlg  *sipgo.DialogClientSession
	done chan struct{}
}

// scheduleCallback calls user back after the callback delay, at its
// registered contact (or the contact of the call that asked for it).
func (d *Line) scheduleCallback(user string, fallback sip.Uri) {
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		t := time.NewTimer(d.callbackDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-d.ctx.Done():
			return
		}
		target := fallback
		d.mu.Lock()
		if u, ok := d.bindings[user]; ok {
			target = u
		}
		d.mu.Unlock()
		if err := d.callOut(target); err != nil {
			d.log.Info("demo callback failed", "target", target.String(), "err", err)
		}
	}()
}

// callOut places the callback and runs it until either side hangs up.
func (d *Line) callOut(target sip.Uri) error {
	sess, err := media.NewSession(media.Config{LocalIP: d.addr.Addr()}, media.WithLogger(d.log))
	if err != nil {
		return err
	}
	defer sess.Close()
	offer, err := sess.CreateOffer()
	if err != nil {
		return err
	}
	from := &sip.FromHeader{
		DisplayName: d.callbackName,
		Address:     sip.Uri{Scheme: "sip", User: d.callbackFrom, Host: d.addr.Addr().String(), Port: int(d.addr.Port())},
		Params:      sip.NewParams(),
	}
	from.Params.Add("tag", uuid.NewString()[:8])
	ctx, cancel := context.WithCancel(d.ctx)
	defer cancel()
	target.UriParams = nil
	dlg, err := d.dua.Invite(ctx, target, offer, from, sip.NewHeader("Content-Type", "application/sdp"))
	if err != nil {
		return err
	}
	defer dlg.Close()
	oc := &outboundCall{dlg: dlg, done: make(chan struct{})}
	callID := dlg.InviteRequest.CallID().Value()
	d.mu.Lock()
	d.outboundByID()[callID] = oc
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.outboundByID(), callID)
		d.mu.Unlock()
	}()
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		return err
	}
	if err := sess.SetRemoteAnswer(dlg.InviteResponse.Body()); err != nil {
		_ = dlg.Ack(ctx)
		_ = dlg.Bye(ctx)
		return err
	}
	if err := dlg.Ack(ctx); err != nil {
		return err
	}
	ep, err := newEcho(d.greeting, true)
	if err != nil {
		_ = dlg.Bye(ctx)
		return err
	}
	sess.SetInput(ep)
	sess.SetOutput(ep)
	if err := sess.Start(); err != nil {
		_ = dlg.Bye(ctx)
		return err
	}
	select {
	case <-oc.done:
	case <-dlg.Context().Done():
	case <-d.ctx.Done():
		bctx, bcancel := context.WithTimeout(context.Background(), 2*time.Second)
		_ = dlg.Bye(bctx)
		bcancel()
	}
	return nil
}

// outboundByID returns the callback table keyed by Call-ID (d.mu held).
func (d *Line) outboundByID() map[string]*outboundCall {
	if d.outCalls == nil {
		d.outCalls = make(map[string]*outboundCall)
	}
	return d.outCalls
}

// endOutbound ends the callback a BYE belongs to.
func (d *Line) endOutbound(req *sip.Request) {
	id := req.CallID()
	if id == nil {
		return
	}
	d.mu.Lock()
	oc := d.outboundByID()[id.Value()]
	if oc != nil {
		delete(d.outCalls, id.Value())
	}
	d.mu.Unlock()
	if oc != nil {
		close(oc.done)
	}
}

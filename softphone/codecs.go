package softphone

import (
	"context"
	"errors"
	"fmt"
)

// SetCodecs renegotiates the codec of every answered SIP leg of the call:
// each sends a re-INVITE offering only codecs (names as in
// Config.Codecs, in order of preference; none restores them all), and the
// peer's answer switches both directions to the first common one (RFC
// 3264 §8.3.3, https://www.rfc-editor.org/rfc/rfc3264#section-8.3.3).
// For example SetCodecs(ctx, "PCMU", "PCMA") falls back from Opus to
// G.711 on a link that struggles. It waits for the answers; a leg whose
// re-INVITE fails keeps its codec (RFC 3261 §14.1) and its error is
// returned. Legs that are not SIP legs keep their codec.
func (c *Call) SetCodecs(ctx context.Context, codecs ...string) error {
	type pending struct {
		l    *sipLeg
		done chan error
	}
	var (
		err  error
		legs []pending
	)
	ok := c.p.q.do(func() {
		for _, l := range c.legs {
			sl, isSIP := l.(*sipLeg)
			if !isSIP || sl.media == nil || !sl.state.Talking() {
				continue
			}
			if sl.reinviting {
				err = errors.Join(err, fmt.Errorf("%w: leg %s has a re-INVITE in progress", ErrInvalidState, sl.id))
				continue
			}
			done := make(chan error, 1)
			if e := sl.recodec(codecs, done); e != nil {
				err = errors.Join(err, e)
				continue
			}
			legs = append(legs, pending{sl, done})
		}
	})
	if !ok {
		return ErrClosed
	}
	for _, p := range legs {
		select {
		case e := <-p.done:
			err = errors.Join(err, e)
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		}
	}
	return err
}

// recodec sends a re-INVITE offering only codecs (queue only) and reports
// the outcome on done. A failed re-INVITE restores the codecs offered
// before.
func (l *sipLeg) recodec(codecs []string, done chan<- error) error {
	p := l.p
	if err := l.media.SetCodecs(codecs...); err != nil {
		return fmt.Errorf("%w: %w", ErrBadConfig, err)
	}
	offer, err := l.media.CreateOffer()
	if err != nil {
		_ = l.media.SetCodecs()
		return err
	}
	l.reinviting = true
	sess, target := l.session(), l.remoteTarget()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		answer, err := l.sendReInvite(sess, target, offer)
		p.q.enqueue(func() {
			l.reinviting = false
			if err == nil && l.state != LegEnded {
				if err = l.media.SetRemoteAnswer(answer); err == nil {
					l.followRate()
				}
			}
			if err != nil {
				p.log.Warn("codec re-INVITE failed; codec kept", "leg", l.id, "codecs", codecs, "err", err)
				_ = l.media.SetCodecs()
			}
			done <- err
		})
	}()
	return nil
}

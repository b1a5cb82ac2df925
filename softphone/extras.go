package softphone

import (
	"fmt"
	"sync/atomic"

	"github.com/emiago/sipgo/sip"
)

// CauseForwarded means we forwarded a ringing inbound call elsewhere with
// 302 Moved Temporarily.
const CauseForwarded EndCause = "forwarded"

// CauseDND means do-not-disturb rejected an inbound call with 486.
const CauseDND EndCause = "dnd"

// extras holds Phone state for the desktop features in this file (one field
// in Phone keeps them out of the core files).
type extras struct {
	dnd atomic.Bool
}

// SetDND turns do-not-disturb on or off. While on, new inbound calls are
// rejected with 486 Busy Here at once, without ringing; they still appear on
// the event stream as incoming, then ended with CauseDND, so a UI can log
// them.
func (p *Phone) SetDND(on bool) { p.ext.dnd.Store(on) }

// DND reports whether do-not-disturb is on.
func (p *Phone) DND() bool { return p.ext.dnd.Load() }

// dndReject rejects c with 486 when do-not-disturb is on and reports whether
// it did (queue only; c is a new inbound call in state incoming).
func (p *Phone) dndReject(c *Call) bool {
	if !p.ext.dnd.Load() {
		return false
	}
	l := c.incomingLeg()
	if l == nil {
		return false
	}
	l.cause = CauseDND
	l.reject(sip.StatusBusyHere, "Busy Here")
	return true
}

// Forward redirects a ringing inbound call to target with 302 Moved
// Temporarily and the target in the Contact header (RFC 3261 §21.3.3,
// §8.3.1). The caller's side then calls target itself; our call ends with
// CauseForwarded.
func (c *Call) Forward(target string) error {
	uri, err := ParseTarget(target, c.p.acct.domain())
	if err != nil {
		return err
	}
	ok := c.p.q.do(func() {
		if c.dir != Inbound || c.state != CallIncoming {
			err = fmt.Errorf("%w: forward in state %s", ErrInvalidState, c.state)
			return
		}
		l := c.incomingLeg()
		if l == nil || l.server == nil {
			err = fmt.Errorf("%w: no inbound dialog", ErrInvalidState)
			return
		}
		if l.finalSent {
			err = fmt.Errorf("%w: the call is already being refused", ErrInvalidState)
			return
		}
		l.finalSent = true
		l.cause = CauseForwarded
		dlg := l.server
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			contact := &sip.ContactHeader{Address: uri}
			if err := dlg.Respond(sip.StatusMovedTemporarily, "Moved Temporarily", nil, contact); err != nil {
				c.p.log.Debug("forward", "err", err)
			}
			c.p.q.enqueue(func() {
				l.end(CauseForwarded, sip.StatusMovedTemporarily, "Moved Temporarily")
				l.inviteOnce.Do(func() { close(l.inviteDone) })
			})
		}()
	})
	if !ok {
		return ErrClosed
	}
	return err
}

package softphone

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/emiago/sipgo/sip"
)

// Attended transfer (RFC 5589 §7): the rep consults a colleague while the
// customer is held (Call.Consult), then completes the transfer
// (Call.CompleteTransfer): a REFER to the customer whose Refer-To names
// the colleague with an embedded Replaces header (RFC 3891) naming the
// consultation dialog. The customer calls the colleague with that
// Replaces; the colleague's phone swaps our consultation leg for the
// customer's and hangs us up; the customer's NOTIFY 200 ends our leg to
// the customer. Or the rep cancels (Call.CancelConsult) and returns to
// the customer.
//
// As the transferee, a REFER whose Refer-To embeds Replaces makes our
// INVITE carry it; as the transfer target, an INVITE with Replaces that
// matches one of our confirmed dialogs is answered at once, its leg takes
// the replaced leg's place in that call, and the replaced leg gets BYE.
// An INVITE whose Replaces matches nothing gets 481 (RFC 3891 §3).

// Replaces is the value of a Replaces header (RFC 3891 §6.1): the dialog
// to replace, as seen by the UA that receives the INVITE (ToTag is its
// local tag, FromTag the remote one).
type Replaces struct {
	CallID    string
	ToTag     string
	FromTag   string
	EarlyOnly bool
}

// String renders the header value.
func (r Replaces) String() string {
	s := r.CallID + ";to-tag=" + r.ToTag + ";from-tag=" + r.FromTag
	if r.EarlyOnly {
		s += ";early-only"
	}
	return s
}

// ParseReplaces reads a Replaces header value (RFC 3891 §6.1):
//
//	Replaces = callid *(SEMI replaces-param)
//	replaces-param = to-tag / from-tag / early-flag / generic-param
//
// to-tag and from-tag are required, each once; unknown parameters are
// ignored; the Call-ID is word ["@" word] (RFC 3261 §25.1).
func ParseReplaces(v string) (Replaces, error) {
	var r Replaces
	parts := strings.Split(strings.TrimSpace(v), ";")
	r.CallID = strings.TrimSpace(parts[0])
	if r.CallID == "" || !validCallID(r.CallID) {
		return r, fmt.Errorf("%w: Replaces %q: bad Call-ID", ErrInvalidTarget, v)
	}
	seenTo, seenFrom := false, false
	for _, p := range parts[1:] {
		k, val, hasVal := strings.Cut(strings.TrimSpace(p), "=")
		k, val = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(val)
		switch k {
		case "to-tag", "from-tag":
			if !hasVal || val == "" || !isToken(val) {
				return r, fmt.Errorf("%w: Replaces %q: bad %s", ErrInvalidTarget, v, k)
			}
			if (k == "to-tag" && seenTo) || (k == "from-tag" && seenFrom) {
				return r, fmt.Errorf("%w: Replaces %q: %s twice", ErrInvalidTarget, v, k)
			}
			if k == "to-tag" {
				r.ToTag, seenTo = val, true
			} else {
				r.FromTag, seenFrom = val, true
			}
		case "early-only":
			r.EarlyOnly = true
		case "":
			return r, fmt.Errorf("%w: Replaces %q: empty parameter", ErrInvalidTarget, v)
		default:
			if !isToken(k) {
				return r, fmt.Errorf("%w: Replaces %q: bad parameter %q", ErrInvalidTarget, v, k)
			}
		}
	}
	if !seenTo || !seenFrom {
		return r, fmt.Errorf("%w: Replaces %q needs to-tag and from-tag", ErrInvalidTarget, v)
	}
	return r, nil
}

// isToken reports whether s is an RFC 3261 token.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-.!%*_+`'~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validCallID reports whether s is word ["@" word] (RFC 3261 §25.1).
func validCallID(s string) bool {
	a, b, at := strings.Cut(s, "@")
	return isWord(a) && (!at || isWord(b))
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("-.!%*_+`'~()<>:\\\"/[]?{}", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// withReplaces makes the INVITE carry a Replaces header (a transfer we
// follow as the transferee).
func withReplaces(r Replaces) DialOption {
	return func(o *dialOptions) error { o.replaces = r.String(); return nil }
}

// dialogTags returns the leg's dialog Call-ID and its local and remote
// tags, once the dialog is confirmed (queue only).
func (l *sipLeg) dialogTags() (callID, local, remote string, ok bool) {
	var req *sip.Request
	var res *sip.Response
	switch {
	case l.client != nil:
		req, res = l.client.InviteRequest, l.client.InviteResponse
	case l.server != nil:
		req, res = l.server.InviteRequest, l.server.InviteResponse
	}
	if req == nil || res == nil || req.From() == nil || res.To() == nil {
		return "", "", "", false
	}
	from, _ := req.From().Params.Get("tag")
	to, _ := res.To().Params.Get("tag")
	if from == "" || to == "" {
		return "", "", "", false
	}
	if l.client != nil {
		return l.sipID, from, to, true
	}
	return l.sipID, to, from, true
}

// Consult holds this call (the customer) and calls target, the colleague
// to consult, as a new call, which it returns. Complete the transfer with
// CompleteTransfer or return to the customer with CancelConsult.
func (c *Call) Consult(ctx context.Context, target string, opts ...DialOption) (*Call, error) {
	if _, err := c.sipOrigin(); err != nil {
		return nil, err
	}
	if st := c.Info().State; st != CallHeld {
		if err := c.Hold(); err != nil {
			return nil, err
		}
	}
	return c.p.Dial(ctx, target, opts...)
}

// CancelConsult hangs up the consultation call and takes the customer
// (this call) off hold.
func (c *Call) CancelConsult(consult *Call) error {
	if consult == nil {
		return fmt.Errorf("%w: no consultation call", ErrInvalidState)
	}
	if err := consult.Hangup(); err != nil && consult.Info().State != CallEnded {
		return err
	}
	return c.Resume()
}

// sipOrigin returns the call's SIP leg when the call has one party.
func (c *Call) sipOrigin() (*sipLeg, error) {
	var l *sipLeg
	var err error
	if !c.p.q.do(func() {
		o, ok := c.origin.(*sipLeg)
		switch {
		case c.state == CallEnded:
			err = fmt.Errorf("%w: %s", ErrNoSuchCall, c.id)
		case !ok || len(c.legs) != 1:
			err = fmt.Errorf("%w: attended transfer needs a two-party SIP call", ErrInvalidState)
		default:
			l = o
		}
	}) {
		return nil, ErrClosed
	}
	return l, err
}

// CompleteTransfer transfers the customer (this call) to the colleague of
// consult: a REFER with Refer-To <colleague?Replaces=...> (RFC 5589 §7).
// It returns once the customer accepted the REFER (202); TransferEvents
// report the outcome, and on success both our legs end (the customer's
// after its NOTIFY 200, the consultation when the colleague's phone
// replaces it, or by our BYE if it does not).
func (c *Call) CompleteTransfer(consult *Call) error {
	if consult == nil || consult == c {
		return fmt.Errorf("%w: complete a transfer with the consultation call", ErrInvalidState)
	}
	l, err := c.sipOrigin()
	if err != nil {
		return err
	}
	cl, err := consult.sipOrigin()
	if err != nil {
		return err
	}
	var referTo, target string
	p := c.p
	p.q.do(func() {
		callID, local, remote, ok := cl.dialogTags()
		switch {
		case !l.state.Talking() || !cl.state.Talking() || !ok:
			err = fmt.Errorf("%w: both calls must be answered", ErrInvalidState)
			return
		}
		// As the colleague sees the consultation dialog: their tag is the
		// to-tag, ours the from-tag (RFC 3891 §3).
		rp := Replaces{CallID: callID, ToTag: remote, FromTag: local}
		u := cl.remote
		target = u.String()
		referTo = "<" + target + "?Replaces=" + url.QueryEscape(rp.String()) + ">"
		l.consult = consult
	})
	if err != nil {
		return err
	}
	return l.referWith(target, referTo)
}

// onReplacesInvite handles an INVITE with a Replaces header (RFC 3891 §3)
// once the scanner shield let it through.
func (p *Phone) onReplacesInvite(req *sip.Request, tx sip.ServerTransaction) {
	rp, err := ParseReplaces(req.GetHeader("Replaces").Value())
	if err != nil || len(req.Body()) == 0 {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Replaces", nil))
		return
	}
	old := p.legFor(rp.CallID)
	var c *Call
	p.q.do(func() {
		if old == nil || old.state == LegEnded || old.call == nil {
			return
		}
		callID, local, remote, ok := old.dialogTags()
		if !ok || callID != rp.CallID || local != rp.ToTag || remote != rp.FromTag || !old.state.Talking() {
			return
		}
		c = old.call
	})
	if c == nil {
		// No such confirmed dialog (an early dialog is not ours to
		// replace here): 481, RFC 3891 §3.
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	dlg, err := p.dua.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	p.joinInvite(req, tx, dlg, c, func(l *sipLeg) {
		l.role = old.role
	}, func(*sipLeg) {
		if old.state != LegEnded {
			old.cause = CauseTransferred
			old.hangupLeg()
		}
	})
}

package softphone

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration timing. Refresh happens at 80 % of the granted lifetime
// (RFC 3261 §10.2.4 leaves the margin to the UA); failures back off
// exponentially with jitter; while the registrar is unreachable an OPTIONS
// probe every probeInterval notices its return within 5 s.
const (
	registerTimeout  = 4 * time.Second
	minBackoff       = 1 * time.Second
	maxBackoff       = 60 * time.Second
	authFailBackoff  = 60 * time.Second
	probeInterval    = 2 * time.Second
	keepaliveEvery   = 15 * time.Second
	unregisterBudget = 2 * time.Second
)

// registration runs REGISTER for one account: the state lives on the
// phone's serial queue; the loop goroutine does the network work.
type registration struct {
	p *Phone

	// Owned by the serial queue.
	state  RegState
	reason string

	// Owned by the loop goroutine.
	callID  string
	cseq    uint32
	fromTag string

	kick     chan struct{}
	stopOnce sync.Once
	stopCh   chan struct{}
	done     chan struct{}
}

func newRegistration(p *Phone) *registration {
	return &registration{
		p:       p,
		state:   RegUnregistered,
		callID:  newID(),
		cseq:    1,
		fromTag: sip.GenerateTagN(16),
		kick:    make(chan struct{}, 1),
		stopCh:  make(chan struct{}),
		done:    make(chan struct{}),
	}
}

// transition is the one place registration state changes. It runs on the
// serial queue.
func (r *registration) transition(to RegState, reason string, expires int) {
	if r.state == to && r.reason == reason {
		return
	}
	r.state, r.reason = to, reason
	r.p.log.Info("registration", "state", to, "reason", reason)
	r.p.publish(RegistrationEvent{Account: r.p.acct.cfg.AOR, State: to, Reason: reason, Expires: expires, At: time.Now()})
}

func (r *registration) set(to RegState, reason string, expires int) {
	r.p.q.enqueue(func() { r.transition(to, reason, expires) })
}

func (r *registration) start() { go r.loop() }

// stop ends the loop and, if unregister, sends REGISTER Expires: 0.
func (r *registration) stop(unregister bool) {
	r.stopOnce.Do(func() { close(r.stopCh) })
	<-r.done
	if unregister {
		ctx, cancel := context.WithTimeout(context.Background(), unregisterBudget)
		defer cancel()
		if _, err := r.register(ctx, 0); err == nil {
			r.p.q.do(func() { r.transition(RegUnregistered, "", 0) })
		}
	}
}

func (r *registration) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.kick:
		return true
	case <-r.stopCh:
		return false
	}
}

func (r *registration) loop() {
	defer close(r.done)
	backoff := minBackoff
	everRegistered := false
	for {
		select {
		case <-r.stopCh:
			return
		default:
		}
		if everRegistered {
			r.set(RegReconnecting, "re-registering", 0)
		} else {
			r.set(RegRegistering, "", 0)
		}
		ctx, cancel := context.WithTimeout(context.Background(), registerTimeout)
		granted, err := r.register(ctx, int(r.p.acct.expires/time.Second))
		cancel()
		if err == nil {
			everRegistered = true
			backoff = minBackoff
			r.set(RegRegistered, "", granted)
			refreshIn := time.Duration(granted) * time.Second * 8 / 10
			if refreshIn < time.Second {
				refreshIn = time.Second
			}
			if !r.keepalive(refreshIn) {
				return
			}
			continue
		}
		reason := err.Error()
		if errors.Is(err, ErrAuthFailed) {
			r.set(RegFailed, reason, 0)
			if !r.wait(authFailBackoff) {
				return
			}
			continue
		}
		if everRegistered {
			r.set(RegReconnecting, reason, 0)
		} else {
			r.set(RegFailed, reason, 0)
		}
		if !r.probeUntilBack(backoff) {
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// keepalive waits until the refresh time, probing the registrar with
// OPTIONS so that a vanished registrar is noticed before the refresh. It
// returns false when stopped.
func (r *registration) keepalive(refreshIn time.Duration) bool {
	deadline := time.Now().Add(refreshIn)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return true
		}
		if !r.wait(min(left, keepaliveEvery)) {
			return false
		}
		if time.Until(deadline) <= 0 {
			return true
		}
		if !r.probe() {
			return true // registrar gone: re-register (which will fail and back off)
		}
	}
}

// probeUntilBack waits up to backoff (with jitter) but returns early, true,
// as soon as an OPTIONS probe gets any answer.
func (r *registration) probeUntilBack(backoff time.Duration) bool {
	jitter := time.Duration(rand.Int64N(int64(backoff) / 4))
	deadline := time.Now().Add(backoff + jitter)
	for time.Now().Before(deadline) {
		if !r.wait(min(probeInterval, time.Until(deadline))) {
			return false
		}
		if r.probe() {
			return true
		}
	}
	return true
}

// probe sends OPTIONS to the registrar and reports whether anything
// answered (any final response counts: the server is alive).
func (r *registration) probe() bool {
	p := r.p
	ctx, cancel := context.WithTimeout(context.Background(), probeInterval)
	defer cancel()
	req := sip.NewRequest(sip.OPTIONS, r.registrarURI())
	r.prepare(req)
	res, err := p.client.Do(ctx, req)
	return err == nil && res != nil
}

func (r *registration) registrarURI() sip.Uri {
	u := r.p.acct.registrar
	u.User = ""
	return u
}

func (r *registration) prepare(req *sip.Request) {
	p := r.p
	req.SetTransport(strings.ToUpper(p.acct.transport))
	req.SetDestination(p.acct.routeHost())
	from := p.fromHeader(sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: from.Address})
}

// fromHeader is our From: the AOR without a port, with tag.
func (p *Phone) fromHeader(tag string) *sip.FromHeader {
	from := &sip.FromHeader{DisplayName: p.acct.cfg.DisplayName, Address: p.acct.aor, Params: sip.NewParams()}
	from.Address.Port = 0
	from.Params.Add("tag", tag)
	return from
}

// register sends one REGISTER (with digest auth) and returns the granted
// expiry in seconds.
func (r *registration) register(ctx context.Context, expires int) (int, error) {
	p := r.p
	req := sip.NewRequest(sip.REGISTER, r.registrarURI())
	req.SetTransport(strings.ToUpper(p.acct.transport))
	req.SetDestination(p.acct.routeHost())
	from := p.fromHeader(r.fromTag)
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: from.Address})
	callID := sip.CallIDHeader(r.callID)
	req.AppendHeader(&callID)
	r.cseq++
	req.AppendHeader(&sip.CSeqHeader{SeqNo: r.cseq, MethodName: sip.REGISTER})
	contact := p.contact.Clone()
	req.AppendHeader(contact)
	req.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	req.AppendHeader(sip.NewHeader("Allow", "INVITE, ACK, CANCEL, BYE, REFER, NOTIFY, INFO, OPTIONS"))

	res, err := p.client.Do(ctx, req)
	if err != nil {
		return 0, fmt.Errorf("%w: no answer from registrar %s: %v", ErrRegistrationFailed, p.acct.routeHost(), err)
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.acct.authUser, Password: p.acct.cfg.Password})
		r.cseq = req.CSeq().SeqNo
		if err != nil {
			return 0, fmt.Errorf("%w: no answer from registrar after authenticating: %v", ErrRegistrationFailed, err)
		}
		if res.StatusCode == 401 || res.StatusCode == 407 || res.StatusCode == 403 {
			return 0, fmt.Errorf("%w (%d %s from %s)", ErrAuthFailed, res.StatusCode, res.Reason, p.acct.routeHost())
		}
	}
	if !res.IsSuccess() {
		return 0, fmt.Errorf("%w: %d %s", ErrRegistrationFailed, res.StatusCode, res.Reason)
	}
	return grantedExpires(res, expires), nil
}

// grantedExpires reads the lifetime the registrar granted our contact
// (RFC 3261 §10.2.4): the contact's expires parameter, else Expires.
func grantedExpires(res *sip.Response, asked int) int {
	for _, h := range res.GetHeaders("Contact") {
		if c, ok := h.(*sip.ContactHeader); ok && c.Params != nil {
			if v, ok := c.Params.Get("expires"); ok {
				if n, err := strconv.Atoi(v); err == nil {
					return n
				}
			}
		}
	}
	if h := res.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(strings.TrimSpace(h.Value())); err == nil {
			return n
		}
	}
	return asked
}

package softphone

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// Registration timing. Refresh happens at 80 % of the granted lifetime
// (RFC 3261 §10.2.4 leaves the margin to the UA); failures back off
// exponentially with jitter. While registered, a watch probe every
// Config.KeepaliveInterval (default 4 s) checks that the registrar still
// holds our binding, and while it is unreachable an OPTIONS probe every
// probeInterval notices its return: either way the account is registered
// again within 5 s of the registrar answering again.
const (
	registerTimeout   = 4 * time.Second
	minBackoff        = 1 * time.Second
	maxBackoff        = 60 * time.Second
	authFailBackoff   = 60 * time.Second
	probeInterval     = 2 * time.Second
	defaultKeepalive  = 4 * time.Second
	defaultNetPoll    = 2 * time.Second
	unregisterBudget  = 2 * time.Second
	reasonNetwork     = "network changed"
	reasonBindingLost = "registrar lost our registration"
	reasonSilent      = "registrar not answering"
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

	keepalive time.Duration
	kick      chan string // reason to re-register now (network change)
	stopOnce  sync.Once
	stopCh    chan struct{}
	done      chan struct{}
	netDone   chan struct{}
}

func newRegistration(p *Phone) *registration {
	ka := p.cfg.KeepaliveInterval
	if ka <= 0 {
		ka = defaultKeepalive
	}
	return &registration{
		p:         p,
		state:     RegUnregistered,
		callID:    newID(),
		cseq:      1,
		fromTag:   sip.GenerateTagN(16),
		keepalive: ka,
		kick:      make(chan string, 1),
		stopCh:    make(chan struct{}),
		done:      make(chan struct{}),
		netDone:   make(chan struct{}),
	}
}

// transition is the one place registration state changes. It runs on the
// serial queue.
func (r *registration) transition(to RegState, reason string, expires int, cause error) {
	if r.state == to && r.reason == reason {
		return
	}
	r.state, r.reason = to, reason
	r.p.log.Info("registration", "state", to, "reason", reason)
	r.p.publish(RegistrationEvent{Account: r.p.acct.cfg.AOR, State: to, Reason: reason, Err: cause, Expires: expires, At: time.Now()})
}

func (r *registration) set(to RegState, reason string, expires int) {
	r.p.q.enqueue(func() { r.transition(to, reason, expires, nil) })
}

// setErr is set for a failure: the event carries the error itself, so
// that the UI can say what failed (DNS, refused, password, ...).
func (r *registration) setErr(to RegState, err error) {
	r.p.q.enqueue(func() { r.transition(to, err.Error(), 0, err) })
}

func (r *registration) start() {
	go r.loop()
	go r.watchNetwork()
}

// stop ends the loop and, if unregister, sends REGISTER Expires: 0.
func (r *registration) stop(unregister bool) {
	r.stopOnce.Do(func() { close(r.stopCh) })
	<-r.done
	<-r.netDone
	if unregister {
		ctx, cancel := context.WithTimeout(context.Background(), unregisterBudget)
		defer cancel()
		if _, err := r.register(ctx, 0); err == nil {
			r.p.q.do(func() { r.transition(RegUnregistered, "", 0, nil) })
		}
	}
}

// wait sleeps for d. It returns the kick reason ("" when d elapsed) and
// false when the registration is stopping.
func (r *registration) wait(d time.Duration) (string, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return "", true
	case why := <-r.kick:
		return why, true
	case <-r.stopCh:
		return "", false
	}
}

func (r *registration) loop() {
	defer close(r.done)
	backoff := minBackoff
	everRegistered := false
	why := "" // why we are registering again; "" for a first try or a refresh
	for {
		select {
		case <-r.stopCh:
			return
		default:
		}
		switch {
		case !everRegistered:
			r.set(RegRegistering, "", 0)
		case why != "":
			r.set(RegReconnecting, why, 0)
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
			var ok bool
			if why, ok = r.watch(refreshIn); !ok {
				return
			}
			if why == reasonSilent {
				r.set(RegReconnecting, why, 0)
				if !r.probeUntilBack(backoff) {
					return
				}
			}
			continue
		}
		why = err.Error()
		if errors.Is(err, ErrAuthFailed) {
			r.setErr(RegFailed, err)
			if _, ok := r.wait(authFailBackoff); !ok {
				return
			}
			continue
		}
		if everRegistered {
			r.setErr(RegReconnecting, err)
		} else {
			r.setErr(RegFailed, err)
		}
		if !r.probeUntilBack(backoff) {
			return
		}
		backoff = min(backoff*2, maxBackoff)
	}
}

// watch keeps an eye on a live registration until it is time to refresh.
// Every keepalive interval it checks the binding (see checkBinding). It
// returns why to register again ("" for a plain refresh) and false when
// stopped.
func (r *registration) watch(refreshIn time.Duration) (string, bool) {
	deadline := time.Now().Add(refreshIn)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return "", true
		}
		why, ok := r.wait(min(left, r.keepalive))
		if !ok || why != "" {
			return why, ok
		}
		if time.Until(deadline) <= 0 {
			return "", true
		}
		if why := r.checkBinding(); why != "" {
			return why, true
		}
	}
}

// checkBinding sends OPTIONS to our own address of record through the
// registrar (RFC 3261 §11). When our binding exists the proxy routes it
// back to us and we answer 200; a registrar that restarted and forgot us
// answers 404 or 480; one that is down does not answer. Anything else
// (a 403 from a proxy that refuses OPTIONS, say) counts as alive. It
// returns why to register again, or "".
func (r *registration) checkBinding() string {
	p := r.p
	ctx, cancel := context.WithTimeout(context.Background(), probeInterval)
	defer cancel()
	req := sip.NewRequest(sip.OPTIONS, p.acct.aor)
	r.prepare(req)
	res, err := p.client.Do(ctx, req)
	if err == nil && (res.StatusCode == 401 || res.StatusCode == 407) {
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.acct.authUser, Password: p.acct.cfg.Password})
	}
	switch {
	case err != nil || res == nil:
		// The relay to us may be what timed out; only a registrar that
		// does not answer its own OPTIONS either is gone.
		if r.probe() {
			return ""
		}
		return reasonSilent
	case res.StatusCode == 404 || res.StatusCode == 480 || res.StatusCode == 410:
		return reasonBindingLost
	}
	return ""
}

// probeUntilBack waits up to backoff (with jitter) but returns early, true,
// as soon as an OPTIONS probe gets any answer.
func (r *registration) probeUntilBack(backoff time.Duration) bool {
	jitter := time.Duration(rand.Int64N(int64(backoff) / 4))
	deadline := time.Now().Add(backoff + jitter)
	for time.Now().Before(deadline) {
		why, ok := r.wait(min(probeInterval, time.Until(deadline)))
		if !ok {
			return false
		}
		if why != "" || r.probe() {
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

// watchNetwork polls the host's interface addresses and kicks the loop
// to register again when they change (a new Wi-Fi, a VPN coming up, a
// laptop resuming): the registrar must learn our new contact at once,
// not at the next refresh. Polling is portable and costs one syscall
// every two seconds; the address source is injectable (WithNetwork).
func (r *registration) watchNetwork() {
	defer close(r.netDone)
	addrs := r.p.netAddrs
	last, _ := addrs()
	t := time.NewTicker(r.p.netPoll)
	defer t.Stop()
	for {
		select {
		case <-r.stopCh:
			return
		case <-t.C:
		}
		now, err := addrs()
		if err != nil || slices.Equal(now, last) {
			continue
		}
		r.p.log.Info("network changed", "addresses", now)
		last = now
		select {
		case r.kick <- reasonNetwork:
		default:
		}
	}
}

// interfaceAddrs lists the host's addresses, sorted, as the network
// watch compares them.
func interfaceAddrs() ([]string, error) {
	as, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(as))
	for _, a := range as {
		out = append(out, a.String())
	}
	slices.Sort(out)
	return out, nil
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
		return 0, fmt.Errorf("%w: registrar %s: %w", ErrRegistrationFailed, p.acct.routeHost(), err)
	}
	if res.StatusCode == 401 || res.StatusCode == 407 {
		res, err = p.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: p.acct.authUser, Password: p.acct.cfg.Password})
		r.cseq = req.CSeq().SeqNo
		if err != nil {
			return 0, fmt.Errorf("%w: registrar %s, after authenticating: %w", ErrRegistrationFailed, p.acct.routeHost(), err)
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

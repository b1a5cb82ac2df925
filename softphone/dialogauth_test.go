package softphone

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/pitchline/pitchline/audio"
)

// challengingPeer is a far end on a loopback UDP socket that answers the
// initial INVITE with 200 (Record-Route naming itself) and challenges
// in-dialog requests with 407 as a proxy of its domain would. It checks
// the credentials itself (RFC 2617 §3.2.2.1, qop=auth) instead of trusting
// the digest library under test, and records every request it received.
type challengingPeer struct {
	t     *testing.T
	conn  net.PacketConn // the far end's Contact
	proxy net.PacketConn // the route set (Record-Route of the 200)
	user  string
	pass  string

	mu           sync.Mutex
	always       bool   // challenge even requests with good credentials
	sdp          string // body of the 200s to INVITEs
	reqs         []*sip.Request
	viaProxy     map[*sip.Request]bool
	arrived      chan struct{} // one token per recorded request
	nonces       int
	credFailures []string
	wg           sync.WaitGroup
}

const testRealm = "pitchline.test"

func startChallengingPeer(t *testing.T, user, pass string) *challengingPeer {
	t.Helper()
	conn, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	proxy, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &challengingPeer{t: t, conn: conn, proxy: proxy, user: user, pass: pass, sdp: "v=0\r\n",
		viaProxy: map[*sip.Request]bool{}, arrived: make(chan struct{}, 1024)}
	p.wg.Add(2)
	go p.serve(conn)
	go p.serve(proxy)
	t.Cleanup(func() { conn.Close(); proxy.Close(); p.wg.Wait() })
	return p
}

func (p *challengingPeer) uri() sip.Uri {
	a := p.conn.LocalAddr().(*net.UDPAddr)
	return sip.Uri{Scheme: "sip", User: "far", Host: "127.0.0.1", Port: a.Port}
}

func (p *challengingPeer) serve(conn net.PacketConn) {
	defer p.wg.Done()
	buf := make([]byte, 65535)
	seen := map[string]bool{} // Via branch + method: retransmissions
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return
		}
		msg, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			p.t.Errorf("peer: unparsable message: %v", err)
			continue
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			continue
		}
		key := req.Method.String()
		if v := req.Via(); v != nil {
			key += v.Params.GetOr("branch", "")
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		p.mu.Lock()
		p.reqs = append(p.reqs, req)
		p.viaProxy[req] = conn == p.proxy
		p.mu.Unlock()
		p.arrived <- struct{}{}
		if req.IsAck() {
			continue
		}
		if res := p.answer(req); res != nil {
			if _, err := conn.WriteTo([]byte(res.String()), from); err != nil {
				p.t.Errorf("peer: write: %v", err)
			}
		}
	}
}

func (p *challengingPeer) answer(req *sip.Request) *sip.Response {
	to := req.To()
	if _, tagged := to.Params.Get("tag"); !tagged && req.IsInvite() {
		p.mu.Lock()
		body := p.sdp
		p.mu.Unlock()
		res := sip.NewResponseFromRequest(req, 200, "OK", []byte(body))
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
		res.To().Params.Add("tag", "fartag")
		res.AppendHeader(&sip.ContactHeader{Address: p.uri()})
		rr := sip.Uri{Scheme: "sip", Host: "127.0.0.1", Port: p.proxy.LocalAddr().(*net.UDPAddr).Port}
		rr.UriParams = sip.NewParams()
		rr.UriParams.Add("lr", "")
		res.AppendHeader(&sip.RecordRouteHeader{Address: rr})
		return res
	}
	p.mu.Lock()
	always := p.always
	p.mu.Unlock()
	if h := req.GetHeader("Proxy-Authorization"); h != nil && !always {
		if err := p.checkCredentials(req, h.Value()); err != nil {
			p.mu.Lock()
			p.credFailures = append(p.credFailures, err.Error())
			p.mu.Unlock()
			return sip.NewResponseFromRequest(req, 403, "Forbidden", nil)
		}
		var body []byte
		if req.IsInvite() {
			p.mu.Lock()
			body = []byte(p.sdp)
			p.mu.Unlock()
		}
		return sip.NewResponseFromRequest(req, 200, "OK", body)
	}
	p.mu.Lock()
	p.nonces++
	nonce := fmt.Sprintf("nonce%d", p.nonces)
	p.mu.Unlock()
	res := sip.NewResponseFromRequest(req, 407, "Proxy Authentication Required", nil)
	res.AppendHeader(sip.NewHeader("Proxy-Authenticate",
		`Digest realm="`+testRealm+`", nonce="`+nonce+`", qop="auth", algorithm=MD5`))
	return res
}

// checkCredentials verifies a Proxy-Authorization value by RFC 2617.
func (p *challengingPeer) checkCredentials(req *sip.Request, value string) error {
	c, err := digest.ParseCredentials(value)
	if err != nil {
		return err
	}
	if c.Username != p.user || c.Realm != testRealm || c.URI != req.Recipient.String() {
		return fmt.Errorf("credentials for %q realm %q uri %q, want %q %q %q", c.Username, c.Realm, c.URI, p.user, testRealm, req.Recipient.String())
	}
	h := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	ha1 := h(p.user + ":" + testRealm + ":" + p.pass)
	ha2 := h(req.Method.String() + ":" + c.URI)
	want := h(ha1 + ":" + c.Nonce + ":" + fmt.Sprintf("%08x", c.Nc) + ":" + c.Cnonce + ":" + c.QOP + ":" + ha2)
	if c.Response != want {
		return fmt.Errorf("digest response %s, want %s", c.Response, want)
	}
	return nil
}

func (p *challengingPeer) cameViaProxy(r *sip.Request) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.viaProxy[r]
}

func (p *challengingPeer) requests() []*sip.Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]*sip.Request(nil), p.reqs...)
}

// dialPeer sets up a dialog with the peer over real sipgo transactions on
// loopback and returns the session and the client it uses.
func dialPeer(t *testing.T, peer *challengingPeer) (*sipgo.DialogClientSession, *sipgo.Client) {
	t.Helper()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("pitchline-test"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ua.Close() })
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname("127.0.0.1"))
	if err != nil {
		t.Fatal(err)
	}
	dua := &sipgo.DialogUA{Client: client, ContactHDR: sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "carol", Host: "127.0.0.1", Port: 5999}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inv := sip.NewRequest(sip.INVITE, peer.uri())
	inv.AppendHeader(&sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "carol", Host: "127.0.0.1"}, Params: sip.NewParams()})
	inv.From().Params.Add("tag", "neartag")
	inv.AppendHeader(&sip.ToHeader{Address: peer.uri(), Params: sip.NewParams()})
	inv.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	inv.SetBody([]byte("v=0\r\n"))
	dlg, err := dua.WriteInvite(ctx, inv)
	if err != nil {
		t.Fatal(err)
	}
	if err := dlg.WaitAnswer(ctx, sipgo.AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := dlg.Ack(ctx); err != nil {
		t.Fatal(err)
	}
	return dlg, client
}

// inDialogSent returns the requests of method the peer received after the
// initial INVITE's dialog was set up (index from on).
func ofMethod(reqs []*sip.Request, m sip.RequestMethod) []*sip.Request {
	var out []*sip.Request
	for _, r := range reqs {
		if r.Method == m {
			out = append(out, r)
		}
	}
	return out
}

// TestSendInDialogAnswersChallengeOnce sends BYE-like in-dialog requests
// (INFO, REFER, NOTIFY, re-INVITE, BYE) through a real sipgo dialog to a
// peer that challenges each with 407: each must be re-sent exactly once,
// with valid Proxy-Authorization, the next CSeq, and the same Call-ID,
// tags and route set; the re-INVITE's ACK must carry the re-sent INVITE's
// CSeq and credentials (RFC 3261 §22.2, §13.2.2.4).
func TestSendInDialogAnswersChallengeOnce(t *testing.T) {
	peer := startChallengingPeer(t, "carol", "carolpw")
	dlg, client := dialPeer(t, peer)
	auth := sipgo.DigestAuth{Username: "carol", Password: "carolpw"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	lastCSeq := dlg.InviteRequest.CSeq().SeqNo
	for _, m := range []sip.RequestMethod{sip.INFO, sip.REFER, sip.NOTIFY, sip.INVITE, sip.BYE} {
		before := len(peer.requests())
		tmpl := inDialogRequest(m, peer.uri())
		if m == sip.INVITE {
			tmpl.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
			tmpl.SetBody([]byte("v=0\r\n"))
		}
		res, err := sendInDialog(ctx, dlg, client, auth, tmpl)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("%s: %v %v", m, res, err)
		}
		if tmpl.CSeq() != nil || tmpl.GetHeader("Proxy-Authorization") != nil {
			t.Errorf("%s: the template was modified:\n%s", m, tmpl)
		}
		if m == sip.INVITE {
			// Two ACKs: the transaction layer's for the 407 and ours for
			// the 200; ours may still be on its way to the peer.
			peer.waitFor(t, func(reqs []*sip.Request) bool { return len(ofMethod(reqs[before:], sip.ACK)) >= 2 })
		}
		got := peer.requests()[before:]
		sent := ofMethod(got, m)
		if len(sent) != 2 {
			t.Fatalf("%s: peer received %d, want 2 (one challenged, one with credentials)", m, len(sent))
		}
		first, retry := sent[0], sent[1]
		if first.GetHeader("Proxy-Authorization") != nil {
			t.Errorf("%s: first request already had credentials", m)
		}
		if retry.GetHeader("Proxy-Authorization") == nil {
			t.Errorf("%s: re-sent request has no Proxy-Authorization", m)
		}
		if first.CSeq().SeqNo != lastCSeq+1 || retry.CSeq().SeqNo != lastCSeq+2 {
			t.Errorf("%s: CSeq %d then %d, want %d then %d", m, first.CSeq().SeqNo, retry.CSeq().SeqNo, lastCSeq+1, lastCSeq+2)
		}
		lastCSeq = retry.CSeq().SeqNo
		if first.Via().Params.GetOr("branch", "a") == retry.Via().Params.GetOr("branch", "b") {
			t.Errorf("%s: re-sent request reused the branch (must be a new transaction)", m)
		}
		for _, r := range sent {
			if r.CallID().Value() != dlg.InviteRequest.CallID().Value() {
				t.Errorf("%s: Call-ID %s, want the dialog's", m, r.CallID().Value())
			}
			if tag, _ := r.From().Params.Get("tag"); tag != "neartag" {
				t.Errorf("%s: From tag %q", m, tag)
			}
			if tag, _ := r.To().Params.Get("tag"); tag != "fartag" {
				t.Errorf("%s: To tag %q", m, tag)
			}
			if routes := r.GetHeaders("Route"); len(routes) != 1 {
				t.Errorf("%s: %d Route headers, want the one-entry route set", m, len(routes))
			}
			if !peer.cameViaProxy(r) {
				t.Errorf("%s (CSeq %d) went straight to the remote target, not along the route set", m, r.CSeq().SeqNo)
			}
		}
		if m == sip.INVITE {
			acks := ofMethod(got, sip.ACK)
			if len(acks) != 2 {
				t.Fatalf("re-INVITE: %d ACKs, want 2 (407's and 200's)", len(acks))
			}
			branch := func(r *sip.Request) string { return r.Via().Params.GetOr("branch", "") }
			hop, ack := acks[0], acks[1]
			if branch(hop) != branch(first) {
				hop, ack = ack, hop
			}
			if branch(hop) != branch(first) || hop.CSeq().SeqNo != first.CSeq().SeqNo {
				t.Errorf("no ACK for the 407 in the challenged INVITE's transaction: %v / %v", hop.CSeq(), ack.CSeq())
			}
			if branch(ack) == branch(first) || branch(ack) == branch(retry) {
				t.Errorf("the 200's ACK reused a transaction branch")
			}
			if ack.CSeq().SeqNo != retry.CSeq().SeqNo || ack.CSeq().MethodName != sip.ACK {
				t.Errorf("ACK CSeq %v, want %d ACK (the re-sent INVITE's)", ack.CSeq(), retry.CSeq().SeqNo)
			}
			if ack.GetHeader("Proxy-Authorization") == nil {
				t.Errorf("ACK without the INVITE's credentials (RFC 3261 §13.2.2.4)")
			}
			if !peer.cameViaProxy(ack) {
				t.Errorf("the 200's ACK went straight to the remote target, not along the route set")
			}
			if len(ack.Body()) != 0 {
				t.Errorf("ACK has a body")
			}
		}
	}
	peer.mu.Lock()
	defer peer.mu.Unlock()
	if len(peer.credFailures) > 0 {
		t.Errorf("peer refused credentials: %v", peer.credFailures)
	}
}

// TestSendInDialogSecondChallengeFails: a peer that challenges the
// request with credentials too gets exactly one re-send, and the caller
// gets an error wrapping ErrAuthFailed with the final 407.
func TestSendInDialogSecondChallengeFails(t *testing.T) {
	peer := startChallengingPeer(t, "carol", "carolpw")
	dlg, client := dialPeer(t, peer)
	peer.mu.Lock()
	peer.always = true
	peer.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, m := range []sip.RequestMethod{sip.INFO, sip.BYE} {
		before := len(peer.requests())
		res, err := sendInDialog(ctx, dlg, client, sipgo.DigestAuth{Username: "carol", Password: "carolpw"}, inDialogRequest(m, peer.uri()))
		if !errors.Is(err, ErrAuthFailed) {
			t.Fatalf("%s: err %v, want ErrAuthFailed", m, err)
		}
		if res == nil || res.StatusCode != 407 {
			t.Errorf("%s: response %v, want the second 407", m, res)
		}
		if n := len(ofMethod(peer.requests()[before:], m)); n != 2 {
			t.Errorf("%s: peer received %d, want 2 (no second retry)", m, n)
		}
	}
}

// TestSendInDialogNeverResendsCancel: a challenged CANCEL is not re-sent
// (RFC 3261 §22.1: CANCEL cannot be challenged); the 407 is returned as is.
func TestSendInDialogNeverResendsCancel(t *testing.T) {
	peer := startChallengingPeer(t, "carol", "carolpw")
	dlg, client := dialPeer(t, peer)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before := len(peer.requests())
	res, err := sendInDialog(ctx, dlg, client, sipgo.DigestAuth{Username: "carol", Password: "carolpw"}, inDialogRequest(sip.CANCEL, peer.uri()))
	if err != nil || res.StatusCode != 407 {
		t.Fatalf("CANCEL: %v %v, want the 407 back without error", res, err)
	}
	// A re-sent CANCEL would follow at once; an OPTIONS sent after it on
	// the same path marks the end of what the peer can have received.
	if _, err := client.Do(ctx, sip.NewRequest(sip.OPTIONS, peer.uri())); err != nil {
		t.Fatal(err)
	}
	got := peer.requests()[before:]
	if n := len(ofMethod(got, sip.CANCEL)); n != 1 {
		t.Errorf("peer received %d CANCELs, want 1", n)
	}
	for _, r := range ofMethod(got, sip.CANCEL) {
		if r.GetHeader("Proxy-Authorization") != nil {
			t.Errorf("CANCEL carried credentials")
		}
	}
}

// waitFor waits until cond holds for the requests received so far,
// re-checking on every arrival (10 s bound).
func (p *challengingPeer) waitFor(t *testing.T, cond func([]*sip.Request) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !cond(p.requests()) {
		select {
		case <-p.arrived:
		case <-timeout:
			t.Fatal("peer: condition not met within 10s")
		}
	}
}

// TestRefusedInDialogCredentialsAreReported drives a Phone against a peer
// that refuses every in-dialog credential: the hold re-INVITE is re-sent
// once, then the hold is undone (RFC 3261 §14.1) and a HoldEvent says so;
// the BYE is re-sent once, then the call ends with the 407 and a reason
// naming the failed authentication, since the far end may still be in
// the call.
func TestRefusedInDialogCredentialsAreReported(t *testing.T) {
	peer := startChallengingPeer(t, "carol", "carolpw")
	rtp, err := net.ListenPacket("udp4", "127.0.0.1:0") // never read: RTP sink
	if err != nil {
		t.Fatal(err)
	}
	defer rtp.Close()
	peer.mu.Lock()
	peer.sdp = fmt.Sprintf("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"+
		"m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n", rtp.LocalAddr().(*net.UDPAddr).Port)
	peer.mu.Unlock()
	far := peer.uri()
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	ph, err := NewPhone(Config{
		Account: AccountConfig{AOR: far.String(), AuthUser: "carol", Password: "carolpw", Transport: "udp"},
		Listen:  "127.0.0.1:0",
	}, WithAudio(nb, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	evs, cancelSub := ph.Subscribe()
	defer cancelSub()
	if err := ph.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer ph.Close()
	wait := func(what string, pred func(Event) bool) Event {
		t.Helper()
		timeout := time.After(20 * time.Second)
		for {
			select {
			case e := <-evs:
				if pred(e) {
					return e
				}
			case <-timeout:
				t.Fatalf("timed out waiting for %s", what)
			}
		}
	}
	call, err := ph.Dial(context.Background(), far.String())
	if err != nil {
		t.Fatal(err)
	}
	wait("connected", func(e Event) bool { ce, ok := e.(CallEvent); return ok && ce.State == CallConnected })
	peer.mu.Lock()
	peer.always = true
	peer.mu.Unlock()
	before := len(peer.requests())

	if err := call.Hold(); err != nil {
		t.Fatal(err)
	}
	wait("hold", func(e Event) bool { he, ok := e.(HoldEvent); return ok && he.Held })
	wait("hold undone", func(e Event) bool { he, ok := e.(HoldEvent); return ok && !he.Held && !he.Remote })
	if info := call.Info(); info.Held || info.State != CallConnected {
		t.Errorf("after the refused hold: held=%v state=%s, want not held, connected", info.Held, info.State)
	}
	if n := len(ofMethod(peer.requests()[before:], sip.INVITE)); n != 2 {
		t.Errorf("peer received %d re-INVITEs, want 2 (one re-send)", n)
	}

	before = len(peer.requests())
	if err := call.Hangup(); err != nil {
		t.Fatal(err)
	}
	end := wait("ended", func(e Event) bool { ce, ok := e.(CallEvent); return ok && ce.State == CallEnded }).(CallEvent)
	if end.Status != 407 || !strings.Contains(end.Reason, "hang-up not confirmed") || !strings.Contains(end.Reason, "authentication failed") {
		t.Errorf("ended with %d %q, want 407 and a reason saying the hang-up was not confirmed for failed authentication", end.Status, end.Reason)
	}
	if n := len(ofMethod(peer.requests()[before:], sip.BYE)); n != 2 {
		t.Errorf("peer received %d BYEs, want 2 (one re-send)", n)
	}
}

package testlab

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rawUA is a minimal UDP SIP endpoint for proxy tests: it sends hand-made
// requests and reads whatever arrives. It is deliberately tiny; it checks
// the proxy, not a SIP stack.
type rawUA struct {
	t    *testing.T
	conn *net.UDPConn
}

func newRawUA(t *testing.T) *rawUA {
	t.Helper()
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(LoopbackIP)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawUA{t: t, conn: c}
}

func (u *rawUA) port() int { return u.conn.LocalAddr().(*net.UDPAddr).Port }

func (u *rawUA) send(to string, msg string) {
	u.t.Helper()
	a, err := net.ResolveUDPAddr("udp4", to)
	if err != nil {
		u.t.Fatal(err)
	}
	if _, err := u.conn.WriteToUDP([]byte(strings.ReplaceAll(msg, "\n", "\r\n")), a); err != nil {
		u.t.Fatal(err)
	}
}

// recv returns the next datagram, skipping provisional 100 Trying.
func (u *rawUA) recv() (string, *net.UDPAddr) {
	u.t.Helper()
	buf := make([]byte, 8192)
	for {
		_ = u.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, from, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			u.t.Fatalf("waiting for a SIP message: %v", err)
		}
		m := string(buf[:n])
		if strings.HasPrefix(m, "SIP/2.0 100 ") {
			continue
		}
		return m, from
	}
}

// reply answers request req (as received) with code.
func (u *rawUA) reply(req string, to *net.UDPAddr, code int, reason string) {
	u.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "SIP/2.0 %d %s\n", code, reason)
	for _, h := range []string{"Via", "Record-Route", "From", "To", "Call-ID", "CSeq"} {
		for _, v := range headerValues(req, h) {
			if h == "To" && !strings.Contains(v, "tag=") {
				v += ";tag=raw"
			}
			fmt.Fprintf(&b, "%s: %s\n", h, v)
		}
	}
	b.WriteString("Content-Length: 0\n\n")
	u.send(to.String(), b.String())
}

func headerValues(msg, name string) []string {
	var out []string
	for _, line := range strings.Split(msg, "\r\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), name) {
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

var digestParam = regexp.MustCompile(`(\w+)="?([^",]*)"?`)

// proxyAuth computes a Proxy-Authorization value for a 407 challenge
// (RFC 2617 section 3.2.2 with qop=auth).
func proxyAuth(challenge, user, pass, method, uri string) string {
	p := map[string]string{}
	for _, m := range digestParam.FindAllStringSubmatch(strings.TrimPrefix(challenge, "Digest "), -1) {
		p[m[1]] = m[2]
	}
	h := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	ha1 := h(user + ":" + p["realm"] + ":" + pass)
	ha2 := h(method + ":" + uri)
	const nc, cnonce = "00000001", "0a4f113b"
	resp := h(ha1 + ":" + p["nonce"] + ":" + nc + ":" + cnonce + ":auth:" + ha2)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", response="%s", algorithm=MD5, qop=auth, nc=%s, cnonce="%s"`,
		user, p["realm"], p["nonce"], uri, resp, nc, cnonce)
}

// TestKamailioRoutesMessageAndRefer checks that MESSAGE and REFER need proxy
// authentication, are relayed to the registered contact once authenticated
// (REFER with Record-Route), and that an in-dialog REFER follows its Route
// header (loose routing) without any challenge.
func TestKamailioRoutesMessageAndRefer(t *testing.T) {
	t.Parallel()
	RequireSipp(t)
	k := StartKamailio(t, WithoutTLS())
	callee := newRawUA(t) // registered as carol
	caller := newRawUA(t) // alice
	if res := RunSipp(t, SippRegisterArgs(k.Addr(), "carol", "carolpw", callee.port(), 300)); !res.OK() {
		t.Fatalf("register carol: %s", res.Summary())
	}
	ruri := k.URI("carol")
	from := fmt.Sprintf("<sip:alice@%s>;tag=a1", k.Addr())

	for i, method := range []string{"MESSAGE", "REFER"} {
		callID := fmt.Sprintf("raw-%s@127.0.0.1", strings.ToLower(method))
		build := func(cseq int, auth string) string {
			var b strings.Builder
			fmt.Fprintf(&b, "%s %s SIP/2.0\n", method, ruri)
			fmt.Fprintf(&b, "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-raw%d%d;rport\n", caller.port(), i, cseq)
			fmt.Fprintf(&b, "Max-Forwards: 70\nFrom: %s\nTo: <%s>\nCall-ID: %s\nCSeq: %d %s\n", from, ruri, callID, cseq, method)
			fmt.Fprintf(&b, "Contact: <sip:alice@127.0.0.1:%d>\n", caller.port())
			if method == "REFER" {
				fmt.Fprintf(&b, "Refer-To: <%s>\n", k.URI("bob"))
			}
			if auth != "" {
				fmt.Fprintf(&b, "Proxy-Authorization: %s\n", auth)
			}
			body := ""
			if method == "MESSAGE" {
				body = "hello carol"
				b.WriteString("Content-Type: text/plain\n")
			}
			fmt.Fprintf(&b, "Content-Length: %d\n\n%s", len(body), body)
			return b.String()
		}
		caller.send(k.Addr(), build(1, ""))
		resp, _ := caller.recv()
		if !strings.HasPrefix(resp, "SIP/2.0 407 ") {
			t.Fatalf("%s without credentials: want 407, got %q", method, firstLine(resp))
		}
		ch := headerValues(resp, "Proxy-Authenticate")
		if len(ch) != 1 || !strings.Contains(ch[0], `qop="auth"`) {
			t.Fatalf("%s: Proxy-Authenticate %v", method, ch)
		}
		caller.send(k.Addr(), build(2, proxyAuth(ch[0], "alice", "alicepw", method, ruri)))
		req, proxy := callee.recv()
		if !strings.HasPrefix(req, method+" sip:carol@127.0.0.1:") {
			t.Fatalf("callee got %q, want the relayed %s", firstLine(req), method)
		}
		if len(headerValues(req, "Proxy-Authorization")) != 0 {
			t.Fatalf("%s: credentials were not consumed by the proxy", method)
		}
		rr := headerValues(req, "Record-Route")
		if method == "REFER" && (len(rr) == 0 || !strings.Contains(rr[0], k.Addr())) {
			t.Fatalf("REFER must be record-routed, Record-Route %v", rr)
		}
		callee.reply(req, proxy, 202, "Accepted")
		if resp, _ := caller.recv(); !strings.HasPrefix(resp, "SIP/2.0 202 ") {
			t.Fatalf("%s: caller got %q, want the relayed 202", method, firstLine(resp))
		}
	}

	// In-dialog REFER (To tag + Route through the proxy) is relayed by
	// loose routing to the remote target, with no challenge.
	target := fmt.Sprintf("sip:carol@127.0.0.1:%d", callee.port())
	caller.send(k.Addr(), fmt.Sprintf("REFER %s SIP/2.0\n"+
		"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-rawdlg;rport\n"+
		"Route: <sip:%s;lr>\nMax-Forwards: 70\nFrom: %s\nTo: <%s>;tag=c1\n"+
		"Call-ID: dialog-1@127.0.0.1\nCSeq: 5 REFER\nContact: <sip:alice@127.0.0.1:%d>\n"+
		"Refer-To: <%s>\nContent-Length: 0\n\n", target, caller.port(), k.Addr(), from, ruri, caller.port(), k.URI("bob")))
	req, proxy := callee.recv()
	if !strings.HasPrefix(req, "REFER "+target+" SIP/2.0") {
		t.Fatalf("in-dialog REFER not loose-routed to the target: %q", firstLine(req))
	}
	callee.reply(req, proxy, 202, "Accepted")
	if resp, _ := caller.recv(); !strings.HasPrefix(resp, "SIP/2.0 202 ") {
		t.Fatalf("in-dialog REFER: caller got %q", firstLine(resp))
	}

	// MESSAGE to a user nobody registered: 404 after authentication.
	dave := k.URI("dave")
	msg := func(cseq int, auth string) string {
		a := ""
		if auth != "" {
			a = "Proxy-Authorization: " + auth + "\n"
		}
		return fmt.Sprintf("MESSAGE %s SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-rawd%d;rport\n"+
			"Max-Forwards: 70\nFrom: %s\nTo: <%s>\nCall-ID: raw-dave@127.0.0.1\nCSeq: %d MESSAGE\n%sContent-Length: 0\n\n",
			dave, caller.port(), cseq, from, dave, cseq, a)
	}
	caller.send(k.Addr(), msg(1, ""))
	resp, _ := caller.recv()
	ch := headerValues(resp, "Proxy-Authenticate")
	if len(ch) != 1 {
		t.Fatalf("MESSAGE to dave: %q", firstLine(resp))
	}
	caller.send(k.Addr(), msg(2, proxyAuth(ch[0], "alice", "alicepw", "MESSAGE", dave)))
	if resp, _ := caller.recv(); !strings.HasPrefix(resp, "SIP/2.0 404 ") {
		t.Fatalf("MESSAGE to unregistered dave: got %q, want 404", firstLine(resp))
	}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\r\n")
	return l
}

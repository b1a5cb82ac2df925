package softphone

import (
	"errors"
	"strings"
	"testing"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

func TestCallTransitionsTable(t *testing.T) {
	cases := []struct {
		from, to CallState
		ok       bool
	}{
		{CallIdle, CallDialing, true},
		{CallDialing, CallRinging, true},
		{CallRinging, CallConnected, true},
		{CallConnected, CallHeld, true},
		{CallHeld, CallConnected, true},
		{CallConnected, CallRemoteHeld, true},
		{CallIncoming, CallAnswering, true},
		{CallAnswering, CallConnected, true},
		{CallEnded, CallConnected, false},
		{CallIdle, CallConnected, true}, // Call.Split: the new call starts answered
		{CallIdle, CallHeld, false},
		{CallIncoming, CallHeld, false},
		{CallDialing, CallIncoming, false},
	}
	for _, c := range cases {
		err := checkCallTransition(c.from, c.to)
		if (err == nil) != c.ok {
			t.Errorf("%s -> %s: err=%v, want ok=%v", c.from, c.to, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidTransition) {
			t.Errorf("%s -> %s: error %v does not wrap ErrInvalidTransition", c.from, c.to, err)
		}
	}
	// Every non-terminal state can end.
	for s := range callTransitions {
		if err := checkCallTransition(s, CallEnded); err != nil {
			t.Errorf("%s cannot end: %v", s, err)
		}
	}
}

func TestParseTarget(t *testing.T) {
	cases := []struct {
		in, want string
		err      bool
	}{
		{"bob", "sip:bob@example.com", false},
		{"1-800-FLOWERS", "sip:18003569377@example.com", false},
		{"+1 800 FLOWERS", "sip:+18003569377@example.com", false},
		{"2ndfloor", "sip:2ndfloor@example.com", false},
		{"alice2", "sip:alice2@example.com", false},
		{"+1 (555) 010-0199", "sip:+15550100199@example.com", false},
		{"tel:+81-3-1234-5678", "sip:+81312345678@example.com", false},
		{"callto:+442071234567", "sip:+442071234567@example.com", false},
		{"sip:alice@10.0.0.1:5070", "sip:alice@10.0.0.1:5070", false},
		{"carol@127.0.0.1:5060", "sip:carol@127.0.0.1:5060", false},
		{"", "", true},
		{"sip:", "", true},
		{"bad <user>", "", true},
	}
	for _, c := range cases {
		u, err := ParseTarget(c.in, "example.com")
		if c.err {
			if err == nil || !errors.Is(err, ErrInvalidTarget) {
				t.Errorf("ParseTarget(%q) = %v, %v; want ErrInvalidTarget", c.in, u.String(), err)
			}
			continue
		}
		if err != nil || u.String() != c.want {
			t.Errorf("ParseTarget(%q) = %q, %v; want %q", c.in, u.String(), err, c.want)
		}
	}
}

func TestParseAccount(t *testing.T) {
	a, err := parseAccount(AccountConfig{AOR: "sip:carol@127.0.0.1:5080", Transport: "tcp"})
	if err != nil {
		t.Fatal(err)
	}
	if a.routeHost() != "127.0.0.1:5080" || a.authUser != "carol" {
		t.Errorf("route %s authUser %s", a.routeHost(), a.authUser)
	}
	for _, bad := range []AccountConfig{
		{AOR: ""}, {AOR: "carol"}, {AOR: "sip:@host"}, {AOR: "sip:a@b", Transport: "sctp"},
		{AOR: "sip:a@b", TrustedPeers: []string{"not-an-ip"}},
	} {
		if _, err := parseAccount(bad); !errors.Is(err, ErrBadConfig) {
			t.Errorf("parseAccount(%+v) err=%v, want ErrBadConfig", bad, err)
		}
	}
}

func TestParseSipfrag(t *testing.T) {
	for _, c := range []struct {
		in     string
		status int
		ok     bool
	}{
		{"SIP/2.0 100 Trying\r\n", 100, true},
		{"SIP/2.0 200 OK", 200, true},
		{"SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n", 486, true},
		{"garbage", 0, false},
		{"SIP/2.0 9999 Nope", 0, false},
		{"", 0, false},
	} {
		st, _, ok := parseSipfrag([]byte(c.in))
		if st != c.status || ok != c.ok {
			t.Errorf("parseSipfrag(%q) = %d,%v", c.in, st, ok)
		}
	}
}

func TestParseInfoDTMF(t *testing.T) {
	for _, c := range []struct {
		ct, body, want string
		ok             bool
	}{
		{"application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", "5", true},
		{"application/dtmf-relay", "Signal= #\nDuration=100", "#", true},
		{"application/dtmf-relay", "Signal=11\r\n", "#", true},
		{"application/dtmf", "7", "7", true},
		{"application/dtmf-relay", "Signal=X\r\n", "", false},
		{"text/plain", "5", "", false},
	} {
		d, ok := parseInfoDTMF(c.ct, []byte(c.body))
		if d != c.want || ok != c.ok {
			t.Errorf("parseInfoDTMF(%q,%q) = %q,%v", c.ct, c.body, d, ok)
		}
	}
}

// TestDigestRFC2617 checks the digest library the engine relies on against
// the worked example of RFC 2617 §3.5, adapted to SIP's method and URI.
func TestDigestRFC2617(t *testing.T) {
	chal, err := digest.ParseChallenge(`Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"`)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := digest.Digest(chal, digest.Options{
		Method: "GET", URI: "/dir/index.html", Username: "Mufasa", Password: "Circle Of Life",
		Cnonce: "0a4f113b", Count: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if cred.Response != "6629fae49393a05397450978507c4ef1" {
		t.Errorf("digest response %s, want RFC 2617 value 6629fae49393a05397450978507c4ef1", cred.Response)
	}
	if !strings.Contains(cred.String(), `qop=auth`) {
		t.Errorf("credentials %q lack qop=auth", cred.String())
	}
}

func TestCheckRequest(t *testing.T) {
	good := "OPTIONS sip:carol@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\n" +
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:carol@127.0.0.1>\r\nCall-ID: x1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	if _, drop := CheckRequest([]byte(good)); drop {
		t.Fatal("well-formed request dropped")
	}
	bad := "INVITE sip:carol@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK2\r\n" +
		"From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:carol@127.0.0.1>\r\nCall-ID: x2\r\nCSeq: notanumber INVITE\r\nContent-Length: 0\r\n\r\n"
	reply, drop := CheckRequest([]byte(bad))
	if !drop {
		t.Fatal("malformed request not dropped")
	}
	if !strings.HasPrefix(string(reply), "SIP/2.0 400 Malformed Request: ") || !strings.Contains(string(reply), "branch=z9hG4bK2") {
		t.Fatalf("reply %q", reply)
	}
}

// TestShieldRegistrarByHostName: a registrar configured by host name is
// resolved, so INVITEs from its address pass and others do not.
func TestShieldRegistrarByHostName(t *testing.T) {
	p, err := NewPhone(Config{Account: AccountConfig{AOR: "sip:carol@localhost:5080", Transport: "udp"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for _, c := range []struct {
		src  string
		want bool
	}{{"127.0.0.1:5080", true}, {"127.0.0.1:5081", false}, {"10.1.2.3:5080", false}} {
		req := sip.NewRequest(sip.INVITE, sip.Uri{Scheme: "sip", User: "carol", Host: "127.0.0.1"})
		req.SetTransport("UDP")
		req.SetSource(c.src)
		if got := p.fromRegistrar(req); got != c.want {
			t.Errorf("INVITE from %s: fromRegistrar = %v, want %v (resolved %v)", c.src, got, c.want, p.registrarAddrs())
		}
	}
}

// TestViaProxy: an explicit outbound proxy takes every call; without one,
// only a registered account's calls to its own domain go to the registrar,
// and a direct (unregistered) call follows its Request-URI.
func TestViaProxy(t *testing.T) {
	for _, c := range []struct {
		name     string
		cfg      AccountConfig
		to       string
		want     bool
		wantDest string
	}{
		{"direct same host", AccountConfig{AOR: "sip:carol@127.0.0.1"}, "sip:bob@127.0.0.1:26201", false, ""},
		{"direct other host", AccountConfig{AOR: "sip:carol@127.0.0.1"}, "sip:bob@192.0.2.1", false, ""},
		{"registered own domain", AccountConfig{AOR: "sip:carol@127.0.0.1:5080", Register: true}, "sip:bob@127.0.0.1:5080", true, "127.0.0.1:5080"},
		{"registered other domain", AccountConfig{AOR: "sip:carol@127.0.0.1:5080", Register: true}, "sip:bob@192.0.2.1", false, ""},
		{"explicit proxy, direct", AccountConfig{AOR: "sip:carol@127.0.0.1", OutboundProxy: "127.0.0.1:5090"}, "sip:bob@192.0.2.1:26201", true, "127.0.0.1:5090"},
		{"explicit proxy, registered", AccountConfig{AOR: "sip:carol@example.com", Register: true, OutboundProxy: "sip:127.0.0.1:5090"}, "sip:bob@example.com", true, "127.0.0.1:5090"},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := parseAccount(c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			var to sip.Uri
			if err := sip.ParseUri(c.to, &to); err != nil {
				t.Fatal(err)
			}
			if got := a.viaProxy(to); got != c.want {
				t.Fatalf("viaProxy(%s) = %v, want %v", c.to, got, c.want)
			}
			if c.want && a.routeHost() != c.wantDest {
				t.Errorf("routeHost %s, want %s", a.routeHost(), c.wantDest)
			}
		})
	}
}

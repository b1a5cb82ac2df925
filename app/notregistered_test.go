package app

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
)

// refusingRegistrar is a UDP SIP registrar on loopback that challenges
// every REGISTER (401) and refuses the credentials (403), and counts every
// request it receives by method.
type refusingRegistrar struct {
	pc   net.PacketConn
	mu   sync.Mutex
	cond *sync.Cond
	seen map[string]int
}

func startRefusingRegistrar(t *testing.T) *refusingRegistrar {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &refusingRegistrar{pc: pc, seen: map[string]int{}}
	r.cond = sync.NewCond(&r.mu)
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			msg := string(buf[:n])
			method, _, _ := strings.Cut(msg, " ")
			r.mu.Lock()
			r.seen[method]++
			r.cond.Broadcast()
			r.mu.Unlock()
			if method != "REGISTER" {
				continue
			}
			status := "401 Unauthorized"
			extra := "WWW-Authenticate: Digest realm=\"127.0.0.1\", nonce=\"abc123\", algorithm=MD5\r\n"
			if strings.Contains(msg, "\r\nAuthorization:") {
				status, extra = "403 Forbidden", ""
			}
			_, _ = pc.WriteTo([]byte(sipResponse(msg, status, extra)), from)
		}
	}()
	return r
}

// sipResponse builds a response to req copying Via, From, To, Call-ID and
// CSeq (RFC 3261 §8.2.6.2).
func sipResponse(req, status, extra string) string {
	var b bytes.Buffer
	b.WriteString("SIP/2.0 " + status + "\r\n")
	for _, line := range strings.Split(req, "\r\n") {
		name, _, _ := strings.Cut(line, ":")
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "via", "v", "from", "f", "call-id", "i", "cseq":
			b.WriteString(line + "\r\n")
		case "to", "t":
			b.WriteString(line + ";tag=refuser\r\n")
		}
	}
	b.WriteString(extra + "Content-Length: 0\r\n\r\n")
	return b.String()
}

// count returns how many requests of method arrived.
func (r *refusingRegistrar) count(method string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seen[method]
}

// waitCount waits until at least n requests of method arrived.
func (r *refusingRegistrar) waitCount(t *testing.T, method string, n int) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.seen[method] < n {
		r.cond.Wait() // bounded by the test binary's -timeout; every packet wakes it
	}
}

// TestDialOnFailedAccount: an account whose password the registrar refuses
// shows as failed with "auth_failed" (one sentence, the SIP detail behind
// it), and a call placed on it is refused with account_not_registered
// before any INVITE leaves.
func TestDialOnFailedAccount(t *testing.T) {
	reg := startRefusingRegistrar(t)
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	aor := "sip:alice@" + reg.pc.LocalAddr().String()
	if _, err := a.svcs.Accounts.Save(AccountInput{AOR: aor, Password: "wrong"}); err != nil {
		t.Fatal(err)
	}
	v := waitFor(t, log, EvAccount, "alice failed", func(v AccountView) bool { return v.ID == aor && v.State == "failed" })
	if v.Error == nil || v.Error.Code != CodeAuthFailed || !strings.Contains(v.Error.Detail, "403") || strings.Contains(v.Reason, "softphone:") {
		t.Fatalf("failed account view %+v (error %+v): want auth_failed, a sentence, the 403 in the detail", v, v.Error)
	}
	_, err := a.svcs.Calls.Dial("bob")
	if !errors.Is(err, ErrNotRegistered) {
		t.Fatalf("Dial on a failed account: %v, want ErrNotRegistered", err)
	}
	if p := a.errfmt.Payload(err); p.Code != CodeNotRegistered || !strings.Contains(p.Detail, "403") {
		t.Errorf("payload %+v: want account_not_registered with the registration failure as detail", p)
	}
	// A REGISTER sent after the refused dial, on the same address: when
	// it has arrived, an INVITE sent by the dial would have too.
	before := reg.count("REGISTER")
	if _, err := a.svcs.Accounts.Test(AccountInput{AOR: "sip:probe@" + reg.pc.LocalAddr().String(), Password: "x"}); err != nil {
		t.Fatal(err)
	}
	reg.waitCount(t, "REGISTER", before+1)
	if n := reg.count("INVITE"); n != 0 {
		t.Fatalf("%d INVITE(s) reached the registrar after a refused dial", n)
	}

	// The failed account did not take the demo line away: it is still
	// listed, registered, and calls from it connect.
	waitFor(t, log, EvAccount, "demo line registered", func(v AccountView) bool { return v.Demo && v.State == "registered" })
	accts, _ := a.svcs.Accounts.List()
	if len(accts) != 2 || accts[0].ID != aor || !accts[0].Active || !accts[1].Demo || accts[1].State != "registered" {
		t.Fatalf("accounts %+v: want the failed account (default) and the registered demo line", accts)
	}
	c, err := a.svcs.Calls.DialFrom(demoAccountID, "100")
	if err != nil {
		t.Fatalf("dial on the demo line next to a failed account: %v", err)
	}
	waitFor(t, log, EvCall, "demo call connected", func(v CallView) bool { return v.ID == c.ID && v.State == "connected" })
	if _, err := a.svcs.Calls.Hangup(c.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "demo call ended", func(v CallView) bool { return v.ID == c.ID && v.State == "ended" })
}

package testlab

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testenv"
)

// fakeTB records Fatalf/Skipf instead of stopping the goroutine, to test
// requireLabTool's guard.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()                         {}
func (f *fakeTB) Fatalf(format string, a ...any)  { f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Skipf(format string, a ...any)   { f.skip = fmt.Sprintf(format, a...) }
func (f *fakeTB) Cleanup(func())                  {}
func (f *fakeTB) Logf(format string, args ...any) {}

func TestRequireLabToolFailsWithSetupHint(t *testing.T) {
	t.Setenv(testenv.CIEnv, "")
	t.Setenv(SkipInteropEnv, "")
	f := &fakeTB{TB: t}
	requireLabTool(f, "pitchline-no-such-tool", "some-package")
	if !strings.Contains(f.fatal, "make setup") || !strings.Contains(f.fatal, "some-package") {
		t.Fatalf("missing tool must fail with a `make setup` hint, got fatal=%q skip=%q", f.fatal, f.skip)
	}
	if f.skip != "" {
		t.Fatalf("must not skip without %s=1, skipped: %q", SkipInteropEnv, f.skip)
	}

	t.Setenv(SkipInteropEnv, "1")
	f = &fakeTB{TB: t}
	requireLabTool(f, "pitchline-no-such-tool", "some-package")
	if f.fatal != "" || !strings.Contains(f.skip, SkipInteropEnv) {
		t.Fatalf("with %s=1 a missing tool must skip, got fatal=%q skip=%q", SkipInteropEnv, f.fatal, f.skip)
	}

	// In CI a missing tool fails even with SkipInteropEnv=1.
	t.Setenv(testenv.CIEnv, "true")
	f = &fakeTB{TB: t}
	requireLabTool(f, "pitchline-no-such-tool", "some-package")
	if f.fatal == "" || f.skip != "" {
		t.Fatalf("with CI=true and %s=1 a missing tool must fail, got fatal=%q skip=%q", SkipInteropEnv, f.fatal, f.skip)
	}

	f = &fakeTB{TB: t}
	requireLabTool(f, "sh", "dash")
	if f.fatal != "" || f.skip != "" {
		t.Fatalf("present tool must pass, got fatal=%q skip=%q", f.fatal, f.skip)
	}
}

func TestKamailioRegisterWithSipp(t *testing.T) {
	t.Parallel()
	RequireSipp(t)
	k := StartKamailio(t)
	if got := k.URI("carol"); got != "sip:carol@"+k.Addr() {
		t.Fatalf("URI = %q", got)
	}
	contactPort := FreePort(t, "udp")

	res := RunSipp(t, SippRegisterArgs(k.Addr(), "carol", "carolpw", contactPort, 300))
	if !res.OK() || res.Successful != 1 {
		t.Fatalf("REGISTER with the right password: %s\n%s", res.Summary(), res.Output)
	}
	if res.Received[401] != 1 || res.Received[200] != 1 {
		t.Fatalf("expected 401 then 200, got %v", res.Received)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	contacts, err := k.WaitRegistered(ctx, "carol")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("sip:carol@127.0.0.1:%d", contactPort)
	if !slices.Contains(contacts, want) {
		t.Fatalf("contacts of carol = %v, want %s", contacts, want)
	}

	// Wrong password: REGISTER is challenged again and never accepted.
	bad := SippRegisterArgs(k.Addr(), "dave", "not-davepw", contactPort, 300)
	bad.RecvTimeout = time.Second
	res = RunSipp(t, bad)
	if res.OK() || res.Successful != 0 || res.Failed != 1 {
		t.Fatalf("REGISTER with a wrong password must fail: %s", res.Summary())
	}
	if res.Received[200] != 0 || res.Received[401] < 2 {
		t.Fatalf("wrong password: expected only 401s, got %v", res.Received)
	}
	if c, err := k.Contacts("dave"); err != nil || len(c) != 0 {
		t.Fatalf("dave must not be registered: %v %v", c, err)
	}

	// Un-register (Expires: 0) removes the contact.
	res = RunSipp(t, SippRegisterArgs(k.Addr(), "carol", "carolpw", contactPort, 0))
	if !res.OK() {
		t.Fatalf("un-REGISTER: %s", res.Summary())
	}
	if err := k.WaitUnregistered(ctx, "carol"); err != nil {
		t.Fatal(err)
	}
}

func TestKamailioWithUser(t *testing.T) {
	t.Parallel()
	RequireSipp(t)
	k := StartKamailio(t, WithoutTLS(), WithUser("erin", "erinpw"), WithUser("alice", "newalicepw"))
	if k.TLSAddr() != "" || k.CAFile() != "" || k.CAPEM() != nil {
		t.Fatalf("WithoutTLS must not expose TLS: %q %q", k.TLSAddr(), k.CAFile())
	}
	if k.Password("erin") != "erinpw" || k.Password("alice") != "newalicepw" || k.Password("bob") != "bobpw" {
		t.Fatalf("users = %v", k.Users())
	}
	port := FreePort(t, "udp")
	if res := RunSipp(t, SippRegisterArgs(k.Addr(), "erin", "erinpw", port, 60)); !res.OK() {
		t.Fatalf("added user cannot register: %s", res.Summary())
	}
	old := SippRegisterArgs(k.Addr(), "alice", "alicepw", port, 60)
	old.RecvTimeout = time.Second
	if res := RunSipp(t, old); res.OK() {
		t.Fatalf("overridden password must no longer work: %s", res.Summary())
	}
}

func TestKamailioCallsThroughProxy(t *testing.T) {
	t.Parallel()
	RequireSipp(t)
	k := StartKamailio(t, WithoutTLS())
	const calls = 20

	uas := StartSipp(t, SippArgs{Scenario: SippUAS, Calls: calls, RTPEcho: true})
	if res := RunSipp(t, SippRegisterArgs(k.Addr(), "carol", "carolpw", uas.Port(), 300)); !res.OK() {
		t.Fatalf("register UAS as carol: %s", res.Summary())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := k.WaitRegistered(ctx, "carol"); err != nil {
		t.Fatal(err)
	}

	res := RunSipp(t, SippArgs{
		Scenario:      SippUACAuth,
		Remote:        k.Addr(),
		Service:       "carol",
		AuthUser:      "alice",
		AuthPass:      "alicepw",
		Calls:         calls,
		Rate:          10,
		MaxConcurrent: calls,
		CallDuration:  200 * time.Millisecond,
	})
	if !res.OK() || res.Successful != calls || res.Failed != 0 {
		t.Fatalf("UAC: %s\n%s\n%s", res.Summary(), res.Errors, k.Log())
	}
	// 180s may be lost behind the 200 (tm drops late provisionals) and
	// 200s may be retransmitted, so only lower bounds are exact.
	if res.Received[407] != calls || res.Received[200] < 2*calls {
		t.Fatalf("UAC: expected %d x 407 and 200(INVITE)+200(BYE), got %v", calls, res.Received)
	}
	ures, err := uas.Wait(ctx)
	if err != nil || !ures.OK() || ures.Successful != calls {
		t.Fatalf("UAS: %s (%v)", ures.Summary(), err)
	}
	if ures.ReceivedRequests["INVITE"] < calls || ures.ReceivedRequests["BYE"] < calls || ures.ReceivedRequests["ACK"] < calls {
		t.Fatalf("UAS: requests %v", ures.ReceivedRequests)
	}

	// Wrong password on INVITE: 407 again, no call reaches the UAS.
	bad := SippArgs{Scenario: SippUACAuth, Remote: k.Addr(), Service: "carol",
		AuthUser: "alice", AuthPass: "wrong", Calls: 2, RecvTimeout: time.Second}
	res = RunSipp(t, bad)
	if res.OK() || res.Successful != 0 || res.Failed != 2 {
		t.Fatalf("wrong password must fail both calls: %s", res.Summary())
	}

	// Callee not registered: 407, then 404 after authentication.
	res = RunSipp(t, SippArgs{Scenario: SippUACAuth, Remote: k.Addr(), Service: "dave",
		AuthUser: "bob", AuthPass: "bobpw", RecvTimeout: time.Second})
	if res.OK() || res.Received[404] < 1 {
		t.Fatalf("call to unregistered dave must get 404: %s", res.Summary())
	}
}

func TestKamailioRestartSamePorts(t *testing.T) {
	t.Parallel()
	RequireSipp(t)
	k := StartKamailio(t)
	addr, tlsAddr := k.Addr(), k.TLSAddr()
	port := FreePort(t, "udp")
	if res := RunSipp(t, SippRegisterArgs(addr, "bob", "bobpw", port, 300)); !res.OK() {
		t.Fatalf("register: %s", res.Summary())
	}
	if c, err := k.Contacts("bob"); err != nil || len(c) != 1 {
		t.Fatalf("contacts before restart: %v %v", c, err)
	}

	if err := k.Stop(); err != nil {
		t.Fatal(err)
	}
	if k.Running() {
		t.Fatal("Running after Stop")
	}
	if _, err := k.Contacts("bob"); !errors.Is(err, ErrKamailioStopped) {
		t.Fatalf("Contacts on a stopped Kamailio: %v, want ErrKamailioStopped", err)
	}
	if err := sipOptionsPing(addr, 200*time.Millisecond); err == nil {
		t.Fatal("stopped Kamailio still answers OPTIONS")
	}

	if err := k.Restart(); err != nil {
		t.Fatal(err)
	}
	if k.Addr() != addr || k.TLSAddr() != tlsAddr {
		t.Fatalf("restart moved ports: %s/%s -> %s/%s", addr, tlsAddr, k.Addr(), k.TLSAddr())
	}
	if err := sipOptionsPing(addr, time.Second); err != nil {
		t.Fatalf("OPTIONS after restart: %v", err)
	}
	// usrloc is memory-only: the registration is gone, a new one works.
	if c, err := k.Contacts("bob"); err != nil || len(c) != 0 {
		t.Fatalf("contacts after restart: %v %v", c, err)
	}
	if res := RunSipp(t, SippRegisterArgs(addr, "bob", "bobpw", port, 300)); !res.OK() {
		t.Fatalf("register after restart: %s", res.Summary())
	}
	if c, err := k.Contacts("bob"); err != nil || len(c) != 1 {
		t.Fatalf("contacts after re-register: %v %v", c, err)
	}
	if n := strings.Count(k.Log(), "=== testlab: starting kamailio"); n != 2 {
		t.Fatalf("log should span both runs, found %d start markers", n)
	}
	// Restart on a running instance works too.
	if err := k.Restart(); err != nil {
		t.Fatal(err)
	}
	if !k.Running() {
		t.Fatal("not running after second restart")
	}
}

func TestKamailioTLS(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t)
	if k.TLSAddr() == "" || k.TLSPort() == k.Port() {
		t.Fatalf("TLS address %q", k.TLSAddr())
	}
	if want := "sip:carol@" + k.TLSAddr() + ";transport=tls"; k.TLSURI("carol") != want {
		t.Fatalf("TLSURI = %q", k.TLSURI("carol"))
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(k.CAPEM()) {
		t.Fatal("CAPEM is not a PEM certificate")
	}
	for _, name := range []string{"localhost", "127.0.0.1"} {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", k.TLSAddr(),
			&tls.Config{RootCAs: pool, ServerName: name, MinVersion: tls.VersionTLS12})
		if err != nil {
			t.Fatalf("TLS handshake verifying %q against the test CA: %v", name, err)
		}
		st := conn.ConnectionState()
		if len(st.VerifiedChains) == 0 {
			t.Fatalf("no verified chain for %q", name)
		}
		// SIP over the TLS connection: OPTIONS to the proxy gets 200.
		msg := "OPTIONS sip:" + k.TLSAddr() + ";transport=tls SIP/2.0\r\n" +
			"Via: SIP/2.0/TLS " + conn.LocalAddr().String() + ";branch=z9hG4bK-tls" + name + "\r\n" +
			"Max-Forwards: 70\r\nFrom: <sip:ping@127.0.0.1>;tag=1\r\nTo: <sip:" + k.TLSAddr() + ">\r\n" +
			"Call-ID: tls-" + name + "@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "SIP/2.0 200") {
			t.Fatalf("OPTIONS over TLS: %q %v", line, err)
		}
		conn.Close()
	}
	// The same CA file works, and a client that does not trust the CA fails.
	if k.CA().CertFile() != k.CAFile() {
		t.Fatal("CA().CertFile differs from CAFile")
	}
	_, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", k.TLSAddr(),
		&tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"})
	if err == nil {
		t.Fatal("handshake must fail against an empty root pool")
	}
	_, err = tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", k.TLSAddr(),
		k.CA().ClientTLSConfig("example.com"))
	if err == nil {
		t.Fatal("handshake must fail for a name not in the certificate")
	}
}

func FuzzParseULContacts(f *testing.F) {
	f.Add("{\n\tAoR: carol\n\tContacts: {\n\t\tContact: {\n\t\t\tAddress: sip:carol@127.0.0.1:5999\n\t\t\tExpires: 299\n\t\t}\n\t}\n}\n")
	f.Add("error: 500 - AOR not found in location table\n")
	f.Add("Address:\nAddress: x\n")
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parseULContacts(s) {
			if c == "" || strings.ContainsAny(c, "\n") {
				t.Fatalf("bad contact %q", c)
			}
		}
	})
}

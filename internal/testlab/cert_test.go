package testlab

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"os"
	"testing"
	"time"
)

func TestTestCAIssuesVerifiableServerCert(t *testing.T) {
	dir := t.TempDir()
	ca := NewTestCA(t, dir)
	sc := ca.IssueServer(t, dir, "srv", "127.0.0.1", "localhost")
	if b, err := os.ReadFile(ca.CertFile()); err != nil || string(b) != string(ca.CertPEM()) {
		t.Fatalf("CA file: %v", err)
	}
	if fi, err := os.Stat(sc.KeyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi, err)
	}
	block, _ := pem.Decode(sc.CertPEM)
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: name}); err != nil {
			t.Fatalf("verify %s: %v", name, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: ca.Pool(), DNSName: "example.com"}); err == nil {
		t.Fatal("verify must fail for a foreign name")
	}
	other := NewTestCA(t, t.TempDir())
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: other.Pool(), DNSName: "localhost"}); err == nil {
		t.Fatal("verify must fail against another CA")
	}

	// A real TLS handshake with Go's server using the issued pair.
	pair, err := tls.X509KeyPair(sc.CertPEM, sc.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp4", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			err = c.(*tls.Conn).Handshake()
			c.Close()
		}
		done <- err
	}()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", l.Addr().String(), ca.ClientTLSConfig("localhost"))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestIssueServerNeedsHosts(t *testing.T) {
	ca := NewTestCA(t, t.TempDir())
	f := &fakeTB{TB: t}
	ca.IssueServer(f, t.TempDir(), "x")
	if f.fatal == "" {
		t.Fatal("IssueServer without hosts must fail")
	}
}

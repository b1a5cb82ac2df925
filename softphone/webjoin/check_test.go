package webjoin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// selfSigned writes a self-signed certificate for ips (valid from nb to na)
// and its PKCS #8 key to dir, returning both paths and the key's PEM.
func selfSigned(t *testing.T, dir, name string, nb, na time.Time, ips ...string) (certFile, keyFile string, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: nb, NotAfter: na, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, DNSNames: []string{name}}
	for _, ip := range ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	write(t, certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	write(t, keyFile, keyPEM)
	return certFile, keyFile, keyPEM
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCheckTLS(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	cert, key, keyPEM := selfSigned(t, dir, "join", now.Add(-time.Hour), now.Add(24*time.Hour), "127.0.0.1", "192.0.2.10")
	other, otherKey, _ := selfSigned(t, dir, "other", now.Add(-time.Hour), now.Add(24*time.Hour), "127.0.0.1")
	old, oldKey, _ := selfSigned(t, dir, "old", now.Add(-48*time.Hour), now.Add(-24*time.Hour), "127.0.0.1")
	garbage := filepath.Join(dir, "garbage.pem")
	write(t, garbage, []byte("this is not PEM at all\n\x00\x01"))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	rsaFile := filepath.Join(dir, "rsa.key")
	write(t, rsaFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	encrypted := filepath.Join(dir, "enc.key")
	write(t, encrypted, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1, 2, 3}}))
	badKey := filepath.Join(dir, "bad.key")
	write(t, badKey, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("not DER")}))
	missing := filepath.Join(dir, "nope.pem")

	info, err := CheckTLS(cert, key)
	if err != nil {
		t.Fatalf("a good pair: %v", err)
	}
	if info.Subject != "join" || !info.NotAfter.Equal(now.Add(24*time.Hour).Truncate(time.Second)) ||
		strings.Join(info.Names, ",") != "join,127.0.0.1,192.0.2.10" {
		t.Errorf("info %+v", info)
	}
	if err := info.Covers(netip.MustParseAddr("192.0.2.10")); err != nil {
		t.Errorf("Covers(192.0.2.10): %v", err)
	}
	if err := info.Covers(netip.MustParseAddr("192.0.2.11")); !errors.Is(err, ErrCertNotForAddress) {
		t.Errorf("Covers(192.0.2.11): %v", err)
	}

	for _, c := range []struct {
		name, cert, key string
		want            error
	}{
		{"no certificate given", "", key, ErrCertMissing},
		{"no key given", cert, "", ErrKeyMissing},
		{"certificate missing", missing, key, ErrCertMissing},
		{"key missing", cert, missing, ErrKeyMissing},
		{"garbage certificate", garbage, key, ErrNotCertificate},
		{"the key as the certificate", key, key, ErrNotCertificate},
		{"garbage key", cert, garbage, ErrNotKey},
		{"the certificate as the key", cert, cert, ErrNotKey},
		{"a PEM key that is not DER", cert, badKey, ErrNotKey},
		{"an encrypted key", cert, encrypted, ErrNotKey},
		{"another certificate's key", cert, otherKey, ErrKeyMismatch},
		{"an RSA key for an EC certificate", cert, rsaFile, ErrKeyMismatch},
		{"the other pair crossed", other, key, ErrKeyMismatch},
		{"an expired certificate", old, oldKey, ErrCertExpired},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := CheckTLS(c.cert, c.key)
			if !errors.Is(err, c.want) {
				t.Fatalf("CheckTLS = %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), strings.TrimSpace(string(keyPEM[30:60]))) {
				t.Errorf("the error shows the key: %v", err)
			}
			// New refuses the same way, before binding anything.
			_, err = New("127.0.0.1:0", HandlerFunc(nil), WithTLS(orDash(c.cert), orDash(c.key)))
			if !errors.Is(err, ErrInvalidConfig) {
				t.Errorf("New: %v", err)
			}
		})
	}
	if _, err := New("127.0.0.1:0", HandlerFunc(nil), WithTLS(cert, otherKey)); !errors.Is(err, ErrKeyMismatch) {
		t.Errorf("New with a mismatched key: %v", err)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func TestCheckAddress(t *testing.T) {
	local := func() ([]net.Addr, error) {
		return []net.Addr{&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)},
			&net.IPNet{IP: net.ParseIP("192.168.1.20"), Mask: net.CIDRMask(24, 32)},
			&net.IPNet{IP: net.ParseIP("2001:db8::20"), Mask: net.CIDRMask(64, 128)}}, nil
	}
	for _, c := range []struct {
		ip   string
		lan  bool
		want error
	}{
		{"127.0.0.1", false, nil},
		{"::1", false, nil},
		{"127.0.0.1", true, nil},
		{"192.168.1.20", false, ErrNotLoopback},
		{"192.168.1.20", true, nil},
		{"2001:db8::20", true, nil},
		{"::ffff:192.168.1.20", true, nil},
		{"192.168.1.21", true, ErrNotLocalAddress},
		{"0.0.0.0", true, ErrInvalidConfig},
		{"::", true, ErrInvalidConfig},
		{"224.0.0.1", true, ErrInvalidConfig},
	} {
		err := checkAddress(netip.MustParseAddr(c.ip), c.lan, local)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("checkAddress(%s, lan %v) = %v, want %v", c.ip, c.lan, err, c.want)
		}
	}
	if err := checkAddress(netip.Addr{}, true, local); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no address: %v", err)
	}
	// The real interfaces: loopback is this computer's, TEST-NET-1 is not.
	if err := CheckAddress(netip.MustParseAddr("127.0.0.1"), true); err != nil {
		t.Errorf("CheckAddress(127.0.0.1): %v", err)
	}
	if err := CheckAddress(netip.MustParseAddr("192.0.2.10"), true); !errors.Is(err, ErrNotLocalAddress) {
		t.Errorf("CheckAddress(192.0.2.10): %v", err)
	}
	addrs, err := LocalAddresses()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.IsLoopback() || a.IsLinkLocalUnicast() {
			t.Errorf("LocalAddresses lists %s", a)
		}
		if err := CheckAddress(a, true); err != nil {
			t.Errorf("CheckAddress(%s) of LocalAddresses: %v", a, err)
		}
	}
}

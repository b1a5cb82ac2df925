package testlab

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCA is a throw-away certificate authority for one test. Its key never
// leaves memory; only the CA certificate and issued leaf files are written.
type TestCA struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
	file    string
}

// ServerCert is a leaf certificate issued by a TestCA, as PEM and as files.
type ServerCert struct {
	// CertPEM is the leaf certificate in PEM form.
	CertPEM []byte
	// KeyPEM is the PKCS#8 private key in PEM form.
	KeyPEM []byte
	// CertFile is the path of the written CertPEM.
	CertFile string
	// KeyFile is the path of the written KeyPEM (mode 0600).
	KeyFile string
}

// NewTestCA creates a fresh ECDSA P-256 CA valid for one day and writes its
// certificate to dir/ca.crt. It fails the test on any error.
func NewTestCA(t testing.TB, dir string) *TestCA {
	t.Helper()
	ca, err := newTestCA(dir)
	if err != nil {
		t.Fatalf("testlab: NewTestCA: %v", err)
	}
	return ca
}

func newTestCA(dir string) (*TestCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "Pitchline testlab CA", Organization: []string{"Pitchline testlab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("self-sign CA: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse CA: %w", err)
	}
	ca := &TestCA{
		cert:    cert,
		key:     key,
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		file:    filepath.Join(dir, "ca.crt"),
	}
	if err := os.WriteFile(ca.file, ca.certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("write CA: %w", err)
	}
	return ca, nil
}

// CertPEM returns the CA certificate in PEM form.
func (ca *TestCA) CertPEM() []byte { return append([]byte(nil), ca.certPEM...) }

// CertFile returns the path of the CA certificate file.
func (ca *TestCA) CertFile() string { return ca.file }

// Certificate returns the parsed CA certificate.
func (ca *TestCA) Certificate() *x509.Certificate { return ca.cert }

// Pool returns a certificate pool that holds only this CA.
func (ca *TestCA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.cert)
	return p
}

// ClientTLSConfig returns a TLS client configuration that trusts only this
// CA and verifies the server name serverName ("localhost" or "127.0.0.1").
func (ca *TestCA) ClientTLSConfig(serverName string) *tls.Config {
	return &tls.Config{RootCAs: ca.Pool(), ServerName: serverName, MinVersion: tls.VersionTLS12}
}

// IssueServer issues a server certificate for hosts (IP literals become IP
// SANs, anything else a DNS SAN) and writes it to dir/name.crt and
// dir/name.key. It fails the test on any error.
func (ca *TestCA) IssueServer(t testing.TB, dir, name string, hosts ...string) ServerCert {
	t.Helper()
	sc, err := ca.issueServer(dir, name, hosts...)
	if err != nil {
		t.Fatalf("testlab: IssueServer: %v", err)
	}
	return sc
}

func (ca *TestCA) issueServer(dir, name string, hosts ...string) (ServerCert, error) {
	if len(hosts) == 0 {
		return ServerCert{}, fmt.Errorf("no host names for %s", name)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ServerCert{}, fmt.Errorf("generate key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"Pitchline testlab"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return ServerCert{}, fmt.Errorf("sign %s: %w", name, err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return ServerCert{}, fmt.Errorf("marshal key: %w", err)
	}
	sc := ServerCert{
		CertPEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
		CertFile: filepath.Join(dir, name+".crt"),
		KeyFile:  filepath.Join(dir, name+".key"),
	}
	if err := os.WriteFile(sc.CertFile, sc.CertPEM, 0o644); err != nil {
		return ServerCert{}, fmt.Errorf("write cert: %w", err)
	}
	if err := os.WriteFile(sc.KeyFile, sc.KeyPEM, 0o600); err != nil {
		return ServerCert{}, fmt.Errorf("write key: %w", err)
	}
	return sc, nil
}

// randomSerial returns a random positive 128-bit serial number.
func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return big.NewInt(time.Now().UnixNano())
	}
	return n.Add(n, big.NewInt(1))
}

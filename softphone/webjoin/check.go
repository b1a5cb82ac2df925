package webjoin

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"time"
)

// CertInfo describes a certificate CheckTLS accepted.
type CertInfo struct {
	// Subject is the certificate's subject (its common name when set).
	Subject string
	// Names are the DNS names and IP addresses it is for.
	Names []string
	// NotAfter is when it expires.
	NotAfter time.Time

	leaf *x509.Certificate
}

// Covers reports whether a browser opening https://ip/ accepts the
// certificate's name (it still has to trust the certificate's issuer):
// nil, or ErrCertNotForAddress.
func (c CertInfo) Covers(ip netip.Addr) error {
	if c.leaf == nil {
		return fmt.Errorf("no certificate: %w", ErrInvalidConfig)
	}
	if err := c.leaf.VerifyHostname(ip.Unmap().String()); err != nil {
		return fmt.Errorf("certificate for %s, links carry %s (%v): %w", strings.Join(c.Names, ", "), ip, err, ErrCertNotForAddress)
	}
	return nil
}

// CheckTLS reads a certificate and its private key (PEM files, as WithTLS
// takes them) and says what is wrong with them, if anything, with one of
// ErrCertMissing, ErrKeyMissing, ErrNotCertificate, ErrNotKey,
// ErrKeyMismatch or ErrCertExpired. The key's content never appears in an
// error.
func CheckTLS(certFile, keyFile string) (CertInfo, error) {
	_, info, err := loadTLS(certFile, keyFile, time.Now())
	return info, err
}

// loadTLS is CheckTLS returning the pair for a tls.Config.
func loadTLS(certFile, keyFile string, now time.Time) (tls.Certificate, CertInfo, error) {
	var info CertInfo
	if certFile == "" {
		return tls.Certificate{}, info, fmt.Errorf("no certificate file given: %w", ErrCertMissing)
	}
	if keyFile == "" {
		return tls.Certificate{}, info, fmt.Errorf("no key file given: %w", ErrKeyMissing)
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return tls.Certificate{}, info, fmt.Errorf("certificate %s: %w: %w", certFile, ErrCertMissing, err)
	}
	var chain [][]byte
	var others []string
	for rest := certPEM; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "CERTIFICATE" {
			chain = append(chain, b.Bytes)
		} else {
			others = append(others, b.Type)
		}
	}
	if len(chain) == 0 {
		what := "no PEM block"
		if len(others) > 0 {
			what = "only " + strings.Join(others, ", ") // block types, never their content
		}
		return tls.Certificate{}, info, fmt.Errorf("certificate %s holds %s: %w", certFile, what, ErrNotCertificate)
	}
	leaf, err := x509.ParseCertificate(chain[0])
	if err != nil {
		return tls.Certificate{}, info, fmt.Errorf("certificate %s: %w: %w", certFile, ErrNotCertificate, err)
	}
	info = CertInfo{Subject: leaf.Subject.CommonName, NotAfter: leaf.NotAfter, leaf: leaf}
	if info.Subject == "" {
		info.Subject = leaf.Subject.String()
	}
	info.Names = append(info.Names, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		info.Names = append(info.Names, ip.String())
	}
	if now.Before(leaf.NotBefore) || now.After(leaf.NotAfter) {
		return tls.Certificate{}, info, fmt.Errorf("certificate %s is valid from %s to %s: %w", certFile,
			leaf.NotBefore.UTC().Format(time.RFC3339), leaf.NotAfter.UTC().Format(time.RFC3339), ErrCertExpired)
	}

	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return tls.Certificate{}, info, fmt.Errorf("key %s: %w: %w", keyFile, ErrKeyMissing, err)
	}
	key, err := parseKey(keyPEM)
	if err != nil {
		return tls.Certificate{}, info, fmt.Errorf("key %s: %w", keyFile, err)
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return tls.Certificate{}, info, fmt.Errorf("key %s and certificate %s: %w", keyFile, certFile, ErrKeyMismatch)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil { // not expected after the checks above
		return tls.Certificate{}, info, fmt.Errorf("certificate %s / key %s: %w: %w", certFile, keyFile, ErrInvalidConfig, err)
	}
	return pair, info, nil
}

// parseKey finds the private key in a PEM file (PKCS #8, PKCS #1 or SEC 1).
func parseKey(b []byte) (crypto.Signer, error) {
	var others []string
	for rest := b; ; {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if !strings.HasSuffix(blk.Type, "PRIVATE KEY") {
			others = append(others, blk.Type)
			continue
		}
		if _, enc := blk.Headers["Proc-Type"]; enc || blk.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, fmt.Errorf("the key is encrypted with a passphrase; give the unencrypted key: %w", ErrNotKey)
		}
		var k any
		var err error
		switch blk.Type {
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		default:
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		}
		if err != nil {
			return nil, fmt.Errorf("%s block: %w: %w", blk.Type, ErrNotKey, err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("a %T cannot sign: %w", k, ErrNotKey)
		}
		return s, nil
	}
	what := "no PEM block"
	if len(others) > 0 {
		what = "only " + strings.Join(others, ", ")
	}
	return nil, fmt.Errorf("it holds %s: %w", what, ErrNotKey)
}

// CheckAddress says whether join links may be served on ip, without
// binding it: a loopback address always; another address only with lan
// (the user's explicit setting, else ErrNotLoopback) and when it is one of
// this computer's addresses (else ErrNotLocalAddress). An unspecified or
// multicast address is ErrInvalidConfig: a link carries one address.
func CheckAddress(ip netip.Addr, lan bool) error {
	return checkAddress(ip, lan, net.InterfaceAddrs)
}

func checkAddress(ip netip.Addr, lan bool, local func() ([]net.Addr, error)) error {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return fmt.Errorf("no address: %w", ErrInvalidConfig)
	case ip.IsUnspecified(), ip.IsMulticast():
		return fmt.Errorf("address %s: give the one address the link should carry: %w", ip, ErrInvalidConfig)
	case ip.IsLoopback():
		return nil
	case !lan:
		return fmt.Errorf("%s: %w", ip, ErrNotLoopback)
	}
	addrs, err := local()
	if err != nil {
		return fmt.Errorf("list this computer's addresses: %w", err)
	}
	for _, a := range addrs {
		if p, err := netip.ParsePrefix(a.String()); err == nil && p.Addr().Unmap() == ip.WithZone("") {
			return nil
		}
	}
	return fmt.Errorf("%s: %w", ip, ErrNotLocalAddress)
}

// LocalAddresses lists this computer's unicast addresses a LAN setting can
// use (not loopback or link-local), IPv4 first.
func LocalAddresses() ([]netip.Addr, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, err
	}
	var v4, v6 []netip.Addr
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		ip := p.Addr().Unmap()
		if ip.IsLoopback() || ip.IsLinkLocalUnicast() || ip.IsMulticast() || ip.IsUnspecified() {
			continue
		}
		if ip.Is4() {
			v4 = append(v4, ip)
		} else {
			v6 = append(v6, ip)
		}
	}
	return append(v4, v6...), nil
}

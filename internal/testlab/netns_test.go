//go:build linux

package testlab

import (
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// TestInNetns: inside, the namespace has exactly loopback and the veth
// pair's two addresses (a fresh namespace: none of the host's), and a TCP
// connection from LANPeerAddr to LANAddr works.
func TestInNetns(t *testing.T) {
	lan, inside := InNetns(t, 2*time.Minute)
	if !inside {
		return
	}
	if lan != LANAddr {
		t.Fatalf("InNetns returned %s, want %s", lan, LANAddr)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var got []netip.Addr
	for _, a := range addrs {
		p, err := netip.ParsePrefix(a.String())
		if err != nil {
			t.Fatal(err)
		}
		if ip := p.Addr(); ip.Is4() {
			got = append(got, ip)
		}
	}
	slices.SortFunc(got, netip.Addr.Compare)
	want := []netip.Addr{LANAddr, LANPeerAddr, netip.MustParseAddr("127.0.0.1")}
	if !slices.Equal(got, want) {
		t.Fatalf("IPv4 addresses in the namespace %v, want %v", got, want)
	}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(LANAddr, 0).String())
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: LANPeerAddr.AsSlice()}, Timeout: time.Minute}
	c, err := d.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if r := s.RemoteAddr().(*net.TCPAddr).IP.String(); r != LANPeerAddr.String() {
		t.Errorf("accepted a connection from %s, want %s", r, LANPeerAddr)
	}
}

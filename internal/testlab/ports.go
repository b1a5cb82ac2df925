package testlab

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// LoopbackIP is the only address the test lab binds to or talks to.
const LoopbackIP = "127.0.0.1"

// Port ranges handed out by FreePortRange lie below the kernel's ephemeral
// range (32768-60999 on Linux), so that ports picked by the kernel for ":0"
// listeners and outgoing connections of other processes do not land in them.
const (
	rangeSearchLow  = 20000
	rangeSearchHigh = 32000
)

// handedOut remembers every port returned by FreePort and FreePortRange in
// this process, so two helpers in one test binary never get the same number
// even when the first one has not bound its port yet.
var (
	portMu    sync.Mutex
	handedOut = map[int]bool{}
)

// PortRange is an inclusive range of port numbers, First..Last.
type PortRange struct {
	// First is the lowest port of the range; it is always even (RTP convention).
	First int
	// Last is the highest port of the range.
	Last int
}

// Len returns the number of ports in r.
func (r PortRange) Len() int { return r.Last - r.First + 1 }

// String returns the range as "First-Last", the form baresip's rtp_ports and
// most SIP tools expect.
func (r PortRange) String() string { return fmt.Sprintf("%d-%d", r.First, r.Last) }

// FreePort returns a port number on 127.0.0.1 that is currently free.
// network is "udp", "tcp" or "both"; with "both" the same number is free for
// UDP and TCP at once (SIP listens on both). The port is probed by binding
// port 0 and closing the socket again, so another process could take it
// before the caller binds it; numbers are never repeated within one process.
// FreePort fails the test if no port can be found.
func FreePort(t testing.TB, network string) int {
	t.Helper()
	for attempt := 0; attempt < 100; attempt++ {
		p, err := probeFreePort(network)
		if err != nil {
			t.Fatalf("testlab: FreePort(%q): %v", network, err)
		}
		if p == 0 {
			continue
		}
		if reservePorts(p, 1) {
			return p
		}
	}
	t.Fatalf("testlab: FreePort(%q): no free port after 100 attempts", network)
	return 0
}

// probeFreePort asks the kernel for a free port and returns it, or 0 when the
// port cannot be used for every requested protocol (caller retries).
func probeFreePort(network string) (int, error) {
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp4", LoopbackIP+":0")
		if err != nil {
			return 0, err
		}
		p := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		return p, nil
	case "tcp":
		l, err := net.Listen("tcp4", LoopbackIP+":0")
		if err != nil {
			return 0, err
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return p, nil
	case "both":
		l, err := net.Listen("tcp4", LoopbackIP+":0")
		if err != nil {
			return 0, err
		}
		defer l.Close()
		p := l.Addr().(*net.TCPAddr).Port
		c, err := net.ListenPacket("udp4", net.JoinHostPort(LoopbackIP, strconv.Itoa(p)))
		if err != nil {
			return 0, nil // UDP side busy: try another number
		}
		c.Close()
		return p, nil
	default:
		return 0, fmt.Errorf("unknown network %q (want udp, tcp or both)", network)
	}
}

// FreePortRange returns n consecutive UDP ports on 127.0.0.1 that are all
// free right now, starting at an even number (RTP/RTCP convention). Use it
// for RTP port ranges of media peers. It fails the test if n < 1 or no such
// range is found.
func FreePortRange(t testing.TB, n int) PortRange {
	t.Helper()
	if n < 1 || n > 1000 {
		t.Fatalf("testlab: FreePortRange: invalid size %d (want 1..1000)", n)
	}
	for attempt := 0; attempt < 200; attempt++ {
		first := rangeSearchLow + rand.IntN((rangeSearchHigh-rangeSearchLow-n)/2)*2
		if !rangeFree(first, n) {
			continue
		}
		if reservePorts(first, n) {
			return PortRange{First: first, Last: first + n - 1}
		}
	}
	t.Fatalf("testlab: FreePortRange(%d): no free range found", n)
	return PortRange{}
}

// rangeFree reports whether every UDP port in first..first+n-1 can be bound.
func rangeFree(first, n int) bool {
	conns := make([]net.PacketConn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for p := first; p < first+n; p++ {
		c, err := net.ListenPacket("udp4", net.JoinHostPort(LoopbackIP, strconv.Itoa(p)))
		if err != nil {
			return false
		}
		conns = append(conns, c)
	}
	return true
}

// reservePorts marks first..first+n-1 as handed out; it returns false if any
// of them was handed out before.
func reservePorts(first, n int) bool {
	portMu.Lock()
	defer portMu.Unlock()
	for p := first; p < first+n; p++ {
		if handedOut[p] {
			return false
		}
	}
	for p := first; p < first+n; p++ {
		handedOut[p] = true
	}
	return true
}

// portListening reports whether some socket is bound to 127.0.0.1:port
// (network "udp") or listening on it (network "tcp"). It reads
// /proc/net/{udp,tcp} instead of binding, so it cannot steal the port from
// the process that is about to bind it.
func portListening(network string, port int) bool {
	file := "/proc/net/udp"
	if network == "tcp" {
		file = "/proc/net/tcp"
	}
	f, err := os.Open(file)
	if err != nil {
		return false
	}
	defer f.Close()
	// /proc/net/udp local_address is hex IP (little endian) : hex port.
	want := fmt.Sprintf("0100007F:%04X", port)
	wantAny := fmt.Sprintf("00000000:%04X", port)
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 {
			continue
		}
		if fields[1] != want && fields[1] != wantAny {
			continue
		}
		// TCP: state 0A = LISTEN. UDP: 07 = unconnected/bound.
		if network == "tcp" && fields[3] != "0A" {
			continue
		}
		return true
	}
	return false
}

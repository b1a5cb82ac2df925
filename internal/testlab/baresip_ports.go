package testlab

import (
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"sync"
)

// Port search window for RTP ranges: below the kernel's ephemeral range
// (32768-60999), so ":0" listeners of other processes do not land in them.
const (
	bsRangeLow  = 20000
	bsRangeHigh = 32000
)

var (
	bsPortMu   sync.Mutex
	bsPortUsed = map[int]bool{} // ports handed out to baresip peers in this process
)

// bsAllocPorts returns [sipPort, ctrlPort, rtpFirst] for one baresip peer:
// sipPort is free for UDP and TCP and sipPort+1 is free for TCP (baresip
// binds SIP-TLS there), ctrlPort is another free TCP port, and
// rtpFirst..rtpFirst+bsRTPPorts-1 are free UDP ports. Probing closes the
// sockets again, so a start can still race another process (StartBaresip
// retries on "Address already in use").
func bsAllocPorts() ([3]int, error) {
	var out [3]int
	bsPortMu.Lock()
	defer bsPortMu.Unlock()
	for i := 0; i < 200 && out[0] == 0; i++ {
		p, err := bsProbe("tcp4")
		if err != nil {
			return out, err
		}
		if p >= 65535 || bsPortUsed[p] || bsPortUsed[p+1] || !bsBindable("udp4", p) || !bsBindable("tcp4", p+1) {
			continue
		}
		out[0] = p
	}
	for i := 0; i < 200 && out[1] == 0; i++ {
		p, err := bsProbe("tcp4")
		if err != nil {
			return out, err
		}
		if bsPortUsed[p] || p == out[0] || p == out[0]+1 {
			continue
		}
		out[1] = p
	}
	for i := 0; i < 200 && out[2] == 0; i++ {
		first := bsRangeLow + rand.IntN((bsRangeHigh-bsRangeLow-bsRTPPorts)/2)*2
		ok := true
		for p := first; p < first+bsRTPPorts && ok; p++ {
			ok = !bsPortUsed[p]
		}
		if ok && bsRangeBindable(first, bsRTPPorts) {
			out[2] = first
		}
	}
	if out[0] == 0 || out[1] == 0 || out[2] == 0 {
		return out, fmt.Errorf("testlab: no free ports for baresip (got %v)", out)
	}
	bsPortUsed[out[0]], bsPortUsed[out[0]+1], bsPortUsed[out[1]] = true, true, true
	for p := out[2]; p < out[2]+bsRTPPorts; p++ {
		bsPortUsed[p] = true
	}
	return out, nil
}

// bsProbe asks the kernel for a free port on 127.0.0.1.
func bsProbe(network string) (int, error) {
	l, err := net.Listen(network, "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// bsBindable reports whether 127.0.0.1:port can be bound for network.
func bsBindable(network string, port int) bool {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if network == "udp4" {
		c, err := net.ListenPacket(network, addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// bsRangeBindable reports whether every UDP port first..first+n-1 can be bound.
func bsRangeBindable(first, n int) bool {
	conns := make([]net.PacketConn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for p := first; p < first+n; p++ {
		c, err := net.ListenPacket("udp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			return false
		}
		conns = append(conns, c)
	}
	return true
}

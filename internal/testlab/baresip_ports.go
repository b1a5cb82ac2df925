package testlab

import (
	"net"
	"strconv"
	"testing"
)

// bsSIPPort returns a port that is free for SIP over UDP and TCP and whose
// successor is free for TCP too: baresip binds SIP-TLS on sip_listen's
// port+1 automatically. It fails the test when none is found.
func bsSIPPort(t testing.TB) int {
	t.Helper()
	for attempt := 0; attempt < 50; attempt++ {
		p := FreePort(t, "both")
		if p < 65535 && bsTCPBindable(p+1) {
			return p
		}
	}
	t.Fatalf("testlab: no free SIP port pair for baresip")
	return 0
}

// bsTCPBindable reports whether 127.0.0.1:port can be bound for TCP now.
func bsTCPBindable(port int) bool {
	l, err := net.Listen("tcp4", net.JoinHostPort(LoopbackIP, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

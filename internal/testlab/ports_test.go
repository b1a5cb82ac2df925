package testlab

import (
	"net"
	"strconv"
	"testing"
)

func TestFreePortBothIsBindable(t *testing.T) {
	seen := map[int]bool{}
	for i := 0; i < 20; i++ {
		p := FreePort(t, "both")
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		addr := net.JoinHostPort(LoopbackIP, strconv.Itoa(p))
		l, err := net.Listen("tcp4", addr)
		if err != nil {
			t.Fatalf("tcp %d: %v", p, err)
		}
		c, err := net.ListenPacket("udp4", addr)
		if err != nil {
			l.Close()
			t.Fatalf("udp %d: %v", p, err)
		}
		if !portListening("tcp", p) || !portListening("udp", p) {
			t.Fatalf("portListening does not see bound port %d", p)
		}
		l.Close()
		c.Close()
		if portListening("tcp", p) || portListening("udp", p) {
			t.Fatalf("portListening still sees closed port %d", p)
		}
	}
	for _, n := range []string{"udp", "tcp"} {
		if p := FreePort(t, n); p <= 0 || p > 65535 {
			t.Fatalf("FreePort(%s) = %d", n, p)
		}
	}
}

func TestFreePortRange(t *testing.T) {
	a := FreePortRange(t, 20)
	b := FreePortRange(t, 20)
	if a.Len() != 20 || a.First%2 != 0 || a.String() != strconv.Itoa(a.First)+"-"+strconv.Itoa(a.Last) {
		t.Fatalf("range %v", a)
	}
	if a.First <= b.Last && b.First <= a.Last {
		t.Fatalf("ranges overlap: %v %v", a, b)
	}
	for p := a.First; p <= a.Last; p++ {
		c, err := net.ListenPacket("udp4", net.JoinHostPort(LoopbackIP, strconv.Itoa(p)))
		if err != nil {
			t.Fatalf("port %d of %v not free: %v", p, a, err)
		}
		c.Close()
	}
}

func TestFreePortBadInput(t *testing.T) {
	f := &fakeTB{TB: t}
	FreePort(f, "sctp")
	if f.fatal == "" {
		t.Fatal("unknown network must fail the test")
	}
	f = &fakeTB{TB: t}
	FreePortRange(f, 0)
	if f.fatal == "" {
		t.Fatal("empty range must fail the test")
	}
}

package benchlab

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestSIPMethod(t *testing.T) {
	for in, want := range map[string]string{
		"INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: x\r\n\r\n": "INVITE",
		"REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n":            "REGISTER",
		"ACK sip:a@b SIP/2.0":                                "ACK",
	} {
		m, req, err := SIPMethod([]byte(in))
		if err != nil || !req || m != want {
			t.Errorf("%q: %q %v %v, want %s request", in, m, req, err, want)
		}
	}
	if m, req, err := SIPMethod([]byte("SIP/2.0 407 Proxy Authentication Required\r\n")); err != nil || req || m != "" {
		t.Errorf("response: %q %v %v", m, req, err)
	}
	for _, bad := range []string{"", "\r\n\r\n", "invite sip:a@b SIP/2.0", "INVITE sip:a@b HTTP/1.1", "INVITE  SIP/2.0", "GET / HTTP/1.1"} {
		if _, _, err := SIPMethod([]byte(bad)); !errors.Is(err, ErrNotSIP) {
			t.Errorf("%q: err %v, want ErrNotSIP", bad, err)
		}
	}
}

// TestRelayForwardsAndTimestamps runs a relay between a client socket and
// an upstream socket that answers every request with "SIP/2.0 200 OK".
func TestRelayForwardsAndTimestamps(t *testing.T) {
	up, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close()
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		buf := make([]byte, 2048)
		for {
			n, from, err := up.ReadFromUDP(buf)
			if err != nil {
				return
			}
			m, _, _ := SIPMethod(buf[:n])
			_, _ = up.WriteToUDP([]byte("SIP/2.0 200 OK\r\nX-Method: "+m+"\r\n\r\n"), from)
		}
	}()

	var tick atomic.Int64
	base := time.Unix(1000, 0)
	clock := func() time.Time { return base.Add(time.Duration(tick.Add(1)) * time.Second) }
	r, err := NewRelay(up.LocalAddr().String(), WithRelayClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Addr(), "127.0.0.1:") || r.Port() == 0 {
		t.Fatalf("relay addr %s", r.Addr())
	}
	client, err := net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: r.Port()})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	exchange := func(msg, wantMethod string) {
		t.Helper()
		if _, err := client.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		_ = client.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 2048)
		n, err := client.Read(buf)
		if err != nil {
			t.Fatalf("no answer through the relay: %v", err)
		}
		if got := string(buf[:n]); !strings.Contains(got, "X-Method: "+wantMethod+"\r\n") {
			t.Fatalf("answer %q, want X-Method %s", got, wantMethod)
		}
	}
	exchange("\r\n\r\n", "")                                       // keep-alive: relayed, not timestamped
	exchange("REGISTER sip:127.0.0.1 SIP/2.0\r\n\r\n", "REGISTER") // tick 2
	exchange("INVITE sip:bob@127.0.0.1 SIP/2.0\r\n\r\n", "INVITE") // tick 3
	exchange("INVITE sip:bob@127.0.0.1 SIP/2.0\r\n\r\n", "INVITE") // tick 4, not the first

	inv, err := r.WaitFirst(ctx, "INVITE")
	if err != nil {
		t.Fatal(err)
	}
	reg, ok := r.First("REGISTER")
	if !ok || reg != base.Add(2*time.Second) || inv != base.Add(3*time.Second) {
		t.Errorf("first REGISTER %v (%v), INVITE %v; want +2s and +3s", reg, ok, inv)
	}
	if _, ok := r.First("BYE"); ok {
		t.Error("BYE seen but never sent")
	}

	waitErr := make(chan error, 1)
	go func() { _, err := r.WaitFirst(ctx, "BYE"); waitErr <- err }()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-waitErr; !errors.Is(err, ErrRelayClosed) {
		t.Errorf("WaitFirst across Close: %v, want ErrRelayClosed", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	up.Close()
	<-upDone
}

func TestRelayBadUpstream(t *testing.T) {
	if _, err := NewRelay("not an address"); err == nil {
		t.Error("NewRelay with a bad upstream: no error")
	}
}

func TestRelayWaitFirstContext(t *testing.T) {
	r, err := NewRelay("127.0.0.1:9")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.WaitFirst(ctx, "INVITE"); !errors.Is(err, context.Canceled) {
		t.Errorf("WaitFirst with a cancelled context: %v", err)
	}
}

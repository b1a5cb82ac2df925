//go:build linux && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package media

import (
	"net"
	"testing"
	"time"

	"github.com/pion/rtp"
)

// TestDrainTakesBurstsInBatches: a burst of datagrams larger than one
// recvmmsg batch, with an oversized (truncated) one among them, is taken
// whole: every RTP packet is counted received, the truncated one
// malformed, none lost across batch boundaries, and each carries its
// kernel arrival time (the session's jitter stays that of a burst sent
// in microseconds, not the Ticks' spacing).
func TestDrainTakesBurstsInBatches(t *testing.T) {
	s := newTestSession(t, WithExternalClock())
	peer, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	port := peer.LocalAddr().(*net.UDPAddr).Port
	if _, err := s.ProcessOffer(offerSDP("127.0.0.1", "m=audio "+itoa(port)+" RTP/AVP 0\r\n")); err != nil {
		t.Fatal(err)
	}
	s.SetOutput(&nullSink{})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	to := net.UDPAddrFromAddrPort(s.LocalAddr())
	const burst = 3*rxBatch + 1
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 9}, Payload: make([]byte, 160)}
	buf := make([]byte, 1500)
	for i := range burst {
		if i == rxBatch { // an oversized datagram where a batch ends
			if _, err := peer.WriteToUDP(make([]byte, maxPacket+100), to); err != nil {
				t.Fatal(err)
			}
		}
		pkt.SequenceNumber, pkt.Timestamp = uint16(100+i), uint32(i)*160
		n, _ := pkt.MarshalTo(buf)
		if _, err := peer.WriteToUDP(buf[:n], to); err != nil {
			t.Fatal(err)
		}
	}
	// Loopback delivers before sendto returns on an idle machine; on a busy
	// one the softirq may lag, so tick until all is in (bounded).
	deadline := time.Now().Add(10 * time.Second)
	for {
		s.Tick()
		st := s.Stats()
		if st.PacketsReceived == burst && st.Malformed == 1 {
			if st.Lost != 0 {
				t.Errorf("lost %d of a burst received whole", st.Lost)
			}
			return
		}
		if st.PacketsReceived > burst || st.Malformed > 1 || time.Now().After(deadline) {
			t.Fatalf("received %d (want %d), malformed %d (want 1): %+v", st.PacketsReceived, burst, st.Malformed, st)
		}
		time.Sleep(time.Millisecond) // a media frame's pacing, not a wait for an event
	}
}

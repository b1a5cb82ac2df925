package media

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pitchline/pitchline/audio/codec"
)

// ptimeOffer is a G.711 offer from the raw peer at port asking for
// packets of ptime ms (a=ptime, with a=maxptime).
func ptimeOffer(port, ptime, maxptime int) []byte {
	return offerSDP("127.0.0.1", "m=audio "+strconv.Itoa(port)+" RTP/AVP 0 101\r\n"+
		"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"+
		"a=ptime:"+strconv.Itoa(ptime)+"\r\na=maxptime:"+strconv.Itoa(maxptime)+"\r\n")
}

// readRTP reads packets from peer until n arrived (deadline bounds the
// wait only).
func readRTP(t *testing.T, peer *net.UDPConn, n int) []rtp.Packet {
	t.Helper()
	var out []rtp.Packet
	buf := make([]byte, 2048)
	if err := peer.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	for len(out) < n {
		k, err := peer.Read(buf)
		if err != nil {
			t.Fatalf("after %d packets: %v", len(out), err)
		}
		var p rtp.Packet
		if err := p.Unmarshal(append([]byte(nil), buf[:k]...)); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// TestPtimeSendHonoursPeer: a peer asking for 60 ms packets (a=ptime:60)
// gets 480-byte PCMU packets 480 timestamp units apart; one capping them
// with a=maxptime:40 gets 40 ms ones. Our answer asks for the length we
// send (a=ptime) and says we take up to 120 ms (a=maxptime).
func TestPtimeSendHonoursPeer(t *testing.T) {
	for _, tc := range []struct{ ptime, maxptime, want int }{{60, 120, 60}, {60, 40, 40}, {30, 60, 20}} {
		t.Run(strconv.Itoa(tc.ptime)+"/"+strconv.Itoa(tc.maxptime), func(t *testing.T) {
			s := newTestSession(t)
			peer, port := rawPeer(t)
			ans, err := s.ProcessOffer(ptimeOffer(port, tc.ptime, tc.maxptime))
			if err != nil {
				t.Fatal(err)
			}
			if !hasLine(ans, "a=ptime:"+strconv.Itoa(tc.want)) || !hasLine(ans, "a=maxptime:120") {
				t.Errorf("answer lacks a=ptime:%d / a=maxptime:120:\n%s", tc.want, ans)
			}
			s.SetInput(&toneSource{freq: 1000})
			if err := s.Start(); err != nil {
				t.Fatal(err)
			}
			pkts := readRTP(t, peer, 6)
			want := tc.want * 8 // PCMU: 8 samples, 8 bytes per ms
			for i, p := range pkts {
				if len(p.Payload) != want {
					t.Errorf("packet %d: %d bytes, want %d (%d ms)", i, len(p.Payload), want, tc.want)
				}
				if i > 0 && p.Timestamp-pkts[i-1].Timestamp != uint32(want) {
					t.Errorf("packet %d: timestamp step %d, want %d", i, p.Timestamp-pkts[i-1].Timestamp, want)
				}
				if i > 0 && p.SequenceNumber != pkts[i-1].SequenceNumber+1 {
					t.Errorf("packet %d: sequence %d after %d", i, p.SequenceNumber, pkts[i-1].SequenceNumber)
				}
			}
		})
	}
}

// TestPtimeReceive60ms: a peer sending PCMU in 60 ms packets (3 s of a
// 1 kHz tone, one packet every third frame) is played out 20 ms per
// tick without gaps: every packet is played, the tone is in every
// frame, and the jitter buffer counts in 60 ms packets.
func TestPtimeReceive60ms(t *testing.T) {
	clk := newStepClock()
	s := newTestSession(t, WithExternalClock(), WithClock(clk))
	_, port := rawPeer(t)
	if _, err := s.ProcessOffer(ptimeOffer(port, 20, 120)); err != nil {
		t.Fatal(err)
	}
	sink := newToneFrames(8000, 1000)
	s.SetOutput(sink)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	from := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	const packets = 50
	pkt := make([]byte, 12, 12+480)
	pkt[0], pkt[1] = 0x80, 0
	binary.BigEndian.PutUint32(pkt[8:], 0xfeed)
	var payload [480]byte
	// One packet every three frames, as the peer paces them.
	for i := range packets {
		binary.BigEndian.PutUint16(pkt[2:], uint16(100+i))
		binary.BigEndian.PutUint32(pkt[4:], uint32(5000+i*480))
		n := codec.PCMU{}.Encode(payload[:], sine(1000, 8000, i*480, 480))
		s.handleRTP(append(pkt[:12], payload[:n]...), from, clk.Now())
		for range 3 {
			clk.tick(s)
		}
	}
	for range 15 { // what the jitter buffer holds
		clk.tick(s)
	}
	_, tonal := sink.count()
	jb := s.jb.Stats()
	t.Logf("%d tonal frames of %d sent; jitter buffer %+v", tonal, 3*packets, jb)
	if jb.Played != packets || jb.Lost != 0 || jb.Late != 0 {
		t.Errorf("of %d packets: played %d, lost %d, late %d", packets, jb.Played, jb.Lost, jb.Late)
	}
	if tonal < 3*packets {
		t.Errorf("the tone was in %d of the %d 20 ms frames sent in 60 ms packets", tonal, 3*packets)
	}
	if d := s.jb.FrameDuration(); d != 60*time.Millisecond {
		t.Errorf("jitter buffer frame %v, want 60ms", d)
	}
}

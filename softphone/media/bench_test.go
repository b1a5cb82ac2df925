package media

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pitchline/pitchline/audio/codec"
)

// benchPair returns a negotiated session whose peer is a plain UDP socket
// that drains what the session sends.
func benchSession(b *testing.B, opts ...Option) (*Session, *net.UDPConn) {
	b.Helper()
	s := newTestSession(b, opts...)
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { peer.Close() })
	port := peer.LocalAddr().(*net.UDPAddr).Port
	offer := offerSDP("127.0.0.1", "m=audio "+itoa(port)+" RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n")
	if _, err := s.ProcessOffer(offer); err != nil {
		b.Fatal(err)
	}
	go func() { // drain
		buf := make([]byte, 1500)
		for {
			if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
				return
			}
		}
	}()
	return s, peer
}

func itoa(i int) string {
	var b [8]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

type nullSink struct{ n int }

func (*nullSink) Rate() int                      { return 8000 }
func (s *nullSink) WriteFrame(src []int16) error { s.n += len(src); return nil }

// BenchmarkSendPath: mic frame → encode → RTP marshal into the reused
// buffer → UDP write, as done every 20 ms by the media goroutine.
func BenchmarkSendPath(b *testing.B) {
	s, _ := benchSession(b)
	s.SetInput(&toneSource{freq: 440})
	b.ReportAllocs()
	for b.Loop() {
		s.sendTick()
	}
	if s.Stats().PacketsSent == 0 {
		b.Fatal("nothing sent")
	}
}

// BenchmarkReceivePath: datagram → RTP unmarshal → jitter push → pop →
// decode → sink.
func BenchmarkReceivePath(b *testing.B) {
	s, peer := benchSession(b)
	sink := &nullSink{}
	s.SetOutput(sink)
	src := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 7}, Payload: make([]byte, 160)}
	buf := make([]byte, 1500)
	var seq uint16
	// Prime the jitter buffer to its target so each Pop plays a packet.
	for i := 0; i < 3; i++ {
		pkt.SequenceNumber, pkt.Timestamp = seq, uint32(seq)*160
		n, _ := pkt.MarshalTo(buf)
		s.handleRTP(buf[:n], src, time.Now())
		seq++
	}
	b.ReportAllocs()
	for b.Loop() {
		pkt.SequenceNumber, pkt.Timestamp = seq, uint32(seq)*160
		n, _ := pkt.MarshalTo(buf)
		s.handleRTP(buf[:n], src, time.Now())
		s.playoutTick()
		seq++
	}
	if s.Stats().PacketsReceived < 3 || sink.n == 0 {
		b.Fatalf("nothing received: %+v", s.Stats())
	}
}

// BenchmarkTick is one externally clocked media frame as a call runs it:
// a datagram from the peer waits on the socket, and Tick drains it
// (non-blocking recvmsg with its kernel timestamp), sends one frame and
// plays one out. This is the whole per-frame hot path: 0 allocs/op.
func BenchmarkTick(b *testing.B) {
	s, peer := benchSession(b, WithExternalClock())
	sink := &nullSink{}
	s.SetOutput(sink)
	s.SetInput(&toneSource{freq: 440})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	to := net.UDPAddrFromAddrPort(s.LocalAddr())
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 7}, Payload: make([]byte, 160)}
	buf := make([]byte, 1500)
	var seq uint16
	b.ReportAllocs()
	for b.Loop() {
		pkt.SequenceNumber, pkt.Timestamp = seq, uint32(seq)*160
		n, _ := pkt.MarshalTo(buf)
		if _, err := peer.WriteToUDP(buf[:n], to); err != nil {
			b.Fatal(err)
		}
		seq++
		s.Tick()
	}
	if st := s.Stats(); st.PacketsReceived == 0 || st.PacketsSent == 0 || sink.n == 0 {
		b.Fatalf("frame path idle: %+v", st)
	}
}

// busSink discards 48 kHz frames.
type busSink struct{ n int }

func (*busSink) Rate() int                      { return 48000 }
func (s *busSink) WriteFrame(src []int16) error { s.n += len(src); return nil }

// BenchmarkConvertingFrame is BenchmarkSendPath plus BenchmarkReceivePath
// for a PCMU leg attached at the 48 kHz bus rate: the session converts the
// 48 kHz microphone to 8 kHz and the decoded 8 kHz to 48 kHz every frame
// (audio/resample). Compare with the two 8 kHz benchmarks in the same run.
func BenchmarkConvertingFrame(b *testing.B) {
	s, peer := benchSession(b)
	sink := &busSink{}
	s.SetOutput(sink)
	s.SetInput(&rateTone{rate: 48000, freq: 440})
	src := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SSRC: 7}, Payload: make([]byte, 160)}
	buf := make([]byte, 1500)
	var seq uint16
	for i := 0; i < 3; i++ {
		pkt.SequenceNumber, pkt.Timestamp = seq, uint32(seq)*160
		n, _ := pkt.MarshalTo(buf)
		s.handleRTP(buf[:n], src, time.Now())
		seq++
	}
	// The first frame builds the two resamplers (once per rate change).
	s.sendTick()
	s.playoutTick()
	b.ReportAllocs()
	for b.Loop() {
		s.sendTick()
		pkt.SequenceNumber, pkt.Timestamp = seq, uint32(seq)*160
		n, _ := pkt.MarshalTo(buf)
		s.handleRTP(buf[:n], src, time.Now())
		s.playoutTick()
		seq++
	}
	if s.Stats().PacketsSent == 0 || sink.n == 0 {
		b.Fatalf("nothing converted: %+v", s.Stats())
	}
}

// BenchmarkTickSwitchingCodecs is BenchmarkTick with a peer that switches
// payload type every 10 packets between a 48 kHz codec (the "opus" test
// stand-in) and PCMU at 8 kHz, on one SSRC, sending PCMU in 60 ms
// packets, into a 48 kHz sink: decoder switch, jitter
// buffer re-timing, multi-frame playout and conversion stay at 0
// allocs/op.
func BenchmarkTickSwitchingCodecs(b *testing.B) {
	s := newCodecSession(b, wideCodecs, WithExternalClock())
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { peer.Close() })
	go func() { // drain
		buf := make([]byte, 1500)
		for {
			if _, _, err := peer.ReadFromUDPAddrPort(buf); err != nil {
				return
			}
		}
	}()
	if _, err := s.ProcessOffer(baresipOffer(peer.LocalAddr().(*net.UDPAddr).Port, "")); err != nil {
		b.Fatal(err)
	}
	sink := &busSink{}
	s.SetOutput(sink)
	s.SetInput(&toneSource{freq: 440})
	if err := s.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	to := net.UDPAddrFromAddrPort(s.LocalAddr())
	wide := &wideEnc{}
	pcm48 := sine(1000, 48000, 0, 960)
	pcm8 := sine(1000, 8000, 0, 480)
	var widePayload, pcmuPayload [1500]byte
	nw := wide.Encode(widePayload[:], pcm48)
	np := codec.PCMU{}.Encode(pcmuPayload[:], pcm8)
	pkt := rtp.Packet{Header: rtp.Header{Version: 2, SSRC: 7}}
	buf := make([]byte, 1500)
	var seq uint16
	var ts48, ts8 uint32
	ticks := 0
	b.ReportAllocs()
	for b.Loop() {
		// One 20 ms wide packet per tick, or one 60 ms PCMU packet
		// every third tick.
		send := true
		if seq/10%2 == 0 {
			pkt.PayloadType, pkt.Timestamp, pkt.Payload = 111, ts48, widePayload[:nw]
			ts48 += 960
		} else if ticks%3 == 0 {
			pkt.PayloadType, pkt.Timestamp, pkt.Payload = 0, ts8, pcmuPayload[:np]
			ts8 += 480
		} else {
			send = false
		}
		if send {
			pkt.SequenceNumber = seq
			seq++
			n, _ := pkt.MarshalTo(buf)
			if _, err := peer.WriteToUDP(buf[:n], to); err != nil {
				b.Fatal(err)
			}
		}
		ticks++
		s.Tick()
	}
	if st := s.Stats(); st.PacketsReceived == 0 || st.DroppedPayloadType != 0 || sink.n == 0 {
		b.Fatalf("frame path idle or dropping: %+v", st)
	}
}

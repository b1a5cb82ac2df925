package media

import (
	"net/netip"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
)

func FuzzParseSDP(f *testing.F) {
	f.Add(offerSDP("127.0.0.1", audioAll))
	f.Add(offerSDP("0.0.0.0", audioAll+"a=sendonly\r\n"))
	f.Add(offerSDP("127.0.0.1", audioG729))
	f.Add(offerSDP("::1", "m=audio 1 RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\na=rtcp:9\r\n"))
	f.Add(offerSDP("127.0.0.1", "m=video 0 RTP/AVP\r\n", "m=audio 70000 RTP/AVP 0\r\n"))
	f.Add(baresipOffer(40000, ";maxaveragebitrate=20000"))
	f.Add(offerSDP("127.0.0.1", "m=audio 40000 RTP/AVP 109 110\r\na=rtpmap:109 opus/48000/2\r\na=fmtp:109 useinbandfec=1\r\na=rtpmap:110 telephone-event/48000\r\n"))
	f.Add([]byte("v=0\r\n"))
	f.Add([]byte{})
	s := newCodecSession(f, wideCodecs)
	f.Fuzz(func(t *testing.T, b []byte) {
		ans, err := s.ProcessOffer(b)
		if err == nil && len(ans) == 0 {
			t.Fatal("no answer and no error")
		}
		_ = s.SetRemoteAnswer(b)
	})
}

func FuzzRTPReceive(f *testing.F) {
	good := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: 1, SSRC: 9}, Payload: make([]byte, 160)}
	b, _ := good.Marshal()
	f.Add(b)
	te := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 101, SequenceNumber: 2, SSRC: 9}, Payload: []byte{1, 0x8a, 3, 32}}
	b, _ = te.Marshal()
	f.Add(b)
	ext := rtp.Packet{Header: rtp.Header{Version: 2, Extension: true, ExtensionProfile: 0xBEDE, CSRC: []uint32{1, 2}}, Payload: []byte{1}}
	_ = ext.SetExtension(1, []byte{1, 2})
	b, _ = ext.Marshal()
	f.Add(b)
	f.Add([]byte{0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF})
	f.Add([]byte{0x80})
	s := newTestSession(f)
	peer := netip.MustParseAddrPort("127.0.0.1:40000")
	if _, err := s.ProcessOffer(offerSDP("127.0.0.1", audioAll)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.handleRTP(b, peer, time.Now())
		s.playoutTick()
	})
}

func FuzzRTCP(f *testing.F) {
	sr := &rtcp.SenderReport{SSRC: 1, NTPTime: 1 << 40, Reports: []rtcp.ReceptionReport{{SSRC: 2, LastSenderReport: 5, Delay: 3}}}
	rr := &rtcp.ReceiverReport{SSRC: 1, Reports: []rtcp.ReceptionReport{{SSRC: 2}}}
	b, _ := rtcp.Marshal([]rtcp.Packet{sr, rtcp.NewCNAMESourceDescription(1, "x")})
	f.Add(b)
	b, _ = rtcp.Marshal([]rtcp.Packet{rr, &rtcp.Goodbye{Sources: []uint32{1}}})
	f.Add(b)
	f.Add([]byte{0x80, 200, 0, 0})
	f.Add([]byte{})
	s := newTestSession(f)
	peer := netip.MustParseAddrPort("127.0.0.1:40001")
	if _, err := s.ProcessOffer(offerSDP("127.0.0.1", audioAll)); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s.handleRTCP(b, peer)
		_ = s.buildReport(s.opt.clock.Now())
		_ = s.Stats()
	})
}

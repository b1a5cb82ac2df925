package media

import (
	"math"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/dsp"
)

// The engine's tests build without cgo, so they cannot link libopus
// (audio/codec/opus, tested there and against baresip in
// internal/devicetest). wideCodec stands in for it under the name "opus"
// at 48 kHz with a dynamic payload type: μ-law per sample (so a 6 kHz tone
// survives), DTX (an all-zero frame encodes to nothing), a settable bit
// rate, and a decoder that conceals with the next packet as Opus FEC does.
// It checks the media layer's side: SDP, payload types, clock rates,
// timestamps, DTX, concealment and rate conversion.

type wideEnc struct {
	mu      sync.Mutex
	bitrate int
	loss    int
}

func (e *wideEnc) SetPacketLoss(pct int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.loss = pct
	return nil
}
func (e *wideEnc) packetLoss() int { e.mu.Lock(); defer e.mu.Unlock(); return e.loss }

func (e *wideEnc) Bitrate() int { e.mu.Lock(); defer e.mu.Unlock(); return e.bitrate }
func (e *wideEnc) SetBitrate(bps int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bitrate = bps
	return nil
}

func (e *wideEnc) Encode(dst []byte, pcm []int16) int {
	silent := true
	for _, v := range pcm {
		if v != 0 {
			silent = false
			break
		}
	}
	if silent {
		return 0 // DTX
	}
	return codec.PCMU{}.Encode(dst, pcm)
}

type wideDec struct {
	mu       sync.Mutex
	conceals [][]byte // next payload of each Conceal (nil: none)
}

func (d *wideDec) Decode(dst []int16, payload []byte) int { return codec.PCMU{}.Decode(dst, payload) }

func (d *wideDec) Conceal(dst []int16, next []byte) int {
	d.mu.Lock()
	d.conceals = append(d.conceals, append([]byte(nil), next...))
	d.mu.Unlock()
	if next == nil {
		clear(dst)
		return len(dst)
	}
	return codec.PCMU{}.Decode(dst, next)
}

func init() {
	err := codec.Register(codec.Info{Name: "opus", PayloadType: codec.DynamicPayloadType, ClockRate: 48000, Channels: 1,
		NewEncoder: func() (codec.Encoder, error) { return &wideEnc{bitrate: 32000}, nil },
		NewDecoder: func() (codec.Decoder, error) { return &wideDec{}, nil }})
	if err != nil {
		panic(err)
	}
}

// rateTone is a sine at freq Hz and rate Hz.
type rateTone struct {
	rate  int
	freq  float64
	phase float64
}

func (t *rateTone) Rate() int { return t.rate }
func (t *rateTone) ReadFrame(dst []int16) error {
	for i := range dst {
		dst[i] = int16(12000 * math.Sin(t.phase))
		t.phase += 2 * math.Pi * t.freq / float64(t.rate)
	}
	return nil
}

// rateCapture collects frames at rate once n frames with sound arrived.
type rateCapture struct {
	*captureSink
	rate int
}

func (c rateCapture) Rate() int { return c.rate }

var wideCodecs = []string{"opus", "PCMU", "PCMA"}

func audioLine(sd []byte) string {
	for _, l := range strings.Split(string(sd), "\r\n") {
		if strings.HasPrefix(l, "m=audio") {
			return l
		}
	}
	return ""
}

func hasLine(sd []byte, line string) bool {
	return strings.Contains(string(sd), "\r\n"+line+"\r\n")
}

func TestDefaultCodecsOfferOpusFirst(t *testing.T) {
	if got := strings.Join(DefaultCodecs(), " "); got != "opus PCMU PCMA" {
		t.Errorf("DefaultCodecs() = %s, want opus first (registered by this test package)", got)
	}
	s, err := NewSession(Config{LocalIP: netip.MustParseAddr("127.0.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	offer, err := s.CreateOffer()
	if err != nil {
		t.Fatal(err)
	}
	// Opus on the first dynamic payload type, telephone-event at 48 kHz on
	// the next and at 8 kHz on the configured 101 (RFC 4733 §2.1: the
	// events use the audio's clock).
	m := audioLine(offer)
	if want := "m=audio " + strconv.Itoa(int(s.LocalAddr().Port())) + " RTP/AVP 96 0 8 97 101"; m != want {
		t.Errorf("offer %q, want %q", m, want)
	}
	for _, l := range []string{"a=rtpmap:96 opus/48000/2", "a=fmtp:96 useinbandfec=1; usedtx=1", "a=rtpmap:0 PCMU/8000",
		"a=rtpmap:97 telephone-event/48000", "a=fmtp:97 0-16", "a=rtpmap:101 telephone-event/8000"} {
		if !hasLine(offer, l) {
			t.Errorf("offer lacks %q:\n%s", l, offer)
		}
	}
	if s.Rate() != 48000 {
		t.Errorf("Rate() before negotiation = %d, want the first codec's 48000", s.Rate())
	}
}

// baresipOffer is what baresip's opus module offers (payload type 111,
// telephone-event at 8 kHz only).
func baresipOffer(port int, extraFmtp string) []byte {
	return offerSDP("127.0.0.1", "m=audio "+strconv.Itoa(port)+" RTP/AVP 111 0 8 101\r\n"+
		"a=rtpmap:111 opus/48000/2\r\na=fmtp:111 stereo=1;sprop-stereo=1"+extraFmtp+"\r\n"+
		"a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n")
}

func TestOpusAnswer(t *testing.T) {
	for _, tc := range []struct {
		name, offer              string
		codecs                   []string
		wantFmts, wantCodec      string
		wantRate, wantTE, teRate int
		wantLines                []string
		wantBitrate              int
	}{
		{name: "opus answered on the offerer's payload type, G.711 kept beside it (the peer may switch)",
			offer: string(baresipOffer(40000, ";maxaveragebitrate=20000")), codecs: wideCodecs,
			wantFmts: "111 0 8 101", wantCodec: "opus", wantRate: 48000, wantTE: 101, teRate: 8000,
			wantLines:   []string{"a=rtpmap:111 opus/48000/2", "a=fmtp:111 useinbandfec=1; usedtx=1", "a=rtpmap:101 telephone-event/8000"},
			wantBitrate: 20000},
		{name: "telephone-event at 48 kHz preferred", codecs: wideCodecs,
			offer: string(offerSDP("127.0.0.1", "m=audio 40000 RTP/AVP 109 0 101 110\r\na=rtpmap:109 OPUS/48000/2\r\n"+
				"a=rtpmap:101 telephone-event/8000\r\na=rtpmap:110 telephone-event/48000\r\n")),
			wantFmts: "109 0 110 101", wantCodec: "opus", wantRate: 48000, wantTE: 110, teRate: 48000,
			wantLines: []string{"a=rtpmap:110 telephone-event/48000"}, wantBitrate: 32000},
		{name: "our preference for G.711 keeps 8 kHz", codecs: []string{"PCMU", "opus"},
			offer:    string(baresipOffer(40000, "")),
			wantFmts: "0 111 101", wantCodec: "PCMU", wantRate: 8000, wantTE: 101, teRate: 8000},
		{name: "G.711-only peer", codecs: wideCodecs, offer: string(offerSDP("127.0.0.1", audioAll)),
			wantFmts: "0 8 101", wantCodec: "PCMU", wantRate: 8000, wantTE: 101, teRate: 8000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newCodecSession(t, tc.codecs)
			ans, err := s.ProcessOffer([]byte(tc.offer))
			if err != nil {
				t.Fatal(err)
			}
			sd := parseAnswer(t, ans)
			if got := strings.Join(sd.MediaDescriptions[0].MediaName.Formats, " "); got != tc.wantFmts {
				t.Errorf("answer formats %q, want %q\n%s", got, tc.wantFmts, ans)
			}
			for _, l := range tc.wantLines {
				if !hasLine(ans, l) {
					t.Errorf("answer lacks %q:\n%s", l, ans)
				}
			}
			p := s.params.Load()
			if s.Codec() != tc.wantCodec || s.Rate() != tc.wantRate || p.frame != tc.wantRate/50 || p.tePT != tc.wantTE || p.teRate != tc.teRate {
				t.Errorf("codec %s rate %d frame %d te %d/%d, want %s %d %d/%d", s.Codec(), s.Rate(), p.frame, p.tePT, p.teRate,
					tc.wantCodec, tc.wantRate, tc.wantTE, tc.teRate)
			}
			// Every answered codec decodes at its own clock rate.
			for _, f := range sd.MediaDescriptions[0].MediaName.Formats {
				pt, _ := strconv.Atoi(f)
				if p.decoders[pt] == nil && p.teRx[pt] == 0 {
					t.Errorf("answered payload type %d has no decoder", pt)
				}
				if pt == 111 && p.decRates[pt] != 48000 || (pt == 0 || pt == 8) && p.decRates[pt] != 8000 {
					t.Errorf("payload type %d decodes at %d Hz", pt, p.decRates[pt])
				}
			}
			if tc.wantBitrate > 0 {
				if got := p.enc.(*wideEnc).Bitrate(); got != tc.wantBitrate {
					t.Errorf("encoder bit rate %d, want %d (the peer's maxaveragebitrate)", got, tc.wantBitrate)
				}
			}
		})
	}
}

// TestOpusOfferAnswer: our offer, answered with another payload type for
// Opus, decodes on both; a re-INVITE keeps the codec state.
func TestOpusOfferAnswer(t *testing.T) {
	s := newCodecSession(t, wideCodecs)
	if _, err := s.CreateOffer(); err != nil {
		t.Fatal(err)
	}
	answer := offerSDP("127.0.0.1", "m=audio 40000 RTP/AVP 111 101\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:101 telephone-event/8000\r\n")
	if err := s.SetRemoteAnswer(answer); err != nil {
		t.Fatal(err)
	}
	p := s.params.Load()
	if p.sendPT != 111 || p.rate != 48000 || p.decoders[111] == nil || p.decoders[96] == nil || p.decoders[0] != nil {
		t.Errorf("send PT %d rate %d, decoders 111 %v 96 %v 0 %v", p.sendPT, p.rate, p.decoders[111], p.decoders[96], p.decoders[0])
	}
	if _, err := s.CreateOffer(); err != nil {
		t.Fatal(err)
	}
	if err := s.SetRemoteAnswer(answer); err != nil {
		t.Fatal(err)
	}
	q := s.params.Load()
	if q.enc != p.enc || q.decoders[111] != p.decoders[111] {
		t.Error("renegotiating the same codec replaced its encoder or decoder")
	}
	// Renegotiating to G.711 switches the session to 8 kHz.
	if _, err := s.ProcessOffer(offerSDP("127.0.0.1", audioAll)); err != nil {
		t.Fatal(err)
	}
	if s.Rate() != 8000 || s.Codec() != "PCMU" {
		t.Errorf("after a G.711 re-offer: %s at %d Hz", s.Codec(), s.Rate())
	}
}

// TestWidebandToneBothWays: a 6 kHz tone, which 8 kHz G.711 cannot carry,
// crosses a 48 kHz session pair both ways, with sources and sinks at 48 kHz
// on one side and at 16 kHz (converted by the session) on the other.
func TestWidebandToneBothWays(t *testing.T) {
	a := newCodecSession(t, wideCodecs)
	b := newCodecSession(t, wideCodecs)
	offer, err := a.CreateOffer()
	if err != nil {
		t.Fatal(err)
	}
	ans, err := b.ProcessOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteAnswer(ans); err != nil {
		t.Fatal(err)
	}
	if a.Codec() != "opus" || b.Codec() != "opus" || a.Rate() != 48000 {
		t.Fatalf("negotiated %s/%s at %d Hz", a.Codec(), b.Codec(), a.Rate())
	}
	a.SetInput(&rateTone{rate: 48000, freq: 6000})
	b.SetInput(&rateTone{rate: 16000, freq: 5000})
	atB := rateCapture{newCapture(25), 16000}
	atA := rateCapture{newCapture(25), 48000}
	b.SetOutput(atB)
	a.SetOutput(atA)
	for _, s := range []*Session{a, b} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, atB.ready, "audio at b")
	wait(t, atA.ready, "audio at a")
	for _, c := range []struct {
		name       string
		got        []int16
		rate       int
		want, hiHz float64
	}{{"a→b (48 kHz to 16 kHz)", atB.samples(), 16000, 6000, 7900}, {"b→a (16 kHz to 48 kHz)", atA.samples(), 48000, 5000, 20000}} {
		f, _ := dsp.DominantFrequency(c.got, c.rate, 200, c.hiHz, 25)
		if math.Abs(f-c.want) > 50 {
			t.Errorf("%s: dominant %v Hz, want %v", c.name, f, c.want)
		}
	}
}

// rawPeer is a UDP socket playing the far end of one session.
func rawPeer(t *testing.T) (*net.UDPConn, int) {
	t.Helper()
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	return peer, peer.LocalAddr().(*net.UDPAddr).Port
}

// switchSource plays silence until on is set, then a tone.
type switchSource struct {
	on   chan struct{}
	tone rateTone
}

func (s *switchSource) Rate() int { return 48000 }
func (s *switchSource) ReadFrame(dst []int16) error {
	select {
	case <-s.on:
		return s.tone.ReadFrame(dst)
	default:
		clear(dst)
		return nil
	}
}

// TestOpusTimestampsAndDTX: RTP timestamps count at 48 kHz (960 per 20 ms,
// RFC 7587 §4.1), silence under DTX sends nothing, and the first packet of
// the talkspurt that follows carries the marker bit.
func TestOpusTimestampsAndDTX(t *testing.T) {
	peer, port := rawPeer(t)
	s := newCodecSession(t, wideCodecs)
	if _, err := s.ProcessOffer(baresipOffer(port, "")); err != nil {
		t.Fatal(err)
	}
	src := &switchSource{on: make(chan struct{}), tone: rateTone{rate: 48000, freq: 1000}}
	s.SetInput(src)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	// Silence: the encoder has nothing to send. Wait for ticks to pass.
	for i := 0; i < 5; i++ {
		waitTick(s)
	}
	if n := s.Stats().PacketsSent; n != 0 {
		t.Fatalf("%d packets sent during DTX silence", n)
	}
	close(src.on)
	if err := peer.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1500)
	var prev rtp.Packet
	for i := 0; i < 10; i++ {
		n, _, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		var pkt rtp.Packet
		if err := pkt.Unmarshal(buf[:n]); err != nil {
			t.Fatal(err)
		}
		if pkt.PayloadType != 111 || len(pkt.Payload) != 960 {
			t.Fatalf("packet %d: PT %d, %d bytes; want 111 (the offerer's) and 960", i, pkt.PayloadType, len(pkt.Payload))
		}
		if (i == 0) != pkt.Marker {
			t.Errorf("packet %d: marker %v", i, pkt.Marker)
		}
		if i > 0 && (pkt.Timestamp-prev.Timestamp)%960 != 0 {
			t.Errorf("timestamp step %d, want a multiple of 960", pkt.Timestamp-prev.Timestamp)
		}
		if i > 0 && pkt.SequenceNumber == prev.SequenceNumber+1 && pkt.Timestamp-prev.Timestamp != 960 {
			t.Errorf("consecutive packets %d apart, want 960", pkt.Timestamp-prev.Timestamp)
		}
		prev = pkt
	}
}

// TestOpusConcealsWithNextPacket drives the receive path directly: a lost
// packet is concealed by the decoder with the packet after it (Opus FEC),
// not by the generic PLC.
func TestOpusConcealsWithNextPacket(t *testing.T) {
	const peerPort = 40000
	s := newCodecSession(t, wideCodecs)
	if _, err := s.ProcessOffer(baresipOffer(peerPort, "")); err != nil {
		t.Fatal(err)
	}
	p := s.params.Load()
	dec := p.decoders[111].(*wideDec)
	src := netip.MustParseAddrPort("127.0.0.1:" + strconv.Itoa(peerPort))
	at := time.Now()
	buf := make([]byte, 1500)
	for k := 0; k < 30; k++ {
		if k != 10 {
			payload := make([]byte, 960)
			payload[0] = byte(k) // identifies the packet
			pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111, SequenceNumber: uint16(100 + k),
				Timestamp: uint32(k * 960), SSRC: 7}, Payload: payload}
			n, err := pkt.MarshalTo(buf)
			if err != nil {
				t.Fatal(err)
			}
			s.handleRTP(buf[:n], src, at.Add(time.Duration(k)*20*time.Millisecond))
		}
		s.playoutTick()
	}
	dec.mu.Lock()
	defer dec.mu.Unlock()
	// Conceal without a next packet may come too (a stretch of the jitter
	// buffer); the loss itself must be concealed from packet 11.
	var withNext []int
	for _, c := range dec.conceals {
		if len(c) > 0 {
			withNext = append(withNext, int(c[0]))
		}
	}
	if len(withNext) != 1 || withNext[0] != 11 {
		t.Fatalf("Conceal calls given the next packet: %v, want one, with packet 11", withNext)
	}
	if st := s.Stats(); st.Lost != 1 || st.Concealed != int64(len(dec.conceals)) {
		t.Errorf("Lost %d Concealed %d, want 1 and %d", st.Lost, st.Concealed, len(dec.conceals))
	}
}

// TestPeerLossTunesEncoder: the fraction lost the peer reports for our
// stream (RTCP) reaches an adaptive encoder on the next frame sent, at
// least 1 % so FEC stays on.
func TestPeerLossTunesEncoder(t *testing.T) {
	_, port := rawPeer(t)
	s := newCodecSession(t, wideCodecs)
	if _, err := s.ProcessOffer(baresipOffer(port, "")); err != nil {
		t.Fatal(err)
	}
	p := s.params.Load()
	enc := p.enc.(*wideEnc)
	s.SetInput(&rateTone{rate: 48000, freq: 1000})
	for _, tc := range []struct {
		fraction uint8
		want     int
	}{{64, 25}, {0, 1}, {255, 100}} {
		s.processReports(time.Now(), []rtcp.ReceptionReport{{SSRC: s.sendSSRC.Load(), FractionLost: tc.fraction}})
		s.sendAudio(p)
		if got := enc.packetLoss(); got != tc.want {
			t.Errorf("fraction lost %d/256: encoder told %d %%, want %d", tc.fraction, got, tc.want)
		}
	}
	// Reports about another SSRC are not ours.
	s.processReports(time.Now(), []rtcp.ReceptionReport{{SSRC: s.sendSSRC.Load() + 1, FractionLost: 128}})
	s.sendAudio(p)
	if got := enc.packetLoss(); got != 100 {
		t.Errorf("a report on another SSRC changed the loss to %d %%", got)
	}
}

func TestFmtpParam(t *testing.T) {
	for _, tc := range []struct {
		in, key, want string
		ok            bool
	}{
		{"maxaveragebitrate=20000; useinbandfec=1", "useinbandfec", "1", true},
		{"stereo=1;sprop-stereo=1;MaxAverageBitrate=64000", "maxaveragebitrate", "64000", true},
		{"useinbandfec", "useinbandfec", "", false},
		{"", "x", "", false},
	} {
		got, ok := fmtpParam(tc.in, tc.key)
		if got != tc.want || ok != tc.ok {
			t.Errorf("fmtpParam(%q, %q) = %q %v, want %q %v", tc.in, tc.key, got, ok, tc.want, tc.ok)
		}
	}
	r := remoteAudio{fmtp: map[uint8]string{111: "maxaveragebitrate=5000", 112: "maxaveragebitrate=x", 113: "maxaveragebitrate=40000"}}
	if r.maxAverageBitrate(111) != 0 || r.maxAverageBitrate(112) != 0 || r.maxAverageBitrate(113) != 40000 || r.maxAverageBitrate(1) != 0 {
		t.Error("maxAverageBitrate does not keep to 6000..510000")
	}
}

func FuzzFmtpParam(f *testing.F) {
	f.Add("maxaveragebitrate=20000; useinbandfec=1; usedtx=1")
	f.Add(";;=;=")
	f.Fuzz(func(t *testing.T, s string) {
		r := remoteAudio{fmtp: map[uint8]string{111: s}}
		if n := r.maxAverageBitrate(111); n != 0 && (n < 6000 || n > 510000) {
			t.Fatalf("bit rate %d out of range", n)
		}
		if v, ok := fmtpParam(s, "usedtx"); !ok && v != "" {
			t.Fatal("value without ok")
		}
	})
}

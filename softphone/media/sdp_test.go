package media

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/pion/sdp/v3"
)

// newTestSession returns a G.711 session (PCMU, PCMA): the stand-in
// "opus" of wideband_test.go is registered, so the default list would
// offer it first.
func newTestSession(t testing.TB, opts ...Option) *Session {
	t.Helper()
	return newCodecSession(t, []string{"PCMU", "PCMA"}, opts...)
}

func newCodecSession(t testing.TB, codecs []string, opts ...Option) *Session {
	t.Helper()
	s, err := NewSession(Config{LocalIP: netip.MustParseAddr("127.0.0.1"), Codecs: codecs}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func offerSDP(conn string, media ...string) []byte {
	b := "v=0\r\no=peer 1 1 IN IP4 " + conn + "\r\ns=-\r\nc=IN IP4 " + conn + "\r\nt=0 0\r\n"
	for _, m := range media {
		b += m
	}
	return []byte(b)
}

const (
	audioAll  = "m=audio 40000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
	audioG729 = "m=audio 40000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n"
)

func parseAnswer(t *testing.T, b []byte) *sdp.SessionDescription {
	t.Helper()
	sd := &sdp.SessionDescription{}
	if err := sd.Unmarshal(b); err != nil {
		t.Fatalf("answer does not parse: %v\n%s", err, b)
	}
	return sd
}

func TestNegotiation(t *testing.T) {
	for _, tc := range []struct {
		name       string
		offer      []byte
		local      Direction
		wantErr    error
		wantFmts   string // answer audio formats
		wantDir    Direction
		wantRemote Direction
		wantCodec  string
		wantTE     int
		wantPorts  []int // all m= ports
	}{
		{name: "PCMA PCMU te, our preference wins", offer: offerSDP("127.0.0.1", audioAll),
			wantFmts: "0 8 101", wantDir: DirSendRecv, wantRemote: DirSendRecv, wantCodec: "PCMU", wantTE: 101},
		{name: "only G729", offer: offerSDP("127.0.0.1", audioG729), wantErr: ErrIncompatible},
		{name: "sendonly offer (remote hold)", offer: offerSDP("127.0.0.1", audioAll+"a=sendonly\r\n"),
			wantFmts: "0 8 101", wantDir: DirRecvOnly, wantRemote: DirSendOnly, wantCodec: "PCMU", wantTE: 101},
		{name: "inactive", offer: offerSDP("127.0.0.1", audioAll+"a=inactive\r\n"),
			wantFmts: "0 8 101", wantDir: DirInactive, wantRemote: DirInactive, wantCodec: "PCMU", wantTE: 101},
		{name: "recvonly offer", offer: offerSDP("127.0.0.1", audioAll+"a=recvonly\r\n"),
			wantFmts: "0 8 101", wantDir: DirSendOnly, wantRemote: DirRecvOnly, wantCodec: "PCMU", wantTE: 101},
		{name: "c=0.0.0.0 old-style hold", offer: offerSDP("0.0.0.0", audioAll),
			wantFmts: "0 8 101", wantDir: DirRecvOnly, wantRemote: DirSendOnly, wantCodec: "PCMU", wantTE: 101},
		{name: "we are on hold, peer sendrecv", offer: offerSDP("127.0.0.1", audioAll), local: DirSendOnly,
			wantFmts: "0 8 101", wantDir: DirSendOnly, wantRemote: DirSendRecv, wantCodec: "PCMU", wantTE: 101},
		{name: "dynamic te 96", offer: offerSDP("127.0.0.1",
			"m=audio 40000 RTP/AVP 8 96\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\n"),
			wantFmts: "8 96", wantDir: DirSendRecv, wantRemote: DirSendRecv, wantCodec: "PCMA", wantTE: 96},
		{name: "no telephone-event", offer: offerSDP("127.0.0.1", "m=audio 40000 RTP/AVP 0\r\n"),
			wantFmts: "0", wantDir: DirSendRecv, wantRemote: DirSendRecv, wantCodec: "PCMU", wantTE: -1},
		{name: "video + audio + second audio", offer: offerSDP("127.0.0.1",
			"m=video 40002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n", audioAll, audioAll),
			wantFmts: "0 8 101", wantDir: DirSendRecv, wantRemote: DirSendRecv, wantCodec: "PCMU", wantTE: 101,
			wantPorts: []int{0, -1, 0}},
		{name: "SRTP only", offer: offerSDP("127.0.0.1", "m=audio 40000 RTP/SAVP 0\r\n"), wantErr: ErrIncompatible},
		{name: "no audio", offer: offerSDP("127.0.0.1", "m=video 40002 RTP/AVP 96\r\n"), wantErr: ErrIncompatible},
		{name: "hostname", offer: offerSDP("example.com", audioAll), wantErr: ErrIncompatible},
		{name: "garbage", offer: []byte("hello"), wantErr: ErrBadSDP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var gotRemote []Direction
			s := newTestSession(t, WithOnRemoteDirection(func(d Direction) { gotRemote = append(gotRemote, d) }))
			if tc.local != "" {
				s.SetLocalDirection(tc.local)
			}
			ans, err := s.ProcessOffer(tc.offer)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			sd := parseAnswer(t, ans)
			var audio *sdp.MediaDescription
			for i, md := range sd.MediaDescriptions {
				if tc.wantPorts != nil && tc.wantPorts[i] == 0 && md.MediaName.Port.Value != 0 {
					t.Errorf("m= line %d not rejected", i)
				}
				if md.MediaName.Port.Value != 0 {
					audio = md
				}
			}
			if audio == nil || audio.MediaName.Port.Value != int(s.LocalAddr().Port()) {
				t.Fatalf("no accepted audio at our port in\n%s", ans)
			}
			if got := strings.Join(audio.MediaName.Formats, " "); got != tc.wantFmts {
				t.Errorf("answer formats %q, want %q", got, tc.wantFmts)
			}
			if d, _ := directionOf(audio.Attributes); d != tc.wantDir {
				t.Errorf("answer direction %q, want %q", d, tc.wantDir)
			}
			if s.RemoteDirection() != tc.wantRemote {
				t.Errorf("RemoteDirection = %v, want %v", s.RemoteDirection(), tc.wantRemote)
			}
			if tc.wantRemote != DirSendRecv && (len(gotRemote) != 1 || gotRemote[0] != tc.wantRemote) {
				t.Errorf("OnRemoteDirection calls %v", gotRemote)
			}
			if s.Codec() != tc.wantCodec {
				t.Errorf("Codec = %q, want %q", s.Codec(), tc.wantCodec)
			}
			if p := s.params.Load(); p.tePT != tc.wantTE {
				t.Errorf("telephone-event PT %d, want %d", p.tePT, tc.wantTE)
			}
			err = s.SendDTMF("1")
			if tc.wantTE < 0 && !errors.Is(err, ErrDTMFNotNegotiated) {
				t.Errorf("SendDTMF without te: %v", err)
			}
			if tc.wantTE >= 0 && err != nil {
				t.Errorf("SendDTMF: %v", err)
			}
		})
	}
}

func TestOfferAnswerRoundTrip(t *testing.T) {
	a := newTestSession(t)
	b := newTestSession(t)
	offer, err := a.CreateOffer()
	if err != nil {
		t.Fatal(err)
	}
	osd := parseAnswer(t, offer)
	if osd.Origin.SessionVersion != 1 || !strings.Contains(string(offer), "a=rtpmap:101 telephone-event/8000") ||
		!strings.Contains(string(offer), "m=audio "+itoa(int(a.LocalAddr().Port()))+" RTP/AVP 0 8 101") {
		t.Fatalf("offer:\n%s", offer)
	}
	if err := b.SetRemoteAnswer(offer); !errors.Is(err, ErrNoOffer) {
		t.Errorf("answer without offer: %v", err)
	}
	ans, err := b.ProcessOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteAnswer(ans); err != nil {
		t.Fatal(err)
	}
	if a.RemoteAddr() != b.LocalAddr() || b.RemoteAddr() != a.LocalAddr() {
		t.Errorf("addresses %v/%v vs %v/%v", a.RemoteAddr(), b.LocalAddr(), b.RemoteAddr(), a.LocalAddr())
	}
	// Re-offer for hold: version increments, direction carried.
	a.SetLocalDirection(DirSendOnly)
	offer2, _ := a.CreateOffer()
	if v := parseAnswer(t, offer2).Origin.SessionVersion; v != 2 {
		t.Errorf("second offer version %d, want 2", v)
	}
	ans2, err := b.ProcessOffer(offer2)
	if err != nil || !strings.Contains(string(ans2), "a=recvonly") {
		t.Fatalf("hold answer %v:\n%s", err, ans2)
	}
	if v := parseAnswer(t, ans2).Origin.SessionVersion; v != 2 {
		t.Errorf("changed answer version %d, want 2", v)
	}
	ans3, _ := b.ProcessOffer(offer2)
	if v := parseAnswer(t, ans3).Origin.SessionVersion; v != 2 {
		t.Errorf("unchanged answer version %d, want 2", v)
	}
	if err := a.SetRemoteAnswer(ans2); err != nil || a.RemoteDirection() != DirRecvOnly {
		t.Errorf("apply hold answer: %v %v", err, a.RemoteDirection())
	}
	rejected := offerSDP("127.0.0.1", "m=audio 0 RTP/AVP 0\r\n")
	if err := a.SetRemoteAnswer(rejected); !errors.Is(err, ErrIncompatible) {
		t.Errorf("rejected answer: %v", err)
	}
}

func TestDirection(t *testing.T) {
	for _, c := range []struct{ d, rev Direction }{
		{DirSendRecv, DirSendRecv}, {DirSendOnly, DirRecvOnly}, {DirRecvOnly, DirSendOnly}, {DirInactive, DirInactive},
	} {
		if c.d.Reverse() != c.rev || c.d.String() != string(c.d) || !c.d.Valid() {
			t.Errorf("%v.Reverse() = %v", c.d, c.d.Reverse())
		}
	}
	if Direction("x").Valid() {
		t.Error("bogus direction valid")
	}
}

func TestNewSessionErrors(t *testing.T) {
	lo := netip.MustParseAddr("127.0.0.1")
	for _, cfg := range []Config{
		{}, {LocalIP: netip.IPv4Unspecified()}, {LocalIP: lo, PortMin: 10}, {LocalIP: lo, PortMin: 20, PortMax: 10},
		{LocalIP: lo, Codecs: []string{"G729"}}, {LocalIP: lo, DTMFPayloadType: 50},
	} {
		if _, err := NewSession(cfg); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("NewSession(%+v) err = %v", cfg, err)
		}
	}
	if _, err := NewSession(Config{LocalIP: lo}, WithRTCPInterval(0)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("bad option err = %v", err)
	}
	s := newTestSession(t)
	if s.LocalAddr().Port()%2 != 0 {
		t.Errorf("RTP port %d is odd", s.LocalAddr().Port())
	}
	// Port range: the next pair after s's.
	p := int(s.LocalAddr().Port())
	if _, err := NewSession(Config{LocalIP: lo, PortMin: p, PortMax: p + 1}); !errors.Is(err, ErrNoPort) {
		t.Errorf("busy range err = %v", err)
	}
	s.Close()
	if err := s.Start(); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v", err)
	}
	if _, err := s.CreateOffer(); !errors.Is(err, ErrClosed) {
		t.Errorf("CreateOffer after Close = %v", err)
	}
}

package media

import (
	"errors"
	"math"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pitchline/pitchline/audio/dsp"
)

// toneSource is a sine at freq Hz, 8 kHz.
type toneSource struct {
	freq  float64
	phase float64
}

func (t *toneSource) Rate() int { return 8000 }
func (t *toneSource) ReadFrame(dst []int16) error {
	for i := range dst {
		dst[i] = int16(12000 * math.Sin(t.phase))
		t.phase += 2 * math.Pi * t.freq / 8000
	}
	return nil
}

// captureSink records frames and signals when n frames with sound arrived.
type captureSink struct {
	mu     sync.Mutex
	frames [][]int16
	loud   int
	want   int
	ready  chan struct{}
}

func newCapture(want int) *captureSink { return &captureSink{want: want, ready: make(chan struct{})} }

func (c *captureSink) Rate() int { return 8000 }
func (c *captureSink) WriteFrame(src []int16) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if dsp.Peak(src) > 0.1 {
		c.frames = append(c.frames, append([]int16(nil), src...))
		c.loud++
		if c.loud == c.want {
			close(c.ready)
		}
	}
	return nil
}

func (c *captureSink) samples() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []int16
	for _, f := range c.frames[len(c.frames)/2:] { // steady state
		out = append(out, f...)
	}
	return out
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timeout waiting for %s", what)
	}
}

// pair negotiates two sessions with each other.
func pair(t *testing.T, aOpts, bOpts []Option) (*Session, *Session) {
	t.Helper()
	a := newTestSession(t, aOpts...)
	b := newTestSession(t, bOpts...)
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
	return a, b
}

func TestAudioBothWays(t *testing.T) {
	a, b := pair(t, nil, nil)
	a.SetInput(&toneSource{freq: 440})
	b.SetInput(&toneSource{freq: 1000})
	atB, atA := newCapture(25), newCapture(25)
	b.SetOutput(atB)
	a.SetOutput(atA)
	recB := newCapture(25)
	b.SetRecorder(recB)
	for _, s := range []*Session{a, b} {
		if err := s.Start(); err != nil {
			t.Fatal(err)
		}
		if err := s.Start(); err != nil { // idempotent
			t.Fatal(err)
		}
	}
	wait(t, atB.ready, "audio at b")
	wait(t, atA.ready, "audio at a")
	wait(t, recB.ready, "recorder at b")
	for _, c := range []struct {
		name string
		got  []int16
		want float64
	}{{"a→b", atB.samples(), 440}, {"b→a", atA.samples(), 1000}, {"a→b recorder", recB.samples(), 440}} {
		f, _ := dsp.DominantFrequency(c.got, 8000, 200, 3400, 10)
		if math.Abs(f-c.want) > 10 {
			t.Errorf("%s: dominant frequency %.0f Hz, want %.0f", c.name, f, c.want)
		}
	}
	if a.Codec() != "PCMU" {
		t.Errorf("codec %q", a.Codec())
	}
	st := b.Stats()
	if st.PacketsReceived == 0 || st.BytesReceived != st.PacketsReceived*160 || a.Stats().PacketsSent == 0 {
		t.Errorf("stats a %+v b %+v", a.Stats(), st)
	}
}

func TestMuteSendsSilence(t *testing.T) {
	a, b := pair(t, nil, nil)
	a.SetInput(&toneSource{freq: 440})
	a.SetMute(true)
	if !a.Muted() {
		t.Fatal("Muted() false")
	}
	// Count packets arriving at b while a is muted: RTP keeps flowing, audio silent.
	silent := make(chan struct{})
	var once sync.Once
	var loud int
	var mu sync.Mutex
	b.SetOutput(sinkFunc(func(f []int16) {
		mu.Lock()
		defer mu.Unlock()
		if dsp.Peak(f) > 0.01 {
			loud++
		}
		if b.Stats().PacketsReceived > 20 {
			once.Do(func() { close(silent) })
		}
	}))
	a.Start()
	b.Start()
	wait(t, silent, "packets while muted")
	mu.Lock()
	defer mu.Unlock()
	if loud != 0 {
		t.Errorf("%d loud frames while muted", loud)
	}
}

type sinkFunc func([]int16)

func (f sinkFunc) Rate() int                    { return 8000 }
func (f sinkFunc) WriteFrame(src []int16) error { f(src); return nil }

func TestDTMFBothWays(t *testing.T) {
	gotA, gotB := make(chan rune, 32), make(chan rune, 32)
	a, b := pair(t, []Option{WithOnDTMF(func(d rune) { gotA <- d })}, []Option{WithOnDTMF(func(d rune) { gotB <- d })})
	a.Start()
	b.Start()
	if err := a.SendDTMF("12*#A"); err != nil {
		t.Fatal(err)
	}
	if err := b.SendDTMF("9D0"); err != nil {
		t.Fatal(err)
	}
	if err := a.SendDTMF("1x"); !errors.Is(err, ErrInvalidDigit) {
		t.Errorf("invalid digit err = %v", err)
	}
	read := func(ch chan rune, n int) string {
		var s []rune
		for len(s) < n {
			select {
			case d := <-ch:
				s = append(s, d)
			case <-time.After(10 * time.Second):
				t.Fatalf("timeout, got %q", string(s))
			}
		}
		return string(s)
	}
	if got := read(gotB, 5); got != "12*#A" {
		t.Errorf("b received %q", got)
	}
	if got := read(gotA, 3); got != "9D0" {
		t.Errorf("a received %q", got)
	}
	// All events ended (end packets sent 3 times each); give the last
	// retransmissions time to land, then no digit may have been reported twice.
	for a.Stats().DTMFSent < 5 {
		waitTick(a)
	}
	for i := 0; i < 3; i++ {
		waitTick(b)
	}
	select {
	case d := <-gotB:
		t.Errorf("extra digit %q at b", d)
	default:
	}
	if st := b.Stats(); st.DTMFReceived != 5 || a.Stats().DTMFSent != 5 {
		t.Errorf("DTMF counters: a sent %d, b received %d", a.Stats().DTMFSent, st.DTMFReceived)
	}
}

// waitPackets blocks until s has received n more RTP packets.
func waitPackets(t *testing.T, s *Session, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	start := s.Stats().PacketsReceived
	for s.Stats().PacketsReceived < start+n {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %d packets", n)
		}
		waitTick(s)
	}
}

// waitTick blocks for one playout tick of s by observing its output.
func waitTick(s *Session) {
	ch := make(chan struct{}, 1)
	s.SetRecorder(sinkFunc(func([]int16) {
		select {
		case ch <- struct{}{}:
		default:
		}
	}))
	<-ch
	s.SetRecorder(nil)
}

func TestHoldStopsRTP(t *testing.T) {
	a, b := pair(t, nil, nil)
	a.Start()
	b.Start()
	waitPackets(t, b, 5)
	waitPackets(t, a, 5)
	// a puts b on hold: re-offer sendonly, b answers recvonly.
	a.SetLocalDirection(DirSendOnly)
	offer, _ := a.CreateOffer()
	ans, err := b.ProcessOffer(offer)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetRemoteAnswer(ans); err != nil {
		t.Fatal(err)
	}
	if b.RemoteDirection() != DirSendOnly || a.RemoteDirection() != DirRecvOnly || b.LocalDirection() != DirSendRecv {
		t.Fatalf("directions: a remote %v, b remote %v", a.RemoteDirection(), b.RemoteDirection())
	}
	// Let in-flight packets land, then b must send nothing for many ticks
	// while a keeps sending.
	waitPackets(t, b, 3)
	before := a.Stats().PacketsReceived
	waitPackets(t, b, 25)
	if got := a.Stats().PacketsReceived - before; got != 0 {
		t.Errorf("a received %d packets from b during hold", got)
	}
	// Resume.
	a.SetLocalDirection(DirSendRecv)
	offer, _ = a.CreateOffer()
	ans, _ = b.ProcessOffer(offer)
	if err := a.SetRemoteAnswer(ans); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, a, 5)
}

func TestDropsForeignSourceAndUnknownPT(t *testing.T) {
	a, b := pair(t, nil, nil)
	b.Start()
	// RTP from a third socket.
	third, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	pkt := []byte{0x80, 0, 0, 1, 0, 0, 0, 160, 1, 2, 3, 4}
	pkt = append(pkt, make([]byte, 160)...)
	for i := 0; i < 3; i++ {
		third.WriteToUDPAddrPort(pkt, b.LocalAddr())
	}
	// Unknown payload type from the right source (a's RTP socket).
	bad := append([]byte(nil), pkt...)
	bad[1] = 18 // G729, not negotiated
	for i := 0; i < 2; i++ {
		a.sendFromRTPSocket(bad, b.LocalAddr())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := b.Stats()
		if st.DroppedSource == 3 && st.DroppedPayloadType == 2 {
			if st.PacketsReceived != 0 {
				t.Errorf("dropped packets counted as received: %+v", st)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", st)
		}
		waitTick(b)
	}
}

// TestLoss plays the peer with a raw socket and skips 7 sequence numbers.
func TestLoss(t *testing.T) {
	b := newTestSession(t)
	peer, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	port := peer.LocalAddr().(*net.UDPAddr).Port
	if _, err := b.ProcessOffer(offerSDP("127.0.0.1", "m=audio "+strconv.Itoa(port)+" RTP/AVP 0\r\n")); err != nil {
		t.Fatal(err)
	}
	b.Start()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	buf := make([]byte, 1500)
	for k := 0; k < 40; k++ {
		<-tick.C
		if k >= 10 && k < 17 {
			continue
		}
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 0, SequenceNumber: uint16(65530 + k),
			Timestamp: uint32(k * 160), SSRC: 42}, Payload: make([]byte, 160)}
		n, _ := pkt.MarshalTo(buf)
		peer.WriteToUDPAddrPort(buf[:n], b.LocalAddr())
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := b.Stats()
		if st.PacketsReceived == 33 {
			// The jitter buffer conceals 3 frames (60 ms, after which the
			// PLC is silent anyway), then rebuffers.
			if st.Lost != 7 || st.Concealed < 3 {
				t.Errorf("Lost %d (want 7), Concealed %d (want >= 3)", st.Lost, st.Concealed)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", st)
		}
		waitTick(b)
	}
}

func TestRTT(t *testing.T) {
	a, b := pair(t, []Option{WithRTCPInterval(50 * time.Millisecond)}, []Option{WithRTCPInterval(50 * time.Millisecond)})
	a.Start()
	b.Start()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sa, sb := a.Stats(), b.Stats()
		if sa.RTTMs > 0 && sb.RTTMs > 0 && sa.RTCPReceived > 0 && sb.RTCPReceived > 0 {
			t.Logf("RTT a %.3f ms, b %.3f ms; jitter a %.2f ms", sa.RTTMs, sb.RTTMs, sa.JitterMs)
			if sa.RTTMs > 1000 || sb.RTTMs > 1000 {
				t.Errorf("implausible loopback RTT %v / %v ms", sa.RTTMs, sb.RTTMs)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats a %+v\nb %+v", sa, sb)
		}
		waitTick(b)
	}
}

// sendFromRTPSocket sends b from s's own RTP socket, serialised with its
// media tick (which owns the socket).
func (s *Session) sendFromRTPSocket(b []byte, to netip.AddrPort) {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	_ = s.sock.send(b, to)
}

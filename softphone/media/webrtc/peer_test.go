package webrtc_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone/media"
	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
)

// The engine's tests build without cgo, so they cannot use libopus. When
// no "opus" codec is registered, these tests register a stand-in under that
// name: G.711 µ-law of all 960 samples of a 48 kHz frame. It exercises the
// whole Peer path (registry lookup, encode, RTP, SRTP, jitter buffer,
// decode); internal/webrtctest runs the real Opus against Chromium.
func init() {
	if _, err := codec.Lookup("opus"); err == nil {
		return
	}
	if err := codec.Register(codec.Info{Name: "opus", PayloadType: codec.DynamicPayloadType, ClockRate: 48000, Channels: 2,
		NewEncoder: func() (codec.Encoder, error) { return codec.PCMU{}, nil },
		NewDecoder: func() (codec.Decoder, error) { return codec.PCMU{}, nil }}); err != nil {
		panic(err)
	}
}

// toneSink is an audio.Sink at 48 kHz that closes heard once a 100 ms
// window is dominated by freq (Goertzel power at least half of the window's
// total power, and not quiet).
type toneSink struct {
	freq  float64
	mu    sync.Mutex
	win   []int16
	heard chan struct{}
	once  sync.Once
	other float64 // a frequency that must not dominate
	wrong bool
}

func newToneSink(freq, other float64) *toneSink {
	return &toneSink{freq: freq, other: other, heard: make(chan struct{}), win: make([]int16, 0, 4800)}
}

func (s *toneSink) Rate() int { return 48000 }

func (s *toneSink) WriteFrame(src []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.win = append(s.win, src...)
	if len(s.win) < cap(s.win) {
		return nil
	}
	if ok, _ := dominated(s.win, s.freq); ok {
		s.once.Do(func() { close(s.heard) })
	}
	if ok, _ := dominated(s.win, s.other); ok {
		s.wrong = true
	}
	s.win = s.win[:0]
	return nil
}

func (s *toneSink) heardOther() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrong
}

// dominated reports whether freq holds at least half of the window's power
// (a pure sine gives a ratio of about 1) and the window is not near silence.
func dominated(win []int16, freq float64) (bool, float64) {
	rms := dsp.RMS(win)
	if rms < 0.01 {
		return false, 0
	}
	ratio := dsp.Goertzel(win, 48000, freq) / (2 * rms * rms)
	return ratio >= 0.5, ratio
}

// browserLike is a pion PeerConnection standing in for a browser: it
// offers one sendrecv Opus track on loopback.
type browserLike struct {
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
	sink  *toneSink
	wg    sync.WaitGroup
	stop  chan struct{}
}

func newBrowserLike(t testing.TB, hear *toneSink) *browserLike {
	t.Helper()
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: webrtc.RTPCodecCapability{
		MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		t.Fatal(err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		t.Fatal(err)
	}
	var s webrtc.SettingEngine
	s.SetIncludeLoopbackCandidate(true)
	s.SetIPFilter(func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) })
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	pc, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(s)).
		NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	b := &browserLike{pc: pc, sink: hear, stop: make(chan struct{})}
	b.track, err = webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2}, "mic", "browser")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pc.AddTransceiverFromTrack(b.track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendrecv}); err != nil {
		t.Fatal(err)
	}
	pc.OnTrack(func(tr *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if hear == nil { // benchmarks: leave the packets unread
			return
		}
		pcm := make([]int16, 960)
		for {
			p, _, err := tr.ReadRTP()
			if err != nil {
				return
			}
			n := codec.PCMU{}.Decode(pcm, p.Payload)
			_ = hear.WriteFrame(pcm[:n])
		}
	})
	return b
}

func (b *browserLike) offer(t testing.TB) string {
	t.Helper()
	o, err := b.pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	g := webrtc.GatheringCompletePromise(b.pc)
	if err := b.pc.SetLocalDescription(o); err != nil {
		t.Fatal(err)
	}
	<-g
	return b.pc.LocalDescription().SDP
}

// sendTone sends a freq Hz tone as 20 ms stand-in-Opus packets in real time.
func (b *browserLike) sendTone(t *testing.T, freq float64) {
	gen, err := tone.NewSine(freq, 0.5, 48000)
	if err != nil {
		t.Fatal(err)
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		pcm := make([]int16, 960)
		buf := make([]byte, 960)
		pkt := rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111}}
		for i := 0; ; i++ {
			select {
			case <-b.stop:
				return
			case <-tk.C:
			}
			_ = gen.ReadFrame(pcm)
			n := codec.PCMU{}.Encode(buf, pcm)
			pkt.SequenceNumber, pkt.Timestamp, pkt.Payload = uint16(i), uint32(i*960), buf[:n]
			_ = b.track.WriteRTP(&pkt)
		}
	}()
}

func (b *browserLike) close() {
	close(b.stop)
	b.wg.Wait()
	_ = b.pc.Close()
}

// checkGoroutines fails the test when goroutines started during it are
// still running once it ends (pion's own close finishes asynchronously,
// so it waits up to a generous deadline for the count to come back).
func checkGoroutines(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() { testlab.CheckNoGoroutineLeak(t, before) })
}

// TestPeerTwoWayAudio connects a Peer to a pion offerer on loopback: each
// side sends its own tone and must hear the other's, not its own.
func TestPeerTwoWayAudio(t *testing.T) {
	checkGoroutines(t)
	browserHears := newToneSink(1000, 700)
	b := newBrowserLike(t, browserHears)
	defer b.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	states := make(chan pwebrtc.State, 16)
	peer, answer, err := pwebrtc.NewPeer(ctx, b.offer(t), pwebrtc.WithOnState(func(s pwebrtc.State) { states <- s }))
	if err != nil {
		t.Fatalf("NewPeer: %v", err)
	}
	defer peer.Close()
	if !strings.Contains(answer, "127.0.0.1") || !strings.Contains(answer, "a=fingerprint:") {
		t.Fatalf("answer lacks a loopback candidate or DTLS fingerprint:\n%s", answer)
	}
	goHears := newToneSink(700, 1000)
	src, err := tone.NewSine(1000, 0.5, 48000)
	if err != nil {
		t.Fatal(err)
	}
	peer.SetInput(src)
	peer.SetOutput(goHears)
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	b.sendTone(t, 700)

	for s := range states {
		if s == pwebrtc.StateConnected {
			break
		}
		if s == pwebrtc.StateFailed || s == pwebrtc.StateClosed {
			t.Fatalf("state %s before connected", s)
		}
	}
	for _, w := range []struct {
		name string
		s    *toneSink
	}{{"Go side hears the browser's 700 Hz", goHears}, {"browser hears Go's 1000 Hz", browserHears}} {
		select {
		case <-w.s.heard:
		case <-ctx.Done():
			t.Fatalf("%s: not within the deadline; stats %+v", w.name, peer.Stats())
		}
	}
	if goHears.heardOther() || browserHears.heardOther() {
		t.Errorf("a side heard its own tone (go %v, browser %v)", goHears.heardOther(), browserHears.heardOther())
	}
	st := peer.Stats()
	if st.PacketsSent == 0 || st.PacketsReceived == 0 {
		t.Errorf("stats %+v: want packets both ways", st)
	}
	if err := peer.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	select {
	case <-peer.Done():
	default:
		t.Error("Done not closed after Close")
	}
	if peer.State() != pwebrtc.StateClosed || !errors.Is(peer.Err(), pwebrtc.ErrClosed) {
		t.Errorf("after Close: state %s err %v", peer.State(), peer.Err())
	}
	peer.Tick() // after Close: a no-op, no panic
}

// TestPeerRemoteClose: the browser closing its side ends the Peer (Done)
// as closed, through DTLS close_notify (not ICE failure ~30 s later).
func TestPeerRemoteClose(t *testing.T) {
	checkGoroutines(t)
	b := newBrowserLike(t, newToneSink(1000, 700))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	connected := make(chan struct{})
	var once sync.Once
	peer, answer, err := pwebrtc.NewPeer(ctx, b.offer(t), pwebrtc.WithExternalClock(),
		pwebrtc.WithOnState(func(s pwebrtc.State) {
			if s == pwebrtc.StateConnected {
				once.Do(func() { close(connected) })
			}
		}))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	// Both ends must be connected: an offerer closing mid-handshake sends
	// no close_notify, and the Peer would only see ICE fail (~30 s).
	offererUp := make(chan struct{})
	var offererOnce sync.Once
	b.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			offererOnce.Do(func() { close(offererUp) })
		}
	})
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []chan struct{}{connected, offererUp} {
		select {
		case <-c:
		case <-ctx.Done():
			t.Fatal("never connected")
		}
	}
	b.close()
	select {
	case <-peer.Done():
	case <-ctx.Done():
		t.Fatalf("Done not closed after the remote side closed; state %s", peer.State())
	}
	// A hang-up is a close (DTLS close_notify), not an ICE failure ~30 s on.
	if peer.State() != pwebrtc.StateClosed || !errors.Is(peer.Err(), pwebrtc.ErrClosed) {
		t.Errorf("after the remote close: state %s, err %v; want closed", peer.State(), peer.Err())
	}
}

func TestNewPeerRejectsBadOffers(t *testing.T) {
	checkGoroutines(t)
	ctx := context.Background()
	videoOnly := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n"
	noOpus := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n" +
		"a=mid:0\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 " + strings.Repeat("AB:", 31) + "AB\r\na=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n"
	for name, offer := range map[string]string{
		"empty": "", "not sdp": "hello", "too large": "v=0\r\nm=audio " + strings.Repeat("x", pwebrtc.MaxOfferSize),
		"video only": videoOnly, "garbage after v=0": "v=0\r\nm=audio \x00\x01\r\n", "no opus": noOpus,
	} {
		p, _, err := pwebrtc.NewPeer(ctx, offer)
		if err == nil {
			p.Close()
			t.Errorf("%s: NewPeer accepted it", name)
			continue
		}
		if !errors.Is(err, pwebrtc.ErrBadOffer) {
			t.Errorf("%s: error %v, want ErrBadOffer", name, err)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	for name, o := range map[string]pwebrtc.Option{
		"nil logger": pwebrtc.WithLogger(nil), "no ICE address": pwebrtc.WithICEAddresses(),
		"bad port range": pwebrtc.WithPortRange(5000, 4000), "jitter": pwebrtc.WithJitterDelay(0, 0),
		"gather": pwebrtc.WithGatherTimeout(0), "nil clock": pwebrtc.WithClock(nil),
	} {
		if _, _, err := pwebrtc.NewPeer(context.Background(), "v=0\r\nm=audio 9\r\n", o); !errors.Is(err, pwebrtc.ErrInvalidConfig) {
			t.Errorf("%s: %v, want ErrInvalidConfig", name, err)
		}
	}
}

// FuzzCheckOffer: arbitrary offers never panic NewPeer's guard, and what
// it accepts is bounded.
func FuzzCheckOffer(f *testing.F) {
	f.Add("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")
	f.Add("")
	f.Add("v=0\nm=audio ")
	f.Fuzz(func(t *testing.T, s string) {
		if err := pwebrtc.CheckOffer(s); err == nil && (len(s) > pwebrtc.MaxOfferSize || !strings.Contains(s, "m=audio")) {
			t.Fatalf("accepted %q", s)
		}
	})
}

// TestNewPeerMutatedOffers feeds NewPeer deterministic mutations of a real
// offer (each line dropped, duplicated or cut short; bytes flipped): it
// never panics, rejects what it cannot use with ErrBadOffer or ErrICE, and
// a Peer it accepts answers with candidates and closes cleanly. (Not a Go
// fuzz target: pion's background goroutines make coverage nondeterministic,
// so the fuzz engine spends its time minimising flaky inputs.)
func TestNewPeerMutatedOffers(t *testing.T) {
	checkGoroutines(t)
	b := newBrowserLike(t, nil)
	offer := b.offer(t)
	b.close()
	lines := strings.SplitAfter(offer, "\r\n")
	var offers []string
	for i := range lines {
		offers = append(offers,
			strings.Join(slices.Delete(slices.Clone(lines), i, i+1), ""),
			strings.Join(slices.Insert(slices.Clone(lines), i, lines[i]), ""),
			strings.Join(lines[:i], "")+lines[i][:len(lines[i])/2])
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		m := []byte(offer)
		for range 1 + rng.IntN(4) {
			m[rng.IntN(len(m))] = byte(rng.IntN(256))
		}
		offers = append(offers, string(m))
	}
	accepted := 0
	for _, o := range offers {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		p, answer, err := pwebrtc.NewPeer(ctx, o, pwebrtc.WithExternalClock())
		cancel()
		if err != nil {
			if !errors.Is(err, pwebrtc.ErrBadOffer) && !errors.Is(err, pwebrtc.ErrICE) {
				t.Errorf("unexpected error kind: %v\n%q", err, o)
			}
			continue
		}
		accepted++
		if !strings.Contains(answer, "a=candidate:") {
			t.Errorf("answer without candidates for %q", o)
		}
		if err := p.Close(); err != nil {
			t.Logf("close: %v", err)
		}
	}
	if accepted == 0 || accepted == len(offers) {
		t.Errorf("accepted %d of %d mutated offers: the mutations do not exercise both outcomes", accepted, len(offers))
	}
	t.Logf("accepted %d of %d mutated offers", accepted, len(offers))
}

// The engine wraps a Peer behind the same media interface as a
// media.Session; this keeps the two shapes in step.
var _ interface {
	SetInput(src audio.Source)
	SetOutput(sink audio.Sink)
	SetMute(on bool)
	Tick()
	Codec() string
	Stats() media.Stats
} = (*pwebrtc.Peer)(nil)

// TestPeerRemoteBye: an RTCP BYE for the browser's source (RFC 3550 §6.6)
// ends the Peer as closed while the transport is still up.
func TestPeerRemoteBye(t *testing.T) {
	checkGoroutines(t)
	b := newBrowserLike(t, nil)
	defer b.close()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	peer, answer, err := pwebrtc.NewPeer(ctx, b.offer(t), pwebrtc.WithExternalClock())
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	up := make(chan struct{})
	var once sync.Once
	b.pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		if s == webrtc.PeerConnectionStateConnected {
			once.Do(func() { close(up) })
		}
	})
	if err := b.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-up:
	case <-ctx.Done():
		t.Fatal("never connected")
	}
	b.sendTone(t, 700) // the Peer's track (and its RTCP reader) starts with the first packet
	ssrc := uint32(b.pc.GetTransceivers()[0].Sender().GetParameters().Encodings[0].SSRC)
	other := &rtcp.Goodbye{Sources: []uint32{ssrc + 1}}
	bye := &rtcp.Goodbye{Sources: []uint32{ssrc}, Reason: "tab closed"}
	// Resend until seen: the Peer reads RTCP once the track has arrived,
	// and no event tells the sender when that is.
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	for {
		if err := b.pc.WriteRTCP([]rtcp.Packet{other}); err != nil {
			t.Fatal(err)
		}
		if peer.State() == pwebrtc.StateClosed {
			t.Fatal("a BYE for another source closed the Peer")
		}
		if err := b.pc.WriteRTCP([]rtcp.Packet{bye}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-peer.Done():
			if peer.State() != pwebrtc.StateClosed {
				t.Errorf("after BYE: state %s, want closed", peer.State())
			}
			return
		case <-tk.C:
		case <-ctx.Done():
			t.Fatalf("BYE did not end the Peer; state %s", peer.State())
		}
	}
}

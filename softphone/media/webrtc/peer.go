package webrtc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/jitter"
)

// Rate is the PCM rate of a Peer's input and output: Opus's 48 kHz.
const Rate = 48000

const (
	frameSamples = Rate / 50 // 20 ms
	maxPacket    = 1500
	// maxDecoded is the longest Opus frame (120 ms at 48 kHz, RFC 6716 §2).
	maxDecoded = 5760
	opusPT     = 111
)

// State is a Peer's connection state (the W3C RTCPeerConnectionState
// names).
type State string

// Peer states.
const (
	StateNew          State = "new"
	StateConnecting   State = "connecting"
	StateConnected    State = "connected"
	StateDisconnected State = "disconnected"
	StateFailed       State = "failed"
	StateClosed       State = "closed"
)

// String returns the state name.
func (s State) String() string { return string(s) }

type sourceBox struct{ src audio.Source }
type sinkBox struct{ sink audio.Sink }

// Peer is one browser participant: a PeerConnection with one sendrecv Opus
// audio track. All methods are safe for concurrent use.
type Peer struct {
	opt   options
	log   *slog.Logger
	pc    *webrtc.PeerConnection
	track *webrtc.TrackLocalStaticRTP
	enc   codec.Encoder
	dec   codec.Decoder
	// concealer is dec's own loss concealment (Opus PLC), or nil.
	concealer codec.Concealer
	jb        *jitter.Buffer
	plc       *codec.PLC

	input  atomic.Pointer[sourceBox]
	output atomic.Pointer[sinkBox]
	muted  atomic.Bool
	state  atomic.Pointer[State]

	mu        sync.Mutex // guards closed and wg.Add against Close
	closed    bool
	closeOnce sync.Once
	closeErr  error
	done      chan struct{} // closed on failed, closed or Close
	doneOnce  sync.Once
	stop      chan struct{} // closed by Close: stops the ticker
	wg        sync.WaitGroup
	reading   atomic.Bool // a remote track reader runs
	tickMu    sync.Mutex

	// Send state, owned by Tick.
	txPkt   rtp.Packet
	encBuf  [maxPacket]byte
	pcmIn   [frameSamples]int16
	marker  bool
	ts      uint32
	seq     uint16
	popBuf  [maxPacket]byte
	decBuf  [maxDecoded]int16
	pcmOut  [frameSamples]int16
	rxBuf   [maxPacket]byte
	rxPkt   rtp.Packet
	counter counters
}

type counters struct {
	packetsSent, bytesSent         atomic.Int64
	packetsReceived, bytesReceived atomic.Int64
	droppedPT, malformed           atomic.Int64
	concealed, sendErrors          atomic.Int64
}

// NewPeer answers a browser's offer (WHIP: the browser offers). It builds a
// PeerConnection with one sendrecv Opus track, applies offerSDP, gathers
// every ICE candidate on the configured addresses (non-trickle) and returns
// the Peer and the complete answer SDP.
//
// ctx bounds the negotiation only (gathering); the Peer lives until Close.
// Errors wrap ErrBadOffer (the offer is unusable: answer 400), ErrNoOpus,
// ErrICE or ErrInvalidConfig.
func NewPeer(ctx context.Context, offerSDP string, opts ...Option) (*Peer, string, error) {
	o := defaultOptions()
	for _, fn := range opts {
		if err := fn(&o); err != nil {
			return nil, "", err
		}
	}
	if err := CheckOffer(offerSDP); err != nil {
		return nil, "", err
	}
	info, err := codec.Lookup("opus")
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNoOpus, err)
	}
	if info.ClockRate != Rate {
		return nil, "", fmt.Errorf("opus codec at %d Hz, want %d: %w", info.ClockRate, Rate, ErrNoOpus)
	}
	p := &Peer{opt: o, log: o.log.With("component", "webrtc"), done: make(chan struct{}), stop: make(chan struct{})}
	if p.enc, err = info.NewEncoder(); err != nil {
		return nil, "", fmt.Errorf("opus encoder: %w", err)
	}
	if p.dec, err = info.NewDecoder(); err != nil {
		return nil, "", fmt.Errorf("opus decoder: %w", err)
	}
	p.concealer, _ = p.dec.(codec.Concealer)
	if p.jb, err = jitter.New(jitter.WithClockRate(Rate), jitter.WithDelay(o.jitterMin, o.jitterMax),
		jitter.WithMaxPayload(maxPacket), jitter.WithNow(o.clock.Now)); err != nil {
		return nil, "", fmt.Errorf("jitter buffer: %w: %w", ErrInvalidConfig, err)
	}
	if p.plc, err = codec.NewPLC(Rate); err != nil {
		return nil, "", err
	}
	st := StateNew
	p.state.Store(&st)
	p.marker = true
	p.seq, p.ts = uint16(rand.Uint32()), rand.Uint32() // RFC 3550 §5.1: random starts
	p.txPkt.Header = rtp.Header{Version: 2, PayloadType: opusPT}
	p.rxPkt.CSRC = make([]uint32, 0, 15)
	p.rxPkt.Extensions = make([]rtp.Extension, 0, 16)

	api, err := newAPI(o)
	if err != nil {
		return nil, "", err
	}
	if p.pc, err = api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return nil, "", fmt.Errorf("peer connection: %w", err)
	}
	answer, err := p.negotiate(ctx, offerSDP)
	if err != nil {
		_ = p.Close()
		return nil, "", err
	}
	if !o.external {
		p.wg.Add(1)
		go p.tickLoop()
	}
	p.log.Debug("webrtc peer answered")
	return p, answer, nil
}

// CheckOffer validates an offer's size and shape before it reaches pion:
// at most MaxOfferSize bytes, SDP version line first, at least one audio
// m-line. It wraps ErrBadOffer.
func CheckOffer(sdp string) error {
	switch {
	case len(sdp) == 0:
		return fmt.Errorf("empty offer: %w", ErrBadOffer)
	case len(sdp) > MaxOfferSize:
		return fmt.Errorf("offer of %d bytes exceeds %d: %w", len(sdp), MaxOfferSize, ErrBadOffer)
	case !strings.HasPrefix(sdp, "v=0"):
		return fmt.Errorf("offer does not start with v=0: %w", ErrBadOffer)
	case !strings.Contains(sdp, "\nm=audio "):
		return fmt.Errorf("offer has no audio stream: %w", ErrBadOffer)
	}
	return nil
}

// newAPI builds the pion API: Opus only, default interceptors (NACK, RTCP
// reports, TWCC), ICE restricted to o.ips, mDNS off.
func newAPI(o options) (*webrtc.API, error) {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{
		RTPCodecCapability: webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: Rate, Channels: 2,
			SDPFmtpLine: "minptime=10;useinbandfec=1"},
		PayloadType: opusPT,
	}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, fmt.Errorf("register opus: %w", err)
	}
	ir := &interceptor.Registry{}
	if err := webrtc.RegisterDefaultInterceptors(m, ir); err != nil {
		return nil, fmt.Errorf("interceptors: %w", err)
	}
	var s webrtc.SettingEngine
	allowed := map[netip.Addr]bool{}
	var v4, v6, loop bool
	for _, ip := range o.ips {
		allowed[ip] = true
		v4 = v4 || ip.Is4()
		v6 = v6 || ip.Is6()
		loop = loop || ip.IsLoopback()
	}
	s.SetIncludeLoopbackCandidate(loop)
	s.SetIPFilter(func(ip net.IP) bool {
		a, ok := netip.AddrFromSlice(ip)
		return ok && allowed[a.Unmap()]
	})
	var nt []webrtc.NetworkType
	if v4 {
		nt = append(nt, webrtc.NetworkTypeUDP4)
	}
	if v6 {
		nt = append(nt, webrtc.NetworkTypeUDP6)
	}
	s.SetNetworkTypes(nt)
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	if o.portMin != 0 {
		if err := s.SetEphemeralUDPPortRange(o.portMin, o.portMax); err != nil {
			return nil, fmt.Errorf("port range: %w: %w", ErrInvalidConfig, err)
		}
	}
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithInterceptorRegistry(ir), webrtc.WithSettingEngine(s)), nil
}

func (p *Peer) negotiate(ctx context.Context, offer string) (string, error) {
	var err error
	p.track, err = webrtc.NewTrackLocalStaticRTP(
		webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: Rate, Channels: 2}, "audio", "pitchline")
	if err != nil {
		return "", fmt.Errorf("local track: %w", err)
	}
	sender, err := p.pc.AddTrack(p.track)
	if err != nil {
		return "", fmt.Errorf("add track: %w", err)
	}
	if !p.goWG(func() { p.drainRTCP(sender) }) {
		return "", ErrClosed
	}
	p.pc.OnConnectionStateChange(p.onPCState)
	// The browser hanging up (pc.close(), a closed tab) sends a DTLS
	// close_notify, on which pion closes the PeerConnection: the state
	// goes to closed and Done closes at once. Without it (a lost network),
	// ICE declares failure after its timeouts (about 30 s).
	p.pc.OnTrack(p.onTrack)
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadOffer, err)
	}
	ans, err := p.pc.CreateAnswer(nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadOffer, err)
	}
	gathered := webrtc.GatheringCompletePromise(p.pc)
	if err := p.pc.SetLocalDescription(ans); err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadOffer, err)
	}
	t := time.NewTimer(p.opt.gatherWait)
	defer t.Stop()
	select {
	case <-gathered:
	case <-ctx.Done():
		return "", fmt.Errorf("%w: %w", ErrICE, ctx.Err())
	case <-t.C:
		return "", fmt.Errorf("gathering took over %v: %w", p.opt.gatherWait, ErrICE)
	}
	sdp := p.pc.LocalDescription().SDP
	if !strings.Contains(sdp, "a=candidate:") {
		return "", fmt.Errorf("no candidate on %v: %w", p.opt.ips, ErrICE)
	}
	if strings.Contains(sdp, "m=audio 0 ") {
		return "", fmt.Errorf("audio stream rejected (no common Opus codec?): %w", ErrBadOffer)
	}
	return sdp, nil
}

// goWG runs fn on a goroutine counted by wg, unless the Peer is closed.
func (p *Peer) goWG(fn func()) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		fn()
	}()
	return true
}

// drainRTCP reads the sender's RTCP so the interceptors process it; it
// returns when the PeerConnection closes.
func (p *Peer) drainRTCP(sender *webrtc.RTPSender) {
	var b [maxPacket]byte
	for {
		if _, _, err := sender.Read(b[:]); err != nil {
			return
		}
	}
}

// watchRTCP reads the browser's RTCP about its stream (sender reports,
// BYE). An RTCP BYE for the browser's source (RFC 3550 §6.6) means it hung
// up, for example by closing the tab, which sends no DTLS close_notify: the
// Peer then ends as closed rather than as an ICE failure ~30 s later.
func (p *Peer) watchRTCP(r *webrtc.RTPReceiver, ssrc uint32) {
	var b [maxPacket]byte
	var pkts []rtcp.Packet
	for {
		n, _, err := r.Read(b[:])
		if err != nil {
			return
		}
		pkts, err = rtcp.Unmarshal(b[:n])
		if err != nil {
			continue
		}
		for _, pk := range pkts {
			if bye, ok := pk.(*rtcp.Goodbye); ok && slices.Contains(bye.Sources, ssrc) {
				p.log.Debug("browser sent RTCP BYE", "reason", bye.Reason)
				p.setState(StateClosed)
			}
		}
	}
}

func (p *Peer) onPCState(s webrtc.PeerConnectionState) {
	var st State
	switch s {
	case webrtc.PeerConnectionStateConnecting:
		st = StateConnecting
	case webrtc.PeerConnectionStateConnected:
		st = StateConnected
	case webrtc.PeerConnectionStateDisconnected:
		st = StateDisconnected
	case webrtc.PeerConnectionStateFailed:
		st = StateFailed
	case webrtc.PeerConnectionStateClosed:
		st = StateClosed
	default:
		return
	}
	p.setState(st)
}

func (p *Peer) setState(st State) {
	old := p.state.Swap(&st)
	if old != nil && *old == st {
		return
	}
	if old != nil && *old == StateClosed { // closed is final
		p.state.Store(old)
		return
	}
	p.log.Debug("webrtc state", "state", st)
	if st == StateFailed || st == StateClosed {
		p.doneOnce.Do(func() { close(p.done) })
	}
	if p.opt.onState != nil {
		p.opt.onState(st)
	}
}

// onTrack runs on a pion goroutine: the first audio track is read here
// until the PeerConnection closes; Close waits for it.
func (p *Peer) onTrack(t *webrtc.TrackRemote, r *webrtc.RTPReceiver) {
	if t.Kind() != webrtc.RTPCodecTypeAudio || !p.reading.CompareAndSwap(false, true) {
		return
	}
	if !p.goWG(func() { p.watchRTCP(r, uint32(t.SSRC())) }) {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	p.log.Debug("remote track", "codec", t.Codec().MimeType, "pt", t.PayloadType(), "ssrc", t.SSRC())
	pt := uint8(t.PayloadType()) // the negotiated Opus payload type
	for {
		n, _, err := t.Read(p.rxBuf[:])
		if err != nil {
			return
		}
		p.handleRTP(p.rxBuf[:n], pt)
	}
}

// handleRTP files one decrypted RTP packet into the jitter buffer. It does
// not allocate.
func (p *Peer) handleRTP(b []byte, pt uint8) {
	pkt := &p.rxPkt
	if err := pkt.Unmarshal(b); err != nil {
		p.counter.malformed.Add(1)
		return
	}
	if pkt.PayloadType != pt {
		p.counter.droppedPT.Add(1)
		return
	}
	p.counter.packetsReceived.Add(1)
	p.counter.bytesReceived.Add(int64(len(pkt.Payload)))
	_ = p.jb.PushAt(pkt.SequenceNumber, pkt.Timestamp, pkt.Payload, p.opt.clock.Now())
}

func (p *Peer) tickLoop() {
	defer p.wg.Done()
	t := p.opt.clock.NewTicker(audio.FrameDuration)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C():
			p.Tick()
		}
	}
}

// Close closes the PeerConnection (the browser sees the DTLS close) and
// waits for the Peer's goroutines. It is idempotent.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		close(p.stop)
		p.tickMu.Lock() // a Tick in flight finishes first
		if p.pc != nil {
			p.closeErr = p.pc.Close()
		}
		p.tickMu.Unlock()
		p.wg.Wait()
		// Free codec state (libopus) now that no Tick can run.
		for _, c := range []any{p.enc, p.dec} {
			if cl, ok := c.(io.Closer); ok {
				_ = cl.Close()
			}
		}
		p.setState(StateClosed)
		p.log.Debug("webrtc peer closed")
	})
	return p.closeErr
}

// Done is closed when the connection failed or closed (by either side or
// Close). The owner still calls Close to release the Peer.
func (p *Peer) Done() <-chan struct{} { return p.done }

// State returns the current connection state.
func (p *Peer) State() State { return *p.state.Load() }

// Err says why Done is closed: nil while open, ErrClosed after a close,
// an ICE/DTLS failure otherwise.
func (p *Peer) Err() error {
	select {
	case <-p.done:
	default:
		return nil
	}
	if p.State() == StateFailed {
		return errors.New("webrtc: connection failed (ICE or DTLS)")
	}
	return ErrClosed
}

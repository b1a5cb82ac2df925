package media

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/audio/jitter"
	"github.com/pitchline/pitchline/audio/resample"
	// pion/rtp: RTP header marshal/unmarshal without allocation (required
	// by the brief instead of hand-written RTP code).
	"github.com/pion/rtp"
)

const (
	maxPacket = 1500
	maxRate   = 48000
	maxFrame  = 960 // samples: 20 ms at 48 kHz (maxRate)
	// maxPacketFrames is the longest packet we send, in 20 ms frames
	// (a=ptime:60; Opus frames are at most 60 ms, RFC 6716 §2.1.4).
	maxPacketFrames = 3
	// maxRecvFrames is the longest packet we decode, in 20 ms frames
	// (a=maxptime:120; an Opus packet carries at most 120 ms, RFC 6716
	// §3.2.5).
	maxRecvFrames = 6
	dtmfQueueSize = 64
)

type sourceBox struct{ src audio.Source }
type sinkBox struct{ sink audio.Sink }

// converter adapts PCM between a Source's or Sink's rate and the codec's,
// owned by the media goroutine. It keeps a resampler for each of the last
// few rate pairs, so a peer switching codecs back and forth (Opus at 48 kHz,
// G.711 at 8 kHz) reuses them; one is made (allocating) only for a pair
// not seen recently.
type converter struct {
	rs   [4]*resample.Resampler
	next int
	buf  [maxFrame]int16
}

// get returns a resampler from in to out Hz, or nil if they are equal or
// unsupported.
func (c *converter) get(in, out int) *resample.Resampler {
	if in == out {
		return nil
	}
	for _, rs := range c.rs {
		if rs != nil && rs.InRate() == in && rs.OutRate() == out {
			return rs
		}
	}
	rs, err := resample.New(in, out)
	if err != nil {
		return nil
	}
	c.rs[c.next] = rs
	c.next = (c.next + 1) % len(c.rs)
	return rs
}

// mediaParams is the negotiated state, immutable once published. The
// peer may send any payload type negotiated (RFC 3264 §5.1: either side
// may switch among the formats of the answer without a new offer), each
// decoded at its own codec's clock rate; we send with the first codec of
// the latest answer.
type mediaParams struct {
	remoteRTP  netip.AddrPort // may have an unspecified address (latch)
	remoteRTCP netip.AddrPort
	latch      bool
	sendName   string
	sendPT     uint8
	rate       int // clock rate of the send codec (Hz)
	frame      int // samples per 20 ms frame at rate
	// packetFrames is the number of 20 ms frames we send per packet
	// (1..maxPacketFrames), from the peer's a=ptime and a=maxptime.
	packetFrames int
	enc          codec.Encoder
	plc          *codec.PLC // at rate
	decoders     [128]codec.Decoder
	decNames     [128]string     // codec name per decoder, to reuse it on renegotiation
	decRates     [128]int32      // clock rate per decoder's payload type (Hz)
	decPLCs      [128]*codec.PLC // at decRates, for decoders that do not conceal
	teRx         [128]int32      // clock rate of each telephone-event payload type we receive (0: none)
	tePT         int             // telephone-event we send; -1: not negotiated
	teRate       int             // clock rate of telephone-event
	remoteDir    Direction
}

// Session is the media of one call leg. All methods are safe for concurrent
// use.
type Session struct {
	cfg    Config
	codecs []codec.Info
	ourPTs []uint8                 // payload type we offer for each of codecs
	ourTE  []offeredFormat         // telephone-event we offer, one per clock rate
	prefer atomic.Pointer[[]match] // SetCodecs: the codecs offered and accepted (nil: all)
	opt    options
	log    *slog.Logger

	rtcpConn *net.UDPConn
	local    netip.AddrPort

	// Negotiation state, guarded by mu.
	mu        sync.Mutex
	sessID    uint64
	sessVer   uint64
	offered   bool
	lastBody  string
	remoteDir Direction
	plcs      map[int]*codec.PLC // per clock rate, reused on renegotiation

	// jb is the one jitter buffer of the received stream. It times
	// packets at the clock rate of the payload type last received
	// (updateRx switches it), so one stream can change codec mid-call.
	jb *jitter.Buffer

	params   atomic.Pointer[mediaParams]
	localDir atomic.Pointer[Direction]
	latched  atomic.Pointer[netip.AddrPort]

	input    atomic.Pointer[sourceBox]
	output   atomic.Pointer[sinkBox]
	recorder atomic.Pointer[sinkBox]
	tap      atomic.Pointer[sinkBox] // SetTap (tap.go)
	muted    atomic.Bool

	startOnce sync.Once
	closeOnce sync.Once
	started   atomic.Bool
	closed    atomic.Bool
	tickMu    sync.Mutex // held by Tick; Close takes it to wait for one in flight
	done      chan struct{}
	wg        sync.WaitGroup

	// Send state, owned by the media goroutine.
	sendSSRC   atomic.Uint32 // written by the media goroutine, read by RTCP
	sendRate   int           // clock rate of the last frame sent (0: none yet)
	seq        uint16
	ts         uint32
	needMarker bool
	sendHdr    rtp.Header
	sendBuf    [maxPacket]byte
	encBuf     [maxPacketFrames * maxPacket]byte
	pcmIn      [maxPacketFrames * maxFrame]int16
	pcmInN     int    // samples of pcmIn gathered for the next packet
	pcmInTS    uint32 // RTP timestamp of its first sample
	inConv     converter
	// peerLoss is the loss in percent the peer last reported for our
	// stream (-1: none yet), set by the RTCP reader; lossApplied and
	// lossEnc are what sendAudio last gave an adaptive encoder.
	peerLoss    atomic.Int32
	lossApplied int32
	lossEnc     codec.Encoder
	dtmfTx      dtmfSender
	dtmfQueue   chan uint8

	// Playout state, owned by the media goroutine.
	popBuf  [maxPacket + 1]byte
	peekBuf [maxPacket + 1]byte
	pcmOut  [maxFrame]int16
	// pend holds one decoded (or concealed) packet; a packet longer than
	// 20 ms (a=ptime:40/60) plays out over several ticks from pendOff.
	pend    [maxRecvFrames * maxFrame]int16
	pendN   int
	pendOff int
	// lastFrames is the length of the last packet in 20 ms frames (the
	// jitter buffer's frame), which a lost one is assumed to have.
	lastFrames int
	lastPT     int // payload type of the last decoded packet, -1 before any
	// playRate is the clock rate of the last decoded packet (0: none
	// yet), at which losses are concealed.
	playRate int
	outConv  converter
	recConv  converter
	tapConv  converter // SetTap (tap.go)

	// Receive state, owned by the media goroutine (or the RTP reader
	// goroutine where the socket is not polled, see rx_poll.go, rx_other.go).
	sock      rtpSock // with the receive buffers
	rxPkt     rtp.Packet
	rxScratch [maxPacket + 1]byte
	dtmfRx    dtmfReceiver
	dtmfCh    chan rune

	// Reception statistics (RFC 3550 A.1, A.3, A.8), guarded by rxMu.
	rxMu sync.Mutex
	rx   rxState

	// RTCP state, guarded by rtcpMu.
	rtcpMu sync.Mutex
	rtcp   rtcpState

	st counters
}

// NewSession binds the RTP and RTCP sockets and returns an idle session.
func NewSession(cfg Config, opts ...Option) (*Session, error) {
	o := options{
		log: slog.New(slog.DiscardHandler), clock: RealClock(), rtcpInterval: 5 * time.Second,
		jitterMin: 40 * time.Millisecond, jitterMax: 300 * time.Millisecond,
	}
	for _, fn := range opts {
		if err := fn(&o); err != nil {
			return nil, err
		}
	}
	if !cfg.LocalIP.IsValid() || cfg.LocalIP.IsUnspecified() {
		return nil, fmt.Errorf("local IP %v: %w", cfg.LocalIP, ErrInvalidConfig)
	}
	cfg.LocalIP = cfg.LocalIP.Unmap()
	if cfg.PortMin < 0 || cfg.PortMax > 65535 || cfg.PortMin > cfg.PortMax || (cfg.PortMin == 0) != (cfg.PortMax == 0) {
		return nil, fmt.Errorf("port range %d-%d: %w", cfg.PortMin, cfg.PortMax, ErrInvalidConfig)
	}
	if len(cfg.Codecs) == 0 {
		cfg.Codecs = DefaultCodecs()
	}
	if cfg.DTMFPayloadType == 0 {
		cfg.DTMFPayloadType = 101
	}
	if cfg.DTMFPayloadType < 96 || cfg.DTMFPayloadType > 127 {
		return nil, fmt.Errorf("DTMF payload type %d not dynamic: %w", cfg.DTMFPayloadType, ErrInvalidConfig)
	}
	s := &Session{cfg: cfg, opt: o, log: o.log.With("component", "media"), done: make(chan struct{}),
		dtmfQueue: make(chan uint8, dtmfQueueSize), dtmfCh: make(chan rune, 16), remoteDir: DirSendRecv,
		plcs: map[int]*codec.PLC{}, lastPT: -1}
	if err := s.setCodecs(cfg.Codecs); err != nil {
		return nil, err
	}
	var (
		err     error
		rtpConn *net.UDPConn
	)
	// The jitter buffer (timed at the first codec's rate until packets
	// say otherwise), made now so that bad jitter options fail here.
	if s.jb, err = jitter.New(jitter.WithClockRate(s.codecs[0].ClockRate), jitter.WithDelay(o.jitterMin, o.jitterMax),
		jitter.WithMaxPayload(maxPacket+1), jitter.WithNow(o.clock.Now)); err != nil {
		return nil, fmt.Errorf("jitter buffer: %w: %w", ErrInvalidConfig, err)
	}
	dir := DirSendRecv
	s.localDir.Store(&dir)
	s.sessID = rand.Uint64() >> 1
	s.sendHdr = rtp.Header{Version: 2}
	s.newSendStream()
	s.peerLoss.Store(-1)
	s.rxPkt.CSRC = make([]uint32, 0, 15)
	s.rxPkt.Extensions = make([]rtp.Extension, 0, 16)
	s.rtcp.cname = fmt.Sprintf("pitchline-%08x@%s", s.sendSSRC.Load(), cfg.LocalIP)
	if rtpConn, s.rtcpConn, err = bindPair(cfg.LocalIP, cfg.PortMin, cfg.PortMax); err != nil {
		return nil, err
	}
	s.local = netip.AddrPortFrom(cfg.LocalIP, uint16(rtpConn.LocalAddr().(*net.UDPAddr).Port))
	// The RTP socket is driven by Tick where the platform allows (rx_poll.go, rx_other.go).
	if err := s.sock.init(s, rtpConn); err != nil {
		rtpConn.Close()
		s.rtcpConn.Close()
		return nil, err
	}
	s.log.Debug("media session bound", "rtp", s.local)
	return s, nil
}

// DefaultCodecs returns the codecs a Session offers when Config.Codecs is
// empty: Opus first when it is registered (a blank import of
// audio/codec/opus), then PCMU and PCMA.
func DefaultCodecs() []string {
	if _, err := codec.Lookup("opus"); err == nil {
		return []string{"opus", "PCMU", "PCMA"}
	}
	return []string{"PCMU", "PCMA"}
}

// setCodecs looks up the configured codecs and gives each a payload type
// for our offers: its static one, or a free dynamic one (96..127, RFC 3551
// §3), as for telephone-event at every clock rate besides 8000 Hz.
func (s *Session) setCodecs(names []string) error {
	used := map[uint8]bool{s.cfg.DTMFPayloadType: true}
	for _, name := range names {
		info, err := codec.Lookup(name)
		if err != nil {
			return fmt.Errorf("codec %q: %w: %w", name, ErrInvalidConfig, err)
		}
		if info.ClockRate > maxRate || audio.CheckRate(info.ClockRate) != nil {
			return fmt.Errorf("codec %q: clock rate %d Hz unsupported: %w", name, info.ClockRate, ErrInvalidConfig)
		}
		s.codecs = append(s.codecs, info)
		if info.PayloadType != codec.DynamicPayloadType {
			used[info.PayloadType] = true
		}
	}
	next := uint8(96)
	dynamic := func() (uint8, error) {
		for ; next <= 127; next++ {
			if !used[next] {
				used[next] = true
				return next, nil
			}
		}
		return 0, fmt.Errorf("more dynamic payload types than 96-127: %w", ErrInvalidConfig)
	}
	rates := map[int]bool{}
	for _, info := range s.codecs {
		pt := info.PayloadType
		if pt == codec.DynamicPayloadType {
			var err error
			if pt, err = dynamic(); err != nil {
				return err
			}
		}
		s.ourPTs = append(s.ourPTs, pt)
		if rates[info.ClockRate] {
			continue
		}
		rates[info.ClockRate] = true
		te := offeredFormat{pt: s.cfg.DTMFPayloadType, name: telephoneEvent, rate: info.ClockRate}
		if info.ClockRate != 8000 {
			var err error
			if te.pt, err = dynamic(); err != nil {
				return err
			}
		}
		s.ourTE = append(s.ourTE, te)
	}
	return nil
}

// plcAt returns the PLC for clock rate hz, made on first use and kept
// for renegotiations. Called with s.mu held.
func (s *Session) plcAt(hz int) (*codec.PLC, error) {
	if plc := s.plcs[hz]; plc != nil {
		return plc, nil
	}
	plc, err := codec.NewPLC(hz)
	if err != nil {
		return nil, err
	}
	s.plcs[hz] = plc
	return plc, nil
}

// newSendStream starts our RTP stream afresh: a random SSRC, sequence
// number and timestamp (RFC 3550 §5.1), and a marker on the first packet.
// At construction, and on the media goroutine when the send codec's clock
// rate changes: a sender with RTCP uses one SSRC per clock rate
// (https://www.rfc-editor.org/rfc/rfc7160#section-4.1), so the peer never
// has to compare timestamps in two units. It does not allocate.
func (s *Session) newSendStream() {
	ssrc := rand.Uint32()
	for ssrc == s.sendSSRC.Load() {
		ssrc = rand.Uint32()
	}
	s.sendSSRC.Store(ssrc)
	s.sendHdr.SSRC = ssrc
	s.seq = uint16(rand.Uint32())
	s.ts = rand.Uint32()
	s.needMarker = true
}

// bindPair binds RTP on an even port and RTCP on the next one.
func bindPair(ip netip.Addr, lo, hi int) (*net.UDPConn, *net.UDPConn, error) {
	try := func(port int) (*net.UDPConn, *net.UDPConn, bool) {
		c1, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(port))))
		if err != nil {
			return nil, nil, false
		}
		p := c1.LocalAddr().(*net.UDPAddr).Port
		if p%2 != 0 || p >= 65535 {
			c1.Close()
			return nil, nil, false
		}
		c2, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(p+1))))
		if err != nil {
			c1.Close()
			return nil, nil, false
		}
		return c1, c2, true
	}
	if lo == 0 {
		for i := 0; i < 64; i++ {
			if c1, c2, ok := try(0); ok {
				return c1, c2, nil
			}
		}
		return nil, nil, fmt.Errorf("any port on %v: %w", ip, ErrNoPort)
	}
	for p := lo + lo%2; p+1 <= hi; p += 2 {
		if c1, c2, ok := try(p); ok {
			return c1, c2, nil
		}
	}
	return nil, nil, fmt.Errorf("ports %d-%d on %v: %w", lo, hi, ip, ErrNoPort)
}

// Start starts the media, RTP, RTCP and DTMF goroutines. It is idempotent.
func (s *Session) Start() error {
	if s.closed.Load() {
		return ErrClosed
	}
	s.startOnce.Do(func() {
		s.wg.Add(3)
		go s.rtcpReadLoop()
		go s.rtcpLoop()
		go s.dtmfLoop()
		s.startReader()
		if !s.opt.external {
			s.wg.Add(1)
			go s.mediaLoop()
		}
		s.started.Store(true)
	})
	return nil
}

// Close stops all goroutines, closes the sockets and waits. It is
// idempotent.
func (s *Session) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		close(s.done)
		s.tickMu.Lock() // an external Tick in flight finishes first
		err = errors.Join(s.sock.close(), s.rtcpConn.Close())
		s.tickMu.Unlock()
		s.wg.Wait()
		s.log.Debug("media session closed", "rtp", s.local)
	})
	return err
}

func (s *Session) mediaLoop() {
	defer s.wg.Done()
	t := s.opt.clock.NewTicker(audio.FrameDuration)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C():
			s.Tick()
		}
	}
}

// Tick runs one media frame: it takes in the RTP that has arrived, sends
// one frame (or DTMF step) and plays out one frame. A session started
// without WithExternalClock calls it from its own 20 ms ticker; with the
// option, the owner must call it once per audio.FrameDuration, from one
// goroutine at a time. It does nothing before Start or after Close, never
// blocks and does not allocate.
func (s *Session) Tick() {
	if !s.started.Load() {
		return
	}
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	if s.closed.Load() {
		return
	}
	s.drainRTP()
	s.sendTick()
	s.playoutTick()
}

// Rate returns the clock rate of the codec we send with (before
// negotiation: of the first configured codec), the PCM rate the session
// encodes at. Received audio is decoded at the rate of each packet's
// codec, which may change mid-call. Sources and sinks at another rate are
// converted with audio/resample. A SIP leg attaches its mixer port at
// this rate, so a G.711 leg converts nothing here, and re-rates the port
// when a negotiation changes it (softphone/sipleg.go followRate).
func (s *Session) Rate() int {
	if p := s.params.Load(); p != nil {
		return p.rate
	}
	return s.codecs[0].ClockRate
}

// SetInput sets the audio to send; nil sends silence. A source at another
// rate than Rate() is converted; one at an unsupported rate (not a multiple
// of 50 Hz, or above 48 kHz) is refused (logged) and silence is sent.
func (s *Session) SetInput(src audio.Source) {
	if src == nil {
		s.input.Store(nil)
		return
	}
	if err := checkPCMRate(src.Rate()); err != nil {
		s.log.Error("input source rate unsupported, sending silence", "rate", src.Rate(), "err", err)
		s.input.Store(nil)
		return
	}
	s.input.Store(&sourceBox{src})
}

func checkPCMRate(hz int) error {
	if err := audio.CheckRate(hz); err != nil {
		return err
	}
	if hz > maxRate {
		return fmt.Errorf("rate %d Hz above %d Hz: %w", hz, maxRate, ErrInvalidConfig)
	}
	return nil
}

// SetOutput sets where decoded received audio goes (converted from Rate()
// to the sink's rate if they differ); nil discards.
func (s *Session) SetOutput(sink audio.Sink) { s.setSink(&s.output, sink) }

// SetRecorder sets a second sink receiving a copy of the decoded received
// audio; nil stops recording.
func (s *Session) SetRecorder(sink audio.Sink) { s.setSink(&s.recorder, sink) }

func (s *Session) setSink(p *atomic.Pointer[sinkBox], sink audio.Sink) {
	if sink == nil {
		p.Store(nil)
		return
	}
	if err := checkPCMRate(sink.Rate()); err != nil {
		s.log.Error("sink rate unsupported, discarding audio", "rate", sink.Rate(), "err", err)
		p.Store(nil)
		return
	}
	p.Store(&sinkBox{sink})
}

// SetMute silences the microphone; RTP keeps flowing with silence.
func (s *Session) SetMute(on bool) { s.muted.Store(on) }

// Muted reports whether the microphone is muted.
func (s *Session) Muted() bool { return s.muted.Load() }

// SetLocalDirection sets our hold state: DirSendOnly or DirInactive to hold,
// DirSendRecv to resume. RTP follows immediately; the next offer or answer
// carries it. Invalid values are ignored (logged).
func (s *Session) SetLocalDirection(d Direction) {
	if !d.Valid() {
		s.log.Error("invalid local direction ignored", "direction", string(d))
		return
	}
	s.localDir.Store(&d)
}

// LocalDirection returns our own direction.
func (s *Session) LocalDirection() Direction { return *s.localDir.Load() }

// RemoteDirection returns the direction the peer last declared (DirSendOnly
// or DirInactive from the peer means we are on remote hold). It is
// DirSendRecv before negotiation; c=0.0.0.0 counts as not receiving.
func (s *Session) RemoteDirection() Direction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.remoteDir
}

// Codec returns the negotiated send codec name ("" before negotiation).
func (s *Session) Codec() string {
	if p := s.params.Load(); p != nil {
		return p.sendName
	}
	return ""
}

// LocalAddr returns the local RTP address.
func (s *Session) LocalAddr() netip.AddrPort { return s.local }

// RemoteAddr returns the peer's RTP address from its SDP (or the latched
// source); the zero value before negotiation.
func (s *Session) RemoteAddr() netip.AddrPort {
	p := s.params.Load()
	if p == nil {
		return netip.AddrPort{}
	}
	if p.latch {
		if l := s.latched.Load(); l != nil {
			return *l
		}
	}
	return p.remoteRTP
}

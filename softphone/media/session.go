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
	// pion/rtp: RTP header marshal/unmarshal without allocation (required
	// by the brief instead of hand-written RTP code).
	"github.com/pion/rtp"
)

const (
	maxPacket     = 1500
	maxFrame      = 960 // samples: 20 ms at 48 kHz
	codecRate     = 8000
	frameSamples  = 160 // 20 ms at 8 kHz
	dtmfQueueSize = 64
)

type sourceBox struct{ src audio.Source }
type sinkBox struct{ sink audio.Sink }

// mediaParams is the negotiated state, immutable once published.
type mediaParams struct {
	remoteRTP  netip.AddrPort // may have an unspecified address (latch)
	remoteRTCP netip.AddrPort
	latch      bool
	sendName   string
	sendPT     uint8
	enc        codec.Encoder
	decoders   [128]codec.Decoder
	tePT       int // -1: telephone-event not negotiated
	remoteDir  Direction
}

// Session is the media of one call leg. All methods are safe for concurrent
// use.
type Session struct {
	cfg    Config
	codecs []codec.Info
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

	params   atomic.Pointer[mediaParams]
	localDir atomic.Pointer[Direction]
	latched  atomic.Pointer[netip.AddrPort]

	input    atomic.Pointer[sourceBox]
	output   atomic.Pointer[sinkBox]
	recorder atomic.Pointer[sinkBox]
	muted    atomic.Bool

	startOnce sync.Once
	closeOnce sync.Once
	started   atomic.Bool
	closed    atomic.Bool
	tickMu    sync.Mutex // held by Tick; Close takes it to wait for one in flight
	done      chan struct{}
	wg        sync.WaitGroup

	// Send state, owned by the media goroutine.
	sendSSRC   uint32
	seq        uint16
	ts         uint32
	needMarker bool
	sendHdr    rtp.Header
	sendBuf    [maxPacket]byte
	encBuf     [maxPacket]byte
	pcmIn      [maxFrame]int16
	dtmfTx     dtmfSender
	dtmfQueue  chan uint8

	// Playout state, owned by the media goroutine.
	jb     *jitter.Buffer
	plc    *codec.PLC
	popBuf [maxPacket + 1]byte
	pcmOut [maxFrame]int16

	// Receive state, owned by the media goroutine (or the RTP reader
	// goroutine where the socket is not polled, see rx_poll.go, rx_other.go).
	sock      rtpSock
	rxBuf     [maxPacket]byte
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
		cfg.Codecs = []string{"PCMU", "PCMA"}
	}
	if cfg.DTMFPayloadType == 0 {
		cfg.DTMFPayloadType = 101
	}
	if cfg.DTMFPayloadType < 96 || cfg.DTMFPayloadType > 127 {
		return nil, fmt.Errorf("DTMF payload type %d not dynamic: %w", cfg.DTMFPayloadType, ErrInvalidConfig)
	}
	s := &Session{cfg: cfg, opt: o, log: o.log.With("component", "media"), done: make(chan struct{}),
		dtmfQueue: make(chan uint8, dtmfQueueSize), dtmfCh: make(chan rune, 16), remoteDir: DirSendRecv}
	for _, name := range cfg.Codecs {
		info, err := codec.Lookup(name)
		if err != nil {
			return nil, fmt.Errorf("codec %q: %w: %w", name, ErrInvalidConfig, err)
		}
		if info.ClockRate != codecRate || info.PayloadType == codec.DynamicPayloadType {
			return nil, fmt.Errorf("codec %q: only static 8 kHz codecs are supported: %w", name, ErrInvalidConfig)
		}
		s.codecs = append(s.codecs, info)
	}
	var (
		err     error
		rtpConn *net.UDPConn
	)
	s.jb, err = jitter.New(jitter.WithClockRate(codecRate), jitter.WithDelay(o.jitterMin, o.jitterMax),
		jitter.WithMaxPayload(maxPacket+1), jitter.WithNow(o.clock.Now))
	if err != nil {
		return nil, fmt.Errorf("jitter buffer: %w: %w", ErrInvalidConfig, err)
	}
	if s.plc, err = codec.NewPLC(codecRate); err != nil {
		return nil, err
	}
	dir := DirSendRecv
	s.localDir.Store(&dir)
	s.sessID = rand.Uint64() >> 1
	s.sendSSRC = rand.Uint32()
	s.seq = uint16(rand.Uint32())
	s.ts = rand.Uint32()
	s.needMarker = true
	s.sendHdr = rtp.Header{Version: 2, SSRC: s.sendSSRC}
	s.rxPkt.CSRC = make([]uint32, 0, 15)
	s.rxPkt.Extensions = make([]rtp.Extension, 0, 16)
	s.rtcp.cname = fmt.Sprintf("pitchline-%08x@%s", s.sendSSRC, cfg.LocalIP)
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

// SetInput sets the audio to send, at 8000 Hz; nil sends silence. A source
// at another rate is refused (logged) and silence is sent.
func (s *Session) SetInput(src audio.Source) {
	if src == nil {
		s.input.Store(nil)
		return
	}
	if src.Rate() != codecRate {
		s.log.Error("input source rate mismatch, sending silence", "rate", src.Rate(), "want", codecRate)
		s.input.Store(nil)
		return
	}
	s.input.Store(&sourceBox{src})
}

// SetOutput sets where decoded received audio (8000 Hz) goes; nil discards.
func (s *Session) SetOutput(sink audio.Sink) { s.setSink(&s.output, sink) }

// SetRecorder sets a second sink receiving a copy of the decoded received
// audio; nil stops recording.
func (s *Session) SetRecorder(sink audio.Sink) { s.setSink(&s.recorder, sink) }

func (s *Session) setSink(p *atomic.Pointer[sinkBox], sink audio.Sink) {
	if sink == nil {
		p.Store(nil)
		return
	}
	if sink.Rate() != codecRate {
		s.log.Error("sink rate mismatch, discarding audio", "rate", sink.Rate(), "want", codecRate)
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

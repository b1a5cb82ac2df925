package softphone

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/google/uuid"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/softphone/media"
)

// Phone is the calling engine for one SIP account. Create it with
// NewPhone, call Start, and Close it when done.
type Phone struct {
	ext  extras // desktop features: do-not-disturb (extras.go)
	cfg  Config
	acct *account
	log  *slog.Logger

	ua     *sipgo.UserAgent
	client *sipgo.Client
	server *sipgo.Server
	dua    *sipgo.DialogUA

	localIP   netip.Addr
	localPort int
	contact   sip.ContactHeader

	q   *queue
	bus *bus

	// Fields below are owned by the serial queue.
	reg   *registration
	calls map[string]*Call

	// legs maps SIP dialog IDs (and Call-IDs of early inbound legs) to
	// legs; it is read by sipgo handler goroutines, so it has its own lock.
	legsMu sync.Mutex
	legs   map[string]*sipLeg

	audio       *audioRouter
	sharedAudio bool   // audio belongs to a SharedAudio: Close leaves it running
	ringtone    string // WithRingtone, applied to audio by NewPhone
	blocked     atomic.Int64

	routeMu    sync.Mutex
	routeAddrs []netip.AddrPort // resolved registrar/proxy, for the shield
	recordN    atomic.Int64

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	closers   []func() error
	closeOnce sync.Once
	started   atomic.Bool

	udpPC atomic.Pointer[net.PacketConn]
	// streams frames TCP and TLS reads for readFilter.
	streams streamGuard

	holdMusic  string
	localMic   audio.Source // WithLocalAudio
	localSpk   audio.Sink
	recordPath string
	playPath   string

	serve func() error // starts the bound listeners (set by listen)

	netAddrs func() ([]string, error) // host addresses, for the network watch
	netPoll  time.Duration
}

// Option configures a Phone.
type Option func(*Phone) error

// WithLogger sets the logger; the engine adds component attributes.
func WithLogger(l *slog.Logger) Option {
	return func(p *Phone) error {
		if l != nil {
			p.log = l
		}
		return nil
	}
}

// WithAudio sets the audio backend and the device names (input, output
// and ringer; "" means the system default).
func WithAudio(b audio.Backend, input, output, ringer string) Option {
	return func(p *Phone) error {
		if b == nil {
			return fmt.Errorf("%w: nil audio backend", ErrBadConfig)
		}
		p.audio = newAudioRouter(b, input, output, ringer, p.log)
		return nil
	}
}

// WithNetwork replaces the source of host addresses that the network
// watch polls every poll interval (default net.InterfaceAddrs every 2 s).
// A change re-registers at once. Tests inject a changing list.
func WithNetwork(addrs func() ([]string, error), poll time.Duration) Option {
	return func(p *Phone) error {
		if addrs == nil || poll <= 0 {
			return fmt.Errorf("%w: WithNetwork needs an address source and a poll interval", ErrBadConfig)
		}
		p.netAddrs, p.netPoll = addrs, poll
		return nil
	}
}

// WithHoldMusic sets the MP3 or WAV file played to a peer we put on hold.
func WithHoldMusic(path string) Option {
	return func(p *Phone) error { p.holdMusic = path; return nil }
}

// WithPlayFile makes every call send this WAV or MP3 file as the
// microphone (used by the headless command line and tests).
func WithPlayFile(path string) Option {
	return func(p *Phone) error { p.playPath = path; return nil }
}

// WithRecordFile records what each call receives into this WAV file.
func WithRecordFile(path string) Option {
	return func(p *Phone) error { p.recordPath = path; return nil }
}

// NewPhone validates cfg and builds the SIP stack. It does not touch the
// network until Start.
func NewPhone(cfg Config, opts ...Option) (*Phone, error) {
	acct, err := parseAccount(cfg.Account)
	if err != nil {
		return nil, err
	}
	if acct.leads, err = parseLeads(cfg.Leads); err != nil {
		return nil, err
	}
	if cfg.MaxLegs < 0 {
		return nil, fmt.Errorf("%w: max legs per call %d (0 means %d)", ErrBadConfig, cfg.MaxLegs, MaxLegs)
	}
	p := &Phone{
		cfg:   cfg,
		acct:  acct,
		log:   slog.Default(),
		calls: make(map[string]*Call),
		legs:  make(map[string]*sipLeg),
		bus:   newBus(),

		netAddrs: interfaceAddrs,
		netPoll:  defaultNetPoll,
	}
	for _, o := range opts {
		if err := o(p); err != nil {
			return nil, err
		}
	}
	p.log = p.log.With("component", "softphone", "account", acct.aor.User)
	if p.audio == nil {
		nb, err := audio.NewNullBackend()
		if err != nil {
			return nil, err
		}
		p.audio = newAudioRouter(nb, "", "", "", p.log)
		p.closers = append(p.closers, nb.Close)
	}
	if p.localMic != nil || p.localSpk != nil {
		if p.sharedAudio {
			return nil, fmt.Errorf("%w: WithLocalAudio and WithSharedAudio together", ErrBadConfig)
		}
		p.audio.localMic, p.audio.localSpk = p.localMic, p.localSpk
	}
	if p.ringtone != "" {
		p.audio.mu.Lock()
		p.audio.ringtone = p.ringtone
		p.audio.mu.Unlock()
	}
	if err := p.checkMediaFiles(); err != nil {
		return nil, err
	}
	if p.cfg.Listen == "" {
		p.cfg.Listen = "127.0.0.1:0"
	}
	ap, err := netip.ParseAddrPort(p.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("%w: listen address %q must be IP:PORT: %v", ErrBadConfig, p.cfg.Listen, err)
	}
	p.localIP = ap.Addr()
	p.localPort = int(ap.Port())
	if len(p.cfg.Codecs) == 0 {
		p.cfg.Codecs = media.DefaultCodecs()
	}
	return p, nil
}

// checkMediaFiles opens the play and hold files once, so a missing or
// unsupported file is reported now, naming the file and the reason, rather
// than in the middle of a call.
func (p *Phone) checkMediaFiles() error {
	for _, f := range []string{p.playPath, p.holdMusic} {
		if f == "" {
			continue
		}
		if _, err := file.OpenSource(f, busRate); err != nil {
			return fmt.Errorf("%w: media file %s: %v", ErrBadConfig, f, err)
		}
	}
	if p.recordPath != "" {
		dir := filepath.Dir(p.recordPath)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%w: cannot record to %s: folder %s does not exist", ErrBadConfig, p.recordPath, dir)
		}
	}
	return nil
}

// Subscribe returns the event stream and a cancel function. The channel
// closes after cancel or Close; read it until then.
func (p *Phone) Subscribe() (<-chan Event, func()) { return p.bus.subscribe() }

// LocalAddr returns the bound SIP address once started.
func (p *Phone) LocalAddr() string { return fmt.Sprintf("%s:%d", p.localIP, p.localPort) }

// BlockedCount reports how many INVITEs the scanner shield refused.
func (p *Phone) BlockedCount() int64 { return p.blocked.Load() }

// Start binds the transport, starts the SIP stack and, if configured,
// registration. The context bounds the whole phone's lifetime.
func (p *Phone) Start(ctx context.Context) error {
	if !p.started.CompareAndSwap(false, true) {
		return fmt.Errorf("%w: already started", ErrInvalidState)
	}
	p.ctx, p.cancel = context.WithCancel(ctx)
	p.q = newQueue()

	uaOpts := []sipgo.UserAgentOption{
		sipgo.WithUserAgent(p.userAgentName()),
		sipgo.WithUserAgentHostname(p.acct.aor.Host),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerReadFilter(p.readFilter)),
	}
	if p.acct.transport == "tls" {
		tc, err := p.tlsConfig()
		if err != nil {
			return err
		}
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(tc))
	}
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return fmt.Errorf("softphone: SIP stack: %w", err)
	}
	p.ua = ua
	p.closers = append(p.closers, ua.Close)

	if err := p.listen(); err != nil {
		return err
	}
	clientOpts := []sipgo.ClientOption{
		sipgo.WithClientHostname(p.localIP.String()),
		sipgo.WithClientLogger(p.log.With("layer", "sip-client")),
	}
	if p.acct.transport == "udp" {
		// Symmetric signalling (RFC 3581): send UDP from the listening
		// socket so replies and the registrar's INVITEs reach it. TCP and
		// TLS dial from an ephemeral port; the Contact names the listener.
		clientOpts = append(clientOpts, sipgo.WithClientConnectionAddr(p.LocalAddr()))
	}
	client, err := sipgo.NewClient(ua, clientOpts...)
	if err != nil {
		return fmt.Errorf("softphone: SIP client: %w", err)
	}
	p.client = client
	p.contact = sip.ContactHeader{
		Address: sip.Uri{Scheme: "sip", User: p.acct.aor.User, Host: p.localIP.String(), Port: p.localPort},
	}
	if p.acct.transport != "udp" {
		p.contact.Address.UriParams = sip.NewParams()
		p.contact.Address.UriParams.Add("transport", p.acct.transport)
	}
	p.dua = &sipgo.DialogUA{Client: client, ContactHDR: p.contact}

	p.server.OnInvite(p.onInvite)
	p.server.OnAck(p.onAck)
	p.server.OnBye(p.onBye)
	p.server.OnCancel(p.onCancel)
	p.server.OnRefer(p.onRefer)
	p.server.OnNotify(p.onNotify)
	p.server.OnInfo(p.onInfo)
	p.server.OnOptions(p.onOptions)
	if err := p.serve(); err != nil {
		return err
	}

	if p.cfg.Account.Register {
		p.q.do(func() { p.reg = newRegistration(p); p.reg.start() })
	} else {
		p.publish(RegistrationEvent{Account: p.acct.cfg.AOR, State: RegDisabled, At: time.Now()})
	}
	return nil
}

func (p *Phone) userAgentName() string {
	if p.cfg.UserAgent != "" {
		return p.cfg.UserAgent
	}
	return "Pitchline"
}

func (p *Phone) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: p.acct.registrar.Host}
	if p.acct.cfg.CAFile != "" {
		pem, err := os.ReadFile(p.acct.cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("%w: CA file: %v", ErrBadConfig, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%w: CA file %s holds no PEM certificate", ErrBadConfig, p.acct.cfg.CAFile)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

// init lifts sipgo's UDP size check for the whole process, before any
// transport goroutine can read it (sipgo keeps it in a package variable, so
// setting it later, e.g. in Phone.Start, races with a running server such
// as the demo line's). sipgo refuses to write any UDP message over 1300
// bytes. RFC 3261 §18.1.1 moves only *requests* that large to TCP; a
// response goes back over the transport its request came on (§18.2.2), so
// a request with 20 Via headers (RFC 4475 longreq) got no answer at all.
// Our own requests stay far below the limit.
func init() {
	sip.UDPMTUSize = maxSIPMessage + 200
}

// listen binds the SIP socket(s). UDP and TCP listen on the same port so
// the Contact is valid whichever transport the peer picks.
func (p *Phone) listen() error {
	srv, err := sipgo.NewServer(p.ua, sipgo.WithServerLogger(p.log.With("layer", "sip-server")))
	if err != nil {
		return fmt.Errorf("softphone: SIP server: %w", err)
	}
	p.server = srv
	addr := p.LocalAddr()
	for attempt := 0; ; attempt++ {
		udp, err := net.ListenPacket("udp", addr)
		if err != nil {
			return fmt.Errorf("softphone: listen on udp %s: %w", addr, err)
		}
		port := udp.LocalAddr().(*net.UDPAddr).Port
		tcp, err := net.Listen("tcp", fmt.Sprintf("%s:%d", p.localIP, port))
		if err != nil {
			udp.Close()
			if p.localPort == 0 && attempt < 10 {
				continue // port taken for TCP: pick another
			}
			return fmt.Errorf("softphone: listen on tcp %s:%d: %w", p.localIP, port, err)
		}
		p.localPort = port
		p.udpPC.Store(&udp)
		p.closers = append(p.closers, udp.Close, tcp.Close)
		// Serving starts once Start has registered the handlers and built
		// the dialog UA, so an early INVITE never meets a half-built phone.
		p.serve = func() error {
			p.goServe(func() error { return srv.ServeUDP(udp) })
			p.goServe(func() error { return srv.ServeTCP(tcp) })
			return p.waitUDPListener(udp.LocalAddr().String())
		}
		return nil
	}
}

// waitUDPListener waits until sipgo's ServeUDP goroutine has put the
// listening socket into its connection pool. Until then a client request
// would try to bind the same address again and fail with "address already
// in use". sipgo offers no readiness signal, so this is a short bounded
// wait on the pool.
func (p *Phone) waitUDPListener(addr string) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		if c, err := p.ua.TransportLayer().GetConnection("udp", addr); err == nil && c != nil {
			_, _ = c.TryClose() // balance the reference; listeners are never closed by it
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("softphone: UDP listener %s did not start", addr)
		}
		time.Sleep(time.Millisecond)
	}
}

func (p *Phone) goServe(fn func() error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		if err := fn(); err != nil && p.ctx.Err() == nil {
			p.log.Debug("transport stopped", "err", err)
		}
	}()
}

// publish sends an event to every subscriber.
func (p *Phone) publish(ev Event) { p.bus.publish(ev) }

// Close hangs up every call, unregisters, stops the stack and waits for
// every goroutine it started.
func (p *Phone) Close() error {
	p.closeOnce.Do(func() {
		if !p.started.Load() {
			if p.sharedAudio {
				p.audio.stopRinging(p)
			}
			p.bus.close()
			for _, c := range p.closers {
				_ = c()
			}
			return
		}
		// Hang up calls and unregister while the network still works.
		var calls []*Call
		p.q.do(func() {
			for _, c := range p.calls {
				calls = append(calls, c)
			}
		})
		for _, c := range calls {
			_ = c.hangup(CauseShutdown)
		}
		for _, c := range calls {
			select {
			case <-c.Done():
			case <-time.After(4 * time.Second):
			}
		}
		var reg *registration
		p.q.do(func() { reg = p.reg })
		if reg != nil {
			reg.stop(true)
		}
		p.cancel()
		for i := len(p.closers) - 1; i >= 0; i-- {
			_ = p.closers[i]()
		}
		p.wg.Wait()
		p.q.close()
		if p.sharedAudio {
			p.audio.stopRinging(p)
		} else {
			p.audio.close()
		}
		p.bus.close()
	})
	return nil
}

// Calls returns a snapshot of the active calls.
func (p *Phone) Calls() []CallInfo {
	var out []CallInfo
	p.q.do(func() {
		for _, c := range p.calls {
			out = append(out, c.info())
		}
	})
	return out
}

// Call returns the active call with this ID.
func (p *Phone) Call(id string) (*Call, error) {
	var c *Call
	p.q.do(func() { c = p.calls[id] })
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchCall, id)
	}
	return c, nil
}

// RegistrationState returns the current registration state and reason.
func (p *Phone) RegistrationState() (RegState, string) {
	st, reason := RegDisabled, ""
	p.q.do(func() {
		if p.reg != nil {
			st, reason = p.reg.state, p.reg.reason
		}
	})
	return st, reason
}

// ringbackRegion returns the configured call-progress tone plan.
func (p *Phone) ringbackRegion() tone.Region {
	if p.cfg.RingbackRegion == "" {
		return tone.RegionUS
	}
	return tone.Region(p.cfg.RingbackRegion)
}

func newID() string { return uuid.NewString() }

// recordSeq numbers recordings when one phone records several calls.
func (p *Phone) recordSeq() int64 { return p.recordN.Add(1) }

func (p *Phone) addLeg(key string, l *sipLeg) {
	p.legsMu.Lock()
	p.legs[key] = l
	p.legsMu.Unlock()
}

func (p *Phone) removeLeg(keys ...string) {
	p.legsMu.Lock()
	for _, k := range keys {
		delete(p.legs, k)
	}
	p.legsMu.Unlock()
}

func (p *Phone) legFor(key string) *sipLeg {
	p.legsMu.Lock()
	defer p.legsMu.Unlock()
	return p.legs[key]
}

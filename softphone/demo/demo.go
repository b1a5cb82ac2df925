package demo

import (
	"context"
	_ "embed" // the greeting and callback prompts are embedded MP3s
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/mp3"
	"github.com/pitchline/pitchline/audio/resample"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/media"
)

// greetingMP3 was made with espeak-ng, resampled to 44.1 kHz with sox and
// encoded by lame at 64 kbit/s mono (go-mp3 garbles 22 kHz low-bitrate MP3).
//
//go:embed greeting.mp3
var greetingMP3 []byte

// callbackMP3 says "I'll call you back in a moment" (made like greetingMP3).
//
//go:embed callback.mp3
var callbackMP3 []byte

// Behaviour is what a demo number does when called.
type Behaviour string

// Demo number behaviours.
const (
	// Answer plays the greeting, then echoes.
	Answer Behaviour = "answer"
	// Busy rejects with 486 Busy Here.
	Busy Behaviour = "busy"
	// NoAnswer rings until the caller cancels.
	NoAnswer Behaviour = "no_answer"
	// Callback answers, says it will call back, hangs up and calls back.
	Callback Behaviour = "callback"
)

// String implements fmt.Stringer.
func (b Behaviour) String() string { return string(b) }

// Number is one demo number and what it does.
type Number struct {
	// Number is what to dial.
	Number string `json:"number"`
	// Behaviour is what happens.
	Behaviour Behaviour `json:"behaviour"`
	// Description is a one-line English explanation.
	Description string `json:"description"`
}

// Numbers lists the demo numbers. Any other number behaves like 100.
var Numbers = []Number{
	{"100", Answer, "Answers, plays a greeting, then echoes what you say"},
	{"486", Busy, "Busy (486 Busy Here)"},
	{"408", NoAnswer, "Rings until you hang up (no answer)"},
	{"300", Callback, "Answers, hangs up, and calls you back a few seconds later"},
}

// User is the demo account's user name; Domain is its SIP domain.
const (
	User        = "rep"
	DisplayName = "Demo line"
)

// Defaults of the timing options.
const (
	DefaultRingFor       = 800 * time.Millisecond
	DefaultCallbackDelay = 4 * time.Second
	// DefaultCallbackFrom is the number the callback comes from; the app
	// seeds a demo contact with it so that caller ID shows a name.
	DefaultCallbackFrom = "+14155550123"
)

// Option configures a Line.
type Option func(*Line) error

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option {
	return func(d *Line) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrBadOption)
		}
		d.log = l
		return nil
	}
}

// WithListen sets the loopback address to listen on (default 127.0.0.1:0).
func WithListen(addr string) Option {
	return func(d *Line) error {
		ap, err := netip.ParseAddrPort(addr)
		if err != nil {
			return fmt.Errorf("%w: listen %q: %v", ErrBadOption, addr, err)
		}
		if !ap.Addr().IsLoopback() {
			return fmt.Errorf("%w: %s", ErrNotLoopback, addr)
		}
		d.listen = ap
		return nil
	}
}

// WithRingFor sets how long answering numbers ring before they answer.
func WithRingFor(dur time.Duration) Option {
	return func(d *Line) error {
		if dur < 0 {
			return fmt.Errorf("%w: negative ring time", ErrBadOption)
		}
		d.ringFor = dur
		return nil
	}
}

// WithCallbackDelay sets how long number 300 waits before calling back.
func WithCallbackDelay(dur time.Duration) Option {
	return func(d *Line) error {
		if dur < 0 {
			return fmt.Errorf("%w: negative callback delay", ErrBadOption)
		}
		d.callbackDelay = dur
		return nil
	}
}

// WithCallbackFrom sets the number (and display name) the callback comes
// from.
func WithCallbackFrom(number, display string) Option {
	return func(d *Line) error {
		if number == "" {
			return fmt.Errorf("%w: empty callback number", ErrBadOption)
		}
		d.callbackFrom, d.callbackName = number, display
		return nil
	}
}

// Line is the demo SIP peer. Create it with New, Start it, and Close it.
type Line struct {
	log           *slog.Logger
	listen        netip.AddrPort
	ringFor       time.Duration
	callbackDelay time.Duration
	callbackFrom  string
	callbackName  string

	greeting audio.Clip // 8 kHz
	callback audio.Clip // 8 kHz

	ua      *sipgo.UserAgent
	srv     *sipgo.Server
	client  *sipgo.Client
	dialogs *sipgo.DialogServerCache
	dua     *sipgo.DialogUA
	conn    net.PacketConn
	addr    netip.AddrPort

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	started  bool
	closed   bool
	bindings map[string]sip.Uri // user → registered contact
	calls    int
	regs     int
	outCalls map[string]*outboundCall // callbacks by Call-ID
}

// New builds a Line and decodes its prompts. It does not touch the network
// until Start.
func New(opts ...Option) (*Line, error) {
	d := &Line{
		log:           slog.Default(),
		listen:        netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0),
		ringFor:       DefaultRingFor,
		callbackDelay: DefaultCallbackDelay,
		callbackFrom:  DefaultCallbackFrom,
		callbackName:  "",
		bindings:      make(map[string]sip.Uri),
	}
	for _, o := range opts {
		if err := o(d); err != nil {
			return nil, err
		}
	}
	d.log = d.log.With("component", "demo")
	var err error
	if d.greeting, err = decodePrompt(greetingMP3); err != nil {
		return nil, fmt.Errorf("%w: greeting: %v", ErrPrompt, err)
	}
	if d.callback, err = decodePrompt(callbackMP3); err != nil {
		return nil, fmt.Errorf("%w: callback: %v", ErrPrompt, err)
	}
	return d, nil
}

// decodePrompt decodes an MP3 and resamples it to the 8 kHz G.711 rate once,
// so calls only copy samples.
func decodePrompt(data []byte) (audio.Clip, error) {
	r, err := mp3.Decode(data)
	if err != nil {
		return audio.Clip{}, err
	}
	src, err := resample.NewSource(r, media8k)
	if err != nil {
		return audio.Clip{}, err
	}
	n := audio.FrameSamples(media8k)
	frames := int(r.Duration()/audio.FrameDuration) + 1
	out := make([]int16, 0, frames*n)
	buf := make([]int16, n)
	for {
		if err := src.ReadFrame(buf); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return audio.Clip{}, err
		}
		out = append(out, buf...)
	}
	return audio.NewClip(media8k, out), nil
}

// media8k is the G.711 sample rate.
const media8k = 8000

// Greeting returns the decoded 8 kHz greeting (for tests and the UI).
func (d *Line) Greeting() []int16 { return d.greeting.Samples() }

// Start binds 127.0.0.1 (UDP) and serves until ctx ends or Close.
func (d *Line) Start(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ErrClosed
	}
	if d.started {
		return ErrStarted
	}
	pc, err := net.ListenPacket("udp", d.listen.String())
	if err != nil {
		return fmt.Errorf("demo: listen: %w", err)
	}
	d.conn = pc
	d.addr = pc.LocalAddr().(*net.UDPAddr).AddrPort()
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Pitchline demo line"), sipgo.WithUserAgentHostname(d.addr.Addr().String()))
	if err != nil {
		pc.Close()
		return fmt.Errorf("demo: SIP stack: %w", err)
	}
	srv, err := sipgo.NewServer(ua)
	if err != nil {
		ua.Close()
		pc.Close()
		return fmt.Errorf("demo: SIP server: %w", err)
	}
	client, err := sipgo.NewClient(ua, sipgo.WithClientHostname(d.addr.Addr().String()),
		sipgo.WithClientConnectionAddr(d.addr.String()))
	if err != nil {
		ua.Close()
		pc.Close()
		return fmt.Errorf("demo: SIP client: %w", err)
	}
	contact := sip.ContactHeader{Address: sip.Uri{Scheme: "sip", User: "demo", Host: d.addr.Addr().String(), Port: int(d.addr.Port())}}
	d.ua, d.srv, d.client = ua, srv, client
	d.dialogs = sipgo.NewDialogServerCache(client, contact)
	d.dua = &sipgo.DialogUA{Client: client, ContactHDR: contact}
	d.ctx, d.cancel = context.WithCancel(ctx)

	srv.OnRegister(d.onRegister)
	srv.OnInvite(d.onInvite)
	srv.OnAck(func(req *sip.Request, tx sip.ServerTransaction) { _ = d.dialogs.ReadAck(req, tx) })
	srv.OnBye(d.onBye)
	srv.OnInfo(d.onInfo)
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
	})
	d.started = true
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		if err := srv.ServeUDP(pc); err != nil && d.ctx.Err() == nil {
			d.log.Debug("serve udp ended", "err", err)
		}
	}()
	d.wg.Add(1)
	go func() { defer d.wg.Done(); <-d.ctx.Done(); pc.Close() }()
	d.log.Info("demo line listening", "addr", d.addr)
	return nil
}

// Addr returns the line's SIP address (127.0.0.1:port) once started.
func (d *Line) Addr() netip.AddrPort {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addr
}

// Account returns the engine account that registers to this line: user
// "rep", no password, UDP, registration on.
func (d *Line) Account() softphone.AccountConfig {
	return softphone.AccountConfig{
		AOR:         fmt.Sprintf("sip:%s@%s", User, d.Addr()),
		DisplayName: DisplayName,
		Transport:   "udp",
		Register:    true,
		Expires:     300 * time.Second,
	}
}

// Registered reports whether user has a live registration.
func (d *Line) Registered(user string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.bindings[user]
	return ok
}

// Stats returns how many REGISTERs and INVITEs the line has handled.
func (d *Line) Stats() (registers, invites int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.regs, d.calls
}

// Close stops the line, ends its calls and waits for its goroutines.
func (d *Line) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	started := d.started
	d.mu.Unlock()
	if !started {
		return nil
	}
	d.cancel()
	d.wg.Wait()
	d.ua.Close()
	return nil
}

// onRegister is the registrar (RFC 3261 §10.3) without authentication.
func (d *Line) onRegister(req *sip.Request, tx sip.ServerTransaction) {
	to := req.To()
	if to == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	user := to.Address.User
	expires := 3600
	if h := req.GetHeader("Expires"); h != nil {
		if n, err := strconv.Atoi(h.Value()); err == nil {
			expires = n
		}
	}
	ct := req.Contact()
	if ct != nil {
		if v, ok := ct.Params.Get("expires"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				expires = n
			}
		}
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	d.mu.Lock()
	d.regs++
	if ct == nil || expires == 0 {
		delete(d.bindings, user)
	} else {
		d.bindings[user] = ct.Address
	}
	d.mu.Unlock()
	if ct != nil && expires > 0 {
		c := ct.Clone()
		c.Params = sip.NewParams()
		c.Params.Add("expires", strconv.Itoa(expires))
		res.AppendHeader(c)
		res.AppendHeader(sip.NewHeader("Expires", strconv.Itoa(expires)))
	}
	_ = tx.Respond(res)
}

func (d *Line) onBye(req *sip.Request, tx sip.ServerTransaction) {
	if err := d.dialogs.ReadBye(req, tx); err != nil {
		// Maybe the BYE ends a callback we placed.
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
		d.endOutbound(req)
	}
}

// onInfo accepts a team lead's role change (softphone.MonitorHeader) on a
// call the lead placed to the demo line, so the lead's tools can be tried
// without a rep: the demo answers a monitor call like any other and takes
// each valid role (RFC 6086 answers an INFO it does not know with 469).
func (d *Line) onInfo(req *sip.Request, tx sip.ServerTransaction) {
	h := req.GetHeader(softphone.MonitorHeader)
	if h == nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, 469, "Bad Info Package", nil))
		return
	}
	if _, err := softphone.ParseMonitorRole(h.Value()); err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Monitor Role", nil))
		return
	}
	_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil))
}

// behaviour returns what number does.
func behaviour(number string) Behaviour {
	for _, n := range Numbers {
		if n.Number == number {
			return n.Behaviour
		}
	}
	return Answer
}

// onInvite is the UAS. It returns when the INVITE transaction is over; the
// answered call continues on a goroutine owned by the line.
func (d *Line) onInvite(req *sip.Request, tx sip.ServerTransaction) {
	if to := req.To(); to != nil && to.Params != nil && to.Params.Has("tag") {
		// re-INVITE (hold/resume): the demo keeps the media as it is and
		// accepts with its current SDP.
		d.onReInvite(req, tx)
		return
	}
	d.mu.Lock()
	d.calls++
	d.mu.Unlock()
	dlg, err := d.dialogs.ReadInvite(req, tx)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusBadRequest, "Bad Request", nil))
		return
	}
	number := req.Recipient.User
	b := behaviour(number)
	d.log.Info("demo call", "number", number, "behaviour", b)
	_ = dlg.Respond(sip.StatusTrying, "Trying", nil)
	switch b {
	case Busy:
		_ = dlg.Respond(sip.StatusBusyHere, "Busy Here", nil)
		return
	case NoAnswer:
		_ = dlg.Respond(sip.StatusRinging, "Ringing", nil)
		select {
		case <-dlg.Context().Done(): // CANCEL (RFC 3261 §9.2): the INVITE gets 487
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRequestTerminated, "Request Terminated", nil))
		case <-d.ctx.Done():
			_ = dlg.Respond(sip.StatusServiceUnavailable, "Shutting down", nil)
		}
		return
	}
	_ = dlg.Respond(sip.StatusRinging, "Ringing", nil)
	if d.ringFor > 0 {
		t := time.NewTimer(d.ringFor)
		select {
		case <-t.C:
		case <-dlg.Context().Done():
			t.Stop()
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusRequestTerminated, "Request Terminated", nil))
			return
		case <-d.ctx.Done():
			t.Stop()
			_ = dlg.Respond(sip.StatusServiceUnavailable, "Shutting down", nil)
			return
		}
	}
	sess, answer, err := d.newMedia(req.Body())
	if err != nil {
		d.log.Info("demo call: no usable offer", "err", err)
		_ = dlg.Respond(sip.StatusNotAcceptableHere, "Not Acceptable Here", nil)
		return
	}
	prompt := d.greeting
	if b == Callback {
		prompt = d.callback
	}
	ep, err := newEcho(prompt, b != Callback)
	if err != nil {
		sess.Close()
		_ = dlg.Respond(sip.StatusInternalServerError, "Server Internal Error", nil)
		return
	}
	sess.SetInput(ep)
	sess.SetOutput(ep)
	if err := dlg.Respond(sip.StatusOK, "OK", answer, sip.NewHeader("Content-Type", "application/sdp")); err != nil {
		sess.Close()
		return
	}
	if err := sess.Start(); err != nil {
		sess.Close()
		_ = dlg.Bye(context.Background())
		return
	}
	caller := req.From().Address.User
	callerContact := req.Contact().Address
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer sess.Close()
		select {
		case <-dlg.Context().Done():
		case <-d.ctx.Done():
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = dlg.Bye(ctx)
			cancel()
		case <-ep.promptDone:
			if b != Callback {
				<-dlg.Context().Done()
				return
			}
			ctx, cancel := context.WithTimeout(d.ctx, 5*time.Second)
			_ = dlg.Bye(ctx)
			cancel()
			sess.Close()
			d.scheduleCallback(caller, callerContact)
		}
	}()
}

// onReInvite answers a re-INVITE inside a demo dialog with 200 OK and the
// same SDP we answered with before; media keeps running (the demo does not
// honour hold, it just keeps echoing silence).
func (d *Line) onReInvite(req *sip.Request, tx sip.ServerTransaction) {
	dlg, err := d.dialogs.MatchDialogRequest(req)
	if err != nil {
		_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusCallTransactionDoesNotExists, "Call/Transaction Does Not Exist", nil))
		return
	}
	var body []byte
	if res := dlg.InviteResponse; res != nil {
		body = res.Body()
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", body)
	if body != nil {
		res.AppendHeader(sip.NewHeader("Content-Type", "application/sdp"))
	}
	res.AppendHeader(&d.dua.ContactHDR)
	_ = tx.Respond(res)
}

// newMedia answers offer with a loopback media session.
func (d *Line) newMedia(offer []byte) (*media.Session, []byte, error) {
	if len(offer) == 0 {
		return nil, nil, errors.New("no SDP offer")
	}
	sess, err := media.NewSession(media.Config{LocalIP: d.addr.Addr()}, media.WithLogger(d.log))
	if err != nil {
		return nil, nil, err
	}
	answer, err := sess.ProcessOffer(offer)
	if err != nil {
		sess.Close()
		return nil, nil, err
	}
	return sess, answer, nil
}

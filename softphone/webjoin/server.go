package webjoin

import (
	"context"
	"crypto/tls"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	pwebrtc "github.com/pitchline/pitchline/softphone/media/webrtc"
)

//go:embed page
var pageFS embed.FS

var pages = template.Must(template.ParseFS(pageFS, "page/*.html"))

// Link is one join link as handed to the Handler.
type Link struct {
	// Call is the caller's label for what the link joins (a call ID).
	Call string
	// Name is what the participant is called in the call ("" lets the
	// Handler choose); see WithName.
	Name string
	// Expires is when the link stops working if unused.
	Expires time.Time
}

// Join is one browser's request to join through a link.
type Join struct {
	Link Link
	// OfferSDP is the browser's complete (non-trickle) SDP offer.
	OfferSDP string
	// RemoteAddr is the browser's address (for the log).
	RemoteAddr string
}

// Handler turns a browser's offer into a call leg.
//
// Join returns the SDP answer and what to Close when the participant
// leaves through the page (DELETE); the Server never closes it otherwise.
// ctx is the request's: it bounds the negotiation, not the leg. Wrap
// ErrBadOffer (or softphone/media/webrtc.ErrBadOffer) for an unusable offer.
type Handler interface {
	Join(ctx context.Context, j Join) (answerSDP string, leave io.Closer, err error)
}

// HandlerFunc adapts a function to a Handler.
type HandlerFunc func(ctx context.Context, j Join) (string, io.Closer, error)

// Join implements Handler.
func (f HandlerFunc) Join(ctx context.Context, j Join) (string, io.Closer, error) { return f(ctx, j) }

type linkState string

const (
	linkUnused  linkState = "unused"
	linkJoining linkState = "joining"
	linkUsed    linkState = "used"
)

type link struct {
	Link
	state linkState
}

// Server serves join links. Its methods are safe for concurrent use.
type Server struct {
	opt  options
	log  *slog.Logger
	h    Handler
	ln   net.Listener
	srv  *http.Server
	base string // scheme://host:port
	wg   sync.WaitGroup

	mu       sync.Mutex
	closed   bool
	links    map[tokenHash]*link
	sessions map[tokenHash]io.Closer
}

// New binds addr ("127.0.0.1:0" picks a port) and serves join links until
// Close. addr must be an IP address and port. A loopback address is served
// over HTTP (or HTTPS with WithTLS); any other address needs WithLAN and
// WithTLS and is refused with ErrNotLoopback or ErrTLSRequired otherwise.
func New(addr string, h Handler, opts ...Option) (*Server, error) {
	o := options{log: slog.New(slog.DiscardHandler), now: time.Now}
	for _, fn := range opts {
		if err := fn(&o); err != nil {
			return nil, err
		}
	}
	if h == nil {
		return nil, fmt.Errorf("nil handler: %w", ErrInvalidConfig)
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q is not IP:port: %w", addr, ErrInvalidConfig)
	}
	ip := ap.Addr().Unmap()
	if ip.IsUnspecified() {
		return nil, fmt.Errorf("address %s: give the one address the link should carry, not all of them: %w", addr, ErrInvalidConfig)
	}
	if !ip.IsLoopback() {
		if !o.lan {
			return nil, fmt.Errorf("%s: %w", addr, ErrNotLoopback)
		}
		if o.certFile == "" {
			return nil, fmt.Errorf("%s: %w", addr, ErrTLSRequired)
		}
	}
	var tlsCfg *tls.Config
	if o.certFile != "" {
		cert, _, err := loadTLS(o.certFile, o.keyFile, time.Now())
		if err != nil { // CheckTLS's sentinels, and ErrInvalidConfig
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
		tlsCfg = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", netip.AddrPortFrom(ip, ap.Port()).String())
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	scheme := "http"
	if tlsCfg != nil {
		ln = tls.NewListener(ln, tlsCfg)
		scheme = "https"
	}
	s := &Server{opt: o, log: o.log.With("component", "webjoin"), h: h, ln: ln,
		base:  scheme + "://" + ln.Addr().String(),
		links: map[tokenHash]*link{}, sessions: map[tokenHash]io.Closer{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /join/{token}", s.serveJoinPage)
	mux.HandleFunc("GET /assets/{name}", s.serveAsset)
	mux.HandleFunc("POST /whip/{token}", s.serveOffer)
	mux.HandleFunc("DELETE /whip/session/{id}", s.serveLeave)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.page(w, r, http.StatusNotFound, "notfound")
	})
	s.srv = &http.Server{Handler: securityHeaders(mux), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, MaxHeaderBytes: 16 << 10,
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("join link server stopped", "err", err)
		}
	}()
	s.log.Info("serving join links", "url", s.base)
	return s, nil
}

// URL returns the server's base URL (scheme://ip:port).
func (s *Server) URL() string { return s.base }

// Loopback reports whether the server listens on a loopback address (its
// links work on this computer only).
func (s *Server) Loopback() bool {
	ap, err := netip.ParseAddrPort(s.ln.Addr().String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// CreateLink makes a one-time join link for call, valid for ttl (0 means
// DefaultTTL), and returns its URL.
func (s *Server) CreateLink(call string, ttl time.Duration, opts ...LinkOption) (string, error) {
	var lk Link
	for _, fn := range opts {
		if err := fn(&lk); err != nil {
			return "", err
		}
	}
	if ttl == 0 {
		ttl = DefaultTTL
	}
	if ttl < 0 {
		return "", fmt.Errorf("ttl %v: %w", ttl, ErrInvalidConfig)
	}
	tok, h := newToken()
	now := s.opt.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", ErrClosed
	}
	s.purgeLocked(now)
	if len(s.links) >= maxLinks {
		return "", ErrTooManyLinks
	}
	s.links[h] = &link{Link: Link{Call: call, Name: lk.Name, Expires: now.Add(ttl)}, state: linkUnused}
	return s.base + "/join/" + tok, nil
}

// Revoke makes a link made by CreateLink stop working at once: its page
// and offer endpoint then answer as for an unknown link. A participant who
// already joined through it stays in the call (remove the leg for that).
// It takes the link's URL (or its token) and returns ErrBadToken when that
// is not a link's shape and ErrUnknownLink when no such link is held.
func (s *Server) Revoke(link string) error {
	tok := link
	if i := strings.LastIndexByte(link, '/'); i >= 0 {
		tok = link[i+1:]
	}
	tok, _, _ = strings.Cut(tok, "?")
	h, err := parseToken(tok)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.links[h]; !ok {
		return ErrUnknownLink
	}
	delete(s.links, h)
	return nil
}

// purgeLocked forgets used and expired links an hour after they expire,
// so their pages still say "used" or "expired" meanwhile.
func (s *Server) purgeLocked(now time.Time) {
	for h, l := range s.links {
		if now.After(l.Expires.Add(time.Hour)) {
			delete(s.links, h)
		}
	}
}

// Close stops serving and waits; joined legs stay up (the Handler's owner
// ends them). It is idempotent.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.srv.Shutdown(ctx)
	if err != nil {
		err = s.srv.Close()
	}
	s.wg.Wait()
	return err
}

// lookup classifies a token: the link and "" when it can join now, or the
// page to show ("notfound", "used", "expired").
func (s *Server) lookup(tok string) (*link, tokenHash, string) {
	h, err := parseToken(tok)
	if err != nil {
		return nil, h, "notfound"
	}
	l := s.links[h]
	switch {
	case l == nil:
		return nil, h, "notfound"
	case l.state != linkUnused:
		return nil, h, "used"
	case !s.opt.now().Before(l.Expires):
		return nil, h, "expired"
	}
	return l, h, ""
}

var pageStatus = map[string]int{"notfound": http.StatusNotFound, "used": http.StatusGone, "expired": http.StatusGone}

func (s *Server) serveJoinPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	_, _, bad := s.lookup(r.PathValue("token"))
	s.mu.Unlock()
	if bad != "" {
		s.page(w, r, pageStatus[bad], bad)
		return
	}
	s.page(w, r, http.StatusOK, "join")
}

// page writes one of the pages in the request's language (pageLang).
func (s *Server) page(w http.ResponseWriter, r *http.Request, status int, name string) {
	lang := pageLang(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "Accept-Language")
	w.WriteHeader(status)
	if err := pages.ExecuteTemplate(w, name+".html", pageData{Lang: lang, T: texts[lang][name]}); err != nil {
		s.log.Debug("page write", "err", err)
	}
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	var ctype string
	switch name {
	case "join.js":
		ctype = "text/javascript; charset=utf-8"
	case "join.css":
		ctype = "text/css; charset=utf-8"
	default:
		s.page(w, r, http.StatusNotFound, "notfound")
		return
	}
	b, err := pageFS.ReadFile("page/" + name)
	if err != nil {
		s.page(w, r, http.StatusNotFound, "notfound")
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(b)
}

// plain answers a WHIP request with a short text the page shows.
func plain(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg+"\n")
}

var plainMsg = map[string]string{
	"notfound": "This join link is not valid.",
	"used":     "This join link has already been used.",
	"expired":  "This join link has expired.",
}

func (s *Server) serveOffer(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/sdp" {
		plain(w, http.StatusUnsupportedMediaType, "The offer must be application/sdp.")
		return
	}
	tok := r.PathValue("token")
	s.mu.Lock()
	l, h, bad := s.lookup(tok)
	if bad == "" && s.closed {
		bad = "notfound"
	}
	if bad != "" {
		s.mu.Unlock()
		plain(w, pageStatus[bad], plainMsg[bad])
		return
	}
	l.state = linkJoining // one join at a time per link
	info := l.Link
	s.mu.Unlock()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOfferSize))
	if err != nil {
		s.setState(h, linkUnused)
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			plain(w, http.StatusRequestEntityTooLarge, "The offer is larger than "+strconv.Itoa(MaxOfferSize)+" bytes.")
			return
		}
		plain(w, http.StatusBadRequest, "The offer could not be read.")
		return
	}
	answer, leave, err := s.h.Join(r.Context(), Join{Link: info, OfferSDP: string(body), RemoteAddr: r.RemoteAddr})
	if err != nil {
		s.setState(h, linkUnused) // the person may try again with the same link
		s.log.Info("browser join refused", "call", info.Call, "remote", r.RemoteAddr, "err", err)
		if errors.Is(err, ErrBadOffer) || errors.Is(err, pwebrtc.ErrBadOffer) {
			plain(w, http.StatusBadRequest, "Your browser's offer could not be used: "+err.Error())
			return
		}
		plain(w, http.StatusServiceUnavailable, "The call could not take you in right now: "+err.Error())
		return
	}
	sid, sh := newToken()
	s.mu.Lock()
	l.state = linkUsed
	if s.closed {
		s.mu.Unlock()
		_ = leave.Close()
		plain(w, http.StatusServiceUnavailable, "Join links are no longer served.")
		return
	}
	s.sessions[sh] = leave
	s.mu.Unlock()
	s.log.Info("browser joined", "call", info.Call, "remote", r.RemoteAddr)
	w.Header().Set("Content-Type", "application/sdp")
	w.Header().Set("Location", "/whip/session/"+sid)
	w.WriteHeader(http.StatusCreated)
	_, _ = io.WriteString(w, answer)
}

func (s *Server) setState(h tokenHash, st linkState) {
	s.mu.Lock()
	if l := s.links[h]; l != nil {
		l.state = st
	}
	s.mu.Unlock()
}

func (s *Server) serveLeave(w http.ResponseWriter, r *http.Request) {
	h, err := parseToken(r.PathValue("id"))
	if err != nil {
		plain(w, http.StatusNotFound, "No such session.")
		return
	}
	s.mu.Lock()
	c := s.sessions[h]
	delete(s.sessions, h)
	s.mu.Unlock()
	if c == nil {
		plain(w, http.StatusNotFound, "No such session.")
		return
	}
	if err := c.Close(); err != nil {
		s.log.Info("leave", "err", err)
	}
	w.WriteHeader(http.StatusOK)
}

// securityHeaders: nothing is loaded from elsewhere, the token in the URL
// is never sent as a Referer, and nothing is cached or framed.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "+
			"media-src 'self' blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Permissions-Policy", "microphone=(self), camera=()")
		next.ServeHTTP(w, r)
	})
}

package app

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"reflect"
	"strings"
	"syscall"
	"time"
)

// Browser mode: `pitchline serve` serves the built UI and the bound
// services over HTTP on loopback. The services are the same values the
// window binds, called through a reflection table (dispatch) built from
// their exported methods, so there is no second implementation.
//
// Wire format: POST /api/<Service>/<Method> with the arguments as a JSON
// array; 200 with the JSON result, or an error status with ErrorPayload.
// GET /api/events is a Server-Sent Events stream: a "snapshot" event first,
// then catalogue events (event: name, data: JSON payload).
//
// Every request needs the per-launch token: ?token=..., the
// X-Pitchline-Token header, or the cookie set on the first page load.

// TokenHeader is the request header that carries the token.
const TokenHeader = "X-Pitchline-Token"

// tokenCookie is the cookie set on the first authenticated page load.
const tokenCookie = "pitchline_token"

// ErrNotLoopback is returned when serve is asked to listen on an address
// that is not loopback.
var ErrNotLoopback = errors.New("app: browser mode listens on loopback only")

// method is one bound method in the dispatch table.
type method struct {
	recv reflect.Value
	fn   reflect.Method
	args []reflect.Type
}

// dispatchTable maps "Service/Method" to the bound method, built from the
// exported methods that return (T, error).
func dispatchTable(svcs []any) map[string]method {
	errType := reflect.TypeFor[error]()
	table := make(map[string]method)
	for _, s := range svcs {
		v := reflect.ValueOf(s)
		t := v.Type()
		name := t.Elem().Name()
		for i := 0; i < t.NumMethod(); i++ {
			m := t.Method(i)
			mt := m.Type
			if mt.NumOut() != 2 || mt.Out(1) != errType {
				continue
			}
			args := make([]reflect.Type, 0, mt.NumIn()-1)
			for j := 1; j < mt.NumIn(); j++ {
				args = append(args, mt.In(j))
			}
			table[name+"/"+m.Name] = method{recv: v, fn: m, args: args}
		}
	}
	return table
}

// call decodes raw (a JSON array) into the method's arguments and calls it.
func (m method) call(raw []byte) (any, error) {
	var parts []json.RawMessage
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("[]")
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return nil, fmt.Errorf("%w: body must be a JSON array of arguments: %v", ErrInvalidArgument, err)
	}
	if len(parts) != len(m.args) {
		return nil, fmt.Errorf("%w: %s takes %d arguments, got %d", ErrInvalidArgument, m.fn.Name, len(m.args), len(parts))
	}
	in := []reflect.Value{m.recv}
	for i, t := range m.args {
		p := reflect.New(t)
		if err := json.Unmarshal(parts[i], p.Interface()); err != nil {
			return nil, fmt.Errorf("%w: argument %d of %s: %v", ErrInvalidArgument, i+1, m.fn.Name, err)
		}
		in = append(in, p.Elem())
	}
	out := m.fn.Func.Call(in)
	if err, _ := out[1].Interface().(error); err != nil {
		return nil, err
	}
	return out[0].Interface(), nil
}

// server is browser mode's HTTP handler.
type server struct {
	a      *App
	token  string
	table  map[string]method
	assets http.Handler
}

func newServer(a *App, token string) *server {
	return &server{a: a, token: token, table: dispatchTable(a.svcs.list()),
		assets: http.FileServerFS(a.assets)}
}

// authorized checks the token in the query, header or cookie.
func (s *server) authorized(r *http.Request) (viaQuery bool, ok bool) {
	eq := func(t string) bool { return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1 }
	if eq(r.URL.Query().Get("token")) {
		return true, true
	}
	if eq(r.Header.Get(TokenHeader)) {
		return false, true
	}
	if c, err := r.Cookie(tokenCookie); err == nil && eq(c.Value) {
		return false, true
	}
	return false, false
}

// loopbackHost rejects Host headers that are not loopback (DNS rebinding).
func loopbackHost(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(h, "[]"))
	return ip != nil && ip.IsLoopback()
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if !loopbackHost(r.Host) {
		writeError(w, http.StatusForbidden, ErrorPayload{Code: "forbidden", Message: "non-loopback Host header"})
		return
	}
	viaQuery, ok := s.authorized(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, ErrorPayload{Code: "unauthorized",
			Message: "missing or wrong token: open the URL printed by `pitchline serve`"})
		return
	}
	if viaQuery {
		http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: s.token, Path: "/", HttpOnly: true,
			SameSite: http.SameSiteStrictMode})
	}
	switch {
	case r.URL.Path == "/api/events":
		s.events(w, r)
	case r.URL.Path == "/api/ready":
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		s.a.markUIReady([]any{json.RawMessage(body)})
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.api(w, r)
	default:
		s.assets.ServeHTTP(w, r)
	}
}

// api dispatches POST /api/<Service>/<Method>.
func (s *server) api(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeError(w, http.StatusMethodNotAllowed, ErrorPayload{Code: CodeInvalidArgument, Message: "use POST"})
		return
	}
	m, ok := s.table[strings.TrimPrefix(r.URL.Path, "/api/")]
	if !ok {
		writeError(w, http.StatusNotFound, ErrorPayload{Code: "not_found", Message: "no such method " + r.URL.Path})
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, ErrorPayload{Code: CodeInvalidArgument, Message: err.Error()})
		return
	}
	res, err := m.call(body)
	if err != nil {
		p := s.a.errfmt.Payload(err)
		s.a.log.Warn("api call failed", "method", r.URL.Path, "code", p.Code, "err", err)
		writeError(w, statusFor(p.Code), p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// statusFor maps an error code to an HTTP status.
func statusFor(code string) int {
	switch code {
	case CodeInvalidArgument, "invalid_target":
		return http.StatusBadRequest
	case CodeNotStarted:
		return http.StatusServiceUnavailable
	case "not_found", "no_such_call":
		return http.StatusNotFound
	case CodeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusConflict
}

func writeError(w http.ResponseWriter, status int, p ErrorPayload) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// events streams catalogue events as Server-Sent Events.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, ErrorPayload{Code: CodeInternal, Message: "streaming unsupported"})
		return
	}
	ch, cancel := s.a.hub.subscribe()
	defer cancel()
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Connection", "keep-alive")
	snap, err := json.Marshal(s.a.core.snapshot())
	if err != nil {
		return
	}
	fmt.Fprintf(w, "retry: 1000\nevent: %s\ndata: %s\n\n", EvSnapshot.Name(), snap)
	fl.Flush()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keep.C:
			fmt.Fprint(w, ": keep-alive\n\n")
			fl.Flush()
		case ev, ok := <-ch:
			if !ok {
				return
			}
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.name, ev.data)
			fl.Flush()
		}
	}
}

// newToken returns 32 random bytes in hex.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// checkLoopback accepts host:port only when host is a loopback IP or
// "localhost".
func checkLoopback(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%w: --listen %q: want 127.0.0.1:PORT (%v)", ErrInvalidOption, addr, err)
	}
	if host == "localhost" {
		host = "127.0.0.1"
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return "", fmt.Errorf("%w: %q is not a loopback address; use 127.0.0.1:PORT or [::1]:PORT", ErrNotLoopback, addr)
	}
	return net.JoinHostPort(host, port), nil
}

// serveFlags are the command-line flags of `pitchline serve`.
type serveFlags struct {
	listen, dataDir, audio string
	demo                   bool
	url                    string
}

func parseServeFlags(args []string, stderr io.Writer) (serveFlags, error) {
	var f serveFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.listen, "listen", "127.0.0.1:0", "loopback address to serve on (port 0 picks one)")
	fs.StringVar(&f.dataDir, "data-dir", "", "data directory (store, instance socket); default the user's data directory")
	fs.StringVar(&f.audio, "audio", "default", "audio backend: null, default, or a device id")
	fs.BoolVar(&f.demo, "demo", false, "use the built-in demo line even when accounts are configured")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: pitchline serve [--listen 127.0.0.1:PORT] [--data-dir DIR] [--audio null|default|DEVICE] [--demo] [tel:URL]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	switch rest := fs.Args(); len(rest) {
	case 0:
	case 1:
		f.url = rest[0]
	default:
		return f, fmt.Errorf("%w: unexpected arguments %q", ErrInvalidOption, rest[1:])
	}
	return f, nil
}

// Serve runs browser mode (`pitchline serve ARGS`) until SIGINT/SIGTERM and
// returns the process exit code: 0 on a clean stop or a hand-off to the
// running instance, 1 on failure, 2 on a usage error. The first line on
// stdout is the URL with the per-launch token.
func Serve(assets fs.FS, args []string, stdout, stderr io.Writer, opts ...Option) int {
	f, err := parseServeFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "pitchline serve:", err)
		return 2
	}
	addr, err := checkLoopback(f.listen)
	if err != nil {
		fmt.Fprintln(stderr, "pitchline serve:", err)
		return 2
	}
	if f.dataDir != "" {
		opts = append(opts, WithDataDir(f.dataDir))
	}
	if f.demo {
		opts = append(opts, WithDemo())
	}
	if f.url != "" {
		opts = append(opts, WithLaunchURL(f.url))
	}
	opts = append(opts, WithAudioDevice(f.audio))
	a, err := New(assets, opts...)
	if err != nil {
		fmt.Fprintln(stderr, "pitchline serve:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.ServeHTTP(ctx, addr, stdout); err != nil {
		if errors.Is(err, ErrHandedOff) {
			return 0
		}
		fmt.Fprintln(stderr, "pitchline serve:", err)
		return 1
	}
	return 0
}

// ServeHTTP runs browser mode on addr until ctx ends, printing the URL as
// the first line on stdout.
func (a *App) ServeHTTP(ctx context.Context, addr string, stdout io.Writer) error {
	if _, err := checkLoopback(addr); err != nil {
		return err
	}
	if _, err := fs.Stat(a.assets, "index.html"); err != nil {
		return fmt.Errorf("%w: index.html not found in frontend/dist (run `make build`): %v", ErrNoAssets, err)
	}
	release, err := a.startBackend(ctx)
	if err != nil {
		return err
	}
	defer release()
	token, err := newToken()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("app: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: newServer(a, token), ReadHeaderTimeout: 10 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx }} // ends SSE streams on shutdown
	url := fmt.Sprintf("http://%s/?token=%s", ln.Addr(), token)
	if _, err := fmt.Fprintln(stdout, url); err != nil {
		ln.Close()
		return err
	}
	a.log.Info("browser mode", "url", fmt.Sprintf("http://%s/", ln.Addr()))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
	case err := <-errc:
		return err
	}
	sctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	<-errc
	return nil
}

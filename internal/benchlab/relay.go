package benchlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"
)

// SIPMethod classifies a SIP datagram by its first line (RFC 3261
// section 7.1 request line, section 7.2 status line,
// https://www.rfc-editor.org/rfc/rfc3261#section-7.1). For a request it
// returns the method and request=true; for a response it returns "" and
// request=false. Anything else (a CRLF keep-alive, garbage) is ErrNotSIP.
func SIPMethod(b []byte) (method string, request bool, err error) {
	line := b
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		line = b[:i]
	}
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if bytes.HasPrefix(line, []byte("SIP/2.0 ")) {
		return "", false, nil
	}
	f := bytes.Split(line, []byte{' '})
	if len(f) != 3 || string(f[2]) != "SIP/2.0" || len(f[1]) == 0 || len(f[0]) == 0 {
		return "", false, fmt.Errorf("%w: first line %.40q", ErrNotSIP, line)
	}
	for _, c := range f[0] {
		// RFC 3261 section 25.1: Method = token; benchlab accepts the
		// upper-case letters every registered method uses.
		if c < 'A' || c > 'Z' {
			return "", false, fmt.Errorf("%w: method %.20q", ErrNotSIP, f[0])
		}
	}
	return string(f[0]), true, nil
}

// Relay is a UDP relay on 127.0.0.1 in front of one SIP server. Clients
// use Addr as their registrar/proxy; every datagram is forwarded to the
// upstream server from a per-client socket, and the server's answers go
// back the same way. The relay records when it first received each SIP
// request method from a client, so the time of the first INVITE or
// REGISTER "on the wire" can be read without a packet capture.
type Relay struct {
	down     *net.UDPConn
	upstream *net.UDPAddr
	now      func() time.Time
	log      *slog.Logger

	mu      sync.Mutex
	first   map[string]time.Time
	changed chan struct{} // closed and replaced on every new first
	flows   map[string]*net.UDPConn
	closed  bool

	wg sync.WaitGroup
}

// RelayOption configures NewRelay.
type RelayOption func(*Relay)

// WithRelayClock replaces time.Now for the receive timestamps.
func WithRelayClock(now func() time.Time) RelayOption {
	return func(r *Relay) {
		if now != nil {
			r.now = now
		}
	}
}

// WithRelayLogger sets the relay's logger (default slog.Default()).
func WithRelayLogger(l *slog.Logger) RelayOption {
	return func(r *Relay) {
		if l != nil {
			r.log = l
		}
	}
}

// NewRelay listens on a free UDP port of 127.0.0.1 and relays to upstream
// ("127.0.0.1:PORT"). Close stops it.
func NewRelay(upstream string, opts ...RelayOption) (*Relay, error) {
	up, err := net.ResolveUDPAddr("udp4", upstream)
	if err != nil {
		return nil, fmt.Errorf("benchlab: relay upstream %q: %w", upstream, err)
	}
	down, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("benchlab: relay listen: %w", err)
	}
	r := &Relay{
		down: down, upstream: up, now: time.Now, log: slog.Default(),
		first: make(map[string]time.Time), changed: make(chan struct{}), flows: make(map[string]*net.UDPConn),
	}
	for _, o := range opts {
		o(r)
	}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

// Addr returns the relay's address, "127.0.0.1:PORT".
func (r *Relay) Addr() string { return r.down.LocalAddr().String() }

// Port returns the relay's UDP port.
func (r *Relay) Port() int { return r.down.LocalAddr().(*net.UDPAddr).Port }

func (r *Relay) serve() {
	defer r.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, from, err := r.down.ReadFromUDP(buf)
		at := r.now()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				r.log.Warn("relay read", "err", err)
			}
			return
		}
		pkt := buf[:n]
		if m, req, err := SIPMethod(pkt); err == nil && req {
			r.record(m, at)
		}
		up, err := r.flow(from)
		if err != nil {
			r.log.Warn("relay upstream", "err", err)
			continue
		}
		if _, err := up.Write(pkt); err != nil && !errors.Is(err, net.ErrClosed) {
			r.log.Warn("relay forward", "err", err)
		}
	}
}

func (r *Relay) record(method string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.first[method]; ok {
		return
	}
	r.first[method] = at
	close(r.changed)
	r.changed = make(chan struct{})
}

// flow returns the upstream socket of client from, creating it (and the
// goroutine that copies answers back) on the first datagram.
func (r *Relay) flow(from *net.UDPAddr) (*net.UDPConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, net.ErrClosed
	}
	key := from.String()
	if c, ok := r.flows[key]; ok {
		return c, nil
	}
	c, err := net.DialUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)}, r.upstream)
	if err != nil {
		return nil, err
	}
	r.flows[key] = c
	client := *from
	r.wg.Add(1)
	go r.back(c, &client)
	return c, nil
}

func (r *Relay) back(up *net.UDPConn, client *net.UDPAddr) {
	defer r.wg.Done()
	buf := make([]byte, 65535)
	for {
		n, err := up.Read(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// ICMP port unreachable from a client that went away:
			// keep serving the flow until Close.
			continue
		}
		if _, err := r.down.WriteToUDP(buf[:n], client); err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

// First returns when the relay first received a request of method from a
// client.
func (r *Relay) First(method string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.first[method]
	return t, ok
}

// WaitFirst waits until a request of method has been relayed and returns
// when it arrived. It returns ctx's error, or ErrRelayClosed after Close.
func (r *Relay) WaitFirst(ctx context.Context, method string) (time.Time, error) {
	for {
		r.mu.Lock()
		t, ok := r.first[method]
		ch, closed := r.changed, r.closed
		r.mu.Unlock()
		switch {
		case ok:
			return t, nil
		case closed:
			return time.Time{}, ErrRelayClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return time.Time{}, ctx.Err()
		}
	}
}

// Close stops relaying and waits for the relay's goroutines.
func (r *Relay) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		r.wg.Wait()
		return nil
	}
	r.closed = true
	close(r.changed)
	r.changed = make(chan struct{})
	flows := r.flows
	r.flows = nil
	r.mu.Unlock()
	err := r.down.Close()
	for _, c := range flows {
		c.Close()
	}
	r.wg.Wait()
	return err
}

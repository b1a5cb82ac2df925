package testlab

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Errors of the baresip control client.
var (
	// ErrBaresipCommand is returned (wrapped, with baresip's text) when
	// baresip answers a ctrl_tcp command with "ok": false.
	ErrBaresipCommand = errors.New("testlab: baresip command failed")
	// ErrBaresipClosed is returned when the ctrl_tcp connection is closed
	// (baresip exited or Stop was called) while waiting.
	ErrBaresipClosed = errors.New("testlab: baresip control connection closed")
	// ErrNetstring is returned for malformed netstring framing on ctrl_tcp.
	ErrNetstring = errors.New("testlab: malformed netstring")
)

// maxNetstring bounds one ctrl_tcp message; baresip's replies (listcalls,
// callstat) are a few kB.
const maxNetstring = 1 << 20

// Event is one asynchronous event reported by baresip's ctrl_tcp module,
// e.g. {"event":true,"type":"CALL_ESTABLISHED","class":"call",...}.
//
// Types seen with baresip 1.0.0: REGISTER_OK, REGISTER_FAIL, CALL_INCOMING,
// CALL_RINGING, CALL_PROGRESS, CALL_ESTABLISHED, CALL_LOCAL_SDP,
// CALL_REMOTE_SDP, CALL_RTPESTAB, CALL_RTCP, CALL_DTMF_START (Param = the
// digit; DTMF is RFC 4733 telephone-event, payload type 101), CALL_DTMF_END
// and CALL_CLOSED (Param "Connection reset by user" on the side that hung
// up, "Connection reset by peer" on the side that received the BYE,
// "end of file" when the aufile source ran out).
type Event struct {
	// Seq is the 0-based position of the event in the client's event log;
	// Mark returns the Seq the next event will get.
	Seq int `json:"-"`
	// Time is when the client received the event.
	Time time.Time `json:"-"`
	// Type is the event type, e.g. "CALL_ESTABLISHED".
	Type string `json:"type"`
	// Class is the event class, e.g. "call" or "register".
	Class string `json:"class"`
	// AccountAOR is the address of record of the account the event is for.
	AccountAOR string `json:"accountaor"`
	// PeerURI is the remote party of a call event.
	PeerURI string `json:"peeruri"`
	// ID is baresip's call id for call events.
	ID string `json:"id"`
	// Param is the event parameter (DTMF digit, close reason, ...).
	Param string `json:"param"`
	// Raw is the event's JSON as received.
	Raw json.RawMessage `json:"-"`
}

// Response is baresip's reply to one ctrl_tcp command.
type Response struct {
	// OK is baresip's "ok" flag.
	OK bool `json:"ok"`
	// Data is the command's text output (may contain ANSI colour codes).
	Data string `json:"data"`
	// Token echoes the token the client sent with the command.
	Token string `json:"token"`
}

// BaresipCtrl is a client for baresip's ctrl_tcp module (netstring-framed
// JSON, see https://cr.yp.to/proto/netstrings.txt).
//
// baresip 1.0.0 accepts ONE ctrl_tcp client at a time: a new connection
// silently replaces the old one, which then receives no events. So one
// BaresipCtrl owns the only connection; its reader goroutine records every
// event and routes responses to the waiting Command call by token.
type BaresipCtrl struct {
	conn  net.Conn
	wmu   sync.Mutex // serialises writes
	token atomic.Uint64
	done  chan struct{} // closed when the reader goroutine has returned

	mu      sync.Mutex
	events  []Event
	changed chan struct{} // closed and replaced on every new event / close
	pending map[string]chan Response
	closed  bool
	readErr error
}

// DialBaresipCtrl connects to a ctrl_tcp listener at addr and starts the
// reader goroutine. Close stops it.
func DialBaresipCtrl(ctx context.Context, addr string) (*BaresipCtrl, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp4", addr)
	if err != nil {
		return nil, err
	}
	c := &BaresipCtrl{
		conn:    conn,
		done:    make(chan struct{}),
		changed: make(chan struct{}),
		pending: map[string]chan Response{},
	}
	go c.readLoop()
	return c, nil
}

// Close closes the connection and waits for the reader goroutine.
func (c *BaresipCtrl) Close() error {
	err := c.conn.Close()
	<-c.done
	return err
}

func (c *BaresipCtrl) readLoop() {
	defer close(c.done)
	r := bufio.NewReader(c.conn)
	var err error
	for {
		var b []byte
		if b, err = readNetstring(r); err != nil {
			break
		}
		c.dispatch(b)
	}
	c.mu.Lock()
	c.closed = true
	c.readErr = err
	for tok, ch := range c.pending {
		close(ch)
		delete(c.pending, tok)
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
}

func (c *BaresipCtrl) dispatch(b []byte) {
	var head struct {
		Event    bool `json:"event"`
		Response bool `json:"response"`
	}
	if json.Unmarshal(b, &head) != nil {
		return // not JSON: ignore, baresip never sends that
	}
	switch {
	case head.Response:
		var resp Response
		if json.Unmarshal(b, &resp) != nil {
			return
		}
		c.mu.Lock()
		ch := c.pending[resp.Token]
		delete(c.pending, resp.Token)
		c.mu.Unlock()
		if ch != nil {
			ch <- resp // buffered, capacity 1
		}
	case head.Event:
		var ev Event
		if json.Unmarshal(b, &ev) != nil {
			return
		}
		ev.Raw = append(json.RawMessage(nil), b...)
		ev.Time = time.Now()
		c.mu.Lock()
		ev.Seq = len(c.events)
		c.events = append(c.events, ev)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
	}
}

// Command sends one menu command (e.g. "dial", "hangup", "accept", "hold",
// "resume", "sndcode", "answermode", "listcalls", "callstat", "reginfo",
// "quit") with its parameters and waits for baresip's response.
// If params is empty and cmd contains a space, cmd is split at the first
// space, so Command(ctx, "sndcode 5", "") works too.
// A response with "ok": false is returned together with an error wrapping
// ErrBaresipCommand.
func (c *BaresipCtrl) Command(ctx context.Context, cmd, params string) (Response, error) {
	if params == "" {
		if i := strings.IndexByte(cmd, ' '); i > 0 {
			cmd, params = cmd[:i], strings.TrimSpace(cmd[i+1:])
		}
	}
	tok := "t" + strconv.FormatUint(c.token.Add(1), 10)
	msg := map[string]string{"command": cmd, "token": tok}
	if params != "" {
		msg["params"] = params
	}
	b, err := json.Marshal(msg)
	if err != nil {
		return Response{}, err
	}
	ch := make(chan Response, 1)
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return Response{}, fmt.Errorf("%w: command %q", ErrBaresipClosed, cmd)
	}
	c.pending[tok] = ch
	c.mu.Unlock()

	c.wmu.Lock()
	if dl, ok := ctx.Deadline(); ok {
		_ = c.conn.SetWriteDeadline(dl)
	}
	_, err = c.conn.Write(appendNetstring(nil, b))
	_ = c.conn.SetWriteDeadline(time.Time{})
	c.wmu.Unlock()
	if err != nil {
		c.forget(tok)
		return Response{}, fmt.Errorf("testlab: baresip command %q: %w", cmd, err)
	}
	select {
	case resp, ok := <-ch:
		if !ok {
			return Response{}, fmt.Errorf("%w: command %q got no response", ErrBaresipClosed, cmd)
		}
		if !resp.OK {
			return resp, fmt.Errorf("%w: %s %s: %s", ErrBaresipCommand, cmd, params, strings.TrimSpace(resp.Data))
		}
		return resp, nil
	case <-ctx.Done():
		c.forget(tok)
		return Response{}, fmt.Errorf("testlab: baresip command %q: %w", cmd, ctx.Err())
	}
}

func (c *BaresipCtrl) forget(tok string) {
	c.mu.Lock()
	delete(c.pending, tok)
	c.mu.Unlock()
}

// Events returns a copy of every event received so far, oldest first.
func (c *BaresipCtrl) Events() []Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Event(nil), c.events...)
}

// Mark returns the sequence number the next event will get. Pass it to
// WaitEventAfter / WaitFrom to consider only events that arrive after
// this point (take the mark BEFORE the action that causes the event).
func (c *BaresipCtrl) Mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.events)
}

// WaitFrom blocks until an event with Seq >= mark satisfies pred, and returns
// the first such event. It returns an error when ctx ends or the connection
// closes first. It sleeps on a channel that is closed on every new event; it
// never polls.
func (c *BaresipCtrl) WaitFrom(ctx context.Context, mark int, pred func(Event) bool) (Event, error) {
	if mark < 0 {
		mark = 0
	}
	for {
		c.mu.Lock()
		for ; mark < len(c.events); mark++ {
			if pred(c.events[mark]) {
				ev := c.events[mark]
				c.mu.Unlock()
				return ev, nil
			}
		}
		closed, readErr, changed := c.closed, c.readErr, c.changed
		c.mu.Unlock()
		if closed {
			return Event{}, fmt.Errorf("%w (%v)", ErrBaresipClosed, readErr)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// WaitEvent waits for any event (including ones already received) that
// satisfies pred.
func (c *BaresipCtrl) WaitEvent(ctx context.Context, pred func(Event) bool) (Event, error) {
	return c.WaitFrom(ctx, 0, pred)
}

// WaitEventType waits for any event (including ones already received) of
// type typ.
func (c *BaresipCtrl) WaitEventType(ctx context.Context, typ string) (Event, error) {
	return c.WaitFrom(ctx, 0, func(e Event) bool { return e.Type == typ })
}

// WaitEventAfter waits for an event of type typ with Seq >= mark.
func (c *BaresipCtrl) WaitEventAfter(ctx context.Context, mark int, typ string) (Event, error) {
	return c.WaitFrom(ctx, mark, func(e Event) bool { return e.Type == typ })
}

// appendNetstring appends b as a netstring "len:b," to dst.
func appendNetstring(dst, b []byte) []byte {
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, ':')
	dst = append(dst, b...)
	return append(dst, ',')
}

// readNetstring reads one netstring from r. It returns io.EOF only when r
// ends cleanly between netstrings.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n := 0
	digits := 0
	for {
		ch, err := r.ReadByte()
		if err != nil {
			if err == io.EOF && digits > 0 {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if ch == ':' {
			break
		}
		if ch < '0' || ch > '9' {
			return nil, fmt.Errorf("%w: unexpected byte %q in length", ErrNetstring, ch)
		}
		if digits > 0 && n == 0 {
			return nil, fmt.Errorf("%w: leading zero in length", ErrNetstring)
		}
		n = n*10 + int(ch-'0')
		digits++
		if n > maxNetstring {
			return nil, fmt.Errorf("%w: length over %d", ErrNetstring, maxNetstring)
		}
	}
	if digits == 0 {
		return nil, fmt.Errorf("%w: empty length", ErrNetstring)
	}
	b := make([]byte, n+1)
	if _, err := io.ReadFull(r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if b[n] != ',' {
		return nil, fmt.Errorf("%w: missing trailing comma", ErrNetstring)
	}
	return b[:n], nil
}

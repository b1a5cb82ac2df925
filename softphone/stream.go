package softphone

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// errStreamFraming ends a TCP or TLS connection whose bytes cannot be
// framed into SIP messages: there is no boundary left to resynchronise on.
var errStreamFraming = errors.New("softphone: SIP stream framing error")

// streamGuard frames the reads of stream connections into whole SIP
// messages (RFC 3261 §18.3: the header block, then Content-Length bytes of
// body) so that each can be checked like a datagram before sipgo sees it.
// A valid message is passed on byte for byte; an invalid request is
// answered with a 400 on its connection and left out. A message that
// cannot be framed (no or bad Content-Length, oversized) is answered when
// possible and the connection closed.
type streamGuard struct {
	mu    sync.Mutex
	conns map[string]*[]byte // transport|remote|local -> bytes of an unfinished message
}

func (g *streamGuard) filter(p *Phone, props sip.TransportReadProps, data []byte) ([]byte, error) {
	if props.LocalAddr == nil || props.RemoteAddr == nil {
		return data, nil
	}
	key := strings.ToLower(props.Transport) + "|" + props.RemoteAddr.String() + "|" + props.LocalAddr.String()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.conns == nil {
		g.conns = make(map[string]*[]byte)
	}
	bufp, ok := g.conns[key]
	if !ok {
		g.sweep(p)
		bufp = new([]byte)
		g.conns[key] = bufp
	}
	buf := append(*bufp, data...)
	var out []byte
	for {
		// Keep-alive CRLFs between messages (RFC 5626 §3.5.1) pass as they are.
		n := 0
		for n < len(buf) && (buf[n] == '\r' || buf[n] == '\n') {
			n++
		}
		out, buf = append(out, buf[:n]...), buf[n:]
		if len(buf) == 0 {
			break
		}
		size, reason := frame(buf)
		if reason != "" {
			g.reply(p, props, buf, reason)
			delete(g.conns, key)
			p.log.Info("closing SIP stream that cannot be framed", "source", props.RemoteAddr, "reason", reason)
			return nil, errStreamFraming
		}
		if size == 0 || size > len(buf) {
			break // incomplete: wait for more
		}
		msg := normalizeHeaders(buf[:size])
		buf = buf[size:]
		if res, drop := CheckRequest(msg); drop {
			g.reply(p, props, msg, "")
			p.log.Info("refused malformed SIP request", "source", props.RemoteAddr, "transport", props.Transport,
				"bytes", len(msg), "reply", firstLine(res))
			continue
		}
		out = append(out, msg...)
	}
	*bufp = append((*bufp)[:0], buf...)
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// frame returns the size of the first message in buf, 0 when its header
// block is not complete yet, or a reason phrase when it cannot be framed.
func frame(buf []byte) (int, string) {
	end := bytes.Index(buf, []byte("\r\n\r\n"))
	if end < 0 {
		if len(buf) > maxSIPMessage {
			return 0, "Message Too Large"
		}
		return 0, ""
	}
	head := buf[:end+4]
	length := -1
	for _, line := range headerLines(head) {
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch strings.ToLower(string(bytes.TrimSpace(name))) {
		case "content-length", "l":
			n, err := strconv.Atoi(string(bytes.TrimSpace(value)))
			if err != nil || n < 0 {
				return 0, "Bad Content-Length"
			}
			if length >= 0 && n != length {
				return 0, "Duplicate Content-Length"
			}
			length = n
		}
	}
	if length < 0 {
		return 0, "Missing Content-Length" // mandatory on streams (RFC 3261 §20.14)
	}
	if len(head)+length > maxSIPMessage {
		return 0, "Message Too Large"
	}
	return len(head) + length, ""
}

// reply answers a refused request on its connection. With reason "" the
// message is whole and CheckRequest says what is wrong with it.
func (g *streamGuard) reply(p *Phone, props sip.TransportReadProps, msg []byte, reason string) {
	if bytes.HasPrefix(msg, []byte("SIP/")) {
		return
	}
	var res []byte
	if reason == "" {
		res, _ = CheckRequest(msg)
	} else {
		res = refusal(msg, sip.StatusBadRequest, reason)
	}
	if res == nil || p.ua == nil {
		return
	}
	m, err := sip.ParseMessage(res)
	if err != nil {
		return
	}
	conn, err := p.ua.TransportLayer().GetConnection(props.Transport, props.RemoteAddr.String())
	if err != nil || conn == nil {
		return
	}
	defer func() { _, _ = conn.TryClose() }() // GetConnection took a reference
	if err := conn.WriteMsg(m); err != nil {
		p.log.Debug("stream 400", "err", err)
	}
}

// sweep forgets connections sipgo has closed (mu held).
func (g *streamGuard) sweep(p *Phone) {
	if p.ua == nil {
		return
	}
	for key := range g.conns {
		parts := strings.SplitN(key, "|", 3)
		c, err := p.ua.TransportLayer().GetConnection(parts[0], parts[1])
		if err != nil || c == nil {
			delete(g.conns, key)
			continue
		}
		_, _ = c.TryClose() // GetConnection took a reference
	}
}

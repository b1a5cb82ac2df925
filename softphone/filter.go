package softphone

import (
	"bytes"
	"fmt"
	"net"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// digestFor returns the account's digest credentials.
func digestFor(p *Phone) sipgo.DigestAuth {
	return sipgo.DigestAuth{Username: p.acct.authUser, Password: p.acct.cfg.Password}
}

// maxSIPMessage bounds what we parse; larger messages are refused.
const maxSIPMessage = 64 * 1024

// readFilter sees every read before sipgo parses it. sipgo drops what it
// cannot parse and serves what it can without checking the headers a UAS
// relies on, so a request with no Call-ID or a CSeq for another method
// would ring. We answer a malformed or invalid *request* with a stateless
// 400 Bad Request whose reason phrase names the problem (RFC 3261 §8.2 and
// §16.3, RFC 4475 §3.1.2), so the sender stops retransmitting, and drop it.
//
// Datagram transports hand us one message per read. TCP and TLS hand us
// whatever the stream delivered, so streamGuard frames those reads into
// whole messages first (RFC 3261 §18.3) and passes on only the valid ones.
func (p *Phone) readFilter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	switch strings.ToLower(props.Transport) {
	case "tcp", "tls":
		return p.streams.filter(p, props, data)
	}
	if len(bytes.Trim(data, "\r\n\x00")) == 0 {
		return data, nil
	}
	data = normalizeHeaders(data)
	res, drop := CheckRequest(data)
	if !drop {
		return data, nil
	}
	if res != nil && props.RemoteAddr != nil && strings.EqualFold(props.Transport, "udp") {
		if pc, ok := p.udpConn(); ok {
			_, _ = pc.WriteTo(res, props.RemoteAddr)
		}
	}
	p.log.Info("refused malformed SIP request", "source", props.RemoteAddr, "transport", props.Transport,
		"bytes", len(data), "reply", firstLine(res))
	return nil, nil
}

// udpConn is set once the UDP listener is bound.
func (p *Phone) udpConn() (net.PacketConn, bool) {
	pc := p.udpPC.Load()
	if pc == nil {
		return nil, false
	}
	return *pc, true
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\r\n"))
	return string(line)
}

// CheckRequest checks one whole SIP message. It returns drop=false when
// the message may be served (or is a response, which is never answered).
// For a malformed or invalid request it returns drop=true and, when the
// request names enough of itself to address a reply, the bytes of a 400
// whose reason phrase says what is wrong (see ValidateRequest).
func CheckRequest(data []byte) (reply []byte, drop bool) {
	if len(data) > maxSIPMessage {
		return nil, true
	}
	msg, err := sip.ParseMessage(data)
	if err == nil {
		req, ok := msg.(*sip.Request)
		if !ok {
			return nil, false
		}
		if status, reason := ValidateRequest(req); status != 0 {
			return refusal(data, status, reason), true
		}
		return nil, false
	}
	if bytes.HasPrefix(data, []byte("SIP/")) {
		return nil, true // broken response: drop silently
	}
	return refusal(data, sip.StatusBadRequest, parseReason(err)), true
}

// parseReason turns a parser error into a short reason phrase.
func parseReason(err error) string {
	msg := err.Error()
	var b strings.Builder
	b.WriteString("Malformed Request: ")
	for i := 0; i < len(msg) && b.Len() < 80; i++ {
		if c := msg[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// refusal builds a response (a 400, or a 505) from the raw lines of a
// request that failed to parse or to validate, copying Via, From, To, Call-ID and CSeq verbatim when present
// (RFC 3261 §8.2.6.2).
func refusal(data []byte, status int, reason string) []byte {
	var via, from, to, callID, cseq [][]byte
	for _, line := range headerLines(data) {
		name, _, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		switch string(bytes.ToLower(bytes.TrimSpace(name))) {
		case "via", "v":
			via = append(via, line)
		case "from", "f":
			from = append(from, line)
		case "to", "t":
			to = append(to, line)
		case "call-id", "i":
			callID = append(callID, line)
		case "cseq":
			cseq = append(cseq, line)
		}
	}
	build := func(sets [][][]byte) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, "SIP/2.0 %d %s\r\n", status, reason)
		for _, set := range sets {
			for _, l := range set {
				b.Write(l)
				b.WriteString("\r\n")
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		return b.Bytes()
	}
	// Keep only the copied headers that still parse and hold no control
	// character: a broken CSeq or From must not make our own reply
	// malformed. Of a duplicated single-value header the first copy goes.
	var kept [][][]byte
	if len(via) > 0 && clean(via) {
		kept = append(kept, via)
		if _, err := sip.ParseMessage(build(kept)); err != nil {
			kept = nil
		}
	}
	for _, set := range [][][]byte{from, to, callID, cseq} {
		if len(set) == 0 || !clean(set[:1]) {
			continue
		}
		set = set[:1]
		try := append(append([][][]byte{}, kept...), set)
		if _, err := sip.ParseMessage(build(try)); err == nil {
			kept = try
		}
	}
	return build(kept)
}

// clean reports whether header lines hold only printable text and HTAB.
func clean(lines [][]byte) bool {
	for _, l := range lines {
		for _, c := range l {
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return false
			}
		}
	}
	return true
}

// headerLines returns the header lines of a raw message, continuation
// lines unfolded into one (RFC 3261 §7.3.1), up to the empty line.
func headerLines(data []byte) [][]byte {
	var out [][]byte
	lines := bytes.Split(data, []byte("\n"))
	for i, line := range lines {
		if i == 0 {
			continue
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(out) > 0 {
			last := out[len(out)-1]
			out[len(out)-1] = append(append(last[:len(last):len(last)], ' '), bytes.TrimLeft(line, " \t")...)
			continue
		}
		out = append(out, line)
	}
	return out
}

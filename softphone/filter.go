package softphone

import (
	"bytes"
	"net"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// digestFor returns the account's digest credentials.
func digestFor(p *Phone) sipgo.DigestAuth {
	return sipgo.DigestAuth{Username: p.acct.authUser, Password: p.acct.cfg.Password}
}

// maxSIPMessage bounds what we parse; larger datagrams are refused.
const maxSIPMessage = 64 * 1024

// readFilter sees every datagram before sipgo parses it. sipgo silently
// drops what it cannot parse; we answer a malformed *request* with a
// stateless 400 Bad Request (RFC 3261 §8.2 and §16.3) so the sender stops
// retransmitting, and drop it.
func (p *Phone) readFilter(props sip.TransportReadProps, data []byte) ([]byte, error) {
	if len(bytes.Trim(data, "\r\n\x00")) == 0 {
		return data, nil
	}
	res, drop := CheckRequest(data)
	if !drop {
		return data, nil
	}
	if res != nil && props.RemoteAddr != nil {
		if pc, ok := p.udpConn(); ok {
			_, _ = pc.WriteTo(res, props.RemoteAddr)
		}
	}
	p.log.Debug("dropped malformed SIP message", "source", props.RemoteAddr, "bytes", len(data))
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

// CheckRequest parses one SIP message. It returns drop=false when the
// message is well formed (or is a response, which is never answered).
// For a malformed request it returns drop=true and, when enough headers
// survive to address a reply, the bytes of a 400 Bad Request.
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
		if req.Via() != nil && req.CSeq() != nil && req.CallID() != nil && req.From() != nil && req.To() != nil {
			return nil, false
		}
		// Parsed but missing mandatory headers: sipgo itself answers 400
		// when it can build a transaction key; leave it to it.
		return nil, false
	}
	if bytes.HasPrefix(data, []byte("SIP/")) {
		return nil, true // broken response: drop silently
	}
	return badRequestFor(data), true
}

// badRequestFor builds a 400 from the raw lines of a request that failed
// to parse, copying Via, From, To, Call-ID and CSeq verbatim when present
// (RFC 3261 §8.2.6.2).
func badRequestFor(data []byte) []byte {
	var via, from, to, callID, cseq [][]byte
	lines := bytes.Split(data, []byte("\n"))
	for i, line := range lines {
		if i == 0 {
			continue
		}
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			break
		}
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
	if len(via) == 0 {
		return nil // nowhere to send it
	}
	build := func(sets [][][]byte) []byte {
		var b bytes.Buffer
		b.WriteString("SIP/2.0 400 Bad Request\r\n")
		for _, set := range sets {
			for _, l := range set {
				b.Write(l)
				b.WriteString("\r\n")
			}
		}
		b.WriteString("Content-Length: 0\r\n\r\n")
		return b.Bytes()
	}
	// Keep only the copied headers that still parse: a broken CSeq or From
	// must not make our own reply malformed.
	kept := [][][]byte{via}
	if _, err := sip.ParseMessage(build(kept)); err != nil {
		return nil
	}
	for _, set := range [][][]byte{from, to, callID, cseq} {
		if len(set) == 0 {
			continue
		}
		try := append(append([][][]byte{}, kept...), set)
		if _, err := sip.ParseMessage(build(try)); err == nil {
			kept = try
		}
	}
	return build(kept)
}

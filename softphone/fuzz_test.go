package softphone

import (
	"testing"

	"github.com/emiago/sipgo/sip"
)

// FuzzIncomingSIP feeds arbitrary datagrams through the same path an
// incoming request takes before it reaches the transaction layer: the
// malformed-request check, then sipgo's parser and the header accessors
// the engine uses. Nothing may panic; a malformed request gets a 400.
func FuzzIncomingSIP(f *testing.F) {
	seeds := []string{
		"INVITE sip:carol@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK1\r\nFrom: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:carol@127.0.0.1>\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:5070>\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n",
		"INVITE sip:carol@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070\r\nCSeq: x INVITE\r\n\r\n",
		"BYE sip:x SIP/2.0\r\n\r\n",
		"SIP/2.0 200 OK\r\n\r\n",
		"NOTIFY sip:c@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nEvent: refer\r\nContent-Type: message/sipfrag\r\nContent-Length: 18\r\n\r\nSIP/2.0 180 Ringing",
		"\r\n\r\n",
		"GARBAGE",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reply, drop := CheckRequest(data)
		if drop && reply != nil {
			if _, err := sip.ParseMessage(reply); err != nil {
				t.Fatalf("our 400 reply does not parse: %v\n%q", err, reply)
			}
		}
		if drop {
			return
		}
		msg, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		if req, ok := msg.(*sip.Request); ok {
			_ = req.Source()
			_ = req.Via()
			_ = req.CallID()
			_ = req.To()
			_ = req.From()
			if h := req.GetHeader("Refer-To"); h != nil {
				_ = h.Value()
			}
			_, _, _ = parseSipfrag(req.Body())
			_, _ = parseInfoDTMF("application/dtmf-relay", req.Body())
		}
	})
}

// FuzzStreamFraming feeds arbitrary bytes to the TCP/TLS framing and the
// header normalisation in front of sipgo: nothing may panic, a framed
// message stays under the size limit, and normalising never changes the
// method, Call-ID, CSeq or body of a message. (sipgo accepts some garbage
// that it rejects once its white space is tidied; such a message gets a 400
// either way, so a normalised message may fail to parse.)
func FuzzStreamFraming(f *testing.F) {
	f.Add([]byte("OPTIONS sip:c@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bKx\r\nl: 3\r\n\r\nabcSIP/2.0 200 OK\r\n"))
	f.Add([]byte("INVITE sip:c@h SIP/2.0\r\nfrom : \"a \\\"\" <sip:a@h>\r\n ;\r\n tag = 1\r\nContent-Length: -1\r\n\r\n"))
	f.Add([]byte("\r\n\r\nINVITE sip:c@h SIP/2.0\r\nv: SIP / 2.0 / UDP h ; branch = z9hG4bK1 , SIP/2.0/UDP g\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if size, reason := frame(data); reason == "" && size > maxSIPMessage {
			t.Fatalf("framed %d bytes, over the %d limit", size, maxSIPMessage)
		}
		norm := normalizeHeaders(data)
		before, err := sip.ParseMessage(data)
		if err != nil {
			return
		}
		after, err := sip.ParseMessage(norm)
		if err != nil {
			return
		}
		if (before.CallID() == nil) != (after.CallID() == nil) || before.CallID() != nil && before.CallID().Value() != after.CallID().Value() {
			t.Fatalf("normalising changed the Call-ID\n%q\n%q", data, norm)
		}
		if (before.CSeq() == nil) != (after.CSeq() == nil) || before.CSeq() != nil && before.CSeq().Value() != after.CSeq().Value() {
			t.Fatalf("normalising changed the CSeq\n%q\n%q", data, norm)
		}
		if string(before.Body()) != string(after.Body()) {
			t.Fatalf("normalising changed the body")
		}
		if rb, ok := before.(*sip.Request); ok {
			ra := after.(*sip.Request)
			if rb.Method != ra.Method {
				t.Fatalf("method %q became %q", rb.Method, ra.Method)
			}
		}
	})
}

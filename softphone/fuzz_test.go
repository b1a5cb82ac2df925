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

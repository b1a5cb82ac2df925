package softphone_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/pitchline/pitchline/softphone"
)

// tortureCase is one entry of testdata/torture/manifest.json: a raw SIP
// request (RFC 4475 is the model) and the answer it must get.
type tortureCase struct {
	File   string `json:"file"`
	Status int    `json:"status"`
	Reason string `json:"reason"` // a substring of the reason phrase
	Note   string `json:"note"`
}

func loadTorture(t *testing.T) []tortureCase {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "torture", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []tortureCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "torture", "*", "*.sip"))
	if len(files) != len(cases) {
		t.Fatalf("manifest lists %d cases, testdata/torture holds %d .sip files", len(cases), len(files))
	}
	// Invalid ones first: no call may ring while they are sent.
	sort.SliceStable(cases, func(i, j int) bool {
		return strings.HasPrefix(cases[i].File, "invalid/") && !strings.HasPrefix(cases[j].File, "invalid/")
	})
	return cases
}

// TestTortureCorpus sends every message of the torture corpus over UDP and
// over TCP to a running engine in direct (unregistered) mode, as
// `pitchline answer --no-register` runs it, and checks the answer: a
// malformed request gets a 400 naming its problem and never rings; a valid
// but unusual one is answered like any other.
func TestTortureCorpus(t *testing.T) {
	cases := loadTorture(t)
	p, ev := startCarol(t)

	for _, transport := range []string{"udp", "tcp"} {
		ringsFrom := ev.mark()
		checkedRings := false
		for i, c := range cases {
			if !checkedRings && !strings.HasPrefix(c.File, "invalid/") {
				noRing(t, ev, ringsFrom, transport)
				checkedRings = true
			}
			name := transport + "/" + strings.TrimSuffix(c.File, ".sip")
			t.Run(name, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join("testdata", "torture", c.File))
				if err != nil {
					t.Fatal(err)
				}
				data = []byte(strings.ReplaceAll(string(data), "{run}", fmt.Sprintf("%s%d", transport, i)))
				from := ev.mark()
				ex := dialSIP(t, transport, p.LocalAddr())
				ex.send(t, data)
				res := ex.answer(t)
				if res.StatusCode != c.Status || !strings.Contains(res.Reason, c.Reason) {
					t.Fatalf("%s (%s): got %d %q, want %d with %q in the reason", c.File, c.Note, res.StatusCode, res.Reason, c.Status, c.Reason)
				}
				if c.Status == sip.StatusRinging {
					// Ringing is a real incoming call: turn it down and
					// see the final answer arrive.
					ce := ev.callState(t, from, "", softphone.CallIncoming, 15*time.Second)
					call, err := p.Call(ce.CallID)
					if err != nil {
						t.Fatal(err)
					}
					if err := call.Reject(true); err != nil {
						t.Fatal(err)
					}
					fin := ex.answer(t)
					if fin.StatusCode != sip.StatusBusyHere {
						t.Fatalf("after Reject: got %d %q, want 486", fin.StatusCode, fin.Reason)
					}
					// ACK the 486 as a UAC must (RFC 3261 §17.1.1.3): the
					// engine ends the call once the INVITE transaction
					// has its ACK, and the subtest waits for that, so no
					// teardown is left running into later subtests or
					// the phone's Close (-race saw that overlap).
					ex.send(t, ackFor(t, data, fin))
					ev.callState(t, from, ce.CallID, softphone.CallEnded, 15*time.Second)
				}
			})
		}
		if !checkedRings {
			noRing(t, ev, ringsFrom, transport)
		}
	}
}

// noRing fails if any call rang since from.
func noRing(t *testing.T, ev *events, from int, transport string) {
	t.Helper()
	ev.mu.Lock()
	defer ev.mu.Unlock()
	for _, e := range ev.list[from:] {
		if ce, ok := e.(softphone.CallEvent); ok {
			t.Errorf("an invalid request over %s created a call: %+v", transport, ce)
		}
	}
}

// sipExchange is a raw SIP client socket that reads responses.
type sipExchange struct {
	udp    net.PacketConn
	tcp    net.Conn
	stream *sip.ParserStream
	queue  []*sip.Response
	to     net.Addr
}

// ackFor builds the ACK for a non-2xx final response res to the INVITE in
// req (RFC 3261 §17.1.1.3): the INVITE's Request-URI, the response's top
// Via (the INVITE's own), From, To with its tag, Call-ID, and the CSeq
// number with method ACK.
func ackFor(t *testing.T, req []byte, res *sip.Response) []byte {
	t.Helper()
	line, _, _ := strings.Cut(string(req), "\n")
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "INVITE" {
		t.Fatalf("ackFor: not an INVITE request line: %q", line)
	}
	via, from, to, cid, cseq := res.Via(), res.From(), res.To(), res.CallID(), res.CSeq()
	if via == nil || from == nil || to == nil || cid == nil || cseq == nil {
		t.Fatalf("ackFor: response lacks a header: %s", res)
	}
	return []byte(fmt.Sprintf("ACK %s SIP/2.0\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %d ACK\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
		f[1], via.Value(), from.Value(), to.Value(), cid.Value(), cseq.SeqNo))
}

func dialSIP(t *testing.T, transport, addr string) *sipExchange {
	t.Helper()
	ex := &sipExchange{}
	var err error
	if transport == "udp" {
		ex.udp, err = net.ListenPacket("udp", "127.0.0.1:0")
		if err == nil {
			ex.to, err = net.ResolveUDPAddr("udp", addr)
		}
	} else {
		ex.tcp, err = net.DialTimeout("tcp", addr, 10*time.Second)
		ex.stream = sip.NewParser().NewSIPStream()
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if ex.udp != nil {
			ex.udp.Close()
		}
		if ex.tcp != nil {
			ex.tcp.Close()
		}
	})
	return ex
}

func (ex *sipExchange) send(t *testing.T, data []byte) {
	t.Helper()
	var err error
	if ex.udp != nil {
		_, err = ex.udp.WriteTo(data, ex.to)
	} else {
		_, err = ex.tcp.Write(data)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// answer returns the next response that is not 100 Trying. The deadline
// only bounds the wait on a busy machine.
func (ex *sipExchange) answer(t *testing.T) *sip.Response {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	buf := make([]byte, 65536)
	for {
		for len(ex.queue) > 0 {
			res := ex.queue[0]
			ex.queue = ex.queue[1:]
			if res.StatusCode != sip.StatusTrying {
				return res
			}
		}
		var n int
		var err error
		if ex.udp != nil {
			_ = ex.udp.SetReadDeadline(deadline)
			n, _, err = ex.udp.ReadFrom(buf)
		} else {
			_ = ex.tcp.SetReadDeadline(deadline)
			n, err = bufio.NewReader(ex.tcp).Read(buf)
		}
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		if ex.udp != nil {
			msg, err := sip.ParseMessage(buf[:n])
			if err != nil {
				t.Fatalf("unparsable answer %q: %v", buf[:n], err)
			}
			if res, ok := msg.(*sip.Response); ok {
				ex.queue = append(ex.queue, res)
			}
			continue
		}
		err = ex.stream.ParseSIPStream(buf[:n], func(msg sip.Message) {
			if res, ok := msg.(*sip.Response); ok {
				ex.queue = append(ex.queue, res)
			}
		})
		if err != nil && err != sip.ErrParseSipPartial {
			t.Fatalf("unparsable answer %q: %v", buf[:n], err)
		}
	}
}

package benchlab

import (
	"errors"
	"testing"
	"time"
)

// sampleTrace is the shape sipp 3.6 writes with -trace_msg (copied from a
// run of the dialer benchmark, bodies shortened).
const sampleTrace = "----------------------------------------------- 2026-12-05\t09:15:18.453425\n" +
	"UDP message received [653] bytes :\n\nINVITE sip:c0003@127.0.0.1:39806 SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:5060\n\n" +
	"----------------------------------------------- 2026-12-05\t09:15:18.453647\n" +
	"UDP message sent (319 bytes):\n\nSIP/2.0 180 Ringing\n\n" +
	"----------------------------------------------- 2026-12-05\t09:15:18.456251\n" +
	"UDP message received [654] bytes :\n\nINVITE sip:c0005@127.0.0.1:56913 SIP/2.0\n\n" +
	"----------------------------------------------- 2026-12-05\t09:15:18.950000\n" +
	"UDP message received [654] bytes :\n\nINVITE sip:c0003@127.0.0.1:39806 SIP/2.0\n\n" + // a retransmission
	"----------------------------------------------- 2026-12-05\t09:15:19.000001\n" +
	"UDP message sent (654 bytes):\n\nINVITE sip:c0009@127.0.0.1:5060 SIP/2.0\n\n" + // sent, not received
	"----------------------------------------------- 2026-12-05\t09:15:19.100000\n" +
	"UDP message received [352] bytes :\n\nBYE sip:sipp@127.0.0.1:39806;transport=UDP SIP/2.0\n"

func TestParseSippInvites(t *testing.T) {
	got, err := ParseSippInvites([]byte(sampleTrace), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]time.Time{
		"c0003": time.Date(2026, 12, 5, 9, 15, 18, 453425000, time.UTC),
		"c0005": time.Date(2026, 12, 5, 9, 15, 18, 456251000, time.UTC),
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for u, w := range want {
		if !got[u].Equal(w) {
			t.Errorf("%s: %v, want %v", u, got[u], w)
		}
	}
	bad := "----------------------------------------------- 2026-13-45\t09:15:18.453425\n"
	if _, err := ParseSippInvites([]byte(bad), time.UTC); !errors.Is(err, ErrParse) {
		t.Errorf("bad stamp: %v, want ErrParse", err)
	}
}

func FuzzParseSippInvites(f *testing.F) {
	f.Add([]byte(sampleTrace))
	f.Add([]byte("----------------------------------------------- 2026-12-05\t09:15:18.4\nUDP message received [1] bytes :\nINVITE sip:@\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ParseSippInvites(data, time.UTC)
		if err != nil && got != nil {
			t.Fatal("a result with an error")
		}
		for _, ts := range got {
			if ts.IsZero() {
				t.Fatal("an INVITE without a stamp")
			}
		}
	})
}

package media

import (
	"testing"
	"time"

	"github.com/pion/rtcp"
)

// ntpMiddleAt returns a time whose NTP timestamp has the middle 32 bits mid
// (16 bits of seconds, 16 bits of fraction), as the "A" of RFC 3550 §6.4.1.
func ntpMiddleAt(t *testing.T, mid uint32) time.Time {
	t.Helper()
	const base = 1_700_000_000 // a Unix second in 2023
	sec := int64(base) - (int64(base)+ntpEpochOffset)%65536 + int64(mid>>16)
	// Round the fraction up so that toNTP, which truncates, gives it back.
	frac := (time.Duration(mid&0xffff)*time.Second + 65535) / 65536
	at := time.Unix(sec, int64(frac))
	if got := uint32(toNTP(at) >> 16); got != mid {
		t.Fatalf("ntpMiddleAt(%#x) = %v with middle bits %#x", mid, at, got)
	}
	return at
}

// TestRTTFromReceptionReport feeds reception reports with known LSR and DLSR
// (RFC 3550 §6.4.1: RTT = A - LSR - DLSR) and checks the round trip computed.
func TestRTTFromReceptionReport(t *testing.T) {
	const ssrc = 0x5eed1234
	cases := []struct {
		name         string
		a, lsr, dlsr uint32
		want         time.Duration
	}{
		// The worked example of RFC 3550 §6.4.1 (Figure 2): A 46864.500 s,
		// LSR 46853.125 s, DLSR 5.250 s.
		{"rfc3550 example", 0xb7108000, 0xb7052000, 0x00054000, 6125 * time.Millisecond},
		// About 20 ms on the wire (0x051e/65536 s), 80 ms held by the peer.
		{"short", 0x00641999, 0x00640001, 0x147a, 0x051e * time.Second / 65536},
		// A wrapped past 2^32 (NTP era of the middle bits) after LSR.
		{"wrap", 0x00010000, 0xffff8000, 0x00004000, 1250 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Session{}
			s.sendSSRC.Store(ssrc)
			s.processReports(ntpMiddleAt(t, tc.a), []rtcp.ReceptionReport{{SSRC: ssrc, LastSenderReport: tc.lsr, Delay: tc.dlsr}})
			s.rtcpMu.Lock()
			got, ok := s.rtcp.rtt, s.rtcp.haveRTT
			s.rtcpMu.Unlock()
			if !ok || got != tc.want {
				t.Errorf("RTT = %v (have %v), want %v", got, ok, tc.want)
			}
		})
	}
}

// TestRTTIgnoresUnusableReports: a report about another source, one without
// an SR (LSR 0) and one whose DLSR exceeds A - LSR leave the RTT as it was.
func TestRTTIgnoresUnusableReports(t *testing.T) {
	const ssrc = 0x5eed1234
	s := &Session{}
	s.sendSSRC.Store(ssrc)
	now := ntpMiddleAt(t, 0xb7108000)
	s.processReports(now, []rtcp.ReceptionReport{
		{SSRC: ssrc + 1, LastSenderReport: 0xb7052000, Delay: 0x00054000}, // another source
		{SSRC: ssrc, LastSenderReport: 0, Delay: 0},                       // no SR received yet
		{SSRC: ssrc, LastSenderReport: 0xb7052000, Delay: 0x00100000},     // DLSR > A - LSR
	})
	if s.rtcp.haveRTT {
		t.Fatalf("RTT %v from unusable reports", s.rtcp.rtt)
	}
	s.processReports(now, []rtcp.ReceptionReport{{SSRC: ssrc, LastSenderReport: 0xb7052000, Delay: 0x00054000}})
	s.processReports(now, []rtcp.ReceptionReport{{SSRC: ssrc, LastSenderReport: 0xb7052000, Delay: 0x00100000}})
	if want := 6125 * time.Millisecond; !s.rtcp.haveRTT || s.rtcp.rtt != want {
		t.Fatalf("RTT %v (have %v), want %v kept", s.rtcp.rtt, s.rtcp.haveRTT, want)
	}
}

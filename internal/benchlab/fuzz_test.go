package benchlab

import (
	"testing"
)

func FuzzParseStat(f *testing.F) {
	f.Add([]byte(statLine))
	f.Add([]byte("1 (init) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 10 1 1"))
	f.Add([]byte("1 ((((() S 0"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStat(b)
		if err != nil {
			return
		}
		if s.PID <= 0 || s.User < 0 || s.Sys < 0 || s.CPU() < s.User {
			t.Fatalf("accepted %q as %+v", b, s)
		}
	})
}

func FuzzParseStatus(f *testing.F) {
	f.Add([]byte("VmHWM:\t    1800 kB\nVmRSS:\t    1700 kB\n"))
	f.Add([]byte("Name:\tz\nState:\tZ (zombie)\n"))
	f.Add([]byte("VmHWM:1 kB\nVmRSS:"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseStatus(b)
		if err == nil && (st.HWMKiB < 0 || st.RSSKiB < 0) {
			t.Fatalf("accepted %q as %+v", b, st)
		}
	})
}

func FuzzSIPMethod(f *testing.F) {
	f.Add([]byte("INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: x\r\n\r\n"))
	f.Add([]byte("SIP/2.0 200 OK\r\n"))
	f.Add([]byte("\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, req, err := SIPMethod(b)
		if err != nil && (m != "" || req) {
			t.Fatalf("error with a result: %q %v", m, req)
		}
		if req && m == "" {
			t.Fatalf("request without a method for %q", b)
		}
	})
}

package testlab

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSippDirectInviteOutcomes(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, WithoutTLS())

	// Rejected: Kamailio challenges an unauthenticated INVITE with 407.
	res := RunSipp(t, SippArgs{Scenario: SippDirectInvite, Remote: k.Addr(), Service: "carol"})
	if !res.OK() || res.Successful != 1 || res.Received[407] != 1 {
		t.Fatalf("rejected INVITE must count as success with a 407: %s\n%s", res.Summary(), res.Errors)
	}

	// Dropped: nothing listens on the target port.
	silent := FreePort(t, "udp")
	start := time.Now()
	res = RunSipp(t, SippArgs{Scenario: SippDirectInvite, Remote: LoopbackIP + ":" + strconv.Itoa(silent),
		Service: "carol", NoAnswerTimeout: 500 * time.Millisecond})
	if !res.OK() || res.Successful != 1 || len(res.Received) != 0 {
		t.Fatalf("unanswered INVITE must count as success with no response: %s", res.Summary())
	}
	if d := time.Since(start); d < 500*time.Millisecond {
		t.Fatalf("no-answer wait ended after %v, before NoAnswerTimeout", d)
	}

	// Answered: a UAS accepts the call, so the scanner "got through".
	uas := StartSipp(t, SippArgs{Scenario: SippUAS, Calls: 1})
	res = RunSipp(t, SippArgs{Scenario: SippDirectInvite, Remote: uas.Addr(), Service: "carol"})
	if res.OK() || res.ExitCode != 1 || res.Failed != 1 || res.Received[200] < 1 {
		t.Fatalf("answered INVITE must be a failed call: %s", res.Summary())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ures, err := uas.Wait(ctx); err != nil || ures.ReceivedRequests["BYE"] != 1 {
		t.Fatalf("answered scanner call must be torn down with BYE: %s %v", ures.Summary(), err)
	}
}

func TestSippMalformedAndGarbage(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, WithoutTLS())
	for _, sc := range []SippScenario{SippMalformedInvite, SippGarbage} {
		res := RunSipp(t, SippArgs{Scenario: sc, Remote: k.Addr(), Service: "carol",
			NoAnswerTimeout: 500 * time.Millisecond})
		if !res.OK() || res.Successful != 1 || res.Received[200] != 0 {
			t.Fatalf("%s: %s\n%s", sc, res.Summary(), res.Errors)
		}
		if !strings.Contains(res.Output, sc.String()) {
			t.Fatalf("%s: output does not show the command line", sc)
		}
		// Kamailio survived the bad input.
		if err := sipOptionsPing(k.Addr(), time.Second); err != nil {
			t.Fatalf("after %s: %v", sc, err)
		}
	}
	if !strings.Contains(k.Log(), "malformed request") && !strings.Contains(k.Log(), "ERROR") {
		t.Fatalf("Kamailio did not notice the malformed input:\n%s", k.Log())
	}
}

func TestSippArgsValidation(t *testing.T) {
	for _, tc := range []struct {
		name string
		args SippArgs
		want string
	}{
		{"no scenario", SippArgs{Remote: "127.0.0.1:5060"}, "no scenario"},
		{"no remote", SippArgs{Scenario: SippUACAuth}, "needs Remote"},
		{"off-box remote", SippArgs{Scenario: SippUACAuth, Remote: "192.0.2.1:5060"}, "is not on"},
		{"bad remote", SippArgs{Scenario: SippUACAuth, Remote: "nope"}, "Remote"},
		{"bad transport", SippArgs{Scenario: SippUAS, Transport: "sctp"}, "transport"},
		{"unknown scenario", SippArgs{Scenario: "nope.xml", Remote: "127.0.0.1:5060"}, "unknown scenario"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := prepareSipp(t, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestSippEmbeddedScenariosRender(t *testing.T) {
	for _, sc := range []SippScenario{SippRegister, SippUACAuth, SippUAS, SippDirectInvite, SippMalformedInvite, SippGarbage} {
		s, err := prepareSipp(t, SippArgs{Scenario: sc, Remote: "127.0.0.1:5060"})
		if err != nil {
			t.Fatalf("%s: %v", sc, err)
		}
		b, err := os.ReadFile(filepath.Join(s.dir, sc.String()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "{{") || !strings.Contains(string(b), "</scenario>") {
			t.Fatalf("%s rendered badly", sc)
		}
		argv := strings.Join(s.commandLine(), " ")
		for _, want := range []string{"-nostdin", "-i 127.0.0.1", "-trace_stat", "-key caller sipp"} {
			if !strings.Contains(argv, want) {
				t.Fatalf("%s: command line %q lacks %q", sc, argv, want)
			}
		}
	}
}

const sampleStats = "StartTime;LastResetTime;CurrentTime;ElapsedTime(P);ElapsedTime(C);TargetRate;SuccessfulCall(P);SuccessfulCall(C);FailedCall(P);FailedCall(C);FailedTimeoutOnRecv(C);CallLength(C);\n" +
	"2026-11-21\t13:39:20.766967\t1795268360.766967;x;y;00:00:00;00:00:00;10;0;0;0;0;0;00:00:00:000000;\n" +
	"2026-11-21\t13:39:20.766967\t1795268360.766967;x;y;00:00:00;00:00:00;10;2;18;0;2;2;00:00:00:004000;\n"

func TestParseSippStats(t *testing.T) {
	st, err := ParseSippStats([]byte(sampleStats))
	if err != nil {
		t.Fatal(err)
	}
	if st["SuccessfulCall"] != 18 || st["FailedCall"] != 2 || st["FailedTimeoutOnRecv"] != 2 {
		t.Fatalf("stats = %v", st)
	}
	if _, ok := st["CallLength"]; ok {
		t.Fatal("non-integer column must be skipped")
	}
	for _, bad := range []string{"", "a;b\n", "Foo(C);\n1;\n"} {
		if _, err := ParseSippStats([]byte(bad)); err == nil {
			t.Fatalf("ParseSippStats(%q) must fail", bad)
		}
	}
}

func TestParseSippScreenAndMessages(t *testing.T) {
	screen := "  Successful call        |        0                  |        2                 \n" +
		"  Failed call            |        0                  |        0                 \n" +
		"  Successful call        |        1                  |        20                \n" +
		"  Failed call            |        0                  |        3                 \n"
	if s, f := ParseSippScreen([]byte(screen)); s != 20 || f != 3 {
		t.Fatalf("screen = %d/%d", s, f)
	}
	msgs := "----- x\nUDP message received [310] bytes :\n\nSIP/2.0 180 Ringing\nVia: x\n\n" +
		"----- y\nUDP message sent (10 bytes):\n\nINVITE sip:a@b SIP/2.0\n\n" +
		"----- z\nTCP message received [10] bytes :\n\nBYE sip:a@b SIP/2.0\n" +
		"----- w\nUDP message received [10] bytes :\n\nSIP/2.0 407 Proxy Authentication Required\n" +
		"----- v\nUDP message received [10] bytes :\n\nSIP/2.0 407 Again\n"
	resp, req := ParseSippMessages([]byte(msgs))
	if resp[180] != 1 || resp[407] != 2 || len(resp) != 2 || req["BYE"] != 1 || len(req) != 1 {
		t.Fatalf("responses %v requests %v", resp, req)
	}
}

func FuzzParseSippStats(f *testing.F) {
	f.Add([]byte(sampleStats))
	f.Add([]byte("SuccessfulCall(C)\n-1\n"))
	f.Add([]byte(";;;;\n;;;\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := ParseSippStats(b)
		if err == nil && st == nil {
			t.Fatal("nil stats without error")
		}
	})
}

func FuzzParseSippMessages(f *testing.F) {
	f.Add([]byte("UDP message received [3] bytes :\n\nSIP/2.0 200 OK\n"))
	f.Add([]byte("UDP message received [3] bytes :\n\nINVITE sip:x SIP/2.0\n"))
	f.Add([]byte("UDP message received [3] bytes :\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, req := ParseSippMessages(b)
		for code, n := range resp {
			if code < 100 || code > 699 || n < 1 {
				t.Fatalf("bad response count %d:%d", code, n)
			}
		}
		for m, n := range req {
			if !isSIPToken(m) || n < 1 {
				t.Fatalf("bad request count %q:%d", m, n)
			}
		}
	})
}

func FuzzParseSippScreen(f *testing.F) {
	f.Add([]byte("  Successful call |   0 |   2\n  Failed call | 0 | 1\n"))
	f.Add([]byte("|||\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseSippScreen(b)
	})
}

func TestSippOverTCPThroughKamailio(t *testing.T) {
	t.Parallel()
	k := StartKamailio(t, WithoutTLS())
	uas := StartSipp(t, SippArgs{Scenario: SippUAS, Calls: 2})
	reg := SippRegisterArgs(k.Addr(), "bob", "bobpw", uas.Port(), 300)
	reg.Transport = "tcp"
	if res := RunSipp(t, reg); !res.OK() {
		t.Fatalf("REGISTER over TCP: %s", res.Summary())
	}
	res := RunSipp(t, SippArgs{Scenario: SippUACAuth, Remote: k.Addr(), Transport: "tcp",
		Service: "bob", AuthUser: "carol", AuthPass: "carolpw", Calls: 2})
	if !res.OK() || res.Successful != 2 {
		t.Fatalf("calls over TCP: %s\n%s", res.Summary(), res.Errors)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if ures, err := uas.Wait(ctx); err != nil || ures.Successful != 2 {
		t.Fatalf("UAS (UDP) behind the TCP caller: %s %v", ures.Summary(), err)
	}
	if !strings.Contains(k.Log(), "/tcp") {
		t.Fatal("Kamailio log shows no TCP request")
	}
}

package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

type codedErr struct{ code string }

func (e codedErr) Error() string     { return "coded failure" }
func (e codedErr) ErrorCode() string { return e.code }

func TestErrorFormatter(t *testing.T) {
	errBusy := errors.New("line busy")
	f := NewErrorFormatter(map[error]string{errBusy: "busy"})
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"registered sentinel", fmt.Errorf("dial: %w", errBusy), "busy"},
		{"package sentinel", ErrNotStarted, CodeNotStarted},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), CodeCanceled},
		{"deadline", context.DeadlineExceeded, CodeTimeout},
		{"coder", fmt.Errorf("w: %w", codedErr{"no_account"}), "no_account"},
		{"coder without code", codedErr{""}, CodeInternal},
		{"unknown", errors.New("disk on fire"), CodeInternal},
	}
	for _, tc := range cases {
		got, ok := f.Format(tc.err).(ErrorPayload)
		if !ok || got.Code != tc.code || got.Detail != tc.err.Error() || got.Message == "" || got.Message == tc.err.Error() {
			t.Errorf("%s: Format = %#v, want code %q, a sentence and the error as detail", tc.name, got, tc.code)
		}
	}
	pass := ErrorPayload{Code: "x", Message: "y"}
	if got := f.Format(fmt.Errorf("w: %w", pass)); got != pass {
		t.Errorf("payload passthrough: %#v", got)
	}
	if got := f.Format(nil); got != nil {
		t.Errorf("Format(nil) = %#v, want nil", got)
	}
	var zero ErrorFormatter
	if got := zero.Payload(ErrInvalidArgument); got.Code != CodeInvalidArgument {
		t.Errorf("zero formatter: %#v", got)
	}
	if got := (ErrorPayload{Code: "a", Message: "b"}).Error(); got != "a: b" {
		t.Errorf("ErrorPayload.Error = %q", got)
	}
}

// nxdomainServer answers every DNS query on a loopback UDP port with
// NXDOMAIN (RFC 1035 §4.1.1 RCODE 3) and returns its address.
func nxdomainServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { pc.Close(); <-done })
	go func() {
		defer close(done)
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			q := append([]byte(nil), buf[:n]...)
			q[2] = 0x81 | (q[2] & 0x01) // QR, opcode 0, RD copied
			q[3] = 0x83                 // RA, RCODE 3 NXDOMAIN
			_, _ = pc.WriteTo(q, from)
		}
	}()
	return pc.LocalAddr().String()
}

// resolverAt is a pure-Go resolver that asks only addr.
func resolverAt(addr string) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "udp", addr)
	}}
}

// closedPort returns a loopback TCP address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestClassifyRealErrors classifies real failures: a DNS lookup answered
// NXDOMAIN, one sent to a closed port, a refused TCP connection, a TLS
// server whose CA is unknown, and the chains the app builds around them
// (sipgo's transaction error, a CRM adapter's HTTP error).
func TestClassifyRealErrors(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, nxErr := resolverAt(nxdomainServer(t)).LookupHost(ctx, "registrar.example.test")
	if nxErr == nil {
		t.Fatal("lookup against the NXDOMAIN server succeeded")
	}
	udpClosed := func() string {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a := pc.LocalAddr().String()
		pc.Close()
		return a
	}()
	_, closedDNSErr := resolverAt(udpClosed).LookupHost(ctx, "pbx.example.test")
	if closedDNSErr == nil {
		t.Fatal("lookup against a closed port succeeded")
	}
	refusedAddr := closedPort(t)
	_, refused := net.DialTimeout("tcp", refusedAddr, 10*time.Second)
	if refused == nil {
		t.Fatal("dial to a closed port succeeded")
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	_, certErr := (&http.Client{Timeout: 20 * time.Second}).Get(srv.URL)
	if certErr == nil {
		t.Fatal("TLS server with an unknown CA accepted")
	}
	_, httpRefused := (&http.Client{Timeout: 20 * time.Second}).Get("http://" + refusedAddr + "/crm/v3/objects/calls")

	// Shaped like the chains softphone and sipgo build (register.go wraps
	// with %w, sipgo's transaction layer too).
	sipgoDNS := fmt.Errorf("%w: registrar pbx.example.test:5060: %w", softphone.ErrRegistrationFailed,
		fmt.Errorf("client transcation failed to request connection: %w",
			fmt.Errorf("fail to lookup SRV for %q: %w", "registrar.example.test", nxErr)))
	authFailed := fmt.Errorf("%w (%d %s from %s)", softphone.ErrAuthFailed, 403, "Forbidden", "pbx.example.test:5060")
	tokenRefused := crmErr(fmt.Errorf("hubspot: %w: %w", crm.ErrAuth, &crm.APIError{Status: 401, Code: "INVALID_AUTHENTICATION", Message: "Authentication credentials not found."}))
	crmDNS := crmErr(fmt.Errorf("hubspot: %w: %w", crm.ErrTransient, &url.Error{Op: "Post", URL: "https://api.hubapi.test/crm/v3/objects/calls", Err: nxErr}))
	duplicate := fmt.Errorf("%w: %w: outcome %q", ErrInvalidArgument, store.ErrDuplicate, "Busy")

	cases := []struct {
		name, code, host string
		err              error
	}{
		{"nxdomain", CodeDNS, "registrar.example.test", nxErr},
		{"dns server port closed", CodeDNS, "pbx.example.test", closedDNSErr},
		{"sipgo dns chain", CodeDNS, "registrar.example.test", sipgoDNS},
		{"connection refused", CodeConnRefused, refusedAddr, refused},
		{"http connection refused", CodeConnRefused, refusedAddr, httpRefused},
		{"unknown CA", CodeCertificate, "", certErr},
		{"wrong password", CodeAuthFailed, "", authFailed},
		{"crm token refused", CodeCRMAuth, "", tokenRefused},
		{"crm host not found", CodeDNS, "registrar.example.test", crmDNS},
		{"duplicate name", CodeDuplicate, "", duplicate},
		{"not registered", CodeNotRegistered, "", fmt.Errorf("%w: sip:a@b is failed: %w", ErrNotRegistered, authFailed)},
		{"timeout", CodeTimeout, "", fmt.Errorf("register: %w", context.DeadlineExceeded)},
		{"plain invalid argument", CodeInvalidArgument, "", fmt.Errorf("%w: a report covers at most 366 days", ErrInvalidArgument)},
		{"chained invalid argument", CodeInvalidArgument, "", fmt.Errorf("%w: %w", ErrInvalidArgument, softphone.ErrBadConfig)},
	}
	for _, tc := range cases {
		p := classifyError(tc.err)
		if p.Code != tc.code || (tc.host != "" && p.Host != tc.host) {
			t.Errorf("%s: code %q host %q, want %q %q (err: %v)", tc.name, p.Code, p.Host, tc.code, tc.host, tc.err)
		}
		if p.Detail != tc.err.Error() {
			t.Errorf("%s: detail %q, want the full error", tc.name, p.Detail)
		}
		if strings.Contains(p.Message, "{host}") || strings.ContainsAny(p.Message, "\n%") ||
			regexp.MustCompile(`\b(app|softphone|store|crm|hubspot|sync): |\b(dial|read|write|lookup) (tcp|udp|[a-z.]+ on )|"`).MatchString(p.Message) {
			t.Errorf("%s: message %q is not a plain sentence", tc.name, p.Message)
		}
		if tc.host != "" && !strings.Contains(p.Message, tc.host) {
			t.Errorf("%s: message %q does not name %s", tc.name, p.Message, tc.host)
		}
	}
}

func TestPlainReason(t *testing.T) {
	p := classifyError(fmt.Errorf("%w: a report covers at most 366 days", ErrInvalidArgument))
	if p.Message != "A report covers at most 366 days." {
		t.Errorf("message %q", p.Message)
	}
	p = classifyError(fmt.Errorf("%w: %w", ErrInvalidArgument, softphone.ErrBadConfig))
	if p.Message != messages[CodeInvalidArgument] {
		t.Errorf("chained: message %q, want the generic sentence", p.Message)
	}
}

// TestEveryCodeHasASentence: each code the core can produce has its own
// English sentence (the frontend test checks its en and ja tables).
func TestEveryCodeHasASentence(t *testing.T) {
	for _, ec := range coreErrorCodes() {
		if _, ok := messages[ec.code]; !ok {
			t.Errorf("code %q has no message", ec.code)
		}
	}
}

func TestWailsLoggerLevels(t *testing.T) {
	a, buf := newTestApp(t)
	l := newWailsLogger(a.log)
	l.Print("p\n")
	l.Debug("d")
	l.Info("i")
	l.Warning("w")
	l.Error("e")
	for _, want := range []string{"level=INFO msg=p ", "level=DEBUG msg=d", "level=WARN msg=w", "level=ERROR msg=e", "source=wails"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("log lacks %q:\n%s", want, buf)
		}
	}
}

package webjoin_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone/webjoin"
)

const offer = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"

type closer struct{ n atomic.Int32 }

func (c *closer) Close() error { c.n.Add(1); return nil }

// recorder is a Handler that records joins and answers "answer-for:<call>".
type recorder struct {
	mu    sync.Mutex
	joins []webjoin.Join
	leave closer
	err   error
}

func (r *recorder) Join(_ context.Context, j webjoin.Join) (string, io.Closer, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return "", nil, r.err
	}
	r.joins = append(r.joins, j)
	return "answer-for:" + j.Link.Call, &r.leave, nil
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newServer(t *testing.T, h webjoin.Handler, opts ...webjoin.Option) *webjoin.Server {
	t.Helper()
	s, err := webjoin.New("127.0.0.1:0", h, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func do(t *testing.T, c *http.Client, method, url, ctype, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func whipURL(link string) string { return strings.Replace(link, "/join/", "/whip/", 1) }

func TestJoinLinkLifecycle(t *testing.T) {
	h := &recorder{}
	s := newServer(t, h)
	link, err := s.CreateLink("call-42", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "http://127.0.0.1:") || !strings.Contains(link, "/join/") {
		t.Fatalf("link %q", link)
	}
	c := http.DefaultClient

	resp, body := do(t, c, "GET", link, "", "")
	if resp.StatusCode != 200 || !strings.Contains(body, "Join the call") || !strings.Contains(body, "/assets/join.js") {
		t.Fatalf("join page: %d %q", resp.StatusCode, body)
	}
	for _, hd := range []string{"Content-Security-Policy", "Referrer-Policy", "Cache-Control"} {
		if resp.Header.Get(hd) == "" {
			t.Errorf("join page lacks %s", hd)
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	resp, js := do(t, c, "GET", s.URL()+"/assets/join.js", "", "")
	if resp.StatusCode != 200 || !strings.Contains(js, "application/sdp") || strings.Contains(js, "https://") {
		t.Fatalf("join.js: %d", resp.StatusCode)
	}

	if resp, _ := do(t, c, "POST", whipURL(link), "text/plain", offer); resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain offer: %d, want 415", resp.StatusCode)
	}
	if resp, _ := do(t, c, "POST", whipURL(link), "application/sdp", strings.Repeat("a", webjoin.MaxOfferSize+1)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversized offer: %d, want 413", resp.StatusCode)
	}
	resp, answer := do(t, c, "POST", whipURL(link), "application/sdp; charset=utf-8", offer)
	if resp.StatusCode != http.StatusCreated || answer != "answer-for:call-42" || resp.Header.Get("Content-Type") != "application/sdp" {
		t.Fatalf("offer: %d %q %q", resp.StatusCode, answer, resp.Header.Get("Content-Type"))
	}
	loc := resp.Header.Get("Location")
	if !strings.HasPrefix(loc, "/whip/session/") {
		t.Fatalf("Location %q", loc)
	}
	h.mu.Lock()
	if len(h.joins) != 1 || h.joins[0].OfferSDP != offer || h.joins[0].Link.Call != "call-42" {
		t.Errorf("joins %+v", h.joins)
	}
	h.mu.Unlock()

	// Single use: the page and the endpoint now say "used" (410).
	if resp, body := do(t, c, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already been used") {
		t.Errorf("second offer: %d %q", resp.StatusCode, body)
	}
	if resp, body := do(t, c, "GET", link, "", ""); resp.StatusCode != http.StatusGone || !strings.Contains(body, "already used") {
		t.Errorf("used page: %d %q", resp.StatusCode, body)
	}

	if resp, _ := do(t, c, "DELETE", s.URL()+loc, "", ""); resp.StatusCode != 200 || h.leave.n.Load() != 1 {
		t.Errorf("DELETE: %d, closed %d times", resp.StatusCode, h.leave.n.Load())
	}
	if resp, _ := do(t, c, "DELETE", s.URL()+loc, "", ""); resp.StatusCode != 404 || h.leave.n.Load() != 1 {
		t.Errorf("second DELETE: %d, closed %d times", resp.StatusCode, h.leave.n.Load())
	}
}

func TestJoinLinkExpires(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := &recorder{}
	s := newServer(t, h, webjoin.WithClock(clk.now))
	link, err := s.CreateLink("c", 0)
	if err != nil {
		t.Fatal(err)
	}
	clk.add(webjoin.DefaultTTL - time.Second)
	if resp, _ := do(t, http.DefaultClient, "GET", link, "", ""); resp.StatusCode != 200 {
		t.Fatalf("before expiry: %d", resp.StatusCode)
	}
	clk.add(time.Second)
	if resp, body := do(t, http.DefaultClient, "GET", link, "", ""); resp.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
		t.Errorf("expired page: %d %q", resp.StatusCode, body)
	}
	if resp, _ := do(t, http.DefaultClient, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != http.StatusGone {
		t.Errorf("expired offer: %d", resp.StatusCode)
	}
	if len(h.joins) != 0 {
		t.Errorf("handler called for an expired link")
	}
}

func TestUnknownAndMalformedTokens(t *testing.T) {
	s := newServer(t, &recorder{})
	link, _ := s.CreateLink("c", time.Minute)
	tok := link[strings.LastIndex(link, "/")+1:]
	other := []byte(tok)
	other[0] ^= 1 // a well-formed token nobody issued
	if other[0] == '-' || other[0] == '_' {
		other[0] = 'A'
	}
	for _, p := range []string{"/join/" + string(other), "/join/short", "/join/" + tok + "x", "/join/" + strings.Repeat("%21", 43), "/nothing", "/"} {
		resp, body := do(t, http.DefaultClient, "GET", s.URL()+p, "", "")
		if resp.StatusCode != 404 || !strings.Contains(body, "not valid") {
			t.Errorf("GET %s: %d %q", p, resp.StatusCode, body)
		}
	}
}

func TestHandlerErrorKeepsLink(t *testing.T) {
	h := &recorder{err: fmt.Errorf("no audio: %w", webjoin.ErrBadOffer)}
	s := newServer(t, h)
	link, _ := s.CreateLink("c", 0)
	if resp, _ := do(t, http.DefaultClient, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != 400 {
		t.Errorf("bad offer: %d, want 400", resp.StatusCode)
	}
	h.err = errors.New("call ended")
	if resp, _ := do(t, http.DefaultClient, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != 503 {
		t.Errorf("handler failure: %d, want 503", resp.StatusCode)
	}
	h.err = nil
	if resp, _ := do(t, http.DefaultClient, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != 201 {
		t.Errorf("retry after failures: %d, want 201", resp.StatusCode)
	}
}

func TestNetworkSafety(t *testing.T) {
	h := &recorder{}
	cases := []struct {
		addr string
		opts []webjoin.Option
		want error
	}{
		{"192.0.2.10:8443", nil, webjoin.ErrNotLoopback},
		{"192.0.2.10:8443", []webjoin.Option{webjoin.WithLAN()}, webjoin.ErrTLSRequired},
		{"0.0.0.0:8443", []webjoin.Option{webjoin.WithLAN()}, webjoin.ErrInvalidConfig},
		{"localhost:80", nil, webjoin.ErrInvalidConfig},
		{"127.0.0.1:0", []webjoin.Option{webjoin.WithTLS("/nonexistent.pem", "/nonexistent.key")}, webjoin.ErrInvalidConfig},
		{"127.0.0.1:0", []webjoin.Option{webjoin.WithTLS("", "")}, webjoin.ErrInvalidConfig},
	}
	for _, c := range cases {
		s, err := webjoin.New(c.addr, h, c.opts...)
		if err == nil {
			s.Close()
		}
		if !errors.Is(err, c.want) {
			t.Errorf("New(%s): %v, want %v", c.addr, err, c.want)
		}
	}
	if _, err := webjoin.New("127.0.0.1:0", nil); !errors.Is(err, webjoin.ErrInvalidConfig) {
		t.Errorf("nil handler: %v", err)
	}
}

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	ca := testlab.NewTestCA(t, dir)
	cert := ca.IssueServer(t, dir, "join", "127.0.0.1")
	s := newServer(t, &recorder{}, webjoin.WithTLS(cert.CertFile, cert.KeyFile))
	link, err := s.CreateLink("c", 0)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(link, "https://127.0.0.1:") {
		t.Fatalf("link %q", link)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientTLSConfig("127.0.0.1")}}
	defer c.CloseIdleConnections()
	if resp, _ := do(t, c, "GET", link, "", ""); resp.StatusCode != 200 {
		t.Errorf("GET over TLS: %d", resp.StatusCode)
	}
	plain := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{}}}
	defer plain.CloseIdleConnections()
	if _, err := plain.Get(link); err == nil {
		t.Error("a client without the CA trusted the server")
	}
}

func TestCreateLinkAfterClose(t *testing.T) {
	s, err := webjoin.New("127.0.0.1:0", &recorder{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLink("c", 0); !errors.Is(err, webjoin.ErrClosed) {
		t.Errorf("CreateLink after Close: %v", err)
	}
	if _, err := s.CreateLink("c", -time.Second); err == nil {
		t.Error("negative ttl accepted")
	}
}

// TestLinkName: the name given to CreateLink reaches the Handler with the
// join; a name with a control character or too long is refused.
func TestLinkName(t *testing.T) {
	got := make(chan webjoin.Link, 1)
	srv, err := webjoin.New("127.0.0.1:0", webjoin.HandlerFunc(func(ctx context.Context, j webjoin.Join) (string, io.Closer, error) {
		got <- j.Link
		return "", nil, webjoin.ErrBadOffer
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, bad := range []string{"a\nb", strings.Repeat("x", webjoin.MaxNameLen+1)} {
		if _, err := srv.CreateLink("c1", 0, webjoin.WithName(bad)); !errors.Is(err, webjoin.ErrInvalidConfig) {
			t.Errorf("CreateLink name %q: %v, want ErrInvalidConfig", bad, err)
		}
	}
	u, err := srv.CreateLink("c1", 0, webjoin.WithName("Dana (laptop)"))
	if err != nil {
		t.Fatal(err)
	}
	tok := u[strings.LastIndex(u, "/")+1:]
	resp, err := http.Post(srv.URL()+"/whip/"+tok, "application/sdp", strings.NewReader("v=0\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if l := <-got; l.Call != "c1" || l.Name != "Dana (laptop)" {
		t.Errorf("handler got link %+v, want call c1 named Dana (laptop)", l)
	}
}

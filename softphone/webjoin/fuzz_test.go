package webjoin

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseToken: only tokens in newToken's exact shape are accepted, and
// they re-encode to themselves.
func FuzzParseToken(f *testing.F) {
	tok, _ := newToken()
	f.Add(tok)
	f.Add(strings.Repeat("A", TokenLen))
	f.Add(strings.Repeat("_", TokenLen))
	f.Add("")
	f.Add(tok + "=")
	f.Fuzz(func(t *testing.T, s string) {
		if _, err := parseToken(s); err == nil {
			b, derr := base64.RawURLEncoding.DecodeString(s)
			if derr != nil || len(b) != tokenBytes || base64.RawURLEncoding.EncodeToString(b) != s {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// FuzzServe sends arbitrary methods, paths, content types and bodies to the
// server's handler: it never panics, never answers 5xx (the handler here
// always succeeds), and only a valid unused token reaches the Handler.
func FuzzServe(f *testing.F) {
	joined := 0
	h := HandlerFunc(func(_ context.Context, j Join) (string, io.Closer, error) {
		joined++
		return "v=0\r\n", nopCloser{}, nil
	})
	s, err := New("127.0.0.1:0", h)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	link, err := s.CreateLink("c", 0)
	if err != nil {
		f.Fatal(err)
	}
	tok := link[strings.LastIndex(link, "/")+1:]
	f.Add("POST", "/whip/"+tok, "application/sdp", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")
	f.Add("GET", "/join/"+tok, "", "")
	f.Add("DELETE", "/whip/session/"+tok, "", "")
	f.Add("POST", "/whip/x", "application/sdp", "")
	f.Add("GET", "/assets/join.js", "", "")
	f.Add("GET", "/assets/../server.go", "", "")
	f.Add("PUT", "/join/"+tok, "application/sdp;;", "\x00")
	f.Fuzz(func(t *testing.T, method, path, ctype, body string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, " \r\n\x00?#%") {
			return
		}
		req, err := http.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", ctype)
		before := joined
		w := httptest.NewRecorder()
		s.srv.Handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s %s: %d %q", method, path, w.Code, w.Body.String())
		}
		if joined != before && (method != "POST" || path != "/whip/"+tok) {
			t.Fatalf("%s %s reached the handler", method, path)
		}
	})
}

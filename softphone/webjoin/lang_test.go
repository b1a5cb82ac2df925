package webjoin_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/softphone/webjoin"
)

// TestPageLanguage: the join page and the error pages are in Japanese when
// the link asks for it (?lang=ja) or the browser prefers it, else English;
// join.js gets the language from <html lang>.
func TestPageLanguage(t *testing.T) {
	s := newServer(t, &recorder{})
	link, err := s.CreateLink("call-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	get := func(url, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", url, nil)
		if accept != "" {
			req.Header.Set("Accept-Language", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp, b.String()
	}
	for _, tc := range []struct {
		name, url, accept, lang, text string
	}{
		{"default", link, "", "en", "Join the call"},
		{"lang parameter", link + "?lang=ja", "en-US", "ja", "通話に参加"},
		{"accept-language", link, "ja-JP,ja;q=0.9,en;q=0.8", "ja", "通話に参加"},
		{"first acceptable", link, "fr-FR, en-GB;q=0.8, ja;q=0.5", "en", "Join the call"},
		{"refused with q=0", link, "ja;q=0, en;q=0.5", "en", "Join the call"},
		{"unknown lang parameter", link + "?lang=xx", "ja", "ja", "通話に参加"},
		{"error page", strings.Replace(link, "/join/", "/join/x", 1) + "?lang=ja", "", "ja", "このリンクは使えません"},
	} {
		resp, body := get(tc.url, tc.accept)
		if !strings.Contains(body, `<html lang="`+tc.lang+`">`) || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d %q", tc.name, resp.StatusCode, body)
		}
		if got := resp.Header.Get("Content-Language"); got != tc.lang {
			t.Errorf("%s: Content-Language %q", tc.name, got)
		}
	}
}

// TestRevoke: a revoked link answers like an unknown one, and does not
// reach the handler; revoking twice or a malformed link is an error.
func TestRevoke(t *testing.T) {
	h := &recorder{}
	s := newServer(t, h)
	link, err := s.CreateLink("call-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	keep, err := s.CreateLink("call-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Revoke(link + "?lang=ja"); err != nil {
		t.Fatalf("Revoke: %v", err)
	}
	if resp, _ := do(t, http.DefaultClient, "GET", link, "", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoked page: %d", resp.StatusCode)
	}
	if resp, _ := do(t, http.DefaultClient, "POST", whipURL(link), "application/sdp", offer); resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoked offer: %d", resp.StatusCode)
	}
	if len(h.joins) != 0 {
		t.Errorf("handler called for a revoked link")
	}
	if resp, _ := do(t, http.DefaultClient, "GET", keep, "", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("the other link stopped working: %d", resp.StatusCode)
	}
	if err := s.Revoke(link); !errors.Is(err, webjoin.ErrUnknownLink) {
		t.Errorf("second Revoke: %v", err)
	}
	if err := s.Revoke("http://127.0.0.1/join/short"); !errors.Is(err, webjoin.ErrBadToken) {
		t.Errorf("Revoke of a malformed link: %v", err)
	}
}

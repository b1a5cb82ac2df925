package app

import (
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/internal/testlab"
)

// TestJoinLinkSettings: Settings → Join links refuses each bad setting
// with its own code and one sentence, changing nothing; a certificate and
// key make the next join link https:// on the saved address and port; the
// database keeps the two paths and never the key.
func TestJoinLinkSettings(t *testing.T) {
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	s := a.svcs.Conference
	code := func(err error) string {
		if err == nil {
			return ""
		}
		return a.ErrorFormatter().Payload(err).Code
	}
	dir := t.TempDir()
	ca := testlab.NewTestCA(t, dir)
	good := ca.IssueServer(t, dir, "join", "127.0.0.1")
	other := ca.IssueServer(t, dir, "other", "127.0.0.1")
	named := ca.IssueServer(t, dir, "named", "join.example.com")
	garbage := filepath.Join(dir, "garbage.pem")
	if err := os.WriteFile(garbage, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	// The file dialog is the desktop window's; the browser types paths.
	if _, err := s.ChooseJoinLinkFile("pfx", "t"); code(err) != CodeInvalidArgument {
		t.Errorf("ChooseJoinLinkFile(pfx): %v", err)
	}
	if _, err := s.ChooseJoinLinkFile("cert", "t"); code(err) != CodeNotStarted {
		t.Errorf("ChooseJoinLinkFile without a window: %v", err)
	}

	v, err := s.JoinLinkSettings()
	if err != nil || v.Settings != (JoinLinkSettings{}) || v.Listen != "127.0.0.1:0" || v.Scheme != "http" {
		t.Fatalf("default: %+v %v", v, err)
	}

	for _, c := range []struct {
		name string
		js   JoinLinkSettings
		want string
	}{
		{"certificate missing", JoinLinkSettings{CertFile: filepath.Join(dir, "nope.crt"), KeyFile: good.KeyFile}, "join_cert_missing"},
		{"key missing", JoinLinkSettings{CertFile: good.CertFile, KeyFile: filepath.Join(dir, "nope.key")}, "join_key_missing"},
		{"a key without a certificate", JoinLinkSettings{KeyFile: good.KeyFile}, "join_cert_missing"},
		{"a relative path", JoinLinkSettings{CertFile: "join.crt", KeyFile: good.KeyFile}, "join_cert_missing"},
		{"not a certificate", JoinLinkSettings{CertFile: garbage, KeyFile: good.KeyFile}, "join_not_certificate"},
		{"not a key", JoinLinkSettings{CertFile: good.CertFile, KeyFile: garbage}, "join_not_key"},
		{"another certificate's key", JoinLinkSettings{CertFile: good.CertFile, KeyFile: other.KeyFile}, "join_key_mismatch"},
		{"a certificate for another name", JoinLinkSettings{CertFile: named.CertFile, KeyFile: named.KeyFile}, "join_cert_address"},
		{"an address not on this computer", JoinLinkSettings{LAN: true, Address: "192.0.2.10", CertFile: good.CertFile, KeyFile: good.KeyFile}, "join_address_not_local"},
		{"not an address", JoinLinkSettings{LAN: true, Address: "my laptop"}, "join_address_invalid"},
		{"the switch on without an address", JoinLinkSettings{LAN: true, CertFile: good.CertFile, KeyFile: good.KeyFile}, "join_address_invalid"},
		{"a privileged port", JoinLinkSettings{Port: 443}, "join_address_invalid"},
	} {
		_, err := s.SaveJoinLinkSettings(c.js)
		if got := code(err); got != c.want {
			t.Errorf("%s: %v (%s), want %s", c.name, err, got, c.want)
			continue
		}
		p := a.ErrorFormatter().Payload(err)
		if p.Message != MessageFor(c.want, "") || strings.Count(p.Message, ". ") > 1 || p.Detail == "" {
			t.Errorf("%s: payload %+v", c.name, p)
		}
	}
	// A LAN address needs HTTPS (when this machine has one to try).
	if len(v.Addresses) > 0 {
		if _, err := s.SaveJoinLinkSettings(JoinLinkSettings{LAN: true, Address: v.Addresses[0]}); code(err) != "join_tls_required" {
			t.Errorf("LAN without a certificate: %v", err)
		}
	}
	if v, _ := s.JoinLinkSettings(); v.Settings != (JoinLinkSettings{}) {
		t.Fatalf("a refused setting was saved: %+v", v)
	}

	// The certificate and key: links are https:// on 127.0.0.1, trusted
	// by a client that trusts the CA.
	saved, err := s.SaveJoinLinkSettings(JoinLinkSettings{CertFile: " " + good.CertFile + " ", KeyFile: good.KeyFile})
	if err != nil {
		t.Fatal(err)
	}
	if saved.Scheme != "https" || saved.Settings.CertFile != good.CertFile || saved.CertSubject == "" || saved.CertExpires == "" {
		t.Fatalf("saved: %+v", saved)
	}
	raw, ok, err := a.core.st.GetSetting(a.core.ctx, keyJoinLinks)
	if err != nil || !ok || !strings.Contains(raw, good.KeyFile) || strings.Contains(raw, "PRIVATE KEY") {
		t.Fatalf("stored setting %q %v %v", raw, ok, err)
	}
	call, err := a.svcs.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, log, call.ID, "connected")
	jl, err := s.CreateJoinLink(call.ID, "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(jl.URL, "https://127.0.0.1:") || jl.Network {
		t.Fatalf("join link %+v", jl)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: ca.ClientTLSConfig("127.0.0.1")}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(jl.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("join page over HTTPS: %d", resp.StatusCode)
	}

	// A port another program holds: saving works (it may be free later),
	// the next link says the port is in use; the old server stopped.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port, _ := strconv.Atoi(ln.Addr().(*net.TCPAddr).AddrPort().String()[len("127.0.0.1:"):])
	if port < 1024 {
		t.Fatalf("port %d", port)
	}
	if _, err := s.SaveJoinLinkSettings(JoinLinkSettings{Port: port, CertFile: good.CertFile, KeyFile: good.KeyFile}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Get(jl.URL); err == nil {
		t.Error("the server of the old setting still answers")
	}
	if _, err := s.CreateJoinLink(call.ID, "en"); code(err) != "join_port_in_use" {
		t.Fatalf("a link on a port in use: %v", err)
	}
	ln.Close()
	jl, err = s.CreateJoinLink(call.ID, "en")
	if err != nil || !strings.HasPrefix(jl.URL, "https://127.0.0.1:"+strconv.Itoa(port)+"/join/") {
		t.Fatalf("a link on the freed port: %+v %v", jl, err)
	}
}

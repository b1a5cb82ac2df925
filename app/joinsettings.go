package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/wailsapp/wails/v2/pkg/runtime"

	"github.com/pitchline/pitchline/softphone/webjoin"
)

// Settings → Join links: where the join link server listens and, for HTTPS,
// the certificate and key files the user provides. Only the two paths are
// saved (they are not secrets); the key never enters the database. The
// checks are webjoin's (CheckAddress, CheckTLS); this file translates.

// keyJoinLinks holds the JoinLinkSettings as JSON.
const keyJoinLinks = "calls.join_links"

// JoinLinkSettings is where join links are served.
type JoinLinkSettings struct {
	// LAN is the explicit "allow join links from other computers on my
	// network" switch; without it links are served on 127.0.0.1 only.
	LAN bool `json:"lan"`
	// Address is the IP address links carry when LAN is on ("" =
	// 127.0.0.1). It is kept while LAN is off, for when it is turned on.
	Address string `json:"address"`
	// Port is the port to listen on; 0 lets the system pick a free one.
	Port int `json:"port"`
	// CertFile and KeyFile are the PEM certificate and private key for
	// HTTPS (full paths; both or neither; required when LAN is on).
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

// JoinLinkSettingsView is the settings plus what the page shows beside them.
type JoinLinkSettingsView struct {
	Settings JoinLinkSettings `json:"settings"`
	// Addresses are this computer's network addresses to choose from.
	Addresses []string `json:"addresses"`
	// Listen is the address:port links are served on with these settings
	// (port 0: any free port).
	Listen string `json:"listen"`
	// Scheme is "https" with a certificate, else "http".
	Scheme string `json:"scheme"`
	// CertSubject and CertExpires describe the certificate ("" without).
	CertSubject string `json:"certSubject"`
	CertExpires string `json:"certExpires"`
}

var (
	// errJoinAddress: the address or port is not written as one (code
	// join_address_invalid).
	errJoinAddress = errors.New("app: the join link address must be an IP address and the port 0 or 1024-65535")
	// errJoinPortInUse: another program listens on the join link port.
	errJoinPortInUse = errors.New("app: the join link port is in use")
)

// joinErrorCodes maps webjoin's setting errors to frontend codes, before
// the generic ones (New wraps them in webjoin.ErrInvalidConfig too).
func joinErrorCodes() []errorCode {
	return []errorCode{
		{errJoinAddress, "join_address_invalid"},
		{errJoinPortInUse, "join_port_in_use"},
		{webjoin.ErrCertMissing, "join_cert_missing"},
		{webjoin.ErrKeyMissing, "join_key_missing"},
		{webjoin.ErrNotCertificate, "join_not_certificate"},
		{webjoin.ErrNotKey, "join_not_key"},
		{webjoin.ErrKeyMismatch, "join_key_mismatch"},
		{webjoin.ErrCertExpired, "join_cert_expired"},
		{webjoin.ErrCertNotForAddress, "join_cert_address"},
		{webjoin.ErrNotLocalAddress, "join_address_not_local"},
		{webjoin.ErrNotLoopback, "join_lan_off"},
		{webjoin.ErrTLSRequired, "join_tls_required"},
	}
}

// JoinLinkSettings returns where join links are served.
func (s *ConferenceService) JoinLinkSettings() (JoinLinkSettingsView, error) {
	if s.c.st == nil {
		return JoinLinkSettingsView{}, ErrNotStarted
	}
	js := s.c.joinSettings()
	v := joinView(js)
	if js.CertFile != "" { // describe it if it is still readable
		if info, err := webjoin.CheckTLS(js.CertFile, js.KeyFile); err == nil {
			v.CertSubject, v.CertExpires = info.Subject, rfc3339(info.NotAfter)
		}
	}
	return v, nil
}

// SaveJoinLinkSettings checks and saves where join links are served. A
// bad setting is refused with one code per problem (join_cert_missing,
// join_not_certificate, join_key_mismatch, join_address_not_local, ...)
// and nothing changes. Links made before a change stop working; people
// who already joined stay.
func (s *ConferenceService) SaveJoinLinkSettings(js JoinLinkSettings) (JoinLinkSettingsView, error) {
	st := s.c.st
	if st == nil {
		return JoinLinkSettingsView{}, ErrNotStarted
	}
	js, err := cleanJoinSettings(js)
	if err != nil {
		return JoinLinkSettingsView{}, err
	}
	ip, _ := netip.ParseAddr(js.listenIP())
	if err := webjoin.CheckAddress(ip, js.LAN); err != nil {
		return JoinLinkSettingsView{}, err
	}
	v := joinView(js)
	if js.CertFile != "" {
		info, err := webjoin.CheckTLS(js.CertFile, js.KeyFile)
		if err != nil {
			return JoinLinkSettingsView{}, err
		}
		if err := info.Covers(ip); err != nil {
			return JoinLinkSettingsView{}, err
		}
		v.CertSubject, v.CertExpires = info.Subject, rfc3339(info.NotAfter)
	} else if !ip.IsLoopback() {
		return JoinLinkSettingsView{}, fmt.Errorf("%s: %w", ip, webjoin.ErrTLSRequired)
	}
	b, _ := json.Marshal(js)
	if err := st.SetSetting(s.c.ctx, keyJoinLinks, string(b)); err != nil {
		return JoinLinkSettingsView{}, err
	}
	// The next link starts a server with the new setting.
	s.web.mu.Lock()
	old := s.web.srv
	s.web.srv = nil
	s.web.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	s.c.log.Info("join link settings saved", "listen", v.Listen, "scheme", v.Scheme, "cert", js.CertFile, "key", js.KeyFile)
	return v, nil
}

// ChooseJoinLinkFile opens the window's file dialog to choose the
// certificate (kind "cert") or key ("key") file and returns its path, ""
// when cancelled. title is the dialog's title, translated by the UI.
// Outside the window (browser mode) it fails with ErrNotStarted: type the
// path there.
func (s *ConferenceService) ChooseJoinLinkFile(kind, title string) (string, error) {
	var filter runtime.FileFilter
	switch kind {
	case "cert":
		filter = runtime.FileFilter{DisplayName: "PEM (*.pem, *.crt, *.cer)", Pattern: "*.pem;*.crt;*.cer"}
	case "key":
		filter = runtime.FileFilter{DisplayName: "PEM (*.pem, *.key)", Pattern: "*.pem;*.key"}
	default:
		return "", fmt.Errorf("%w: kind must be cert or key", ErrInvalidArgument)
	}
	ctx := s.c.window()
	if ctx == nil {
		return "", fmt.Errorf("%w: the file dialog needs the desktop window (type the path in the browser)", ErrNotStarted)
	}
	return runtime.OpenFileDialog(ctx, runtime.OpenDialogOptions{Title: title,
		Filters: []runtime.FileFilter{filter, {DisplayName: "*", Pattern: "*"}}})
}

// cleanJoinSettings trims the fields and checks their form: an IP address,
// a usable port, full paths (a leading ~/ is the home directory), both
// files or neither.
func cleanJoinSettings(js JoinLinkSettings) (JoinLinkSettings, error) {
	js.Address = strings.TrimSpace(js.Address)
	if js.LAN && js.Address == "" {
		return js, fmt.Errorf("%w: the switch is on but no address is given", errJoinAddress)
	}
	if js.Address != "" {
		ip, err := netip.ParseAddr(strings.Trim(js.Address, "[]"))
		if err != nil || ip.Zone() != "" {
			return js, fmt.Errorf("%w: %q", errJoinAddress, js.Address)
		}
		js.Address = ip.Unmap().String()
	}
	if js.Port != 0 && (js.Port < 1024 || js.Port > 65535) {
		return js, fmt.Errorf("%w: port %d", errJoinAddress, js.Port)
	}
	var err error
	if js.CertFile, err = fullPath(js.CertFile, "certificate", webjoin.ErrCertMissing); err != nil {
		return js, err
	}
	if js.KeyFile, err = fullPath(js.KeyFile, "key", webjoin.ErrKeyMissing); err != nil {
		return js, err
	}
	switch {
	case js.CertFile == "" && js.KeyFile != "":
		return js, fmt.Errorf("a key without its certificate: %w", webjoin.ErrCertMissing)
	case js.KeyFile == "" && js.CertFile != "":
		return js, fmt.Errorf("a certificate without its key: %w", webjoin.ErrKeyMissing)
	}
	return js, nil
}

func fullPath(p, what string, missing error) (string, error) {
	p = strings.TrimSpace(p)
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, rest)
		}
	}
	if p != "" && !filepath.IsAbs(p) {
		return p, fmt.Errorf("%s file %q: give the full path: %w", what, p, missing)
	}
	return p, nil
}

// listenIP is the address links are served on.
func (js JoinLinkSettings) listenIP() string {
	if js.LAN && js.Address != "" {
		return js.Address
	}
	return "127.0.0.1"
}

// listen is the address:port New binds.
func (js JoinLinkSettings) listen() string {
	ip, _ := netip.ParseAddr(js.listenIP())
	return netip.AddrPortFrom(ip, uint16(js.Port)).String()
}

// options are New's options for these settings.
func (js JoinLinkSettings) options() []webjoin.Option {
	var o []webjoin.Option
	if js.LAN {
		o = append(o, webjoin.WithLAN())
	}
	if js.CertFile != "" {
		o = append(o, webjoin.WithTLS(js.CertFile, js.KeyFile))
	}
	return o
}

func joinView(js JoinLinkSettings) JoinLinkSettingsView {
	v := JoinLinkSettingsView{Settings: js, Addresses: []string{}, Listen: js.listen(), Scheme: "http"}
	if js.CertFile != "" {
		v.Scheme = "https"
	}
	if addrs, err := webjoin.LocalAddresses(); err == nil {
		for _, a := range addrs {
			v.Addresses = append(v.Addresses, a.String())
		}
	}
	return v
}

// joinSettings reads the saved setting (loopback over HTTP when unset or
// unreadable).
func (c *core) joinSettings() JoinLinkSettings {
	var js JoinLinkSettings
	if c.st == nil {
		return js
	}
	v, ok, err := c.st.GetSetting(c.ctx, keyJoinLinks)
	if err != nil || !ok {
		return js
	}
	if json.Unmarshal([]byte(v), &js) != nil {
		c.log.Warn("join link settings unreadable; serving on loopback", "value", v)
		return JoinLinkSettings{}
	}
	return js
}

// startJoinServer starts the join link server with the saved setting,
// translating a port in use or an address gone from this computer.
func (c *core) startJoinServer(h webjoin.Handler) (*webjoin.Server, error) {
	js := c.joinSettings()
	srv, err := webjoin.New(js.listen(), h, append(js.options(), webjoin.WithLogger(c.cfg.logger))...)
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return nil, fmt.Errorf("%w: %w", errJoinPortInUse, err)
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return nil, fmt.Errorf("%w: %w", webjoin.ErrNotLocalAddress, err)
	}
	return srv, err
}

// window returns the Wails runtime context, nil outside the window.
func (c *core) window() context.Context {
	h, ok := c.out.(*hub)
	if !ok {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.wailsCtx == nil || h.wailsCtx.Value("events") == nil {
		return nil // a plain context (tests) has no window
	}
	return h.wailsCtx
}

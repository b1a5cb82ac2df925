package testlab

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/pitchline/pitchline/internal/testenv"
)

// SkipInteropEnv is the environment variable that turns a missing interop
// tool (kamailio, sipp, ...) from a test failure into a skip when set to "1"
// (not in CI: see interopSkip).
const SkipInteropEnv = "PITCHLINE_SKIP_INTEROP"

// kamailioModulePath is where Debian's kamailio 5.6 package keeps its modules.
const kamailioModulePath = "/usr/lib/x86_64-linux-gnu/kamailio/modules/"

// Errors returned by Kamailio methods.
var (
	// ErrKamailioStopped is returned when the Kamailio process is not running.
	ErrKamailioStopped = errors.New("testlab: kamailio is not running")
	// ErrKamailioNotReady is returned when Kamailio did not become ready in time.
	ErrKamailioNotReady = errors.New("testlab: kamailio did not become ready")
	// ErrKamailioExited is returned when the Kamailio process exited on its own.
	ErrKamailioExited = errors.New("testlab: kamailio exited")
	// ErrKamcmd is returned when a kamcmd control command fails.
	ErrKamcmd = errors.New("testlab: kamcmd failed")
)

//go:embed kamailio/kamailio.cfg.tmpl kamailio/tls.cfg.tmpl
var kamailioFS embed.FS

var (
	kamailioCfgTmpl = template.Must(template.ParseFS(kamailioFS, "kamailio/kamailio.cfg.tmpl"))
	kamailioTLSTmpl = template.Must(template.ParseFS(kamailioFS, "kamailio/tls.cfg.tmpl"))
)

// DefaultUsers are the subscribers every StartKamailio instance knows
// (user name -> password). WithUser adds users or changes passwords.
var DefaultUsers = map[string]string{
	"alice": "alicepw",
	"bob":   "bobpw",
	"carol": "carolpw",
	"dave":  "davepw",
}

// kamailioConfig collects what KamailioOptions set.
type kamailioConfig struct {
	users        map[string]string
	tls          bool
	debug        int
	startTimeout time.Duration
	// challengeInDialog turns on the in-dialog challenge; challengeUsers
	// limits it to these From users (empty: every user of the domain).
	challengeInDialog bool
	challengeUsers    []string
}

// KamailioOption configures StartKamailio.
type KamailioOption func(*kamailioConfig)

// WithUser adds a subscriber (or sets the password of an existing one).
func WithUser(name, password string) KamailioOption {
	return func(c *kamailioConfig) { c.users[name] = password }
}

// WithoutTLS disables the TLS listener (and the need for kamailio-tls-modules).
func WithoutTLS() KamailioOption {
	return func(c *kamailioConfig) { c.tls = false }
}

// WithKamailioDebug sets Kamailio's log level (debug=, default 2 = info).
func WithKamailioDebug(level int) KamailioOption {
	return func(c *kamailioConfig) { c.debug = level }
}

// WithKamailioStartTimeout sets how long StartKamailio and Restart wait for
// readiness (default 15 s).
func WithKamailioStartTimeout(d time.Duration) KamailioOption {
	return func(c *kamailioConfig) { c.startTimeout = d }
}

// WithInDialogChallenge makes Kamailio challenge in-dialog requests too,
// as some proxies and carrier trunks do for every request from their own
// domain: a BYE, re-INVITE, REFER, INFO, UPDATE, MESSAGE, NOTIFY, ... from
// the local domain (From host 127.0.0.1) without valid credentials gets
// 407 Proxy Authentication Required (RFC 3261 §22.3); ACK and CANCEL pass
// (RFC 3261 §22.1). With users, only requests whose From user is one of
// them are challenged, so that a peer under test is the only one
// challenged. The challenge is sent statefully so that the ACK for a
// challenged re-INVITE is absorbed here instead of being relayed. The
// default configuration does not challenge in-dialog requests.
func WithInDialogChallenge(users ...string) KamailioOption {
	return func(c *kamailioConfig) {
		c.challengeInDialog = true
		c.challengeUsers = append([]string(nil), users...)
	}
}

// Kamailio is a private Kamailio registrar/proxy child process bound to
// 127.0.0.1, started by StartKamailio and stopped by the test's cleanup.
type Kamailio struct {
	t       testing.TB
	cfg     kamailioConfig
	dir     string
	cfgFile string
	logFile string
	ctl     string
	port    int
	tlsPort int
	ca      *TestCA

	mu   sync.Mutex
	proc *kamProc
}

// kamProc is one run of the kamailio binary.
type kamProc struct {
	cmd  *exec.Cmd
	log  *os.File
	done chan struct{} // closed after Wait returned
	err  error         // Wait's result, valid after done
}

// RequireKamailio fails the test (or skips it when PITCHLINE_SKIP_INTEROP=1)
// unless kamailio and kamcmd are on PATH.
func RequireKamailio(t testing.TB) {
	t.Helper()
	requireLabTool(t, "kamailio", "kamailio")
	requireLabTool(t, "kamcmd", "kamailio")
}

// interopSkip reports whether a missing interop tool skips the test instead
// of failing it: SkipInteropEnv=1, except in CI (testenv.InCI), where a
// missing tool always fails.
func interopSkip() bool {
	return os.Getenv(SkipInteropEnv) == "1" && !testenv.InCI()
}

// requireLabTool fails (or skips, see interopSkip) when bin is missing.
func requireLabTool(t testing.TB, bin, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err == nil {
		return
	}
	msg := fmt.Sprintf("testlab: %q not found on PATH (Debian package %s): run `make setup` to install the interop tools", bin, pkg)
	if interopSkip() {
		t.Skipf("%s; skipping because %s=1", msg, SkipInteropEnv)
		return
	}
	t.Fatalf("%s, or set %s=1 to skip interop tests", msg, SkipInteropEnv)
}

// StartKamailio writes a registrar/proxy configuration into t.TempDir(),
// starts `kamailio -DD -E` as a child process in its own process group and
// waits until its control socket answers and its SIP ports are bound.
// UDP+TCP listen on one free port, TLS (unless WithoutTLS) on another with a
// certificate for 127.0.0.1 and "localhost" signed by a fresh test CA.
// The process is stopped in t.Cleanup; if the test failed, the Kamailio log
// is written to the test log.
func StartKamailio(t testing.TB, opts ...KamailioOption) *Kamailio {
	t.Helper()
	RequireKamailio(t)
	cfg := kamailioConfig{users: map[string]string{}, tls: true, debug: 2, startTimeout: 15 * time.Second}
	for name, pw := range DefaultUsers {
		cfg.users[name] = pw
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.tls {
		if _, err := os.Stat(filepath.Join(kamailioModulePath, "tls.so")); err != nil {
			msg := "testlab: kamailio tls.so missing (Debian package kamailio-tls-modules): run `make setup`"
			if interopSkip() {
				t.Skipf("%s; skipping because %s=1", msg, SkipInteropEnv)
				return nil
			}
			t.Fatalf("%s, or pass WithoutTLS()", msg)
		}
	}
	k := &Kamailio{t: t, cfg: cfg, dir: t.TempDir()}
	k.cfgFile = filepath.Join(k.dir, "kamailio.cfg")
	k.logFile = filepath.Join(k.dir, "kamailio.log")
	k.ctl = filepath.Join(k.dir, "ctl.sock")
	if len(k.ctl) > 100 { // sun_path limit is 108 bytes
		short, err := os.MkdirTemp("", "kam")
		if err != nil {
			t.Fatalf("testlab: kamailio ctl dir: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(short) })
		k.ctl = filepath.Join(short, "ctl.sock")
	}
	t.Cleanup(func() {
		if err := k.Stop(); err != nil {
			t.Errorf("testlab: stopping kamailio: %v", err)
		}
		if t.Failed() {
			t.Logf("kamailio log (%s):\n%s", k.logFile, tailString(k.Log(), 64<<10))
		}
	})
	if err := k.writeStatic(); err != nil {
		t.Fatalf("testlab: kamailio setup: %v", err)
	}
	// A free port can be taken by someone else before kamailio binds it;
	// retry with new ports when that happens.
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		k.port = FreePort(t, "both")
		if cfg.tls {
			k.tlsPort = FreePort(t, "tcp")
		}
		if err = k.writeConfig(); err != nil {
			t.Fatalf("testlab: kamailio config: %v", err)
		}
		err = k.start()
		if err == nil {
			return k
		}
		if !strings.Contains(k.Log(), "Address already in use") {
			break
		}
	}
	t.Fatalf("testlab: start kamailio: %v\nlog:\n%s", err, tailString(k.Log(), 16<<10))
	return nil
}

// writeStatic writes the db_text tables and the TLS material.
func (k *Kamailio) writeStatic() error {
	dbDir := filepath.Join(k.dir, "dbtext")
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return err
	}
	// db_text: an empty ha1 field is NULL, so the column must allow null.
	version := "id(int,auto) table_name(string) table_version(int) \n0:version:1\n0:subscriber:7\n0:location:9\n"
	var sub strings.Builder
	sub.WriteString("id(int,auto) username(string) domain(string) password(string) ha1(string,null) ha1b(string,null) \n")
	names := make([]string, 0, len(k.cfg.users))
	for n := range k.cfg.users {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		for _, s := range []string{n, k.cfg.users[n]} {
			if strings.ContainsAny(s, ":\n\r\\ ") || s == "" {
				return fmt.Errorf("user %q: names and passwords must be non-empty without ':', '\\', spaces or newlines", n)
			}
		}
		fmt.Fprintf(&sub, "%d:%s:%s:%s::\n", i+1, n, LoopbackIP, k.cfg.users[n])
	}
	if err := os.WriteFile(filepath.Join(dbDir, "version"), []byte(version), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dbDir, "subscriber"), []byte(sub.String()), 0o644); err != nil {
		return err
	}
	if !k.cfg.tls {
		return nil
	}
	ca, err := newTestCA(k.dir)
	if err != nil {
		return err
	}
	k.ca = ca
	sc, err := ca.issueServer(k.dir, "kamailio", LoopbackIP, "localhost")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := kamailioTLSTmpl.Execute(&b, map[string]string{
		"KeyFile": sc.KeyFile, "CertFile": sc.CertFile, "CAFile": ca.CertFile(),
	}); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(k.dir, "tls.cfg"), b.Bytes(), 0o644)
}

// writeConfig renders kamailio.cfg for the current ports.
func (k *Kamailio) writeConfig() error {
	var b bytes.Buffer
	err := kamailioCfgTmpl.Execute(&b, map[string]any{
		"Port":              k.port,
		"TLS":               k.cfg.tls,
		"TLSPort":           k.tlsPort,
		"Debug":             k.cfg.debug,
		"ModulePath":        kamailioModulePath,
		"DBDir":             filepath.Join(k.dir, "dbtext"),
		"CtlSocket":         k.ctl,
		"TLSConfigFile":     filepath.Join(k.dir, "tls.cfg"),
		"ChallengeInDialog": k.cfg.challengeInDialog,
		"ChallengeUsers":    k.cfg.challengeUsers,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(k.cfgFile, b.Bytes(), 0o644)
}

// start launches kamailio and waits for readiness.
func (k *Kamailio) start() error {
	k.mu.Lock()
	if k.proc != nil {
		k.mu.Unlock()
		return nil
	}
	_ = os.Remove(k.ctl)
	logf, err := os.OpenFile(k.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		k.mu.Unlock()
		return err
	}
	fmt.Fprintf(logf, "=== testlab: starting kamailio udp/tcp %d tls %d at %s\n", k.port, k.tlsPort, time.Now().Format(time.RFC3339Nano))
	// -DD: stay in foreground (our child is the main process); -E: log to
	// stderr; -m/-M: shared/private memory in MB, kept small on purpose.
	cmd := exec.Command("kamailio", "-DD", "-E", "-f", k.cfgFile, "-m", "64", "-M", "8", "-w", k.dir)
	cmd.Dir = k.dir
	cmd.Stdout = logf
	cmd.Stderr = logf
	// Own process group: Kamailio signals its whole group on shutdown
	// (kill(0, SIGTERM)), which must not reach the test binary; the group
	// also lets Stop kill straggling children. Pdeathsig stops it if the
	// test binary dies: SIGTERM (not SIGKILL) so that the main process
	// takes its worker children down with it instead of orphaning them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		logf.Close()
		k.mu.Unlock()
		return fmt.Errorf("exec kamailio: %w", err)
	}
	p := &kamProc{cmd: cmd, log: logf, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	k.proc = p
	k.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), k.cfg.startTimeout)
	defer cancel()
	if err := k.waitReady(ctx, p); err != nil {
		_ = k.Stop()
		return err
	}
	return nil
}

// waitReady polls until the ctl socket answers and every SIP port is bound.
// There is no readiness event to wait for, so this is a short-interval poll
// that also watches for the process exiting.
func (k *Kamailio) waitReady(ctx context.Context, p *kamProc) error {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-p.done:
			return fmt.Errorf("%w before it was ready: %v", ErrKamailioExited, p.err)
		case <-ctx.Done():
			return fmt.Errorf("%w: %v", ErrKamailioNotReady, ctx.Err())
		case <-tick.C:
		}
		if !portListening("udp", k.port) || !portListening("tcp", k.port) {
			continue
		}
		if k.cfg.tls && !portListening("tcp", k.tlsPort) {
			continue
		}
		if _, err := k.Kamcmd(ctx, "core.uptime"); err != nil {
			continue
		}
		if err := sipOptionsPing(k.Addr(), 300*time.Millisecond); err != nil {
			continue
		}
		return nil
	}
}

// sipOptionsPing sends an out-of-dialog OPTIONS over UDP to addr and waits
// for a 200 response (RFC 3261 section 11).
func sipOptionsPing(addr string, timeout time.Duration) error {
	c, err := net.Dial("udp4", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	local := c.LocalAddr().String()
	id := strconv.FormatInt(time.Now().UnixNano(), 36)
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\n" +
		"Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-tl" + id + ";rport\r\n" +
		"Max-Forwards: 70\r\n" +
		"From: <sip:ping@" + LoopbackIP + ">;tag=tl" + id + "\r\n" +
		"To: <sip:" + addr + ">\r\n" +
		"Call-ID: ping-" + id + "@" + LoopbackIP + "\r\n" +
		"CSeq: 1 OPTIONS\r\n" +
		"Content-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(buf[:n], []byte("SIP/2.0 200 ")) {
		line, _, _ := bytes.Cut(buf[:n], []byte("\r\n"))
		return fmt.Errorf("OPTIONS answered %q", line)
	}
	return nil
}

// Stop terminates the Kamailio process: SIGTERM, wait up to 5 s, then
// SIGKILL to its process group (logged). It is safe to call more than once;
// the ports stay reserved for Restart. The error is reserved for future
// failure modes and is currently always nil.
func (k *Kamailio) Stop() error {
	k.mu.Lock()
	p := k.proc
	k.proc = nil
	k.mu.Unlock()
	if p == nil {
		return nil
	}
	pid := p.cmd.Process.Pid
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		// Seen under heavy load: the main process waits for a child that
		// does not finish its shutdown. Escalating is the expected path.
		k.t.Logf("testlab: kamailio pid %d still running 5s after SIGTERM, sending SIGKILL", pid)
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-p.done
	}
	// Children normally exit with the main process; kill any straggler of
	// this process group (and only this group) and wait for the group to
	// disappear so the ports are free again.
	_ = syscall.Kill(-pid, syscall.SIGKILL)
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(-pid, 0) == syscall.ESRCH {
			break
		}
		time.Sleep(10 * time.Millisecond) // no event for "process group empty"
	}
	return nil
}

// Restart stops Kamailio (if running) and starts it again with the same
// configuration and ports. Registrations are lost (memory-only location).
func (k *Kamailio) Restart() error {
	if err := k.Stop(); err != nil {
		return err
	}
	// The ports must be released by the old processes before rebinding.
	deadline := time.Now().Add(5 * time.Second)
	for portListening("udp", k.port) || portListening("tcp", k.port) || (k.cfg.tls && portListening("tcp", k.tlsPort)) {
		if time.Now().After(deadline) {
			return fmt.Errorf("testlab: kamailio ports %d/%d still bound after stop", k.port, k.tlsPort)
		}
		time.Sleep(10 * time.Millisecond) // no event for "port released"
	}
	return k.start()
}

// Running reports whether the Kamailio process is alive.
func (k *Kamailio) Running() bool {
	k.mu.Lock()
	p := k.proc
	k.mu.Unlock()
	if p == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Port returns the UDP+TCP SIP port.
func (k *Kamailio) Port() int { return k.port }

// TLSPort returns the SIP-over-TLS port, or 0 when TLS is disabled.
func (k *Kamailio) TLSPort() int { return k.tlsPort }

// Addr returns the UDP+TCP SIP address, "127.0.0.1:PORT".
func (k *Kamailio) Addr() string { return net.JoinHostPort(LoopbackIP, strconv.Itoa(k.port)) }

// TLSAddr returns the SIP-over-TLS address, "127.0.0.1:PORT", or "" when
// TLS is disabled.
func (k *Kamailio) TLSAddr() string {
	if !k.cfg.tls {
		return ""
	}
	return net.JoinHostPort(LoopbackIP, strconv.Itoa(k.tlsPort))
}

// URI returns the SIP URI of user at this registrar, "sip:user@127.0.0.1:PORT".
func (k *Kamailio) URI(user string) string { return "sip:" + user + "@" + k.Addr() }

// TLSURI returns "sip:user@127.0.0.1:TLSPORT;transport=tls", or "" when TLS
// is disabled.
func (k *Kamailio) TLSURI(user string) string {
	if !k.cfg.tls {
		return ""
	}
	return "sip:" + user + "@" + k.TLSAddr() + ";transport=tls"
}

// Password returns the configured password of user ("" if unknown).
func (k *Kamailio) Password(user string) string { return k.cfg.users[user] }

// Users returns a copy of the subscriber table (user name -> password).
func (k *Kamailio) Users() map[string]string {
	m := make(map[string]string, len(k.cfg.users))
	for n, p := range k.cfg.users {
		m[n] = p
	}
	return m
}

// CA returns the test CA that signed the TLS certificate, or nil when TLS
// is disabled.
func (k *Kamailio) CA() *TestCA { return k.ca }

// CAFile returns the path of the PEM file of the CA that signed Kamailio's
// TLS certificate ("" when TLS is disabled).
func (k *Kamailio) CAFile() string {
	if k.ca == nil {
		return ""
	}
	return k.ca.CertFile()
}

// CAPEM returns the PEM of the CA that signed Kamailio's TLS certificate
// (nil when TLS is disabled).
func (k *Kamailio) CAPEM() []byte {
	if k.ca == nil {
		return nil
	}
	return k.ca.CertPEM()
}

// Dir returns the directory holding the configuration, tables and log.
func (k *Kamailio) Dir() string { return k.dir }

// Log returns everything Kamailio wrote to stdout/stderr so far, across
// restarts.
func (k *Kamailio) Log() string {
	b, err := os.ReadFile(k.logFile)
	if err != nil {
		return ""
	}
	return string(b)
}

// Kamcmd runs `kamcmd -s unix:CTL args...` against this instance and returns
// its output. A failing command returns an error wrapping ErrKamcmd.
func (k *Kamailio) Kamcmd(ctx context.Context, args ...string) (string, error) {
	if !k.Running() {
		return "", ErrKamailioStopped
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "kamcmd", append([]string{"-s", "unix:" + k.ctl}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%w: kamcmd %s: %v: %s", ErrKamcmd, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	// kamcmd exits 0 even when the RPC failed; the reply then starts with
	// "error: CODE - reason".
	if strings.HasPrefix(string(out), "error:") {
		return string(out), fmt.Errorf("%w: kamcmd %s: %s", ErrKamcmd, strings.Join(args, " "), strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Contacts returns the contact URIs registered for user (empty when the
// user is not registered), from `kamcmd ul.lookup location USER`.
func (k *Kamailio) Contacts(user string) ([]string, error) {
	out, err := k.Kamcmd(context.Background(), "ul.lookup", "location", user)
	if err != nil {
		if strings.Contains(out, "AOR not found") {
			return nil, nil
		}
		return nil, err
	}
	return parseULContacts(out), nil
}

// parseULContacts extracts the "Address: URI" lines of kamcmd ul.lookup
// output. Unknown lines are ignored.
func parseULContacts(out string) []string {
	var contacts []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		v, ok := strings.CutPrefix(line, "Address:")
		if !ok {
			continue
		}
		if v = strings.TrimSpace(v); v != "" {
			contacts = append(contacts, v)
		}
	}
	return contacts
}

// WaitRegistered waits until user has at least one contact and returns
// them. Kamailio emits no registration event to subscribe to, so it polls
// kamcmd every 50 ms until ctx ends.
func (k *Kamailio) WaitRegistered(ctx context.Context, user string) ([]string, error) {
	return k.waitContacts(ctx, user, true)
}

// WaitUnregistered waits until user has no contact left (polling like
// WaitRegistered).
func (k *Kamailio) WaitUnregistered(ctx context.Context, user string) error {
	_, err := k.waitContacts(ctx, user, false)
	return err
}

func (k *Kamailio) waitContacts(ctx context.Context, user string, want bool) ([]string, error) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		c, err := k.Contacts(user)
		if err == nil && (len(c) > 0) == want {
			return c, nil
		}
		if errors.Is(err, ErrKamailioStopped) {
			return nil, err
		}
		lastErr = err
		select {
		case <-ctx.Done():
			state := "registered"
			if !want {
				state = "unregistered"
			}
			if lastErr != nil {
				return nil, fmt.Errorf("testlab: waiting for %s to be %s: %w (last error: %v)", user, state, ctx.Err(), lastErr)
			}
			return nil, fmt.Errorf("testlab: waiting for %s to be %s: %w", user, state, ctx.Err())
		case <-tick.C:
		}
	}
}

// tailString returns at most the last n bytes of s.
func tailString(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

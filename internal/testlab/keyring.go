package testlab

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	// godbus is already in the module graph through go-keyring; the harness
	// uses it only to wait for the Secret Service name on the private bus
	// (a NameOwnerChanged signal) instead of polling.
	dbus "github.com/godbus/dbus/v5"
)

// KeyringPassword is the password the harness's login keyring is created
// and unlocked with.
const KeyringPassword = "testlab-keyring-pw"

const (
	secretsBusName = "org.freedesktop.secrets"
	krStartTimeout = 15 * time.Second
	krStopTimeout  = 3 * time.Second
)

// Keyring is a private D-Bus session bus with an unlocked gnome-keyring
// Secret Service on it, started by StartKeyring. Nothing of the host's
// session is used: HOME, XDG_RUNTIME_DIR and XDG_DATA_HOME are fresh
// directories in t.TempDir(), so a new login keyring is created with
// KeyringPassword on every start.
type Keyring struct {
	bus     *krProc
	daemon  *krProc
	home    string
	runtime string
	data    string
	addr    string
	locked  bool
	once    sync.Once
}

// KeyringOption configures StartKeyring.
type KeyringOption func(*Keyring)

// WithLockedKeyring starts gnome-keyring-daemon WITHOUT --unlock, so no
// login keyring is created or unlocked. Unlocking would need a password
// prompt, and the private bus has no prompter to activate, so go-keyring
// fails with "failed to unlock correct collection ..." (the situation of a
// headless session whose keyring is locked).
func WithLockedKeyring() KeyringOption {
	return func(k *Keyring) { k.locked = true }
}

// krProc is one child process of the harness.
type krProc struct {
	name   string
	cmd    *exec.Cmd
	exited chan struct{} // closed after Wait returned
	err    error
	log    string // file with the process's output
}

// StartKeyring starts, as child processes, a private session bus
// (dbus-daemon --nofork with a generated configuration that has NO
// activatable services, so nothing else is ever auto-started) and
// `gnome-keyring-daemon --foreground --unlock --components=secrets` with
// KeyringPassword on stdin. It returns when org.freedesktop.secrets is owned
// on the bus. Use Env() for subprocesses that should use this keyring.
// t.Cleanup stops exactly these two processes.
// Missing tools fail the test with a hint to run `make setup`, or skip it
// when PITCHLINE_SKIP_INTEROP=1.
func StartKeyring(t testing.TB, opts ...KeyringOption) *Keyring {
	t.Helper()
	bsRequireTool(t, "dbus-daemon", "dbus")
	bsRequireTool(t, "gnome-keyring-daemon", "gnome-keyring")
	root := t.TempDir()
	k := &Keyring{
		home:    filepath.Join(root, "home"),
		runtime: filepath.Join(root, "run"),
	}
	k.data = filepath.Join(k.home, ".local", "share")
	for _, o := range opts {
		o(k)
	}
	t.Cleanup(func() { k.cleanup(t) })
	if err := k.start(root); err != nil {
		t.Fatalf("testlab: StartKeyring: %v%s", err, k.logs())
	}
	return k
}

// StartKeyringIn is StartKeyring for a whole test binary (TestMain, where
// there is no testing.TB): it starts the private bus and the unlocked
// keyring under root, a directory the caller created and removes. The
// caller must call Stop. A process can use only one session bus (godbus
// keeps its connection), so an in-process test suite shares one keyring:
// point DBUS_SESSION_BUS_ADDRESS at BusAddress before the first keychain
// call.
func StartKeyringIn(root string) (*Keyring, error) {
	for _, tool := range []struct{ bin, pkg string }{{"dbus-daemon", "dbus"}, {"gnome-keyring-daemon", "gnome-keyring"}} {
		if _, err := exec.LookPath(tool.bin); err != nil {
			return nil, fmt.Errorf("testlab: %q not found on PATH (Debian package %s): run `make setup` to install the interop tools", tool.bin, tool.pkg)
		}
	}
	k := &Keyring{home: filepath.Join(root, "home"), runtime: filepath.Join(root, "run")}
	k.data = filepath.Join(k.home, ".local", "share")
	if err := k.start(root); err != nil {
		err = fmt.Errorf("testlab: StartKeyringIn: %w%s", err, k.logs())
		k.Stop()
		return nil, err
	}
	return k, nil
}

func (k *Keyring) start(root string) error {
	for _, d := range []string{k.home, k.runtime, k.data} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	var err error
	k.bus, k.addr, err = krStartBus(root, k.runtime, []string{"HOME=" + k.home, "XDG_RUNTIME_DIR=" + k.runtime})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), krStartTimeout)
	defer cancel()
	conn, err := dbus.Connect(k.addr, dbus.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("connect to private bus: %w", err)
	}
	defer conn.Close()
	sig := make(chan *dbus.Signal, 16)
	conn.Signal(sig)
	if err := conn.AddMatchSignalContext(ctx,
		dbus.WithMatchInterface("org.freedesktop.DBus"),
		dbus.WithMatchMember("NameOwnerChanged"),
		dbus.WithMatchArg(0, secretsBusName)); err != nil {
		return fmt.Errorf("watch %s: %w", secretsBusName, err)
	}

	args := []string{"--foreground", "--unlock", "--components=secrets"}
	if k.locked {
		args = []string{"--foreground", "--components=secrets"}
	}
	cmd := exec.Command("gnome-keyring-daemon", args...)
	cmd.Dir = k.home
	cmd.Env = append(krBaseEnv(), k.Env()...)
	if !k.locked {
		cmd.Stdin = strings.NewReader(KeyringPassword) // --unlock reads it up to EOF
	}
	k.daemon, err = krStart("gnome-keyring-daemon", cmd, filepath.Join(root, "gnome-keyring.log"))
	if err != nil {
		return err
	}
	var has bool
	if err := conn.BusObject().CallWithContext(ctx, "org.freedesktop.DBus.NameHasOwner", 0, secretsBusName).Store(&has); err != nil {
		return err
	}
	for !has {
		select {
		case s := <-sig:
			if len(s.Body) == 3 {
				newOwner, _ := s.Body[2].(string)
				has = newOwner != ""
			}
		case <-k.daemon.exited:
			return fmt.Errorf("gnome-keyring-daemon exited during start-up: %v", k.daemon.err)
		case <-ctx.Done():
			return fmt.Errorf("%s not on the bus after %v", secretsBusName, krStartTimeout)
		}
	}
	return nil
}

// Env returns DBUS_SESSION_BUS_ADDRESS, HOME, XDG_RUNTIME_DIR and
// XDG_DATA_HOME for a subprocess that should use this keyring (append it to
// os.Environ(); later entries win in os/exec).
func (k *Keyring) Env() []string {
	return []string{
		"DBUS_SESSION_BUS_ADDRESS=" + k.addr,
		"HOME=" + k.home,
		"XDG_RUNTIME_DIR=" + k.runtime,
		"XDG_DATA_HOME=" + k.data,
	}
}

// BusAddress returns the private bus address.
func (k *Keyring) BusAddress() string { return k.addr }

// KeyringDir returns the directory gnome-keyring stores its keyring files in
// ($XDG_DATA_HOME/keyrings).
func (k *Keyring) KeyringDir() string { return filepath.Join(k.data, "keyrings") }

// PIDs returns the process ids of the bus and the keyring daemon.
func (k *Keyring) PIDs() (bus, daemon int) {
	if k.bus != nil {
		bus = k.bus.cmd.Process.Pid
	}
	if k.daemon != nil {
		daemon = k.daemon.cmd.Process.Pid
	}
	return bus, daemon
}

// Stop stops the keyring daemon, then the bus (SIGTERM to each exact PID,
// SIGKILL after 3 s), and waits for both. t.Cleanup calls it; calling it
// again does nothing.
func (k *Keyring) Stop() {
	k.once.Do(func() {
		k.daemon.stop()
		k.bus.stop()
	})
}

func (k *Keyring) cleanup(t testing.TB) {
	k.Stop()
	if t.Failed() {
		t.Logf("testlab: keyring logs:%s", k.logs())
	}
}

func (k *Keyring) logs() string {
	var b strings.Builder
	for _, p := range []*krProc{k.bus, k.daemon} {
		if p == nil {
			continue
		}
		out, _ := os.ReadFile(p.log)
		fmt.Fprintf(&b, "\n--- %s (%s) ---\n%s", p.name, p.log, bsTail(string(out), 4000))
	}
	return b.String()
}

// NoSecretServiceEnv starts a private session bus that has no Secret Service
// and no activatable services at all (a desktop without gnome-keyring or
// KWallet) and returns the environment for a subprocess that should use it,
// like Keyring.Env. go-keyring then fails with the D-Bus error
// org.freedesktop.DBus.Error.ServiceUnknown. The bus is stopped in
// t.Cleanup.
func NoSecretServiceEnv(t testing.TB) []string {
	t.Helper()
	bsRequireTool(t, "dbus-daemon", "dbus")
	root := t.TempDir()
	home, runtime := filepath.Join(root, "home"), filepath.Join(root, "run")
	for _, d := range []string{home, runtime} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	bus, addr, err := krStartBus(root, runtime, []string{"HOME=" + home, "XDG_RUNTIME_DIR=" + runtime})
	if bus != nil {
		t.Cleanup(bus.stop)
	}
	if err != nil {
		t.Fatalf("testlab: NoSecretServiceEnv: %v", err)
	}
	return []string{
		"DBUS_SESSION_BUS_ADDRESS=" + addr,
		"HOME=" + home,
		"XDG_RUNTIME_DIR=" + runtime,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local", "share"),
	}
}

// krBusConfig is a session bus configuration listening in a private
// directory, with an empty service directory so that nothing is
// auto-activated (no stray gnome-keyring or prompter processes).
const krBusConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- generated by testlab: private session bus, no activatable services -->
<busconfig>
  <type>session</type>
  <listen>unix:dir=%s</listen>
  <auth>EXTERNAL</auth>
  <servicedir>%s</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`

// krStartBus writes a bus configuration into root, starts
// `dbus-daemon --nofork --print-address --config-file=...` and returns the
// process and the address it printed.
func krStartBus(root, sockDir string, env []string) (*krProc, string, error) {
	svc := filepath.Join(root, "dbus-services")
	if err := os.MkdirAll(svc, 0o755); err != nil {
		return nil, "", err
	}
	conf := filepath.Join(root, "dbus-session.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(krBusConfig, krXMLEscape(sockDir), krXMLEscape(svc))), 0o644); err != nil {
		return nil, "", err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, "", err
	}
	defer r.Close()
	cmd := exec.Command("dbus-daemon", "--nofork", "--print-address", "--config-file="+conf)
	cmd.Env = append(krBaseEnv(), env...)
	cmd.Stdout = w
	p, err := krStart("dbus-daemon", cmd, filepath.Join(root, "dbus-daemon.log"))
	w.Close() // the child holds its own copy
	if err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() { // ends at the first line, or at EOF when dbus-daemon dies
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case addr := <-line:
		if addr == "" {
			p.stop()
			return p, "", fmt.Errorf("dbus-daemon printed no address (exit: %v)", p.err)
		}
		return p, addr, nil
	case <-time.After(krStartTimeout):
		p.stop() // closes the pipe: the reader goroutine returns
		<-line
		return p, "", fmt.Errorf("dbus-daemon printed no address after %v", krStartTimeout)
	}
}

// krStart starts cmd with stderr (and stdout unless set) going to logPath.
func krStart(name string, cmd *exec.Cmd, logPath string) (*krProc, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	if cmd.Stdout == nil {
		cmd.Stdout = logf
	}
	cmd.Stderr = logf
	cmd.SysProcAttr = bsChildAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &krProc{name: name, cmd: cmd, exited: make(chan struct{}), log: logPath}
	go func() {
		p.err = cmd.Wait()
		logf.Close()
		close(p.exited)
	}()
	return p, nil
}

// stop sends SIGTERM to the exact PID, SIGKILL after krStopTimeout, and
// waits for the process.
func (p *krProc) stop() {
	if p == nil {
		return
	}
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(krStopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// krBaseEnv is the environment of the harness's daemons: PATH and locale
// only, so nothing of the host session (its bus, display) leaks in.
func krBaseEnv() []string {
	env := []string{"PATH=" + os.Getenv("PATH")}
	for _, k := range []string{"LANG", "LC_ALL"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

func krXMLEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// SubprocessEnvVar is set by RunSelf, in the child, to the name of the test
// the child should run for real (see InSubprocess).
const SubprocessEnvVar = "PITCHLINE_TESTLAB_SUBPROCESS"

// InSubprocess reports whether the running test was started by RunSelf as
// the child of itself. Helper tests start with
//
//	if !testlab.InSubprocess(t) { t.Skip("run by TestParent") }
func InSubprocess(t testing.TB) bool { return os.Getenv(SubprocessEnvVar) == t.Name() }

// RunSelf re-runs the current test binary as a subprocess that runs only
// the test testName, with the environment os.Environ() minus the variables
// named in unset, plus env (later entries win). Use it for code that reads
// process-wide state once (go-keyring's D-Bus session connection is cached
// per process). It returns the child's combined output and its exit error.
func RunSelf(t testing.TB, testName string, env []string, unset ...string) (string, error) {
	t.Helper()
	parts := strings.Split(testName, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run="+strings.Join(parts, "/"), "-test.v", "-test.count=1", "-test.timeout=90s")
	drop := map[string]bool{SubprocessEnvVar: true}
	for _, u := range unset {
		drop[u] = true
	}
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); !drop[k] {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, SubprocessEnvVar+"="+testName)
	cmd.SysProcAttr = bsChildAttr()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

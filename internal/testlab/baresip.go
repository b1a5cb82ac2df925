package testlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// baresipModuleDir is where Debian's baresip-core installs its modules.
const baresipModuleDir = "/usr/lib/baresip/modules"

// bsSkipInteropEnv, when "1", turns a missing interop tool into a skip
// (not in CI: see interopSkip).
const bsSkipInteropEnv = "PITCHLINE_SKIP_INTEROP"

// Defaults of a baresip peer.
const (
	// BaresipDefaultToneHz is the tone a peer sends when no WithTone or
	// WithSourceWAV option is given.
	BaresipDefaultToneHz = 1000
	// baresipToneSeconds is the length of generated tone files. aufile
	// ends the call at end of file (CALL_CLOSED param "end of file"), so
	// this bounds the longest call a test can make.
	baresipToneSeconds = 180
	bsStartTimeout     = 15 * time.Second
	bsStopTimeout      = 3 * time.Second
	bsRTPPorts         = 20
)

// BaresipOption configures StartBaresip.
type BaresipOption func(*baresipConfig)

type baresipConfig struct {
	user, password, registrar, transport string
	register                             bool
	answerMode                           string
	toneHz                               float64
	sourceWAV                            string
	record                               bool
	sipTrace                             bool
	codecs                               string
	opus                                 bool
	sourceRate                           int // 0: the codec's (8000, or 48000 with Opus)
	ptime                                int // account ptime in ms; 0: 20
}

// WithAccount makes the peer register as user (digest password password)
// at the registrar registrarAddr ("127.0.0.1:5060") over transport ("udp"
// or "tcp"; "" means udp). The account line is
//
//	<sip:user@registrarAddr;transport=T>;auth_pass=...;answermode=auto;
//	audio_codecs=PCMU/8000/1,PCMA/8000/1;ptime=20;regint=600
//
// StartBaresip then waits until the REGISTER succeeded.
func WithAccount(user, password, registrarAddr, transport string) BaresipOption {
	return func(c *baresipConfig) {
		if transport == "" {
			transport = "udp"
		}
		c.user, c.password, c.registrar, c.transport = user, password, registrarAddr, transport
		c.register = true
	}
}

// WithNoRegister makes the peer's account the plain contact
// sip:NAME@127.0.0.1:PORT with regint=0, so it can be called directly at
// URI() without a registrar. This is the default.
func WithNoRegister() BaresipOption {
	return func(c *baresipConfig) { c.register = false; c.registrar = "" }
}

// WithAnswerMode sets the account's answermode: "auto" (the default: incoming
// calls are answered at once) or "manual" (send the "accept" command).
func WithAnswerMode(mode string) BaresipOption {
	return func(c *baresipConfig) { c.answerMode = mode }
}

// WithTone makes the peer send a sine of freqHz Hz: the harness writes a
// 180 s S16LE mono 8000 Hz WAV (48000 Hz with WithOpus, or the rate of
// WithSourceRate) and uses it as the aufile audio source.
// aufile ends the call when the file ends.
func WithTone(freqHz float64) BaresipOption {
	return func(c *baresipConfig) { c.toneHz = freqHz; c.sourceWAV = "" }
}

// WithSourceWAV makes the peer send the audio of path, which must be S16LE
// mono 8000 Hz (aufile refuses anything else for G.711), 48000 Hz with
// WithOpus, or at the rate given to WithSourceRate. aufile ends the call
// when the file ends.
func WithSourceWAV(path string) BaresipOption {
	return func(c *baresipConfig) { c.sourceWAV = path }
}

// WithRecording loads baresip's sndfile filter, which writes
// dump-<YYYY-MM-DD-hh-mm-ss>-dec.wav (audio received, after decoding) and
// -enc.wav (audio sent) for every call into RecordingDir().
//
// Pitfalls (baresip 1.0.0): the -dec recording STOPS at the first hold
// re-INVITE and never restarts, although RTP keeps flowing after resume
// (check post-hold audio on the wire instead); file names have 1-second
// resolution, so two calls started in the same second share a name.
func WithRecording() BaresipOption {
	return func(c *baresipConfig) { c.record = true }
}

// WithSIPTrace starts baresip with -s, which writes every SIP message to Log().
func WithSIPTrace() BaresipOption {
	return func(c *baresipConfig) { c.sipTrace = true }
}

// WithCodecs replaces the account's audio_codecs list
// (default "PCMU/8000/1,PCMA/8000/1").
func WithCodecs(codecs string) BaresipOption {
	return func(c *baresipConfig) { c.codecs = codecs }
}

// WithOpus loads baresip's opus module and makes Opus (RFC 7587,
// opus/48000/2) the account's only codec. The tone of WithTone is then
// written at 48000 Hz, the rate aufile must deliver to the Opus encoder,
// and received audio (WithRecording) is recorded at 48000 Hz; a WAV given
// to WithSourceWAV must be S16LE mono 48000 Hz.
func WithOpus() BaresipOption {
	return func(c *baresipConfig) { c.opus = true; c.codecs = "opus/48000/2" }
}

// WithSourceRate makes the tone of WithTone (or the WAV of WithSourceWAV)
// run at rate Hz and sets baresip's ausrc_srate, so that baresip resamples
// it to the codec's rate: a 6 kHz tone at 48000 Hz on a G.711 call is then
// filtered out by baresip, as a real wideband microphone's would be.
func WithSourceRate(rate int) BaresipOption {
	return func(c *baresipConfig) { c.sourceRate = rate }
}

// WithPtime sets the account's ptime (packet length in ms, default 20):
// baresip then sends packets of that length and writes a=ptime in its
// SDP.
func WithPtime(ms int) BaresipOption {
	return func(c *baresipConfig) { c.ptime = ms }
}

// Baresip is a headless baresip 1.0.0 peer started by StartBaresip: it
// sends a file (tone) as its microphone, plays nothing, optionally records
// what it receives, and is driven over ctrl_tcp by a single BaresipCtrl.
//
// Behaviour worth knowing when writing tests against it:
//   - hold ("hold" command) stops RTP in BOTH directions, although the SDP
//     says sendonly/recvonly;
//   - "sndcode D" sends the digit as RFC 4733 telephone-event (payload type
//     101, about 180 ms, end packet sent 3 times); there is no SIP INFO mode;
//   - the peer binds SIP-TLS on SIP port+1 automatically, so ctrl_tcp lives
//     on an unrelated port;
//   - libre opens wildcard UDP sockets for its DNS client; dns_server points
//     at 127.0.0.1:53 so no lookup leaves the host. Use IP literals only.
type Baresip struct {
	name     string
	cfg      baresipConfig
	dir      string
	recDir   string
	sipPort  int
	ctrlPort int
	rtpFirst int

	cmd     *exec.Cmd
	exited  chan struct{} // closed after cmd.Wait returned
	waitErr error
	log     *bsLogWriter
	ctrl    *BaresipCtrl

	stopOnce sync.Once
}

// StartBaresip starts a baresip peer named name (also the SIP user of the
// direct account) as a child process with a private configuration directory
// in t.TempDir(), connects its ctrl_tcp client and, with WithAccount, waits
// for the REGISTER to succeed. The peer is stopped in t.Cleanup (see Stop).
// Missing baresip fails the test with a hint to run `make setup`, or skips
// it when PITCHLINE_SKIP_INTEROP=1.
func StartBaresip(t testing.TB, name string, opts ...BaresipOption) *Baresip {
	t.Helper()
	b, err := startBaresip(t, name, opts...)
	if err != nil {
		t.Fatalf("testlab: StartBaresip %s: %v\n--- baresip log ---\n%s", name, err, bsTail(b.Log(), 8000))
	}
	return b
}

// startBaresip is StartBaresip returning start-up errors instead of failing
// the test. The returned peer is non-nil and cleaned up by t.Cleanup.
func startBaresip(t testing.TB, name string, opts ...BaresipOption) (*Baresip, error) {
	t.Helper()
	bsRequireTool(t, "baresip", "baresip-core")
	if _, err := os.Stat(filepath.Join(baresipModuleDir, "ctrl_tcp.so")); err != nil {
		bsMissing(t, fmt.Sprintf("baresip modules not found in %s", baresipModuleDir))
	}
	cfg := baresipConfig{answerMode: "auto", toneHz: BaresipDefaultToneHz, codecs: "PCMU/8000/1,PCMA/8000/1"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.opus {
		if _, err := os.Stat(filepath.Join(baresipModuleDir, "opus.so")); err != nil {
			bsMissing(t, fmt.Sprintf("baresip's opus module not found in %s", baresipModuleDir))
		}
	}
	dir := filepath.Join(t.TempDir(), "baresip-"+name)
	b := &Baresip{name: name, cfg: cfg, dir: dir, recDir: filepath.Join(dir, "rec")}
	if cfg.answerMode != "auto" && cfg.answerMode != "manual" {
		return b, fmt.Errorf("answer mode %q (want auto or manual)", cfg.answerMode)
	}
	if err := os.MkdirAll(b.recDir, 0o755); err != nil {
		return b, err
	}
	src := cfg.sourceWAV
	if src == "" {
		src = filepath.Join(dir, fmt.Sprintf("tone%g.wav", cfg.toneHz))
		rate := 8000
		if cfg.opus {
			rate = 48000
		}
		if cfg.sourceRate > 0 {
			rate = cfg.sourceRate
		}
		if err := WriteWAV(src, rate, ToneSamples(cfg.toneHz, rate, int(baresipToneSeconds*float64(rate)), 0.5)); err != nil {
			return b, err
		}
	}
	t.Cleanup(func() { b.cleanup(t) })
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if err = b.start(t, src); err == nil || !errors.Is(err, errBsPortRace) {
			break
		}
		t.Logf("testlab: baresip %s: %v; retrying with other ports", name, err)
		b.Stop()
		b.stopOnce = sync.Once{}
	}
	return b, err
}

// errBsPortRace marks a start that failed because a port was taken between
// probing and binding.
var errBsPortRace = errors.New("port taken")

func (b *Baresip) start(t testing.TB, src string) error {
	b.ctrl, b.cmd = nil, nil
	b.sipPort = bsSIPPort(t)
	b.ctrlPort = FreePort(t, "tcp")
	b.rtpFirst = FreePortRange(t, bsRTPPorts).First
	if err := b.writeConfig(src); err != nil {
		return err
	}
	args := []string{"-4", "-f", b.dir}
	if b.cfg.sipTrace {
		args = append(args, "-s")
	}
	logf, err := os.Create(filepath.Join(b.dir, "baresip.log"))
	if err != nil {
		return err
	}
	b.log = &bsLogWriter{file: logf, ready: make(chan struct{}), marker: []byte("baresip is ready.")}
	cmd := exec.Command("baresip", args...)
	cmd.Dir = b.dir
	cmd.Stdin = nil // /dev/null: no stdio UI module is loaded
	cmd.Stdout = b.log
	cmd.Stderr = b.log
	cmd.SysProcAttr = bsChildAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return err
	}
	b.cmd = cmd
	b.exited = make(chan struct{})
	go func() {
		b.waitErr = cmd.Wait()
		logf.Close()
		close(b.exited)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), bsStartTimeout)
	defer cancel()
	select {
	case <-b.log.ready:
	case <-b.exited:
		if strings.Contains(b.Log(), "Address already in use") {
			return fmt.Errorf("baresip exited (%v): %w", b.waitErr, errBsPortRace)
		}
		return fmt.Errorf("baresip exited during start-up: %v", b.waitErr)
	case <-ctx.Done():
		b.kill()
		return fmt.Errorf("baresip not ready after %v", bsStartTimeout)
	}
	b.ctrl, err = DialBaresipCtrl(ctx, net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ctrlPort)))
	if err != nil {
		b.kill()
		if strings.Contains(b.Log(), "Address already in use") {
			return fmt.Errorf("ctrl_tcp: %v: %w", err, errBsPortRace)
		}
		return fmt.Errorf("ctrl_tcp: %w", err)
	}
	if b.cfg.register {
		if err := b.waitRegistered(ctx); err != nil {
			return err
		}
	}
	return nil
}

// waitRegistered waits for REGISTER_OK. The REGISTER usually completes before
// the ctrl_tcp client connects, so the current state is asked with reginfo
// AFTER connecting: an event that arrives later is still seen.
func (b *Baresip) waitRegistered(ctx context.Context) error {
	resp, err := b.ctrl.Command(ctx, "reginfo", "")
	if err != nil {
		return err
	}
	if bsReginfoOK(resp.Data) {
		return nil
	}
	ev, err := b.ctrl.WaitEvent(ctx, func(e Event) bool {
		return e.Type == "REGISTER_OK" || e.Type == "REGISTER_FAIL"
	})
	if err != nil {
		return fmt.Errorf("no REGISTER result for %s: %w", b.AOR(), err)
	}
	if ev.Type != "REGISTER_OK" {
		return fmt.Errorf("REGISTER of %s failed: %s", b.AOR(), ev.Param)
	}
	return nil
}

// bsReginfoOK reports whether baresip's reginfo text shows a 200 OK binding,
// e.g. "\x1b[32mOK \x1b[;m" for an account that registered.
func bsReginfoOK(data string) bool {
	return strings.Contains(data, "\x1b[32mOK") || strings.Contains(data, "32mOK")
}

func (b *Baresip) writeConfig(src string) error {
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `# generated by testlab.StartBaresip for %s
poll_method		epoll
sip_listen		127.0.0.1:%d
call_local_timeout	120
call_max_calls		8
# no audio_player: no auplay module is loaded, baresip skips the player;
# received audio is still decoded (and recorded by sndfile if loaded)
audio_source		aufile,%s
audio_level		no
ausrc_format		s16
auplay_format		s16
auenc_format		s16
audec_format		s16
audio_buffer		20-160
rtp_ports		%d-%d
rtcp_mux		no
jitter_buffer_delay	5-10
rtp_stats		yes
# menu prints a status line every 100 ms during calls unless this is off
statmode_default	off
# must be an IP: "lo" fails (libre skips loopback when resolving names)
net_interface		127.0.0.1
dns_server		127.0.0.1:53
module_path		%s
module			g711.so
module			aufile.so
`, b.name, b.sipPort, src, b.rtpFirst, b.rtpFirst+bsRTPPorts-1, baresipModuleDir)
	if b.cfg.record {
		cfg.WriteString("module\t\t\tsndfile.so\n")
	}
	if b.cfg.sourceRate > 0 {
		fmt.Fprintf(&cfg, "ausrc_srate\t\t%d\n", b.cfg.sourceRate)
	}
	if b.cfg.opus {
		// Mono both ways, with in-band FEC and DTX as Pitchline asks.
		cfg.WriteString("module\t\t\topus.so\nopus_stereo\t\tno\nopus_sprop_stereo\tno\nopus_inbandfec\t\tyes\nopus_dtx\t\tyes\n")
	}
	fmt.Fprintf(&cfg, `module_tmp		account.so
module_app		menu.so
module_app		ctrl_tcp.so
ctrl_tcp_listen		127.0.0.1:%d
snd_path		%s
`, b.ctrlPort, b.recDir)
	if err := os.WriteFile(filepath.Join(b.dir, "config"), []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(b.dir, "accounts"), []byte(b.accountLine()+"\n"), 0o600); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(b.dir, "contacts"), nil, 0o644)
}

func (b *Baresip) accountLine() string {
	ptime := b.cfg.ptime
	if ptime == 0 {
		ptime = 20
	}
	params := fmt.Sprintf("answermode=%s;audio_codecs=%s;ptime=%d", b.cfg.answerMode, b.cfg.codecs, ptime)
	if b.cfg.register {
		return fmt.Sprintf("<sip:%s@%s;transport=%s>;auth_pass=%s;%s;regint=600",
			b.cfg.user, b.cfg.registrar, b.cfg.transport, b.cfg.password, params)
	}
	return fmt.Sprintf("<sip:%s@%s>;%s;regint=0", b.name, b.SIPAddr(), params)
}

// Name returns the name given to StartBaresip.
func (b *Baresip) Name() string { return b.name }

// SIPAddr returns the peer's SIP listen address "127.0.0.1:PORT" (UDP and TCP).
func (b *Baresip) SIPAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.sipPort)) }

// CtrlAddr returns the ctrl_tcp address; do not connect to it yourself
// (baresip drops the harness's connection when a second client connects).
func (b *Baresip) CtrlAddr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(b.ctrlPort)) }

// RTPPorts returns the first and last port of the peer's RTP port range.
func (b *Baresip) RTPPorts() (first, last int) { return b.rtpFirst, b.rtpFirst + bsRTPPorts - 1 }

// URI returns the peer's direct contact URI, sip:USER@127.0.0.1:PORT, which
// reaches it without a registrar. USER is the WithAccount user or the name.
func (b *Baresip) URI() string {
	user := b.name
	if b.cfg.register {
		user = b.cfg.user
	}
	return "sip:" + user + "@" + b.SIPAddr()
}

// AOR returns the account's address of record: sip:USER@REGISTRAR with
// WithAccount, otherwise the same as URI.
func (b *Baresip) AOR() string {
	if b.cfg.register {
		return "sip:" + b.cfg.user + "@" + b.cfg.registrar
	}
	return b.URI()
}

// PID returns the baresip process id.
func (b *Baresip) PID() int { return b.cmd.Process.Pid }

// Ctrl returns the peer's ctrl_tcp client.
func (b *Baresip) Ctrl() *BaresipCtrl { return b.ctrl }

// Command sends a ctrl_tcp command; see BaresipCtrl.Command.
func (b *Baresip) Command(ctx context.Context, cmd, params string) (Response, error) {
	return b.ctrl.Command(ctx, cmd, params)
}

// WaitEvent waits for an event matching pred; see BaresipCtrl.WaitEvent.
func (b *Baresip) WaitEvent(ctx context.Context, pred func(Event) bool) (Event, error) {
	return b.ctrl.WaitEvent(ctx, pred)
}

// WaitEventType waits for an event of type typ; see BaresipCtrl.WaitEventType.
func (b *Baresip) WaitEventType(ctx context.Context, typ string) (Event, error) {
	return b.ctrl.WaitEventType(ctx, typ)
}

// WaitEventAfter waits for an event of type typ received after mark; see
// BaresipCtrl.WaitEventAfter.
func (b *Baresip) WaitEventAfter(ctx context.Context, mark int, typ string) (Event, error) {
	return b.ctrl.WaitEventAfter(ctx, mark, typ)
}

// WaitFrom waits for an event matching pred received after mark; see
// BaresipCtrl.WaitFrom.
func (b *Baresip) WaitFrom(ctx context.Context, mark int, pred func(Event) bool) (Event, error) {
	return b.ctrl.WaitFrom(ctx, mark, pred)
}

// Mark returns the position of the next event; see BaresipCtrl.Mark.
func (b *Baresip) Mark() int { return b.ctrl.Mark() }

// Events returns every event received so far.
func (b *Baresip) Events() []Event { return b.ctrl.Events() }

// RecordingDir returns the directory sndfile writes into (WithRecording).
func (b *Baresip) RecordingDir() string { return b.recDir }

// Recordings returns the sndfile recordings of kind "dec" (audio the peer
// received) or "enc" (audio it sent), oldest first. A recording is complete
// once the call's CALL_CLOSED event was seen. See WithRecording for the
// hold pitfall.
func (b *Baresip) Recordings(kind string) ([]string, error) {
	if kind != "dec" && kind != "enc" {
		return nil, fmt.Errorf("testlab: Recordings: kind %q (want dec or enc)", kind)
	}
	if !b.cfg.record {
		return nil, fmt.Errorf("testlab: Recordings: baresip %s was started without WithRecording", b.name)
	}
	files, err := filepath.Glob(filepath.Join(b.recDir, "dump-*-"+kind+".wav"))
	sort.Strings(files) // names carry the start time
	return files, err
}

// Log returns everything baresip wrote to stdout and stderr so far.
func (b *Baresip) Log() string {
	if b.log == nil {
		return ""
	}
	return b.log.String()
}

// Stop ends the peer: it sends "quit" over ctrl_tcp (clean BYE and
// un-REGISTER), waits up to 3 s, then kills exactly the baresip PID and waits
// for it. It is safe to call more than once; t.Cleanup calls it too.
func (b *Baresip) Stop() {
	b.stopOnce.Do(func() {
		if b.cmd == nil {
			return
		}
		if b.ctrl != nil {
			ctx, cancel := context.WithTimeout(context.Background(), bsStopTimeout)
			_, _ = b.ctrl.Command(ctx, "quit", "")
			select {
			case <-b.exited:
			case <-ctx.Done():
			}
			cancel()
		}
		b.kill()
		if b.ctrl != nil {
			b.ctrl.Close()
		}
	})
}

// kill sends SIGKILL to the baresip PID unless it has exited, and waits.
func (b *Baresip) kill() {
	select {
	case <-b.exited:
		return
	default:
	}
	_ = b.cmd.Process.Kill()
	<-b.exited
}

func (b *Baresip) cleanup(t testing.TB) {
	b.Stop()
	if t.Failed() && b.log != nil {
		t.Logf("--- baresip %s log (%s) ---\n%s", b.name, filepath.Join(b.dir, "baresip.log"), bsTail(b.Log(), 8000))
	}
}

func bsTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// bsLogWriter keeps baresip's output in memory and in a file, and closes
// ready when the marker line has been written.
type bsLogWriter struct {
	mu     sync.Mutex
	file   io.Writer
	buf    bytes.Buffer
	marker []byte
	ready  chan struct{}
	seen   bool
}

// Write implements io.Writer.
func (w *bsLogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	_, _ = w.file.Write(p)
	if !w.seen && bytes.Contains(w.buf.Bytes(), w.marker) {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

// String returns the output so far.
func (w *bsLogWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// bsRequireTool fails the test (or skips it when PITCHLINE_SKIP_INTEROP=1)
// when bin is not on PATH.
func bsRequireTool(t testing.TB, bin, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		bsMissing(t, fmt.Sprintf("%q not found on PATH (Debian package %s)", bin, pkg))
	}
}

func bsMissing(t testing.TB, what string) {
	t.Helper()
	msg := "testlab: " + what + ": run `make setup` to install the interop tools"
	if interopSkip() {
		t.Skipf("%s; skipping because %s=1", msg, bsSkipInteropEnv)
	}
	t.Fatalf("%s, or set %s=1 to skip interop tests", msg, bsSkipInteropEnv)
}

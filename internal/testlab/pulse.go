package testlab

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// PulseRate is the sample rate of the harness's null sinks and of the
// audio that PlayTone and RecordSink exchange with them.
const PulseRate = 48000

// PulseSink is the name of the default sink (the "speaker").
const PulseSink = "nullsink"

// PulseMicSink is the name of the null sink whose monitor is the default
// source (the "microphone"): audio played into it is what capture reads.
const PulseMicSink = "micsink"

// PulseSkipEnv names the environment variable that, set to 1, turns a
// missing pulseaudio binary into a skipped test instead of a failure (not in
// CI: see interopSkip).
const PulseSkipEnv = "PITCHLINE_SKIP_INTEROP"

// pulseReadyLatency is the sink latency below which the null sinks are
// considered awake (an idle null sink renders 2 s blocks).
const pulseReadyLatency = 100 * time.Millisecond

// Pulse is a private, headless PulseAudio server for one test: a null sink
// as the default sink and a second null sink whose monitor is the default
// source, so tests can feed a "microphone" and record the "speaker".
type Pulse struct {
	t       testing.TB
	dir     string // short private temp dir (socket paths are limited to 108 bytes)
	runDir  string
	homeDir string
	socket  string
	logPath string

	mu    sync.Mutex
	procs []*pulseProc // started children, stopped in reverse order
}

// pulseProc is one child process of the harness.
type pulseProc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait result, valid after done is closed
}

// PulseOption configures StartPulse.
type PulseOption func(*pulseConfig)

type pulseConfig struct {
	logLevel string
	wait     time.Duration
}

// WithPulseLogLevel sets the daemon's log level (error, warn, notice, info,
// debug); the log is written to Pulse.LogPath.
func WithPulseLogLevel(level string) PulseOption {
	return func(c *pulseConfig) { c.logLevel = level }
}

// WithPulseStartTimeout bounds how long StartPulse waits for the server and
// for the null sinks to reach low latency (default 15 s).
func WithPulseStartTimeout(d time.Duration) PulseOption {
	return func(c *pulseConfig) { c.wait = d }
}

// RequirePulse fails the test when the PulseAudio tools are missing, with a
// hint to run `make setup`, or skips it when PITCHLINE_SKIP_INTEROP=1.
func RequirePulse(t testing.TB) {
	t.Helper()
	var missing []string
	for _, bin := range []string{"pulseaudio", "pactl", "pacat", "parec"} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("PulseAudio tools not installed (%s): run `make setup` (apt packages pulseaudio pulseaudio-utils libasound2-plugins)", strings.Join(missing, ", "))
	if interopSkip() {
		t.Skip(msg + "; skipped because " + PulseSkipEnv + "=1")
	}
	t.Fatal(msg + "; or set " + PulseSkipEnv + "=1 to skip interop tests")
}

// StartPulse starts a private PulseAudio daemon (private XDG_RUNTIME_DIR and
// HOME, anonymous unix socket), keeps both null sinks awake with low-latency
// parec readers, and waits until their latency is below 100 ms. Everything
// it starts is stopped by t.Cleanup (or by Stop).
func StartPulse(t testing.TB, opts ...PulseOption) *Pulse {
	t.Helper()
	RequirePulse(t)
	cfg := pulseConfig{logLevel: "notice", wait: 15 * time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	dir, err := os.MkdirTemp("", "plpulse-")
	if err != nil {
		t.Fatalf("testlab: pulse temp dir: %v", err)
	}
	p := &Pulse{
		t:       t,
		dir:     dir,
		runDir:  filepath.Join(dir, "run"),
		homeDir: filepath.Join(dir, "home"),
	}
	p.socket = filepath.Join(p.runDir, "pulse", "native")
	p.logPath = filepath.Join(p.runDir, "pulseaudio.log")
	t.Cleanup(func() {
		p.Stop()
		os.RemoveAll(dir)
	})
	if err := p.start(cfg); err != nil {
		t.Fatalf("testlab: %v\n%s", err, p.logTail())
	}
	return p
}

func (p *Pulse) start(cfg pulseConfig) error {
	if err := os.MkdirAll(p.runDir, 0o700); err != nil {
		return err
	}
	if err := os.Chmod(p.runDir, 0o700); err != nil {
		return err
	}
	// Client config: never autospawn a server behind the test's back.
	confDir := filepath.Join(p.homeDir, ".config", "pulse")
	if err := os.MkdirAll(confDir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(confDir, "client.conf"), []byte("autospawn = no\n"), 0o600); err != nil {
		return err
	}
	script := fmt.Sprintf(`load-module module-native-protocol-unix auth-anonymous=1 socket=%s
load-module module-null-sink sink_name=%s rate=%d channels=2 sink_properties=device.description=NullSink
load-module module-null-sink sink_name=%s rate=%d channels=1 sink_properties=device.description=VirtualMic
set-default-sink %s
set-default-source %s.monitor
`, p.socket, PulseSink, PulseRate, PulseMicSink, PulseRate, PulseSink, PulseMicSink)
	paPath := filepath.Join(p.runDir, "custom.pa")
	if err := os.WriteFile(paPath, []byte(script), 0o600); err != nil {
		return err
	}
	if _, err := p.spawn(context.Background(), "pulseaudio", nil, nil,
		"--daemonize=no", "--system=false", "--exit-idle-time=-1", "-n", "-F", paPath,
		"--log-target=file:"+p.logPath, "--log-level="+cfg.logLevel); err != nil {
		return err
	}
	deadline := time.Now().Add(cfg.wait)
	daemon := p.procs[0]
	for {
		if _, err := p.pactl("info"); err == nil {
			break
		}
		select {
		case <-daemon.done:
			return fmt.Errorf("pulseaudio exited during start-up: %v", daemon.err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return errors.New("pulseaudio did not answer pactl info in time")
		}
	}
	// Keep-alives: an idle null sink renders 2 s blocks and stalls clients
	// for seconds; a low-latency reader on each monitor wakes it up.
	for _, sink := range []string{PulseSink, PulseMicSink} {
		if _, err := p.spawn(context.Background(), "parec", nil, io.Discard,
			"--latency-msec=10", "-d", sink+".monitor", "--rate=8000", "--channels=1", "--format=s16le", "--raw"); err != nil {
			return err
		}
	}
	// PulseAudio has no event for "latency changed": poll pactl.
	for {
		lat, err := p.SinkLatencies()
		if err == nil && len(lat) >= 2 {
			ok := true
			for _, l := range lat {
				ok = ok && l < pulseReadyLatency
			}
			if ok {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("null sinks did not reach latency < %v in time (latest %v, err %v)", pulseReadyLatency, lat, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// spawn starts a child with the harness environment and records it.
func (p *Pulse) spawn(ctx context.Context, name string, stdin io.Reader, stdout io.Writer, args ...string) (*pulseProc, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), p.Env()...)
	cmd.SysProcAttr = pulseSysProcAttr()
	cmd.Stdin = stdin
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	pr := &pulseProc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		pr.err = cmd.Wait()
		if pr.err != nil && stderr.Len() > 0 {
			pr.err = fmt.Errorf("%w: %s", pr.err, strings.TrimSpace(stderr.String()))
		}
		close(pr.done)
	}()
	p.mu.Lock()
	p.procs = append(p.procs, pr)
	p.mu.Unlock()
	return pr, nil
}

// stop kills one child (by its own process handle) and waits for it.
func (pr *pulseProc) stop() {
	select {
	case <-pr.done:
		return
	default:
	}
	_ = pr.cmd.Process.Kill()
	<-pr.done
}

// Stop kills every process the harness started, newest first, and waits
// for them. It is idempotent and also run by t.Cleanup.
func (p *Pulse) Stop() {
	p.mu.Lock()
	procs := p.procs
	p.procs = nil
	p.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		procs[i].stop()
	}
}

// Env returns the variables a client needs to reach this server:
// PULSE_SERVER, XDG_RUNTIME_DIR and HOME.
func (p *Pulse) Env() []string {
	return []string{
		"PULSE_SERVER=unix:" + p.socket,
		"XDG_RUNTIME_DIR=" + p.runDir,
		"HOME=" + p.homeDir,
	}
}

// Setenv points this process at the server with t.Setenv (restored after
// the test). PortAudio reads the environment at Pa_Initialize, so call it
// before creating (or refreshing) a PortAudio backend.
func (p *Pulse) Setenv(t testing.TB) {
	t.Helper()
	for _, kv := range p.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
}

// Socket returns the path of the server's native protocol socket.
func (p *Pulse) Socket() string { return p.socket }

// LogPath returns the path of the daemon's log file.
func (p *Pulse) LogPath() string { return p.logPath }

func (p *Pulse) logTail() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return ""
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return "pulseaudio log tail:\n" + string(b)
}

// pactl runs pactl against this server and returns its standard output.
func (p *Pulse) pactl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "pactl", args...)
	cmd.Env = append(os.Environ(), p.Env()...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("pactl %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

var (
	pulseNameRe    = regexp.MustCompile(`^\s*Name: (\S+)`)
	pulseLatencyRe = regexp.MustCompile(`^\s*Latency: (\d+) usec`)
)

// SinkLatencies returns the current latency of every sink, by sink name.
func (p *Pulse) SinkLatencies() (map[string]time.Duration, error) {
	out, err := p.pactl("list", "sinks")
	if err != nil {
		return nil, err
	}
	res := map[string]time.Duration{}
	name := ""
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := pulseNameRe.FindStringSubmatch(line); m != nil {
			name = m[1]
		} else if m := pulseLatencyRe.FindStringSubmatch(line); m != nil && name != "" {
			us, _ := strconv.ParseInt(m[1], 10, 64)
			res[name] = time.Duration(us) * time.Microsecond
		}
	}
	return res, nil
}

// Sinks returns the names of the server's sinks.
func (p *Pulse) Sinks() ([]string, error) {
	out, err := p.pactl("list", "short", "sinks")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			names = append(names, f[1])
		}
	}
	return names, nil
}

// LoadNullSink adds a null sink called name (simulating a plugged-in
// device) and returns its module index for UnloadModule.
func (p *Pulse) LoadNullSink(name string) (int, error) {
	if name == "" || strings.ContainsAny(name, " \t\n=") {
		return 0, fmt.Errorf("testlab: invalid sink name %q", name)
	}
	out, err := p.pactl("load-module", "module-null-sink", "sink_name="+name,
		fmt.Sprintf("rate=%d", PulseRate), "channels=2", "sink_properties=device.description="+name)
	if err != nil {
		return 0, err
	}
	id, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil {
		return 0, fmt.Errorf("testlab: pactl load-module answered %q: %w", out, err)
	}
	return id, nil
}

// AddDevice adds a null sink called name and an ALSA PCM of the same
// name (in the server's private $HOME/.asoundrc) that plays into it, so
// PortAudio lists a separate output device called name: a ringer or a
// headset next to the default speaker. Record it with RecordSinkNamed.
func (p *Pulse) AddDevice(name string) (int, error) {
	id, err := p.LoadNullSink(name)
	if err != nil {
		return 0, err
	}
	f, err := os.OpenFile(filepath.Join(p.homeDir, ".asoundrc"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	_, err = fmt.Fprintf(f, "pcm.%s {\n\ttype pulse\n\tdevice %s\n\thint { show on description \"%s\" }\n}\n", name, name, name)
	return id, err
}

// RecordSinkNamed is RecordSink for the sink called name (see AddDevice).
func (p *Pulse) RecordSinkNamed(ctx context.Context, name string, dur time.Duration) ([]int16, error) {
	return p.record(ctx, name+".monitor", dur)
}

// UnloadModule removes a module loaded by LoadNullSink (simulating an
// unplugged device).
func (p *Pulse) UnloadModule(id int) error {
	_, err := p.pactl("unload-module", strconv.Itoa(id))
	return err
}

// SetDefaultSource makes source the default capture source for clients
// that connect afterwards. SetDefaultSource(PulseSink+".monitor") loops
// the speaker back into the microphone, for round-trip measurements.
func (p *Pulse) SetDefaultSource(source string) error {
	_, err := p.pactl("set-default-source", source)
	return err
}

// PulseTone is a sine tone being played into the virtual microphone.
type PulseTone struct {
	proc   *pulseProc
	cancel context.CancelFunc
	feed   chan struct{} // closed when the feeding goroutine has returned
}

// Stop ends the tone and waits for its process and goroutine.
func (pt *PulseTone) Stop() {
	pt.cancel()
	pt.proc.stop()
	<-pt.feed
}

// PlayTone plays a sine of freq Hz at -6 dBFS into the virtual microphone
// (the monitor of PulseMicSink is the default source) until ctx is done or
// Stop is called. pacat's flow control paces the generator.
func (p *Pulse) PlayTone(ctx context.Context, freq float64) (*PulseTone, error) {
	if freq <= 0 || freq >= PulseRate/2 {
		return nil, fmt.Errorf("testlab: tone frequency %v Hz out of range", freq)
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	proc, err := p.spawn(ctx, "pacat", pr, nil, "--playback", "-d", PulseMicSink,
		fmt.Sprintf("--rate=%d", PulseRate), "--channels=1", "--format=s16le", "--raw", "--latency-msec=20")
	if err != nil {
		cancel()
		return nil, err
	}
	pt := &PulseTone{proc: proc, cancel: cancel, feed: make(chan struct{})}
	go func() {
		defer close(pt.feed)
		defer pw.Close()
		buf := make([]byte, 2*PulseRate/50)
		n := 0
		for ctx.Err() == nil {
			for i := 0; i < len(buf); i += 2 {
				v := int16(0.5 * 32767 * math.Sin(2*math.Pi*freq*float64(n)/PulseRate))
				buf[i], buf[i+1] = byte(v), byte(uint16(v)>>8)
				n++
			}
			if _, err := pw.Write(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		<-proc.done
		pr.CloseWithError(io.ErrClosedPipe) // unblock the writer if pacat died
	}()
	p.t.Cleanup(pt.Stop)
	return pt, nil
}

// RecordSink records dur of what is played to the default sink (via its
// monitor) as mono 16-bit samples at PulseRate. It returns when enough
// audio has arrived, which takes dur of real time.
func (p *Pulse) RecordSink(ctx context.Context, dur time.Duration) ([]int16, error) {
	return p.record(ctx, PulseSink+".monitor", dur)
}

func (p *Pulse) record(ctx context.Context, source string, dur time.Duration) ([]int16, error) {
	n := int(dur.Seconds() * PulseRate)
	if n <= 0 {
		return nil, fmt.Errorf("testlab: record duration %v too short", dur)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := exec.CommandContext(ctx, "parec", "-d", source, fmt.Sprintf("--rate=%d", PulseRate),
		"--channels=1", "--format=s16le", "--raw", "--latency-msec=10")
	cmd.Env = append(os.Environ(), p.Env()...)
	cmd.SysProcAttr = pulseSysProcAttr()
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start parec: %w", err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	raw := make([]byte, 2*n)
	if _, err := io.ReadFull(out, raw); err != nil {
		return nil, fmt.Errorf("testlab: parec %s: %w", source, err)
	}
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(uint16(raw[2*i]) | uint16(raw[2*i+1])<<8)
	}
	return s, nil
}

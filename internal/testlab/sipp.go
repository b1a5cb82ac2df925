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
)

// Errors returned by the sipp helpers.
var (
	// ErrSippTimeout is returned when sipp did not finish within SippArgs.Timeout.
	ErrSippTimeout = errors.New("testlab: sipp timed out")
	// ErrSippNotReady is returned when a background sipp did not bind its port.
	ErrSippNotReady = errors.New("testlab: sipp did not become ready")
	// ErrSippArgs is returned for invalid SippArgs.
	ErrSippArgs = errors.New("testlab: invalid sipp arguments")
)

//go:embed sipp/*.xml
var sippFS embed.FS

// SippScenario names one of the scenario files embedded in this package.
type SippScenario string

// Embedded sipp scenarios. Each file documents its flow and keys.
const (
	// SippRegister is REGISTER / 401 / REGISTER+auth / 200. Keys:
	// contact_port, contact_params, expires (see SippRegisterArgs).
	SippRegister SippScenario = "register.xml"
	// SippUACAuth is a call through an authenticating proxy: INVITE / 407 /
	// ACK / INVITE+auth / 200 / ACK / pause(CallDuration) / BYE. Key: caller.
	SippUACAuth SippScenario = "uac_auth.xml"
	// SippUAS answers INVITEs (180, 200 with PCMU SDP), copies Record-Route,
	// and answers the BYE. Use RTPEcho to echo media.
	SippUAS SippScenario = "uas.xml"
	// SippDirectInvite sends one INVITE straight to a UA, not via its
	// registrar (scanner). A call succeeds when it is rejected or ignored
	// and fails when it is answered. Key: caller.
	SippDirectInvite SippScenario = "direct_invite.xml"
	// SippMalformedInvite sends a syntactically broken INVITE. A call
	// succeeds on an error response or silence and fails on 200. Key: caller.
	SippMalformedInvite SippScenario = "malformed_invite.xml"
	// SippGarbage sends a datagram that is not SIP. A call succeeds on an
	// error response or silence.
	SippGarbage SippScenario = "garbage.xml"
)

// String returns the scenario file name.
func (s SippScenario) String() string { return string(s) }

// sippRejectCodes are the error responses the scanner / malformed scenarios
// accept as "rejected" (RFC 3261 21.4-21.6).
var sippRejectCodes = []int{400, 401, 403, 404, 405, 407, 408, 410, 413, 415, 416, 420,
	480, 481, 482, 483, 484, 485, 486, 487, 488, 491, 493, 500, 501, 502, 503, 504, 505, 513,
	600, 603, 604, 606}

// SippArgs describes one sipp run. Zero values pick sensible defaults.
type SippArgs struct {
	// Scenario is the embedded scenario to run (ignored if ScenarioFile is set).
	Scenario SippScenario
	// ScenarioFile is the path of a custom scenario XML.
	ScenarioFile string
	// Remote is the target "127.0.0.1:PORT"; empty for a UAS.
	Remote string
	// Service is the R-URI user (-s); default "service".
	Service string
	// Caller is the From user (key "caller"); default AuthUser, else "sipp".
	Caller string
	// AuthUser and AuthPass are the digest credentials (-au / -ap).
	AuthUser, AuthPass string
	// Transport is "udp" (default) or "tcp".
	Transport string
	// LocalPort is sipp's SIP port (-p); 0 picks a free one.
	LocalPort int
	// MediaPort is sipp's RTP port (-mp); 0 picks a free even one.
	MediaPort int
	// Calls is the number of calls to make/answer before exiting (-m);
	// 0 means 1 for a client scenario and unlimited for SippUAS.
	Calls int
	// Rate is the call rate in calls per second (-r); default 10.
	Rate float64
	// MaxConcurrent limits simultaneous calls (-l); 0 = sipp's default.
	MaxConcurrent int
	// CallDuration is the length of a <pause/> without attributes (-d).
	CallDuration time.Duration
	// RTPEcho echoes received RTP back (-rtp_echo).
	RTPEcho bool
	// Keys are extra -key NAME VALUE pairs; they override defaults.
	Keys map[string]string
	// NoAnswerTimeout is how long SippDirectInvite, SippMalformedInvite and
	// SippGarbage wait for a final response; default 2 s.
	NoAnswerTimeout time.Duration
	// RecvTimeout fails a call that waits longer than this for a message
	// (-recv_timeout); default 5 s for client scenarios, none for SippUAS.
	RecvTimeout time.Duration
	// Timeout bounds the whole run (sipp -timeout, then the process is
	// killed); default 60 s.
	Timeout time.Duration
	// ExtraArgs are appended to the sipp command line.
	ExtraArgs []string
}

// SippResult is the outcome of a finished sipp run.
type SippResult struct {
	// ExitCode is sipp's exit status: 0 all calls successful, 1 at least one
	// failed, 97 stopped by an internal command, 99 exit without any call,
	// 255 fatal error, 254 could not bind; -1 if it did not exit by itself.
	ExitCode int
	// Successful and Failed are the cumulative call counters.
	Successful, Failed int
	// Stats holds every cumulative counter of -trace_stat ("(C)" columns,
	// e.g. "FailedCallRejected", "FailedTimeoutOnRecv") of the last row.
	Stats map[string]int
	// Received counts the SIP responses sipp received, by status code.
	Received map[int]int
	// ReceivedRequests counts the SIP requests sipp received, by method.
	ReceivedRequests map[string]int
	// Output is sipp's stdout/stderr.
	Output string
	// Errors is the content of sipp's error trace file (-trace_err).
	Errors string
	// Dir is the working directory holding the scenario and trace files.
	Dir string
	// Duration is the wall time of the run.
	Duration time.Duration
	// Err is set when the run could not complete (start failure, timeout).
	Err error
}

// OK reports whether sipp exited with status 0 (every call successful) and
// without a harness error.
func (r SippResult) OK() bool { return r.Err == nil && r.ExitCode == 0 }

// Summary returns a one-line description for test messages.
func (r SippResult) Summary() string {
	s := fmt.Sprintf("sipp exit=%d (%s) successful=%d failed=%d received=%v", r.ExitCode, SippExitText(r.ExitCode), r.Successful, r.Failed, r.Received)
	if r.Err != nil {
		s += " err=" + r.Err.Error()
	}
	return s
}

// SippExitText explains a sipp exit status.
func SippExitText(code int) string {
	switch code {
	case 0:
		return "all calls successful"
	case 1:
		return "at least one call failed"
	case 97:
		return "exit on internal command"
	case 99:
		return "normal exit without calls processed"
	case 255, -1:
		return "fatal error"
	case 254, -2:
		return "fatal error binding a socket"
	default:
		return "unknown"
	}
}

// Sipp is a sipp process started in the background by StartSipp.
type Sipp struct {
	args    SippArgs
	dir     string
	port    int
	media   int
	started time.Time
	cmd     *exec.Cmd
	out     *os.File
	done    chan struct{}
	waitErr error

	mu     sync.Mutex
	result *SippResult
}

// RequireSipp fails the test (or skips it when PITCHLINE_SKIP_INTEROP=1)
// unless sipp is on PATH.
func RequireSipp(t testing.TB) {
	t.Helper()
	requireLabTool(t, "sipp", "sip-tester")
}

// RunSipp runs sipp to completion and returns its result. Scenario failures
// are reported in the result (check OK), not as test failures; a sipp that
// cannot be started fails the test. On test failure the output is logged.
func RunSipp(t testing.TB, args SippArgs) SippResult {
	t.Helper()
	s := StartSipp(t, args)
	ctx, cancel := context.WithTimeout(context.Background(), s.args.Timeout+10*time.Second)
	defer cancel()
	res, _ := s.Wait(ctx)
	return res
}

// StartSipp starts sipp in the background and returns once its SIP port is
// bound. The process is stopped in t.Cleanup (SIGTERM, then SIGKILL); if
// the test failed its output is written to the test log.
func StartSipp(t testing.TB, args SippArgs) *Sipp {
	t.Helper()
	RequireSipp(t)
	s, err := prepareSipp(t, args)
	if err != nil {
		t.Fatalf("testlab: sipp: %v", err)
	}
	t.Cleanup(func() {
		res := s.Stop()
		if t.Failed() {
			t.Logf("sipp %s in %s: %s\noutput:\n%s\nerrors:\n%s", s.scenarioName(), s.dir, res.Summary(),
				tailString(res.Output, 8<<10), tailString(res.Errors, 8<<10))
		}
	})
	if err := s.start(); err != nil {
		t.Fatalf("testlab: start sipp: %v\n%s", err, tailString(s.readOutput(), 8<<10))
	}
	return s
}

// SippRegisterArgs returns arguments for SippRegister: register user with
// password at registrar, with a Contact on contactPort that expires after
// expires seconds (0 un-registers).
func SippRegisterArgs(registrar, user, password string, contactPort, expires int) SippArgs {
	return SippArgs{
		Scenario: SippRegister,
		Remote:   registrar,
		Service:  user,
		AuthUser: user,
		AuthPass: password,
		Keys: map[string]string{
			"contact_port": strconv.Itoa(contactPort),
			"expires":      strconv.Itoa(expires),
		},
	}
}

// prepareSipp validates args, fills defaults, and writes the scenario.
func prepareSipp(t testing.TB, args SippArgs) (*Sipp, error) {
	if args.ScenarioFile == "" && args.Scenario == "" {
		return nil, fmt.Errorf("%w: no scenario", ErrSippArgs)
	}
	isUAS := args.ScenarioFile == "" && args.Scenario == SippUAS
	if args.Remote == "" && !isUAS && args.ScenarioFile == "" {
		return nil, fmt.Errorf("%w: scenario %s needs Remote", ErrSippArgs, args.Scenario)
	}
	if args.Remote != "" {
		host, _, err := net.SplitHostPort(args.Remote)
		if err != nil {
			return nil, fmt.Errorf("%w: Remote %q: %v", ErrSippArgs, args.Remote, err)
		}
		if host != LoopbackIP {
			return nil, fmt.Errorf("%w: Remote %q is not on %s", ErrSippArgs, args.Remote, LoopbackIP)
		}
	}
	switch args.Transport {
	case "":
		args.Transport = "udp"
	case "udp", "tcp":
	default:
		return nil, fmt.Errorf("%w: transport %q (want udp or tcp)", ErrSippArgs, args.Transport)
	}
	if args.Service == "" {
		args.Service = "service"
	}
	if args.Caller == "" {
		args.Caller = args.AuthUser
		if args.Caller == "" {
			args.Caller = "sipp"
		}
	}
	if args.LocalPort == 0 {
		args.LocalPort = FreePort(t, args.Transport)
	}
	if args.MediaPort == 0 {
		args.MediaPort = FreePortRange(t, 4).First
	}
	if args.Calls == 0 && !isUAS {
		args.Calls = 1
	}
	if args.Rate == 0 {
		args.Rate = 10
	}
	if args.NoAnswerTimeout == 0 {
		args.NoAnswerTimeout = 2 * time.Second
	}
	if args.RecvTimeout == 0 && !isUAS {
		args.RecvTimeout = 5 * time.Second
	}
	if args.Timeout == 0 {
		args.Timeout = 60 * time.Second
	}
	s := &Sipp{args: args, dir: t.TempDir(), port: args.LocalPort, media: args.MediaPort, done: make(chan struct{})}
	if args.ScenarioFile == "" {
		if err := s.writeScenario(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// writeScenario renders the embedded scenario template into the run dir.
func (s *Sipp) writeScenario() error {
	name := string(s.args.Scenario)
	raw, err := sippFS.ReadFile("sipp/" + name)
	if err != nil {
		return fmt.Errorf("%w: unknown scenario %q", ErrSippArgs, name)
	}
	tmpl, err := template.New(name).Parse(string(raw))
	if err != nil {
		return fmt.Errorf("scenario %s: %w", name, err)
	}
	var b bytes.Buffer
	err = tmpl.Execute(&b, map[string]any{
		"NoAnswerMS":  s.args.NoAnswerTimeout.Milliseconds(),
		"RejectCodes": sippRejectCodes,
		"TimewaitMS":  500,
	})
	if err != nil {
		return fmt.Errorf("scenario %s: %w", name, err)
	}
	return os.WriteFile(filepath.Join(s.dir, name), b.Bytes(), 0o644)
}

func (s *Sipp) scenarioPath() string {
	if s.args.ScenarioFile != "" {
		return s.args.ScenarioFile
	}
	return filepath.Join(s.dir, string(s.args.Scenario))
}

func (s *Sipp) scenarioName() string { return filepath.Base(s.scenarioPath()) }

// commandLine builds the sipp arguments.
func (s *Sipp) commandLine() []string {
	a := s.args
	keys := map[string]string{
		"caller":         a.Caller,
		"contact_port":   strconv.Itoa(a.LocalPort),
		"contact_params": "",
		"expires":        "300",
	}
	for k, v := range a.Keys {
		keys[k] = v
	}
	var argv []string
	if a.Remote != "" {
		argv = append(argv, a.Remote)
	}
	transport := "u1"
	if a.Transport == "tcp" {
		transport = "t1"
	}
	argv = append(argv,
		"-sf", s.scenarioPath(),
		"-s", a.Service,
		"-i", LoopbackIP, "-mi", LoopbackIP,
		"-p", strconv.Itoa(a.LocalPort), "-mp", strconv.Itoa(a.MediaPort),
		"-t", transport,
		"-r", strconv.FormatFloat(a.Rate, 'f', -1, 64), "-rp", "1000",
		"-nostdin",
		"-timeout", strconv.Itoa(int(a.Timeout.Seconds()+0.999))+"s",
		"-trace_err", "-error_file", filepath.Join(s.dir, "errors.log"),
		"-trace_msg", "-message_file", filepath.Join(s.dir, "messages.log"),
		"-trace_stat", "-stf", filepath.Join(s.dir, "stats.csv"), "-fd", "1",
		"-trace_screen", "-screen_file", filepath.Join(s.dir, "screen.log"),
	)
	if a.Calls > 0 {
		argv = append(argv, "-m", strconv.Itoa(a.Calls))
	}
	if a.MaxConcurrent > 0 {
		argv = append(argv, "-l", strconv.Itoa(a.MaxConcurrent))
	}
	if a.CallDuration > 0 {
		argv = append(argv, "-d", strconv.FormatInt(a.CallDuration.Milliseconds(), 10))
	}
	if a.RecvTimeout > 0 {
		argv = append(argv, "-recv_timeout", strconv.FormatInt(a.RecvTimeout.Milliseconds(), 10))
	}
	switch a.Scenario {
	case SippDirectInvite, SippMalformedInvite, SippGarbage:
		if a.ScenarioFile == "" {
			// These fail a call on purpose when the target answers; sipp
			// must not then send its own BYE for the aborted call.
			argv = append(argv, "-default_behaviors", "all,-bye")
		}
	}
	if a.RTPEcho {
		argv = append(argv, "-rtp_echo")
	}
	if a.AuthUser != "" {
		argv = append(argv, "-au", a.AuthUser)
	}
	if a.AuthPass != "" {
		argv = append(argv, "-ap", a.AuthPass)
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		argv = append(argv, "-key", k, keys[k])
	}
	return append(argv, a.ExtraArgs...)
}

// start launches sipp and waits until its SIP port is bound.
func (s *Sipp) start() error {
	out, err := os.Create(filepath.Join(s.dir, "output.log"))
	if err != nil {
		return err
	}
	s.out = out
	argv := s.commandLine()
	fmt.Fprintf(out, "=== testlab: sipp %s\n", strings.Join(argv, " "))
	cmd := exec.Command("sipp", argv...)
	cmd.Dir = s.dir
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	s.started = time.Now()
	if err := cmd.Start(); err != nil {
		out.Close()
		close(s.done)
		s.waitErr = err
		return fmt.Errorf("exec sipp: %w", err)
	}
	s.cmd = cmd
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	// No "bound" event exists; poll /proc/net (read-only) for the port.
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for !portListening(s.args.Transport, s.port) {
		select {
		case <-s.done:
			// A client that finished very fast (e.g. bind error) is reported by Wait.
			return nil
		case <-deadline.C:
			return fmt.Errorf("%w: port %d not bound after 10s", ErrSippNotReady, s.port)
		case <-tick.C:
		}
	}
	return nil
}

// Port returns sipp's SIP port.
func (s *Sipp) Port() int { return s.port }

// Addr returns sipp's SIP address, "127.0.0.1:PORT".
func (s *Sipp) Addr() string { return net.JoinHostPort(LoopbackIP, strconv.Itoa(s.port)) }

// MediaPort returns sipp's RTP port.
func (s *Sipp) MediaPort() int { return s.media }

// Dir returns the working directory of this run.
func (s *Sipp) Dir() string { return s.dir }

// Done is closed when the sipp process has exited.
func (s *Sipp) Done() <-chan struct{} { return s.done }

// Wait waits for sipp to exit by itself (or for ctx to end, then it stops
// sipp) and returns the result. After the process has exited, Wait and Stop
// return the same result.
func (s *Sipp) Wait(ctx context.Context) (SippResult, error) {
	timeout := time.NewTimer(s.args.Timeout + 5*time.Second)
	defer timeout.Stop()
	select {
	case <-s.done:
		return s.collect(nil), nil
	case <-ctx.Done():
		res := s.stop(fmt.Errorf("%w: %v", ErrSippTimeout, ctx.Err()))
		return res, res.Err
	case <-timeout.C:
		res := s.stop(fmt.Errorf("%w after %v", ErrSippTimeout, s.args.Timeout))
		return res, res.Err
	}
}

// Stop ends sipp if it still runs (SIGTERM, after 3 s SIGKILL to its
// process group) and returns the result. It is safe to call more than once.
func (s *Sipp) Stop() SippResult { return s.stop(nil) }

func (s *Sipp) stop(reason error) SippResult {
	if s.cmd != nil {
		select {
		case <-s.done:
		default:
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.done:
			case <-time.After(3 * time.Second):
				_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
				<-s.done
			}
		}
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL) // stragglers of this group only
	} else {
		<-s.done
	}
	return s.collect(reason)
}

// collect builds the result once, after the process has exited.
func (s *Sipp) collect(reason error) SippResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.result != nil {
		return *s.result
	}
	if s.out != nil {
		s.out.Close()
	}
	res := SippResult{Dir: s.dir, Duration: time.Since(s.started), Err: reason, ExitCode: -1}
	if s.cmd != nil && s.cmd.ProcessState != nil {
		if ws, ok := s.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Exited() {
			res.ExitCode = ws.ExitStatus()
		}
	} else if res.Err == nil && s.waitErr != nil {
		res.Err = s.waitErr
	}
	res.Output = s.readOutput()
	if b, err := os.ReadFile(filepath.Join(s.dir, "errors.log")); err == nil {
		res.Errors = string(b)
	}
	res.Stats = map[string]int{}
	if b, err := os.ReadFile(filepath.Join(s.dir, "stats.csv")); err == nil {
		if st, err := ParseSippStats(b); err == nil {
			res.Stats = st
		}
	}
	if v, ok := res.Stats["SuccessfulCall"]; ok {
		res.Successful, res.Failed = v, res.Stats["FailedCall"]
	} else if b, err := os.ReadFile(filepath.Join(s.dir, "screen.log")); err == nil {
		res.Successful, res.Failed = ParseSippScreen(b)
	}
	res.Received, res.ReceivedRequests = map[int]int{}, map[string]int{}
	if b, err := os.ReadFile(filepath.Join(s.dir, "messages.log")); err == nil {
		res.Received, res.ReceivedRequests = ParseSippMessages(b)
	}
	s.result = &res
	return res
}

func (s *Sipp) readOutput() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "output.log"))
	return string(b)
}

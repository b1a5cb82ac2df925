package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
)

// bin is the pitchline binary under test: $PITCHLINE_BIN (make test sets
// it to build/bin/pitchline), else one built from this checkout.
var bin string

func TestMain(m *testing.M) {
	bin = os.Getenv("PITCHLINE_BIN")
	if bin == "" {
		dir, err := os.MkdirTemp("", "pitchline-bin")
		if err != nil {
			panic(err)
		}
		bin = filepath.Join(dir, "pitchline")
		out, err := exec.Command("go", "build", "-o", bin, "..").CombinedOutput()
		if err != nil {
			os.Stderr.Write(out)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, env []string, timeout time.Duration, args ...string) result {
	t.Helper()
	return runIn(t, env, "", timeout, args...)
}

// runIn runs the binary with env added and stdin as its standard input.
func runIn(t *testing.T, env []string, stdin string, timeout time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return result{code, so.String(), se.String()}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"frobnicate"},
		{"call"},
		{"call", "--sip-uri", "sip:a@127.0.0.1"}, // no target
		{"call", "--sip-uri", "carol", "bob"},    // not a SIP URI
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--transport", "sctp", "bob"},
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--hangup-after", "soon", "bob"},
		{"answer", "--sip-uri", "sip:a@127.0.0.1", "--reject", "maybe"},
		{"call", "--sip-uri", "sip:a@127.0.0.1", "--record", "x.mp3", "bob"},
	} {
		r := run(t, nil, 10*time.Second, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "pitchline:") {
			t.Errorf("%v: exit %d stderr %q, want 2 with a message", args, r.code, r.stderr)
		}
	}
}

func TestNoSoundServerMessage(t *testing.T) {
	// A private runtime dir and no PulseAudio: PortAudio finds no device.
	env := []string{"XDG_RUNTIME_DIR=" + t.TempDir(), "PULSE_SERVER=unix:/nonexistent", "HOME=" + t.TempDir()}
	r := run(t, env, 20*time.Second, "call", "--sip-uri", "sip:a@127.0.0.1", "--no-register", "--audio", "default", "sip:b@127.0.0.1:9")
	if r.code != 1 || !strings.Contains(r.stderr, "--audio null") || !strings.Contains(strings.ToLower(r.stderr), "sound") {
		t.Errorf("exit %d stderr %q; want 1 naming the sound server and suggesting --audio null", r.code, r.stderr)
	}
}

func TestNoKeychainMessage(t *testing.T) {
	cmd := exec.Command(bin, "call", "--sip-uri", "sip:a@127.0.0.1", "--audio", "null", "b")
	cmd.Env = filterEnv(os.Environ(), "DBUS_SESSION_BUS_ADDRESS")
	var se bytes.Buffer
	cmd.Stderr = &se
	err := cmd.Run()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 || !strings.Contains(se.String(), "--password-env") {
		t.Errorf("err %v stderr %q; want exit 1 suggesting --password-env", err, se.String())
	}
}

func filterEnv(env []string, drop string) []string {
	var out []string
	for _, e := range env {
		if !strings.HasPrefix(e, drop+"=") {
			out = append(out, e)
		}
	}
	return out
}

func TestBadMediaFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "notes.mp3")
	os.WriteFile(bad, []byte("this is not audio at all"), 0o644)
	for _, f := range []string{filepath.Join(dir, "missing.wav"), bad} {
		r := run(t, []string{"PW=x"}, 20*time.Second, "call", "--sip-uri", "sip:a@127.0.0.1", "--no-register",
			"--audio", "null", "--play", f, "sip:b@127.0.0.1:9")
		if r.code == 0 || !strings.Contains(r.stderr, filepath.Base(f)) {
			t.Errorf("--play %s: exit %d stderr %q; want an error naming the file", f, r.code, r.stderr)
		}
	}
}

// TestSippTwentyCallsToAnswerMode: sipp places 20 calls through Kamailio
// to `pitchline answer`, and all succeed.
func TestSippTwentyCallsToAnswerMode(t *testing.T) {
	k := testlab.StartKamailio(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "answer", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW",
		"--audio", "null", "--max-calls", "20", "--json")
	cmd.Env = append(os.Environ(), "CAROL_PW="+k.Password("carol"))
	stdout, _ := cmd.StdoutPipe()
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan map[string]any, 256)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Errorf("not JSON: %q", sc.Text())
				continue
			}
			if _, ok := m["event"]; !ok {
				t.Errorf("line without event: %q", sc.Text())
			}
			lines <- m
		}
		close(lines)
	}()
	ready := false
	for m := range lines {
		if m["event"] == "ready" {
			ready = true
			break
		}
		if m["event"] == "registration_failed" {
			t.Fatalf("registration failed: %v", m)
		}
	}
	if !ready {
		t.Fatalf("answer mode never became ready: %s", se.String())
	}
	res := testlab.RunSipp(t, testlab.SippArgs{
		Scenario: testlab.SippUACAuth, Remote: k.Addr(), Service: "carol",
		AuthUser: "alice", AuthPass: k.Password("alice"), Calls: 20, Rate: 5, MaxConcurrent: 20,
		CallDuration: 2 * time.Second,
	})
	answered, ended := 0, 0
	for m := range lines {
		switch m["event"] {
		case "answered":
			answered++
		case "ended":
			ended++
		}
	}
	err := cmd.Wait()
	if !res.OK() || res.Successful != 20 {
		t.Errorf("sipp: %s", res.Summary())
	}
	if answered != 20 || ended != 20 {
		t.Errorf("pitchline answered %d and ended %d calls, want 20/20; stderr: %s", answered, ended, se.String())
	}
	if err != nil {
		t.Errorf("pitchline answer exited with %v", err)
	}
}

// TestScriptedCallToBaresip drives `pitchline call` with the script flags
// and checks the JSON events and exit status 0.
func TestScriptedCallToBaresip(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), testlab.WithTone(400))
	if _, err := k.WaitRegistered(context.Background(), "bob"); err != nil {
		t.Fatal(err)
	}
	go func() {
		// bob sends a digit once the call is up.
		if _, err := bob.WaitEventType(context.Background(), "CALL_ESTABLISHED"); err == nil {
			bob.Command(context.Background(), "sndcode", "9")
		}
	}()
	rec := filepath.Join(t.TempDir(), "rx.wav")
	r := run(t, []string{"CAROL_PW=" + k.Password("carol")}, 60*time.Second,
		"call", "--sip-uri", "sip:carol@"+k.Addr(), "--password-env", "CAROL_PW", "--audio", "null",
		"--record", rec, "--dtmf", "42", "--hold-after", "2s", "--resume-after", "3s", "--hangup-after", "5s", "--json", "bob")
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	seen := map[string]map[string]any{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		seen[m["event"].(string)] = m
	}
	for _, want := range []string{"registered", "ringing", "answered", "held", "resumed", "dtmf", "rtp_stats", "ended"} {
		if seen[want] == nil {
			t.Errorf("no %q event in output:\n%s", want, r.stdout)
		}
	}
	if d := seen["dtmf"]; d != nil && d["digit"] != "9" {
		t.Errorf("dtmf %v", d)
	}
	if e := seen["ended"]; e != nil && (e["cause"] != "local_hangup" || e["duration_ms"].(float64) < 4500) {
		t.Errorf("ended %v", e)
	}
	if s := seen["rtp_stats"]; s != nil && s["packets_received"].(float64) < 50 {
		t.Errorf("rtp_stats %v", s)
	}
	checkDTMFReceived(t, bob, "42")
	checkRecordedTone(t, rec, 400)
}

// checkDTMFReceived checks that baresip received exactly the digits, in
// order, as RFC 4733 events (its ctrl_tcp CALL_DTMF_START events).
func checkDTMFReceived(t *testing.T, b *testlab.Baresip, digits string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The call is over: every DTMF event baresip got was sent before the
	// BYE; wait for the close so that none is still on its way.
	if _, err := b.WaitEventType(ctx, "CALL_CLOSED"); err != nil {
		t.Fatalf("baresip never closed the call: %v", err)
	}
	var got []string
	for _, e := range b.Events() {
		if e.Type == "CALL_DTMF_START" {
			got = append(got, e.Param)
		}
	}
	if strings.Join(got, "") != digits {
		t.Errorf("baresip received DTMF digits %q, want %q", got, digits)
	}
}

// checkRecordedTone checks that path is a complete mono 16-bit PCM WAV at
// 48 kHz (the engine's wideband audio bus, whatever the call's codec)
// holding baresip's tone: at least one second of
// 100 ms frames whose strongest frequency is freq.
func checkRecordedTone(t *testing.T, path string, freq float64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	if len(b) < 44 || string(b[0:4]) != "RIFF" || string(b[8:16]) != "WAVEfmt " || string(b[36:40]) != "data" {
		t.Fatalf("recording %s is not a canonical WAV file (%d bytes, header %q)", path, len(b), b[:min(len(b), 44)])
	}
	le := binary.LittleEndian
	format, channels, rate, bits := le.Uint16(b[20:]), le.Uint16(b[22:]), le.Uint32(b[24:]), le.Uint16(b[34:])
	if format != 1 || channels != 1 || rate != 48000 || bits != 16 {
		t.Errorf("recording format %d, %d channels, %d Hz, %d bits; want PCM (1), mono, 48000 Hz, 16 bits", format, channels, rate, bits)
	}
	if riff, data := le.Uint32(b[4:]), le.Uint32(b[40:]); int(riff) != len(b)-8 || int(data) != len(b)-44 {
		t.Errorf("recording header sizes RIFF %d, data %d for a %d-byte file: not closed properly", riff, data, len(b))
	}
	r, samples, err := testlab.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) < 2*r {
		t.Fatalf("recording holds %d samples (%.1f s) of a 5 s call", len(samples), float64(len(samples))/float64(r))
	}
	frame, toned := r/10, 0
	for i := 0; i+frame <= len(samples); i += frame {
		f := samples[i : i+frame]
		if dsp.RMS(f) < 0.01 {
			continue // hold or the first packets
		}
		if best, _ := dsp.DominantFrequency(f, r, 100, 3400, 10); math.Abs(best-freq) <= 10 {
			toned++
		}
	}
	if toned < 10 {
		t.Errorf("recording: %d of %d frames of 100 ms carry baresip's %.0f Hz tone, want at least 10", toned, len(samples)/frame, freq)
	}
}

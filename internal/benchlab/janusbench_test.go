//go:build benchlab && linux

package benchlab

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pion/rtp"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/internal/testlab"
)

// The conference benchmark of issue 10, section 6: the CPU of an N-leg
// conference mixed by Pitchline (`pitchline conference`, one process)
// against the same N participants in a Janus AudioBridge room, both
// running AT THE SAME TIME over the same window. Run it with
// scripts/bench.d/60-conference-janus.sh (or `go test -tags benchlab -run
// TestConferenceJanus -v ./internal/benchlab/` with PITCHLINE_BIN set).
//
// The participants are the same on both sides: one sipp process per side
// running confUASScenario, which answers every call and streams the same
// raw u-law file (rtp_stream, PCMU, 20 ms packets) for as long as the
// call lasts. Pitchline calls its sipp's N participants itself. Janus has
// no SIP: each participant joins the room over the REST API as a
// plain-RTP participant ("join" with an "rtp" object), and a second sipp
// (confStubScenario) calls the participants' sipp with an SDP offer that
// points at the port Janus gave that participant, so the participants'
// sipp streams into Janus exactly as into Pitchline. Both mixers send
// each participant's mix back to that sipp's media port. Pitchline's
// rtp_stats events show that its legs received the whole window's
// packets; Janus's room mix is checked for sound (rtp_forward to a socket
// of this test) just before and just after the window, not during it.
// Pitchline also mixes the rep (--audio null: silence in, nothing out).
//
// Environment:
//
//	PITCHLINE_BIN                   pitchline binary to measure (required; the script builds pitchline-cli)
//	PITCHLINE_BENCH_CONF_LEGS       comma-separated conference sizes (default "8,32")
//	PITCHLINE_BENCH_CONF_ROUNDS     side-by-side rounds per size (default 3)
//	PITCHLINE_BENCH_CONF_WINDOW     measured window per round (default 20s)
//	PITCHLINE_BENCH_CONF_SETTLE     wait after both are up, before the window (default 3s)
//	PITCHLINE_BENCH_CONF_RATE       Janus room sampling_rate (default 48000, Pitchline's bus rate)
//	PITCHLINE_BENCH_OUT             also write the Markdown report to this file

// confUASScenario: answer with PCMU on [media_port], stream the file
// until BYE (or until sipp is stopped).
var confUASScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="pitchline bench: participant (UAS, rtp_stream)">
  <recv request="INVITE" crlf="true"/>
` + sippAnswerPCMU("P", true) + `  <recv request="ACK" crlf="true"/>
  <nop>
    <action>
      <exec rtp_stream="@FILE@,-1,0"/>
    </action>
  </nop>
` + sippByeOK(true) + `</scenario>
`

// confStubScenario: the Janus side's signalling stand-in. Each call
// offers the Janus port of one participant (field0 of the injection
// file, one line per call) and then holds the call until sipp is
// stopped.
const confStubScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="pitchline bench: janus signalling stub (UAC)">
  <send retrans="500">
    <![CDATA[

      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: janus <sip:janus@[local_ip]:[local_port]>;tag=[pid]J[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:janus@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=janus 1 1 IN IP4 127.0.0.1
      s=-
      c=IN IP4 127.0.0.1
      t=0 0
      m=audio [field0] RTP/AVP 0
      a=rtpmap:0 PCMU/8000
      a=ptime:20

    ]]>
  </send>
  <recv response="100" optional="true"/>
  <recv response="200"/>
  <send>
    <![CDATA[

      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: janus <sip:janus@[local_ip]:[local_port]>;tag=[pid]J[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Contact: <sip:janus@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <pause milliseconds="3600000"/>
</scenario>
`

// writeSpeechULaw writes secs seconds of a continuous speech-like signal
// as raw u-law (8 kHz): a 110-150 Hz glottal-like pulse train (harmonics
// up to 3.4 kHz, falling 6 dB/octave) whose pitch glides and whose level
// follows a 4 Hz syllable envelope between -30 and -12 dBFS. It never
// goes silent, so neither side can skip a participant for silence.
func writeSpeechULaw(path string, secs int) error {
	const rate = 8000
	out := make([]byte, secs*rate)
	phase := 0.0
	for i := range out {
		tm := float64(i) / rate
		f0 := 130 + 20*math.Sin(2*math.Pi*0.7*tm)
		phase += 2 * math.Pi * f0 / rate
		var s float64
		for h := 1; float64(h)*f0 < 3400; h++ {
			s += math.Sin(float64(h)*phase) / float64(h)
		}
		env := 0.03 + 0.22*(0.5+0.5*math.Sin(2*math.Pi*4*tm))
		out[i] = codec.ULawEncode(int16(math.Max(-32767, math.Min(32767, s*env*32767/2))))
	}
	return os.WriteFile(path, out, 0o644)
}

// mixSink is one Janus participant's receiving end: it counts the mix
// packets Janus sends and the ones that carry sound.
type mixSink struct {
	conn          *net.UDPConn
	packets, loud atomic.Int64
	done          chan struct{}
}

func newMixSink(t *testing.T) *mixSink {
	c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	s := &mixSink{conn: c, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 2048)
		var p rtp.Packet
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if p.Unmarshal(buf[:n]) != nil || p.PayloadType != 0 {
				continue
			}
			s.packets.Add(1)
			var sum float64
			for _, b := range p.Payload {
				v := float64(codec.ULawDecode(b))
				sum += v * v
			}
			if len(p.Payload) > 0 && math.Sqrt(sum/float64(len(p.Payload))) > 300 { // about -40 dBFS
				s.loud.Add(1)
			}
		}
	}()
	t.Cleanup(func() { c.Close(); <-s.done })
	return s
}

func (s *mixSink) port() int { return s.conn.LocalAddr().(*net.UDPAddr).Port }

// mixHasSound forwards the room's mix (AudioBridge rtp_forward, PCMU) to
// a socket of the test until 10 packets with sound have arrived, then
// stops the forwarder. It runs before and after the measured window,
// never during it (the forwarder's encoding would count as Janus's CPU).
func mixHasSound(ctx context.Context, t *testing.T, jc *JanusClient, ctl uint64, room int, jdir string) {
	t.Helper()
	sink := newMixSink(t)
	ans, err := jc.Request(ctx, ctl, map[string]any{"request": "rtp_forward", "room": room,
		"host": "127.0.0.1", "port": sink.port(), "codec": "pcmu", "ptype": 0})
	if err != nil {
		t.Fatal(err)
	}
	var fw struct {
		StreamID uint64 `json:"stream_id"`
	}
	if err := json.Unmarshal(ans, &fw); err != nil || fw.StreamID == 0 {
		t.Fatalf("janus: rtp_forward answered %s", ans)
	}
	for sink.loud.Load() < 10 {
		select {
		case <-ctx.Done():
			t.Fatalf("janus: the room's mix gave %d packets, %d with sound (log %s)", sink.packets.Load(), sink.loud.Load(), tail(filepath.Join(jdir, "janus.log")))
		case <-time.After(50 * time.Millisecond):
		}
	}
	if _, err := jc.Request(ctx, ctl, map[string]any{"request": "stop_rtp_forward", "room": room, "stream_id": fw.StreamID}); err != nil {
		t.Fatal(err)
	}
}

// confSide is one mixer under test in one round.
type confSide struct {
	pid int
	cmd *exec.Cmd
}

type confRound struct {
	legs, round     int
	window          time.Duration
	plCPU, janusCPU time.Duration
	plRecv          int64 // RTP packets Pitchline's legs received in the window
	load            string
}

func TestConferenceJanus(t *testing.T) {
	bin := os.Getenv("PITCHLINE_BIN")
	if bin == "" {
		t.Fatal("PITCHLINE_BIN is not set: the benchmark measures a built pitchline (scripts/bench.d/60-conference-janus.sh builds it)")
	}
	for _, tool := range []string{"janus", "sipp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (make setup installs it; see scripts/packages.txt): %v", tool, err)
		}
	}
	if _, err := os.Stat(filepath.Join(JanusPluginsDir, "plugins", "libjanus_audiobridge.so")); err != nil {
		t.Fatalf("Janus's AudioBridge plugin is missing: %v", err)
	}
	var sizes []int
	for _, f := range strings.Split(envOr("PITCHLINE_BENCH_CONF_LEGS", "8,32"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 2 || n > 100 {
			t.Fatalf("PITCHLINE_BENCH_CONF_LEGS: %q is not a size in 2..100", f)
		}
		sizes = append(sizes, n)
	}
	rounds := envInt(t, "PITCHLINE_BENCH_CONF_ROUNDS", 3)
	window := envDuration(t, "PITCHLINE_BENCH_CONF_WINDOW", 20*time.Second)
	settle := envDuration(t, "PITCHLINE_BENCH_CONF_SETTLE", 3*time.Second)
	rate := envInt(t, "PITCHLINE_BENCH_CONF_RATE", 48000)

	dir := t.TempDir()
	media := filepath.Join(dir, "speech.ulaw")
	if err := writeSpeechULaw(media, 10); err != nil {
		t.Fatal(err)
	}
	uas := filepath.Join(dir, "participant.xml")
	stub := filepath.Join(dir, "janus-stub.xml")
	if err := os.WriteFile(uas, []byte(strings.ReplaceAll(confUASScenario, "@FILE@", media)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stub, []byte(confStubScenario), 0o644); err != nil {
		t.Fatal(err)
	}

	var runs []confRound
	for _, n := range sizes {
		for r := 1; r <= rounds; r++ {
			var cr confRound
			t.Run(fmt.Sprintf("legs=%d/round=%d", n, r), func(t *testing.T) {
				cr = conferenceRound(t, bin, uas, stub, n, rate, settle, window)
				cr.round = r
			})
			if t.Failed() {
				t.FailNow()
			}
			runs = append(runs, cr)
		}
	}
	report := confReport(runs, rate, window)
	fmt.Println(report)
	if out := os.Getenv("PITCHLINE_BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// conferenceRound brings up both conferences of n participants, lets them
// settle, and measures both processes' CPU time over the same window.
func conferenceRound(t *testing.T, bin, uas, stub string, n, rate int, settle, window time.Duration) confRound {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	life := settle + window + 90*time.Second // bounds every process of the round
	dir := t.TempDir()

	// --- Janus: the room, N plain-RTP participants, their senders.
	jdir := filepath.Join(dir, "janus")
	if err := os.Mkdir(jdir, 0o755); err != nil {
		t.Fatal(err)
	}
	rtpRange := testlab.FreePortRange(t, 2*n+8)
	httpPort := testlab.FreePort(t, "tcp")
	const room = 1010
	if err := WriteJanusConfig(jdir, JanusConfig{HTTPPort: httpPort, RTPFirst: rtpRange.First, RTPLast: rtpRange.Last, Room: room, SamplingRate: rate}); err != nil {
		t.Fatal(err)
	}
	jcmd := JanusCommand(ctx, jdir)
	janus := startMeasured(t, jcmd, filepath.Join(jdir, "janus.log"))
	base := fmt.Sprintf("http://127.0.0.1:%d/janus", httpPort)
	if err := WaitJanus(ctx, base); err != nil {
		t.Fatalf("%v (log %s)", err, tail(filepath.Join(jdir, "janus.log")))
	}
	jc, err := NewJanusClient(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jc.Close() })
	// Janus connects each plain-RTP participant's socket to the address
	// given in "join", so that address must be where the participant
	// sends from: sipp's rtp_stream sends every call from its one media
	// port, which therefore is every participant's address (Pitchline's
	// legs send their mixes to that same port).
	jPeers := testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: uas, Calls: n, Timeout: life, RecvTimeout: life})
	inject := []string{"SEQUENTIAL"}
	for i := 0; i < n; i++ {
		h, err := jc.Attach(ctx)
		if err != nil {
			t.Fatal(err)
		}
		jctx, jcancel := context.WithTimeout(ctx, 20*time.Second)
		port, err := jc.JoinRTP(jctx, h, room, fmt.Sprintf("p%d", i+1), "pcmu", 0, jPeers.MediaPort())
		jcancel()
		if err != nil {
			t.Fatal(err)
		}
		inject = append(inject, fmt.Sprintf("%d;", port))
	}
	ctl, err := jc.Attach(ctx) // a handle for synchronous requests (rtp_forward)
	if err != nil {
		t.Fatal(err)
	}
	injectFile := filepath.Join(dir, "janus-ports.csv")
	if err := os.WriteFile(injectFile, []byte(strings.Join(inject, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: stub, Remote: jPeers.Addr(), Service: "p",
		Calls: n, Rate: 50, MaxConcurrent: n, Timeout: life, RecvTimeout: life, ExtraArgs: []string{"-inf", injectFile}})

	// --- Pitchline: one conference calling its own sipp's N participants.
	pPeers := testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: uas, Calls: n, Timeout: life, RecvTimeout: life})
	args := []string{"conference", "--sip-uri", "sip:rep@127.0.0.1", "--no-register", "--audio", "null",
		"--codecs", "PCMU", "--max-legs", strconv.Itoa(n), "--hangup-after", life.String(), "--json"}
	for i := 1; i <= n; i++ {
		args = append(args, "--invite", fmt.Sprintf("sip:p%d@%s", i, pPeers.Addr()))
	}
	pcmd := exec.CommandContext(ctx, bin, args...)
	stdout, err := pcmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	pl := startMeasured(t, pcmd, filepath.Join(dir, "pitchline.stderr"))
	up := make(chan error, 1)
	var recvMu sync.Mutex
	recv := map[string]int64{} // leg -> packets_received (last rtp_stats)
	go func() {
		sc := bufio.NewScanner(stdout)
		joined := 0
		for sc.Scan() {
			var ev struct {
				Event    string `json:"event"`
				Leg      string `json:"leg_id"`
				Received int64  `json:"packets_received"`
			}
			if json.Unmarshal(sc.Bytes(), &ev) != nil {
				continue
			}
			switch ev.Event {
			case "participant_joined":
				joined++
			case "participant_left", "ended":
				select {
				case up <- fmt.Errorf("pitchline: %s before the window ended: %s", ev.Event, sc.Text()):
				default:
				}
			case "conference_up":
				var err error
				if joined != n {
					err = fmt.Errorf("pitchline: conference up with %d of %d participants", joined, n)
				}
				select { // never block: pitchline must never wait on its stdout
				case up <- err:
				default:
				}
			case "rtp_stats":
				recvMu.Lock()
				recv[ev.Leg] = ev.Received
				recvMu.Unlock()
			}
		}
	}()
	select {
	case err := <-up:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatalf("pitchline: no conference_up (stderr %s)", tail(filepath.Join(dir, "pitchline.stderr")))
	}
	// Janus is up when the room's mix carries sound: it only does once
	// Janus receives the participants' audio.
	mixHasSound(ctx, t, jc, ctl, room, jdir)

	time.Sleep(settle) // a measurement interval, not a wait for an event
	sumRecv := func() int64 {
		recvMu.Lock()
		defer recvMu.Unlock()
		var s int64
		for _, v := range recv {
			s += v
		}
		return s
	}
	load := loadavg()
	pl0, j0 := mustStat(t, pl.pid), mustStat(t, janus.pid)
	r0 := sumRecv()
	start := time.Now()
	time.Sleep(window)
	pl1, j1 := mustStat(t, pl.pid), mustStat(t, janus.pid)
	elapsed := time.Since(start)
	r1 := sumRecv()
	select {
	case err := <-up:
		t.Fatalf("during the window: %v", err)
	default:
	}
	cr := confRound{legs: n, window: elapsed, plCPU: pl1.CPU() - pl0.CPU(), janusCPU: j1.CPU() - j0.CPU(),
		plRecv: r1 - r0, load: load}
	// Pitchline's legs must have received the whole window's audio: 50
	// packets per second per leg, less a tenth for a loaded machine's late
	// rtp_stats lines. Janus's mix must still carry sound after it.
	want := int64(float64(n) * 50 * elapsed.Seconds() * 0.9)
	if cr.plRecv < want {
		t.Fatalf("pitchline's legs received %d RTP packets in the window, want >= %d", cr.plRecv, want)
	}
	mixHasSound(ctx, t, jc, ctl, room, jdir)
	t.Logf("legs=%d: pitchline %v, janus %v CPU over %v (load %s)", n, cr.plCPU, cr.janusCPU, elapsed.Round(time.Millisecond), load)
	return cr
}

// startMeasured starts cmd with its stderr in logPath and stops it
// (SIGTERM, then the context's kill) when the test ends.
func startMeasured(t *testing.T, cmd *exec.Cmd, logPath string) confSide {
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if cmd.Stderr == nil {
		cmd.Stderr = f
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		f.Close()
	})
	return confSide{pid: cmd.Process.Pid, cmd: cmd}
}

func mustStat(t *testing.T, pid int) ProcStat {
	s, err := ReadStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// perLeg is CPU milliseconds per second of audio per leg.
func perLeg(cpu, window time.Duration, n int) float64 {
	return float64(cpu) / float64(time.Millisecond) / window.Seconds() / float64(n)
}

func confReport(runs []confRound, rate int, window time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Conference CPU, Pitchline and Janus AudioBridge side by side (same window), PCMU participants from sipp, Janus room %d Hz, window %v\n\n", rate, window)
	rows := [][]string{{"legs", "round", "load before", "window s", "pitchline CPU ms", "janus CPU ms", "pitchline ms/s/leg", "janus ms/s/leg", "ratio pitchline/janus"}}
	ratios := map[int][]float64{}
	for _, r := range runs {
		ratio := float64(r.plCPU) / float64(r.janusCPU)
		ratios[r.legs] = append(ratios[r.legs], ratio)
		rows = append(rows, []string{strconv.Itoa(r.legs), strconv.Itoa(r.round), r.load, fmt.Sprintf("%.2f", r.window.Seconds()),
			Millis(r.plCPU), Millis(r.janusCPU),
			fmt.Sprintf("%.3f", perLeg(r.plCPU, r.window, r.legs)), fmt.Sprintf("%.3f", perLeg(r.janusCPU, r.window, r.legs)),
			fmt.Sprintf("%.2f", ratio)})
	}
	b.WriteString(Table(rows))
	var sizes []int
	for _, r := range runs {
		if len(sizes) == 0 || sizes[len(sizes)-1] != r.legs {
			sizes = append(sizes, r.legs)
		}
	}
	for _, n := range sizes {
		rs := ratios[n]
		lo, hi := rs[0], rs[0]
		for _, x := range rs {
			lo, hi = math.Min(lo, x), math.Max(hi, x)
		}
		verdict := "NOT met"
		if hi <= 0.5 {
			verdict = "met"
		}
		fmt.Fprintf(&b, "\nlegs=%d: ratio %.2f-%.2f over %d rounds; goal <= 0.50: %s\n", n, lo, hi, len(rs), verdict)
	}
	return b.String()
}

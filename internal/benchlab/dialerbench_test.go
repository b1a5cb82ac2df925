//go:build benchlab && linux

package benchlab

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/store"
)

// The power dialer benchmarks of issue 11, section 7 (BENCHMARKS.md,
// "Power dialer"). Run them with scripts/bench.d/50-dialer.sh, or
//
//	go test -tags benchlab -run 'TestDialerPacing|TestDialerThroughput' -v ./internal/benchlab/
//
// The session (softphone/dialer) dials through a real *softphone.Phone
// (dialer.NewPhoneEngine, PCMU, null audio, no registration) straight to
// sipp peers on 127.0.0.1. The INVITE times are the peer's own: sipp's
// -trace_msg log stamps every message it receives.
//
// Environment:
//
//	PITCHLINE_BENCH_PACING_CALLS    contacts of the pacing run (default 61: 60 transitions)
//	PITCHLINE_BENCH_DIALER_SCALE    time compression of the throughput run (default 10
//	                                with the real AMD: one simulated hour in 6 real
//	                                minutes; 30 with the oracle)
//	PITCHLINE_BENCH_DIALER_AMD      "real" (default: peers play real audio to the dialer's
//	                                AMD, which drops a voicemail; dialeramd_test.go) or
//	                                "oracle" (no audio, a classifier that knows the peer)
//	PITCHLINE_BENCH_DIALER_SIM      simulated time per mode (default 1h)
//	PITCHLINE_BENCH_DIALER_MODES    modes of the throughput run (default "power,parallel3,parallel5")
//	PITCHLINE_BENCH_OUT             also append the Markdown report to this file

// peerScenario is a sipp UAS that answers 180, then either answers 200
// after answerMS (human and machine peers) or rings until the caller
// cancels (answerMS 0: no answer). A CANCEL while it rings is answered 200
// and the INVITE 487 (RFC 3261 §9.2), as parallel mode cancels the lines
// that lost.
//
// With audio (a headerless 8 kHz mu-law file), the peer plays it as PCMU
// (sipp's rtp_stream, from its media port to the caller's SDP address)
// once the caller's ACK arrives: a person's "Hello?" or a voicemail
// greeting and its beep, for the real AMD to hear.
func peerScenario(name string, answerMS int, audio string) string {
	ack := `<recv request="ACK" optional="true" crlf="true"/>`
	if audio != "" {
		ack = `<recv request="ACK" crlf="true"/>
  <nop><action><exec rtp_stream="` + audio + `,1,0"/></action></nop>`
	}
	timeout := answerMS
	if timeout <= 0 {
		timeout = 24 * 3600 * 1000
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="dialer bench %s">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[

      SIP/2.0 180 Ringing
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]D[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:sipp@[local_ip]:[local_port];transport=[transport]>
      Content-Length: 0

    ]]>
  </send>
  <recv request="CANCEL" timeout="%d" ontimeout="1">
    <action>
      <ereg regexp="[0-9]+" search_in="hdr" header="CSeq:" assign_to="cseqnum"/>
    </action>
  </recv>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]D[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <send>
    <![CDATA[

      SIP/2.0 487 Request Terminated
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]D[call_number]
      [last_Call-ID:]
      CSeq: [$cseqnum] INVITE
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK" next="2"/>
  <label id="1"/>
%s  %s
%s  <label id="2"/>
</scenario>
`, name, timeout, sippAnswerPCMU("D", false), ack, sippByeOK(false))
}

// benchAccount dials SIP URIs directly (no registrar).
var benchAccount = softphone.AccountConfig{AOR: "sip:bench@127.0.0.1", Transport: "udp"}

// startPeer starts a sipp peer running peerScenario for up to run.
func startPeer(t *testing.T, name string, answerMS int, run time.Duration, audio string) *testlab.Sipp {
	t.Helper()
	path := filepath.Join(t.TempDir(), name+".xml")
	if err := os.WriteFile(path, []byte(peerScenario(name, answerMS, audio)), 0o644); err != nil {
		t.Fatal(err)
	}
	return testlab.StartSipp(t, testlab.SippArgs{ScenarioFile: path, Calls: 1_000_000, Timeout: run, RecvTimeout: run})
}

// startPhone starts a Phone on acct with PCMU, null audio and a logger at
// level, and its dialer engine. A Phone that registers (acct.Register) is
// waited for until registered; ctx bounds that wait and the Phone's life.
// One that does not dials SIP URIs directly.
func startPhone(ctx context.Context, t *testing.T, acct softphone.AccountConfig, level slog.Level) *dialer.PhoneEngine {
	t.Helper()
	backend, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	phone, err := softphone.NewPhone(softphone.Config{
		Account: acct, Listen: "127.0.0.1:0", Codecs: []string{"PCMU"},
	}, softphone.WithLogger(logger), softphone.WithAudio(backend, "", "", ""))
	if err != nil {
		t.Fatal(err)
	}
	var events <-chan softphone.Event
	if acct.Register {
		var unsubscribe func()
		events, unsubscribe = phone.Subscribe()
		defer unsubscribe()
	}
	ctx, cancel := context.WithCancel(ctx)
	if err := phone.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var eng *dialer.PhoneEngine
	t.Cleanup(func() {
		if eng != nil {
			eng.Close()
		}
		phone.Close()
		cancel()
		backend.Close()
	})
	for registered := !acct.Register; !registered; {
		select {
		case ev := <-events:
			if r, ok := ev.(softphone.RegistrationEvent); ok {
				if r.State == softphone.RegFailed {
					t.Fatalf("%s's registration failed: %s", acct.AOR, r.Reason)
				}
				registered = r.State == softphone.RegRegistered
			}
		case <-ctx.Done():
			t.Fatalf("%s not registered", acct.AOR)
		}
	}
	eng, err = dialer.NewPhoneEngine(phone)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

func openBenchStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "pitchline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// inviteTimes reads a sipp -trace_msg log (ParseSippInvites): for each
// R-URI user part, when sipp received its first INVITE.
func inviteTimes(t *testing.T, path string) map[string]time.Time {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseSippInvites(data, time.Local)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no INVITE found in %s (%d bytes); first lines:\n%.600s", path, len(data), data)
	}
	return out
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(p*float64(len(s))+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

func report(t *testing.T, text string) {
	t.Helper()
	t.Log("\n" + text)
	if path := os.Getenv("PITCHLINE_BENCH_OUT"); path != "" {
		f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fmt.Fprintln(f, text)
	}
}

// TestDialerPacing: power mode, wrap-up 0, every contact a human who
// answers at once; the rep hangs up as soon as the call is connected and
// saves the outcome when the call has ended. Measured per transition:
// SaveOutcome called → the next INVITE received by the sipp peer (sipp's
// trace stamp), and SaveOutcome called → the session's dial event (in
// process, just before the engine sends the INVITE).
func TestDialerPacing(t *testing.T) {
	testlab.RequireSipp(t)
	n := envInt(t, "PITCHLINE_BENCH_PACING_CALLS", 61)
	if n < 2 {
		t.Fatal("PITCHLINE_BENCH_PACING_CALLS: want at least 2")
	}
	peer := startPeer(t, "human", 1, 10*time.Minute, "")
	eng := startPhone(context.Background(), t, benchAccount, slog.LevelError)
	st := openBenchStore(t)
	l := &dialer.List{Name: "pacing", Settings: dialer.DefaultSettings()}
	l.Settings.Mode, l.Settings.WrapUp = dialer.ModePower, 0
	for i := range n {
		num, err := dialer.ParseNumber(fmt.Sprintf("sip:p%04d@%s", i, peer.Addr()), "")
		if err != nil {
			t.Fatal(err)
		}
		l.Contacts = append(l.Contacts, dialer.Contact{Name: fmt.Sprintf("p%04d", i), Numbers: []dialer.Number{num}})
	}
	noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	s, err := dialer.NewSession(context.Background(), st, eng, l, dialer.WithSessionClock(func() time.Time { return noon }),
		dialer.WithRepZone(time.UTC), dialer.WithRequireOutcome(true), dialer.WithRingTimeout(30*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	events, unsub := s.Subscribe()
	defer unsub()
	loadBefore := loadavg()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	saved := map[int]time.Time{} // contact index whose outcome was saved → when SaveOutcome was called
	dialed := map[int]time.Time{}
	var counters dialer.Counters
	deadline := time.After(10 * time.Minute)
loop:
	for {
		select {
		case ev := <-events:
			switch {
			case ev.Kind == dialer.EventDial:
				dialed[ev.Index] = ev.At // stamped when emitted, just before the engine's Dial
			case ev.Kind == dialer.EventState && ev.State == dialer.StateConnected:
				if err := s.Hangup(); err != nil {
					t.Errorf("Hangup: %v", err)
				}
			case ev.Kind == dialer.EventEnded && ev.Result == dialer.ResultConnected:
				saved[ev.Index] = time.Now()
				if err := s.SaveOutcome("Connected", ""); err != nil {
					t.Errorf("SaveOutcome: %v", err)
				}
			case ev.Kind == dialer.EventSessionEnded:
				counters = ev.Counters
				break loop
			}
		case <-deadline:
			t.Fatal("the pacing session did not end in 10 minutes")
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	res := peer.Stop()
	invites := inviteTimes(t, filepath.Join(res.Dir, "messages.log"))
	var wire, inproc []time.Duration
	for i := 1; i < n; i++ {
		t0, ok := saved[i-1]
		if !ok {
			t.Errorf("contact %d: no outcome saved", i-1)
			continue
		}
		at, ok := invites[fmt.Sprintf("p%04d", i)]
		if !ok {
			t.Errorf("contact %d: the peer got no INVITE", i)
			continue
		}
		wire = append(wire, at.Sub(t0))
		inproc = append(inproc, dialed[i].Sub(t0))
	}
	if counters.Connected != n || len(wire) != n-1 {
		t.Fatalf("counters %+v, %d transitions measured: want %d connected, %d transitions", counters, len(wire), n, n-1)
	}
	row := func(name string, ds []time.Duration) []string {
		return []string{name, fmt.Sprint(len(ds)), Millis(percentile(ds, 0.5)), Millis(percentile(ds, 0.95)), Millis(slices.Max(ds)), Millis(slices.Min(ds))}
	}
	report(t, fmt.Sprintf("Power dialer pacing (wrap-up 0), %s, load average before %s, after %s\n\n%s",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), loadBefore, loadavg(), Table([][]string{
			{"interval", "transitions", "p50 ms", "p95 ms", "max ms", "min ms"},
			row("SaveOutcome → next INVITE received by the sipp peer (sipp's trace stamp)", wire),
			row("SaveOutcome → the session emits the dial event, just before the engine sends the INVITE (in process)", inproc),
		})))
}

// Throughput model (simulated seconds; the run divides every one by the
// scale). With PITCHLINE_BENCH_DIALER_AMD=real (the default) the dialer's
// AMD classifies the peers' real audio and drops a voicemail after a
// machine's beep (dialeramd_test.go); with "oracle", a classifier that
// knows the peer decides after simAMD and a machine is hung up at once.
const (
	simHour        = time.Hour
	simRingHuman   = 6 * time.Second  // a human answers after about 2 rings
	simRingMachine = 8 * time.Second  // voicemail picks up after about 3 rings
	simRingTimeout = 25 * time.Second // no answer: the line is cancelled after 25 s (about 4-5 rings)
	simTalk        = 90 * time.Second // the rep talks to a human
	simForm        = 15 * time.Second // the rep fills the outcome form after a human
	simAMD         = 2500 * time.Millisecond
	simManualDial  = 15 * time.Second // manual: find the next contact, dial it
)

// class is how a contact's peer answers.
type class int

const (
	classHuman class = iota
	classMachine
	classNoAnswer
)

// drawClasses draws n contacts: human 10 %, machine 30 %, no answer 60 %,
// with a fixed seed (the same list for every mode and run).
func drawClasses(n int) []class {
	r := rand.New(rand.NewPCG(11, 2026))
	out := make([]class, n)
	for i := range out {
		switch p := r.Float64(); {
		case p < 0.10:
			out[i] = classHuman
		case p < 0.40:
			out[i] = classMachine
		default:
			out[i] = classNoAnswer
		}
	}
	return out
}

// taggedEngine remembers which peer class each call goes to, for the
// oracle classifier.
type taggedEngine struct {
	dialer.Engine
	class map[string]class // target → class
}

type taggedCall struct {
	dialer.EngineCall
	class class
}

func (e *taggedEngine) Dial(ctx context.Context, target string, opts dialer.DialOptions) (dialer.EngineCall, error) {
	c, err := e.Engine.Dial(ctx, target, opts)
	if err != nil {
		return nil, err
	}
	return &taggedCall{EngineCall: c, class: e.class[target]}, nil
}

type throughputRun struct {
	mode            string
	lines, endLines int
	canceled        int
	dialled         int
	counters        dialer.Counters
	humans, perHour float64
	real            time.Duration
	load            string
	amd             string // real AMD: results per peer class, decision median, drops
}

// TestDialerThroughput works a list of peers answering with set
// probabilities for one simulated hour per mode, time compressed by
// PITCHLINE_BENCH_DIALER_SCALE, and compares the dials with a manual
// dialer's rep-time for the same contacts.
func TestDialerThroughput(t *testing.T) {
	testlab.RequireSipp(t)
	amdMode := os.Getenv("PITCHLINE_BENCH_DIALER_AMD")
	if amdMode == "" {
		amdMode = "real"
	}
	if amdMode != "real" && amdMode != "oracle" {
		t.Fatalf("PITCHLINE_BENCH_DIALER_AMD=%q: want real or oracle", amdMode)
	}
	defScale := 30
	if amdMode == "real" {
		defScale = 10
	}
	scale := envInt(t, "PITCHLINE_BENCH_DIALER_SCALE", defScale)
	simRun := simHour
	if v := os.Getenv("PITCHLINE_BENCH_DIALER_SIM"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute {
			t.Fatalf("PITCHLINE_BENCH_DIALER_SIM=%q: want a duration of at least 1m", v)
		}
		simRun = d
	}
	ra := prepareRealAMD(t, amdMode == "real", scale)
	modes := strings.Split(os.Getenv("PITCHLINE_BENCH_DIALER_MODES"), ",")
	if modes[0] == "" {
		modes = []string{"power", "parallel3", "parallel5"}
	}
	sc := func(d time.Duration) time.Duration { return d / time.Duration(scale) }
	const nContacts = 1000
	classes := drawClasses(nContacts)
	var runs []throughputRun
	for _, m := range modes {
		mode, lines := dialer.ModePower, 1
		switch m {
		case "power":
		case "parallel3":
			mode, lines = dialer.ModeParallel, 3
		case "parallel5":
			mode, lines = dialer.ModeParallel, 5
		default:
			t.Fatalf("PITCHLINE_BENCH_DIALER_MODES: unknown mode %q", m)
		}
		t.Run(m, func(t *testing.T) {
			run := sc(simRun)
			peers := map[class]*testlab.Sipp{
				classHuman:    startPeer(t, "human", int(sc(simRingHuman).Milliseconds()), run+2*time.Minute, ra.humanAudio),
				classMachine:  startPeer(t, "machine", int(sc(simRingMachine).Milliseconds()), run+2*time.Minute, ra.machineAudio),
				classNoAnswer: startPeer(t, "noanswer", 0, run+2*time.Minute, ""),
			}
			eng := &taggedEngine{Engine: startPhone(context.Background(), t, benchAccount, slog.LevelError), class: map[string]class{}}
			st := openBenchStore(t)
			l := &dialer.List{Name: "throughput " + m, Settings: dialer.DefaultSettings()}
			l.Settings.Mode, l.Settings.Lines, l.Settings.WrapUp = mode, lines, 0
			l.Settings.Retry = dialer.RetryPolicy{MaxAttempts: 1, MaxPerDay: 1}
			for i, c := range classes {
				num, err := dialer.ParseNumber(fmt.Sprintf("sip:c%04d@%s", i, peers[c].Addr()), "")
				if err != nil {
					t.Fatal(err)
				}
				eng.class[num.Key] = c
				l.Contacts = append(l.Contacts, dialer.Contact{Name: fmt.Sprintf("c%04d", i), Numbers: []dialer.Number{num}})
			}
			oracle := func(ctx context.Context, call dialer.EngineCall) (dialer.AMDResult, error) {
				tc, ok := call.(*taggedCall)
				if !ok {
					return dialer.AMDUnknown, nil
				}
				select {
				case <-time.After(sc(simAMD)):
				case <-ctx.Done():
					return dialer.AMDUnknown, ctx.Err()
				}
				if tc.class == classMachine {
					return dialer.AMDMachine, nil
				}
				return dialer.AMDHuman, nil
			}
			noon := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
			sopts := []dialer.SessionOption{dialer.WithSessionClock(func() time.Time { return noon }),
				dialer.WithRepZone(time.UTC), dialer.WithRequireOutcome(true), dialer.WithRingTimeout(sc(simRingTimeout))}
			if ra.on {
				// The dialer's own AMD on the peers' real audio, and the
				// voicemail drop after the beep, as `pitchline dialer run`
				// wires them.
				a, err := dialer.NewAMD(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
				if err != nil {
					t.Fatal(err)
				}
				defer a.Close()
				sopts = append(sopts, dialer.WithClassifier(a.Classify), dialer.WithVoicemailDrop(ra.voicemail, a.Drop))
			} else {
				sopts = append(sopts, dialer.WithClassifier(oracle), dialer.WithAMDTimeout(sc(simAMD)+5*time.Second))
			}
			s, err := dialer.NewSession(context.Background(), st, eng, l, sopts...)
			if err != nil {
				t.Fatal(err)
			}
			events, unsub := s.Subscribe()
			defer unsub()
			load := loadavg()
			var mu sync.Mutex
			var timers []*time.Timer
			after := func(d time.Duration, f func()) {
				mu.Lock()
				timers = append(timers, time.AfterFunc(d, f))
				mu.Unlock()
			}
			start := time.Now()
			if err := s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			stop := time.After(run)
			var counters dialer.Counters
			dialled := 0
			// Contacts dialled at least once: a line cancelled because
			// another line won is dialled again (not reached), so the
			// peers' distinct R-URI users are compared with this set.
			contacts := map[string]bool{}
			stopped := false
			causes := map[string]int{}
			endLines := lines
			var lastDial time.Time
			var maxGap time.Duration
			amdTally := map[class]map[dialer.AMDResult]int{classHuman: {}, classMachine: {}, classNoAnswer: {}}
			var amdMS []time.Duration
			drops := 0
		loop:
			for {
				select {
				case ev := <-events:
					if ev.Kind == dialer.EventEnded {
						causes[string(ev.Result)+"/"+ev.Cause]++
					}
					switch {
					case ev.Kind == dialer.EventAMD:
						amdTally[classes[ev.Index]][ev.AMD]++
						amdMS = append(amdMS, time.Duration(ev.DecisionMS)*time.Millisecond)
					case ev.Kind == dialer.EventVoicemailDropped:
						drops++
					case ev.Kind == dialer.EventLines:
						endLines = ev.Lines
					case ev.Kind == dialer.EventDial:
						if !stopped {
							dialled++
						}
						contacts[ev.Number] = true
						if !lastDial.IsZero() && ev.At.Sub(lastDial) > maxGap {
							maxGap = ev.At.Sub(lastDial)
						}
						lastDial = ev.At
					case ev.Kind == dialer.EventState && ev.State == dialer.StateConnected:
						after(sc(simTalk), func() {
							if err := s.Hangup(); err != nil {
								t.Logf("Hangup: %v", err)
							}
						})
					case ev.Kind == dialer.EventEnded && ev.Result == dialer.ResultConnected:
						after(sc(simForm), func() {
							if err := s.SaveOutcome("Connected", ""); err != nil {
								t.Logf("SaveOutcome: %v", err)
							}
						})
					case ev.Kind == dialer.EventSessionEnded:
						counters = ev.Counters
						break loop
					}
				case <-stop:
					snap := s.Snapshot()
					t.Logf("at the end of the hour: state %s, need outcome %v, ringing %d, current %v", snap.State, snap.NeedOutcome, len(snap.Ringing), snap.Current != nil)
					stopped = true
					_ = s.Stop()
				case <-time.After(run + 2*time.Minute):
					t.Fatal("the session did not stop")
				}
			}
			real := time.Since(start)
			t.Logf("%s: end causes (result/cause) %v; longest gap between two dials %v", m, causes, maxGap)
			mu.Lock()
			for _, tm := range timers {
				tm.Stop()
			}
			mu.Unlock()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			// The peers' own count of INVITEs (distinct R-URI users).
			atPeers := 0
			for c, p := range peers {
				res := p.Stop()
				if dir := os.Getenv("PITCHLINE_BENCH_KEEP"); dir != "" { // keep the peers' logs
					if b, err := os.ReadFile(filepath.Join(res.Dir, "messages.log")); err == nil {
						_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-peer%d-messages.log", m, c)), b, 0o644)
					}
				}
				atPeers += len(inviteTimesOrEmpty(t, filepath.Join(res.Dir, "messages.log")))
			}
			if atPeers != len(contacts) {
				t.Errorf("the peers got INVITEs for %d contacts, the session dialled %d contacts", atPeers, len(contacts))
			}
			simElapsed := real * time.Duration(scale)
			canceled := 0
			for k, v := range causes {
				if strings.HasPrefix(k, string(dialer.ResultCanceled)+"/") {
					canceled += v
				}
			}
			amdText := "oracle"
			if ra.on {
				amdText = fmt.Sprintf("human %d/%d/%d, machine %d/%d/%d; median %v; %d dropped",
					amdTally[classHuman][dialer.AMDHuman], amdTally[classHuman][dialer.AMDMachine], amdTally[classHuman][dialer.AMDUnknown],
					amdTally[classMachine][dialer.AMDHuman], amdTally[classMachine][dialer.AMDMachine], amdTally[classMachine][dialer.AMDUnknown],
					percentileOrZero(amdMS, 0.5).Round(10*time.Millisecond), drops)
			}
			runs = append(runs, throughputRun{mode: m, lines: lines, endLines: endLines, canceled: canceled, dialled: dialled, counters: counters,
				perHour: float64(counters.Dialled) / simElapsed.Hours(), humans: float64(counters.Connected) / simElapsed.Hours(),
				real: real, load: load, amd: amdText})
		})
	}
	// The manual dialer for the same contacts, in list order, one hour of
	// rep time: dial 15 s + the ring; a human adds the talk and the form,
	// a machine the time to recognise a greeting (the AMD decision time).
	// The power mode's own model, without signalling time: the same as
	// manual minus the 15 s dial (what the measured power row should
	// approach; the gap is the session's and the SIP exchanges' time,
	// multiplied by the scale).
	var modelDials, modelHumans int
	var modelUsed time.Duration
	for _, c := range classes {
		d := simRingTimeout
		switch c {
		case classHuman:
			d = simRingHuman + ra.humanAMD + simTalk + simForm
		case classMachine:
			d = simRingMachine + ra.machine
		}
		if modelUsed+d > simRun {
			break
		}
		modelUsed += d
		modelDials++
		if c == classHuman {
			modelHumans++
		}
	}
	var manualDials, manualHumans, manualNoAnswer int
	var used time.Duration
	for _, c := range classes {
		d := simManualDial
		switch c {
		case classHuman:
			d += simRingHuman + simTalk + simForm
		case classMachine:
			d += simRingMachine + ra.machine
		default:
			d += simRingTimeout
		}
		if used+d > simRun {
			break
		}
		used += d
		manualDials++
		switch c {
		case classHuman:
			manualHumans++
		case classNoAnswer:
			manualNoAnswer++
		}
	}
	rows := [][]string{{"mode", "lines (start → end)", "real run", "dials", "dials / h", "humans connected / h", "machine", "no answer",
		"cancelled (another line won)", "abandoned", "AMD (human → h/m/u, machine → h/m/u)", "load before"}}
	for _, r := range runs {
		rows = append(rows, []string{r.mode, fmt.Sprintf("%d → %d", r.lines, r.endLines), r.real.Round(time.Second).String(), fmt.Sprint(r.counters.Dialled),
			fmt.Sprintf("%.0f", r.perHour), fmt.Sprintf("%.1f", r.humans), fmt.Sprint(r.counters.Voicemail), fmt.Sprint(r.counters.NoAnswer),
			fmt.Sprint(r.canceled), fmt.Sprint(r.counters.Abandoned), r.amd, r.load})
	}
	rows = append(rows, []string{"power (model, no signalling time)", "1", "-", fmt.Sprint(modelDials), fmt.Sprint(modelDials),
		fmt.Sprint(modelHumans), "-", "-", "-", "-", "-", "-"})
	rows = append(rows, []string{"manual (model)", "1", "-", fmt.Sprint(manualDials), fmt.Sprint(manualDials), fmt.Sprint(manualHumans),
		fmt.Sprint(manualDials - manualHumans - manualNoAnswer), fmt.Sprint(manualNoAnswer), "-", "-", "-", "-"})
	perHour := func(n int) string { return fmt.Sprintf("%.0f", float64(n)/simRun.Hours()) }
	rows[len(rows)-2][4], rows[len(rows)-1][4] = perHour(modelDials), perHour(manualDials)
	rows[len(rows)-2][5], rows[len(rows)-1][5] = perHour(modelHumans), perHour(manualHumans)
	report(t, fmt.Sprintf("Power dialer throughput, %v simulated per mode, time scale 1:%d, AMD %s (%s), %s\n\n%s",
		simRun, scale, amdMode, ra.desc, time.Now().UTC().Format("2006-01-02 15:04 UTC"), Table(rows)))
}

// inviteTimesOrEmpty is inviteTimes for a peer that may have got nothing.
func inviteTimesOrEmpty(t *testing.T, path string) map[string]time.Time {
	data, err := os.ReadFile(path)
	if err != nil || !bytes.Contains(data, []byte("INVITE sip:")) {
		return nil
	}
	return inviteTimes(t, path)
}

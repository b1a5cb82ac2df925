package cli_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// The contract tests of `pitchline dialer run` (ISSUE11 §6/§7): the real
// binary registers at Kamailio and works a CSV list whose contacts are real
// peers registered there: baresip answering (human), baresip ringing
// forever (no answer), sipp answering 486 (busy), and sipp UAS that must
// never get an INVITE (DNC, out of hours). The peers' own logs are the
// evidence of what was dialled.

// busyScenario answers every INVITE with 486 Busy Here.
const busyScenario = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="busy">
  <recv request="INVITE" crlf="true"/>
  <send>
    <![CDATA[

      SIP/2.0 486 Busy Here
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]B[call_number]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <recv request="ACK"/>
</scenario>
`

// sippPeer starts a sipp peer (scenario or custom file) registered at k as
// user.
func sippPeer(t *testing.T, k *testlab.Kamailio, user string, args testlab.SippArgs) *testlab.Sipp {
	t.Helper()
	args.Calls, args.Timeout = 50, 5*time.Minute
	s := testlab.StartSipp(t, args)
	if res := testlab.RunSipp(t, testlab.SippRegisterArgs(k.Addr(), user, k.Password(user), s.Port(), 600)); !res.OK() {
		t.Fatalf("register sipp peer %s: %s", user, res.Summary())
	}
	return s
}

// sippInvites returns the distinct Call-IDs of the INVITEs sipp received
// (its -trace_msg log; retransmissions share a Call-ID).
func sippInvites(t *testing.T, s *testlab.Sipp) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.Dir(), "messages.log"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.Contains(lines[i], " message received ") {
			continue
		}
		j := i + 1
		for j < len(lines) && strings.TrimSpace(lines[j]) == "" {
			j++
		}
		if j >= len(lines) || !strings.HasPrefix(strings.TrimSpace(lines[j]), "INVITE ") {
			continue
		}
		for k := j + 1; k < len(lines) && strings.TrimSpace(lines[k]) != ""; k++ {
			name, v, ok := strings.Cut(strings.TrimSpace(lines[k]), ":")
			if ok && (strings.EqualFold(name, "Call-ID") || name == "i") {
				ids[strings.TrimSpace(v)] = true
			}
		}
	}
	return ids
}

// baresipCalls returns the distinct baresip call ids the peer saw.
func baresipCalls(b *testlab.Baresip) map[string]bool {
	ids := map[string]bool{}
	for _, e := range b.Events() {
		if e.Class == "call" && e.ID != "" {
			ids[e.ID] = true
		}
	}
	return ids
}

// dialerRun starts `pitchline dialer run` and returns its JSON lines as
// they come, and a wait function for the exit status.
type dialerProc struct {
	cmd    *exec.Cmd
	lines  chan map[string]any
	stderr *bytes.Buffer
	all    []map[string]any
}

func startDialer(t *testing.T, env []string, args ...string) *dialerProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"dialer", "run"}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &dialerProc{cmd: cmd, lines: make(chan map[string]any, 1024), stderr: &bytes.Buffer{}}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				m = map[string]any{"event": "not_json", "text": sc.Text()}
			}
			p.lines <- m
		}
	}()
	return p
}

// next returns the next line, failing the test after timeout.
func (p *dialerProc) next(t *testing.T, timeout time.Duration) (map[string]any, bool) {
	t.Helper()
	select {
	case m, ok := <-p.lines:
		if ok {
			p.all = append(p.all, m)
		}
		return m, ok
	case <-time.After(timeout):
		t.Fatalf("no output for %v; so far %v\nstderr: %s", timeout, p.all, p.stderr.String())
		return nil, false
	}
}

// finish reads every line and waits for the exit status.
func (p *dialerProc) finish(t *testing.T, timeout time.Duration) int {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		_, ok := p.next(t, time.Until(deadline))
		if !ok {
			break
		}
	}
	err := p.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func (p *dialerProc) events(name string) []map[string]any {
	var out []map[string]any
	for _, m := range p.all {
		if m["event"] == name {
			out = append(out, m)
		}
	}
	return out
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDialerRunWorksListAgainstRealPeers: preview and power mode work a
// list of a human, a busy, a no-answer and a slow-answering peer; the DNC and the
// out-of-hours contacts are skipped with their reasons and their peers
// (and Kamailio) never see an INVITE.
func TestDialerRunWorksListAgainstRealPeers(t *testing.T) {
	for _, mode := range []string{"preview", "power"} {
		t.Run(mode, func(t *testing.T) {
			k := testlab.StartKamailio(t, testlab.WithoutTLS(), testlab.WithUser("erin", "erinpw"), testlab.WithUser("frank", "frankpw"),
				testlab.WithUser("gina", "ginapw"))
			human := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), humanVoice(t))
			quiet := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
				testlab.WithAnswerMode("manual"))
			// A slow answer: gina's phone rings until the test accepts.
			slow := testlab.StartBaresip(t, "gina", testlab.WithAccount("gina", k.Password("gina"), k.Addr(), "udp"),
				testlab.WithAnswerMode("manual"), humanVoice(t))
			dir := t.TempDir()
			busy := sippPeer(t, k, "carol", testlab.SippArgs{ScenarioFile: writeFile(t, dir, "busy.xml", busyScenario)})
			dnc := sippPeer(t, k, "erin", testlab.SippArgs{Scenario: testlab.SippUAS})
			late := sippPeer(t, k, "frank", testlab.SippArgs{Scenario: testlab.SippUAS})

			uri := func(u string) string { return "sip:" + u + "@" + k.Addr() }
			list := writeFile(t, dir, "monday.csv", "name,phone,timezone\n"+
				"Bob Human,"+uri("bob")+",\n"+
				"Carol Busy,"+uri("carol")+",\n"+
				"Dave Quiet,"+uri("dave")+",\n"+
				"Erin DNC,"+uri("erin")+",\n"+
				"Gina Slow,"+uri("gina")+",\n"+
				"Frank Tokyo,"+uri("frank")+",Asia/Tokyo\n")
			dncFile := writeFile(t, dir, "dnc.csv", "phone\n"+uri("erin")+"\n")
			// 15:00 UTC: inside 09:00-20:00 for the rep (TZ=UTC) and the
			// contacts without a zone; 00:00 in Tokyo. The ring timeout
			// (Dave's no answer) is long enough for the slow peer's accept
			// on a busy machine.
			p := startDialer(t, []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")},
				"--sip-uri", uri("alice"), "--password-env", "ALICE_PW", "--audio", "null",
				"--list", list, "--mode", mode, "--dnc", dncFile, "--calling-hours", "09:00-20:00",
				"--now", "2026-03-02T15:00:00Z", "--talk", "1s", "--outcome", "Meeting booked", "--ring-timeout", "10s",
				"--data-dir", filepath.Join(dir, "data"), "--json")
			accepted := make(chan error, 1)
			go func() {
				ctx := ctxFor(t, 3*time.Minute)
				if _, err := slow.WaitEventType(ctx, "CALL_INCOMING"); err != nil {
					accepted <- err
					return
				}
				_, err := slow.Command(ctx, "accept", "")
				accepted <- err
			}()
			if code := p.finish(t, 3*time.Minute); code != 0 {
				t.Fatalf("exit %d\nstdout %v\nstderr %s", code, p.all, p.stderr.String())
			}
			if err := <-accepted; err != nil {
				t.Errorf("the slow peer could not answer: %v", err)
			}
			var dialled []string
			for _, m := range p.events("dial") {
				dialled = append(dialled, fmt.Sprint(m["contact"]))
				if m["number"] == "" || m["line"] != float64(1) {
					t.Errorf("dial event %v lacks number or line 1", m)
				}
			}
			if got := strings.Join(dialled, ","); got != "Bob Human,Carol Busy,Dave Quiet,Gina Slow" {
				t.Errorf("dialled %s, want Bob, Carol, Dave, Gina in list order", got)
			}
			skipped := map[string]string{}
			for _, m := range p.events("skipped") {
				skipped[fmt.Sprint(m["contact"])] = fmt.Sprint(m["reason"])
			}
			if skipped["Erin DNC"] != "dnc" || skipped["Frank Tokyo"] != "calling_hours" || len(skipped) != 2 {
				t.Errorf("skipped %v, want Erin dnc and Frank calling_hours", skipped)
			}
			ended := map[string]string{}
			for _, m := range p.events("ended") {
				ended[fmt.Sprint(m["contact"])] = fmt.Sprint(m["cause"])
			}
			if ended["Carol Busy"] != "busy" || ended["Bob Human"] == "" || ended["Dave Quiet"] == "" {
				t.Errorf("ended %v", ended)
			}
			outcomes := map[string]string{}
			for _, m := range p.events("outcome_saved") {
				outcomes[fmt.Sprint(m["contact"])] = fmt.Sprint(m["outcome"])
			}
			if outcomes["Bob Human"] != "Meeting booked" || outcomes["Gina Slow"] != "Meeting booked" || outcomes["Carol Busy"] != "Busy" || outcomes["Dave Quiet"] != "No answer" {
				t.Errorf("outcomes %v", outcomes)
			}
			if a := p.events("answered"); len(a) != 2 || a[0]["contact"] != "Bob Human" || a[1]["contact"] != "Gina Slow" {
				t.Errorf("answered %v, want Bob and Gina", a)
			}
			if st := p.events("session_started"); len(st) != 1 || st[0]["total"] != float64(6) {
				t.Errorf("session_started %v", st)
			}
			prog := p.events("session_progress")
			if len(prog) == 0 || prog[len(prog)-1]["done"] != float64(6) || prog[len(prog)-1]["total"] != float64(6) {
				t.Errorf("progress %v, want 6 of 6 at the end", prog)
			}
			end := p.events("session_ended")
			want := map[string]float64{"dialled": 4, "connected": 2, "voicemail": 0, "no_answer": 1, "busy": 1, "abandoned": 0, "skipped": 2}
			if len(end) != 1 {
				t.Fatalf("session_ended %v", end)
			}
			for k, v := range want {
				if end[0][k] != v {
					t.Errorf("session_ended %s = %v, want %v (%v)", k, end[0][k], v, end[0])
				}
			}
			// The peers' own logs.
			if n := len(baresipCalls(human)); n != 1 {
				t.Errorf("the human peer saw %d calls, want 1", n)
			}
			if n := len(baresipCalls(quiet)); n != 1 {
				t.Errorf("the no-answer peer saw %d calls, want 1", n)
			}
			if n := len(baresipCalls(slow)); n != 1 {
				t.Errorf("the slow peer saw %d calls, want 1", n)
			}
			busy.Stop()
			dnc.Stop()
			late.Stop()
			if n := len(sippInvites(t, busy)); n != 1 {
				t.Errorf("the busy peer got %d INVITEs, want 1", n)
			}
			if n := len(sippInvites(t, dnc)); n != 0 {
				t.Errorf("the DNC peer got %d INVITEs, want none", n)
			}
			if n := len(sippInvites(t, late)); n != 0 {
				t.Errorf("the out-of-hours peer got %d INVITEs, want none", n)
			}
			for _, u := range []string{"erin", "frank"} {
				if strings.Contains(k.Log(), "REQ INVITE sip:"+u+"@") {
					t.Errorf("Kamailio relayed an INVITE for skipped contact %s", u)
				}
			}
		})
	}
}

// TestDialerRunResumesAfterKill9: kill -9 of `dialer run --session X` while
// the second contact is on the line, then the same command again: every
// contact is dialled exactly once in total, counted at the peers.
func TestDialerRunResumesAfterKill9(t *testing.T) {
	users := []string{"bob", "carol", "dave", "erin"}
	k := testlab.StartKamailio(t, testlab.WithoutTLS(), testlab.WithUser("erin", "erinpw"))
	peers := map[string]*testlab.Sipp{}
	for _, u := range users {
		peers[u] = sippPeer(t, k, u, testlab.SippArgs{Scenario: testlab.SippUAS, RTPEcho: true})
	}
	dir := t.TempDir()
	csv := "name,phone\n"
	for _, u := range users {
		csv += strings.ToUpper(u[:1]) + u[1:] + ",sip:" + u + "@" + k.Addr() + "\n"
	}
	list := writeFile(t, dir, "list.csv", csv)
	env := []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")}
	args := []string{"--sip-uri", "sip:alice@" + k.Addr(), "--password-env", "ALICE_PW", "--audio", "null",
		"--list", list, "--mode", "power", "--now", "2026-03-02T15:00:00Z", "--talk", "5s",
		"--session", "tuesday", "--data-dir", filepath.Join(dir, "data"), "--json"}

	first := startDialer(t, env, args...)
	answered := 0
	for answered < 2 {
		m, ok := first.next(t, 2*time.Minute)
		if !ok {
			t.Fatalf("the first run ended early: %v\nstderr %s", first.all, first.stderr.String())
		}
		if m["event"] == "answered" {
			answered++
		}
	}
	// The second contact is on the line (the rep talks 5 s): its attempt
	// has no result yet, and its INVITE surely reached the peer.
	if err := first.cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
		t.Fatal(err)
	}
	for m := range first.lines {
		first.all = append(first.all, m)
	}
	_ = first.cmd.Wait()

	second := startDialer(t, env, args...)
	if code := second.finish(t, 3*time.Minute); code != 0 {
		t.Fatalf("resume: exit %d\nstdout %v\nstderr %s", code, second.all, second.stderr.String())
	}
	if !strings.Contains(second.stderr.String(), "counts as dialled") {
		t.Errorf("the resumed run does not log the interrupted dial:\n%s", second.stderr.String())
	}
	dials := map[string]int{}
	for _, p := range []*dialerProc{first, second} {
		for _, m := range p.events("dial") {
			dials[fmt.Sprint(m["contact"])]++
		}
	}
	for _, u := range users {
		name := strings.ToUpper(u[:1]) + u[1:]
		if dials[name] != 1 {
			t.Errorf("%s dialled %d times over both runs, want 1 (%v)", name, dials[name], dials)
		}
		peers[u].Stop()
		if n := len(sippInvites(t, peers[u])); n != 1 {
			t.Errorf("peer %s got %d INVITEs over both runs, want 1", u, n)
		}
	}
	end := second.events("session_ended")
	if len(end) != 1 || end[0]["dialled"] != float64(4) {
		t.Errorf("session_ended %v, want 4 dialled over the session", end)
	}
	prog := second.events("session_progress")
	if len(prog) == 0 || prog[len(prog)-1]["done"] != float64(4) {
		t.Errorf("progress %v, want 4 of 4", prog)
	}
}

// TestDialerRunParallelConnectsFirstAndCancelsOthers: three lines ring at
// once; the human who answers goes to the rep and the two lines still
// ringing are cancelled at once (their peers see the call close without
// an answer); the next round dials what is left.
func TestDialerRunParallelConnectsFirstAndCancelsOthers(t *testing.T) {
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	human := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"), humanVoice(t))
	ring1 := testlab.StartBaresip(t, "carol", testlab.WithAccount("carol", k.Password("carol"), k.Addr(), "udp"),
		testlab.WithAnswerMode("manual"))
	ring2 := testlab.StartBaresip(t, "dave", testlab.WithAccount("dave", k.Password("dave"), k.Addr(), "udp"),
		testlab.WithAnswerMode("manual"))
	dir := t.TempDir()
	uri := func(u string) string { return "sip:" + u + "@" + k.Addr() }
	list := writeFile(t, dir, "list.csv", "name,phone\n"+
		"Carol Rings,"+uri("carol")+"\n"+
		"Bob Human,"+uri("bob")+"\n"+
		"Dave Rings,"+uri("dave")+"\n")
	ringMark1, ringMark2 := ring1.Mark(), ring2.Mark()
	p := startDialer(t, []string{"TZ=UTC", "ALICE_PW=" + k.Password("alice")},
		"--sip-uri", uri("alice"), "--password-env", "ALICE_PW", "--audio", "null",
		"--list", list, "--mode", "parallel", "--lines", "3", "--now", "2026-03-02T15:00:00Z", "--talk", "1s",
		"--ring-timeout", "5s", "--data-dir", filepath.Join(dir, "data"), "--json")
	if code := p.finish(t, 3*time.Minute); code != 0 {
		t.Fatalf("exit %d\nstdout %v\nstderr %s", code, p.all, p.stderr.String())
	}
	lines := map[string]float64{}
	for _, m := range p.events("dial")[:3] {
		lines[fmt.Sprint(m["contact"])] = m["line"].(float64)
	}
	if len(lines) != 3 || lines["Carol Rings"] != 1 || lines["Bob Human"] != 2 || lines["Dave Rings"] != 3 {
		t.Errorf("dials %v, want the three contacts on lines 1-3", lines)
	}
	if a := p.events("answered"); len(a) != 1 || a[0]["contact"] != "Bob Human" {
		t.Errorf("answered %v, want only Bob", a)
	}
	// The lines cancelled because Bob won were not reached: they are
	// dialled again (before anything else, without counting a retry) and
	// ring out.
	results := map[string][]string{}
	for _, m := range p.events("ended") {
		results[fmt.Sprint(m["contact"])] = append(results[fmt.Sprint(m["contact"])], fmt.Sprint(m["result"]))
	}
	if fmt.Sprint(results["Bob Human"]) != "[connected]" || fmt.Sprint(results["Carol Rings"]) != "[canceled no_answer]" ||
		fmt.Sprint(results["Dave Rings"]) != "[canceled no_answer]" {
		t.Errorf("results %v, want Bob connected and the others cancelled, then no answer", results)
	}
	end := p.events("session_ended")
	if len(end) != 1 || end[0]["dialled"] != float64(5) || end[0]["connected"] != float64(1) || end[0]["abandoned"] != float64(0) ||
		end[0]["no_answer"] != float64(2) {
		t.Errorf("session_ended %v", end)
	}
	// The ringing peers got an INVITE, then the CANCEL, then the second
	// INVITE: their calls closed without ever being established.
	for _, b := range []struct {
		peer *testlab.Baresip
		mark int
	}{{ring1, ringMark1}, {ring2, ringMark2}} {
		if _, err := b.peer.WaitEventAfter(ctxFor(t, 30*time.Second), b.mark, "CALL_CLOSED"); err != nil {
			t.Errorf("%s: the cancelled call never closed: %v", b.peer.Name(), err)
		}
		for _, e := range b.peer.Events() {
			if e.Type == "CALL_ESTABLISHED" {
				t.Errorf("%s: a cancelled line was established", b.peer.Name())
			}
		}
		if n := len(baresipCalls(b.peer)); n != 2 {
			t.Errorf("%s saw %d calls, want 2", b.peer.Name(), n)
		}
	}
	if n := len(baresipCalls(human)); n != 1 {
		t.Errorf("the human peer saw %d calls, want 1", n)
	}
}

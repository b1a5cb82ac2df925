package cli_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// TestDirectCallGoesToTargetPort is the command line: with
// --no-register, `pitchline call --sip-uri sip:carol@127.0.0.1
// sip:bob@127.0.0.1:PORT` must reach PORT (a baresip with no registrar),
// not 127.0.0.1:5060.
func TestDirectCallGoesToTargetPort(t *testing.T) {
	bob := testlab.StartBaresip(t, "bob", testlab.WithNoRegister(), testlab.WithTone(400))
	bm := bob.Mark()
	r := run(t, nil, 60*time.Second, "call", "--sip-uri", "sip:carol@127.0.0.1", "--no-register",
		"--audio", "null", "--hangup-after", "2s", "--json", bob.URI())
	if r.code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, `"event":"answered"`) {
		t.Errorf("no answered event:\n%s", r.stdout)
	}
	if _, err := bob.WaitEventAfter(ctxFor(t, 10*time.Second), bm, "CALL_ESTABLISHED"); err != nil {
		t.Fatalf("bob never got the call: %v", err)
	}
	if _, err := bob.WaitEventAfter(ctxFor(t, 10*time.Second), bm, "CALL_CLOSED"); err != nil {
		t.Fatalf("bob did not see the BYE: %v", err)
	}
}

// TestAnswerModeRefusesMalformed sends the malformed requests
// (from softphone/testdata/torture) over UDP and TCP to the real
// `pitchline answer --no-register`: each must get a 400 naming its
// problem, and none may ring.
func TestAnswerModeRefusesMalformed(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "answer", "--sip-uri", "sip:carol@127.0.0.1", "--no-register",
		"--listen", "127.0.0.1:0", "--audio", "null", "--json")
	stdout, _ := cmd.StdoutPipe()
	var se bytes.Buffer
	cmd.Stderr = &se
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	addr := ""
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err == nil && m["event"] == "ready" {
			addr, _ = m["listen"].(string)
			break
		}
	}
	if addr == "" {
		_ = cmd.Process.Kill()
		t.Fatalf("answer mode never became ready: %s", se.String())
	}
	cases := map[string]string{
		"nocallid":    "Missing Call-ID",
		"mismatch01":  "CSeq Method",
		"nulheader":   "Invalid Character",
		"twocallid":   "Duplicate Call-ID",
		"viahostless": "Via",
	}
	for _, transport := range []string{"udp", "tcp"} {
		for name, want := range cases {
			data, err := os.ReadFile(filepath.Join("..", "softphone", "testdata", "torture", "invalid", name+".sip"))
			if err != nil {
				t.Fatal(err)
			}
			data = bytes.ReplaceAll(data, []byte("{run}"), []byte("cli"+transport))
			if got := exchange(t, transport, addr, data); !strings.HasPrefix(got, "SIP/2.0 400 ") || !strings.Contains(got, want) {
				t.Errorf("%s over %s: answer %q, want 400 with %q", name, transport, got, want)
			}
		}
	}
	_ = cmd.Process.Signal(os.Interrupt)
	var rest []string
	for sc.Scan() {
		rest = append(rest, sc.Text())
	}
	_ = cmd.Wait()
	for _, l := range rest {
		if strings.Contains(l, `"event":"incoming"`) || strings.Contains(l, `"event":"answered"`) {
			t.Errorf("a malformed request rang: %s", l)
		}
	}
}

// exchange sends one request and returns the first line of the answer.
func exchange(t *testing.T, transport, addr string, data []byte) string {
	t.Helper()
	conn, err := net.DialTimeout(transport, addr, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	if _, err := conn.Write(data); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	return strings.TrimRight(line, "\r\n")
}

func ctxFor(t *testing.T, d time.Duration) context.Context {
	c, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return c
}

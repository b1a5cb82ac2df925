//go:build benchlab && linux

package benchlab

import (
	"bytes"
	"os"
	"os/exec"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/cli"
	"github.com/pitchline/pitchline/internal/testlab"
)

// TestProfileCall runs the benchmark's Pitchline call in-process, through
// cli.Main with the same arguments, under the CPU profiler, and writes the
// profile to $PITCHLINE_BENCH_PROFILE (skipped when unset):
//
//	PITCHLINE_BENCH_PROFILE=/tmp/call.pprof go test -tags benchlab \
//	    -run TestProfileCall -v ./internal/benchlab/
//	go tool pprof -top /tmp/call.pprof
//
// The profile also holds the harness's few goroutines (baresip ctrl_tcp
// client); focus on github.com/pitchline/pitchline/{softphone,audio,cli}.
// At pprof's 100 Hz a 30 s call gives only a few dozen samples and no
// kernel or runtime-idle detail: for those use TestWrapCall with perf.
func TestProfileCall(t *testing.T) {
	out := os.Getenv("PITCHLINE_BENCH_PROFILE")
	if out == "" {
		t.Skip("set PITCHLINE_BENCH_PROFILE=FILE to profile one call")
	}
	dur := envDuration(t, "PITCHLINE_BENCH_CALL", 30*time.Second)
	kam := testlab.StartKamailio(t, testlab.WithoutTLS())
	callee := testlab.StartBaresip(t, "bob",
		testlab.WithAccount("bob", kam.Password("bob"), kam.Addr(), "udp"),
		testlab.WithCodecs("PCMU/8000/1"))
	t.Setenv(benchPwEnv, kam.Password("alice"))
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mark := callee.Mark()
	if err := pprof.StartCPUProfile(f); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := cli.Main([]string{"call", "--sip-uri", kam.URI("alice"), "--password-env", benchPwEnv,
		"--audio", "null", "--codecs", "PCMU", "--hangup-after", dur.String(), "--json", "bob"}, &stdout, &stderr)
	pprof.StopCPUProfile()
	if code != cli.ExitOK {
		t.Fatalf("cli.Main = %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	checkCallee(t, callee, mark, "pitchline (in-process)")
	t.Logf("profile written to %s\n%s", out, stdout.String())
}

// TestWrapCall runs the benchmark's call with PITCHLINE_BIN under the
// command prefix in PITCHLINE_BENCH_WRAP (split at spaces), for tools that
// need the real process (skipped when unset), e.g.
//
//	PITCHLINE_BIN=/tmp/pl PITCHLINE_BENCH_WRAP="perf record -F 2000 -g -o /tmp/perf.data --" \
//	    go test -tags benchlab -run TestWrapCall -v ./internal/benchlab/
//	PITCHLINE_BENCH_WRAP="strace -c -f -o /tmp/strace.txt" ...
func TestWrapCall(t *testing.T) {
	wrap := strings.Fields(os.Getenv("PITCHLINE_BENCH_WRAP"))
	if len(wrap) == 0 {
		t.Skip("set PITCHLINE_BENCH_WRAP to a command prefix (and PITCHLINE_BIN)")
	}
	bin := benchBins(t)[0]
	dur := envDuration(t, "PITCHLINE_BENCH_CALL", 30*time.Second)
	kam := testlab.StartKamailio(t, testlab.WithoutTLS())
	callee := testlab.StartBaresip(t, "bob",
		testlab.WithAccount("bob", kam.Password("bob"), kam.Addr(), "udp"),
		testlab.WithCodecs("PCMU/8000/1"))
	mark := callee.Mark()
	args := append(wrap[1:], bin.path, "call", "--sip-uri", kam.URI("alice"), "--password-env", benchPwEnv,
		"--audio", "null", "--codecs", "PCMU", "--hangup-after", dur.String(), "--json", "bob")
	cmd := exec.Command(wrap[0], args...)
	cmd.Env = append(os.Environ(), benchPwEnv+"="+kam.Password("alice"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	checkCallee(t, callee, mark, "pitchline (wrapped)")
}

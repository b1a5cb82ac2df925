package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sample is a throwaway module whose tests pass, fail, skip with a reason and
// skip in a subtest, run through the real `go test -json`.
var sample = map[string]string{
	"go.mod": "module example.com/sample\n\ngo 1.22\n",
	"a/a_test.go": `package a

import "testing"

func TestPass(t *testing.T) { t.Log("hidden when passing") }

func TestFail(t *testing.T) { t.Log("shown: before the failure"); t.Error("boom") }

func TestSkip(t *testing.T) { t.Skip("lame is not installed") }

func TestSub(t *testing.T) {
	t.Run("tool", func(t *testing.T) { t.Skipf("soxi is not installed") })
	t.Run("ok", func(t *testing.T) {})
}
`,
	"b/b_test.go": `package b

import "testing"

func TestQuiet(t *testing.T) {}
`,
	"c/c.go": "package c\n",
}

func TestGoModeOnRealGoTest(t *testing.T) {
	dir := t.TempDir()
	for name, body := range sample {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "test", "-json", "-count=1", "./...")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	stream, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("go test -json: %v (want exit status 1 for TestFail)\n%s", err, stream)
	}
	var out bytes.Buffer
	skips := filepath.Join(t.TempDir(), "reports", "go-skips.jsonl")
	if err := goMode(bytes.NewReader(stream), &out, skips); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if !strings.Contains(got, "--- FAIL: TestFail (") || strings.Index(got, "--- FAIL: TestFail") > strings.Index(got, "shown: before") {
		t.Errorf("want --- FAIL: TestFail before its log, as plain go test prints it:\n%s", got)
	}
	for _, want := range []string{"--- FAIL: TestFail", "shown: before the failure", "boom",
		"FAIL\texample.com/sample/a", "ok  \texample.com/sample/b", "example.com/sample/c\t[no test files]",
		"testreport: 2 Go test(s) skipped"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, unwanted := range []string{"hidden when passing", "=== RUN", "--- PASS", "--- SKIP", "{\"", "\nPASS\n"} {
		if strings.Contains(got, unwanted) {
			t.Errorf("output has %q, which plain go test does not print:\n%s", unwanted, got)
		}
	}

	b, err := os.ReadFile(skips)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"TestSkip": "lame is not installed", "TestSub/tool": "soxi is not installed"}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != len(want) {
		t.Fatalf("skips file has %d lines, want %d:\n%s", len(lines), len(want), b)
	}
	for _, l := range lines {
		var s Skip
		if err := json.Unmarshal([]byte(l), &s); err != nil {
			t.Fatal(err)
		}
		if s.Suite != "go" || s.Where != "example.com/sample/a" || !strings.Contains(s.Reason, want[s.Test]) || want[s.Test] == "" ||
			!strings.Contains(s.Reason, "a_test.go:") || strings.Contains(s.Reason, "--- SKIP") {
			t.Errorf("skip record %+v", s)
		}
	}

	// The report lists them, with the vitest ones.
	vitest := `{"testResults":[{"name":"/x/e2e/shots.e2e.ts","assertionResults":[
		{"fullName":"screenshots main","status":"skipped"},{"fullName":"dials","status":"passed"}]}]}`
	if err := os.WriteFile(filepath.Join(filepath.Dir(skips), "e2e.vitest.json"), []byte(vitest), 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := skipsMode(&out, filepath.Dir(skips)); err != nil {
		t.Fatal(err)
	}
	got = out.String()
	for _, want := range []string{"skipped tests: 3", "example.com/sample/a TestSkip: ", "lame is not installed",
		"TestSub/tool", "vitest", "shots.e2e.ts > screenshots main: skipped"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "dials") {
		t.Errorf("report lists a passed vitest test:\n%s", got)
	}
}

func TestSkipsModeNone(t *testing.T) {
	var out bytes.Buffer
	if err := skipsMode(&out, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if out.String() != "skipped tests: none\n" {
		t.Errorf("got %q", out.String())
	}
}

// TestFlushUnfinished: a binary that dies mid-test (panic, timeout) still
// shows what the test logged.
func TestFlushUnfinished(t *testing.T) {
	stream := `{"Action":"run","Package":"p","Test":"TestHang"}
{"Action":"output","Package":"p","Test":"TestHang","Output":"=== RUN   TestHang\n"}
{"Action":"output","Package":"p","Test":"TestHang","Output":"panic: test timed out after 1s\n"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t1.0s\n"}
{"Action":"fail","Package":"p"}
`
	var out bytes.Buffer
	r := newRenderer(&out)
	if err := r.run(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "panic: test timed out after 1s\nFAIL\tp\t1.0s\n" {
		t.Errorf("got %q", got)
	}
}

package testenv

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// recorder stands in for the test's testing.TB and records whether Missing
// failed or skipped; like the real ones, Fatalf and Skipf end the goroutine.
type recorder struct {
	testing.TB
	failed, skipped string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// run calls f with a recorder on its own goroutine, as the testing package
// runs a test.
func run(f func(tb testing.TB) string) (r *recorder, ret string) {
	r = &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		ret = f(r)
	}()
	<-done
	return r, ret
}

func TestMissingToolFailsInCIAndSkipsOtherwise(t *testing.T) {
	tool := func(tb testing.TB) string {
		return RequireTool(tb, "pitchline-no-such-tool", "apt-get install nothing")
	}
	for _, tc := range []struct {
		ci   string
		fail bool
	}{{"true", true}, {"1", true}, {"", false}, {"false", false}, {"no", false}} {
		t.Setenv(CIEnv, tc.ci)
		r, _ := run(tool)
		got, other := r.skipped, r.failed
		if tc.fail {
			got, other = r.failed, r.skipped
		}
		if !strings.Contains(got, "pitchline-no-such-tool is not installed (apt-get install nothing)") || other != "" {
			t.Errorf("CI=%q: failed %q, skipped %q; want fail=%v with the tool and its install hint", tc.ci, r.failed, r.skipped, tc.fail)
		}
	}
}

func TestRequirePresent(t *testing.T) {
	t.Setenv(CIEnv, "true")
	t.Setenv("PITCHLINE_TESTENV_PROBE", "value")
	for name, f := range map[string]func(tb testing.TB) string{
		"tool": func(tb testing.TB) string { return RequireTool(tb, "go", "install Go") },
		"env":  func(tb testing.TB) string { return RequireEnv(tb, "PITCHLINE_TESTENV_PROBE", "the test sets it") },
		"file": func(tb testing.TB) string { RequireFile(tb, "testenv.go", "it is this package's source"); return "ok" },
	} {
		r, got := run(f)
		if r.failed != "" || r.skipped != "" || got == "" {
			t.Errorf("%s: returned %q, failed %q, skipped %q; want a value and neither", name, got, r.failed, r.skipped)
		}
		if name == "tool" && filepath.Base(got) != "go" {
			t.Errorf("RequireTool(go) = %q", got)
		}
	}
}

func TestRequireMissingEnvAndFile(t *testing.T) {
	t.Setenv(CIEnv, "true")
	t.Setenv("PITCHLINE_TESTENV_PROBE", "")
	r, _ := run(func(tb testing.TB) string { return RequireEnv(tb, "PITCHLINE_TESTENV_PROBE", "make test sets it") })
	if !strings.Contains(r.failed, "PITCHLINE_TESTENV_PROBE is not set (make test sets it)") {
		t.Errorf("RequireEnv: failed %q, skipped %q", r.failed, r.skipped)
	}
	r, _ = run(func(tb testing.TB) string { RequireFile(tb, "no/such/file", "make build"); return "" })
	if !strings.Contains(r.failed, "no/such/file is missing (make build)") {
		t.Errorf("RequireFile: failed %q, skipped %q", r.failed, r.skipped)
	}
}

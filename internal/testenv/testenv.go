package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"
)

// CIEnv is the environment variable that marks a CI run ("true" or "1").
const CIEnv = "CI"

// InCI reports whether this is a CI run: $CI parses as a true boolean
// (strconv.ParseBool), as CI services and .ci/run set it.
func InCI() bool {
	v, err := strconv.ParseBool(os.Getenv(CIEnv))
	return err == nil && v
}

// Missing reports that something the test needs is missing: it fails the
// test in CI and skips it otherwise, with the message and what CI does about
// it either way.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		t.Fatalf("%s (%s=%s: a missing prerequisite fails the test instead of skipping it)", msg, CIEnv, os.Getenv(CIEnv))
	}
	t.Skipf("%s (skipped; with %s=true this fails)", msg, CIEnv)
}

// RequireTool returns the path of the executable name found in $PATH, or
// calls Missing. install says how to get it, for example
// "apt-get install lame".
func RequireTool(t testing.TB, name, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (%s)", name, install)
	}
	return path
}

// RequireEnv returns the value of the environment variable name, or calls
// Missing when it is empty. hint says who sets it, for example
// "make test sets it to build/bin/pitchline".
func RequireEnv(t testing.TB, name, hint string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(t, "%s is not set (%s)", name, hint)
	}
	return v
}

// RequireFile calls Missing unless path exists. hint says how to make it, for
// example "make build".
func RequireFile(t testing.TB, path, hint string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		Missing(t, "%s is missing (%s): %v", path, hint, err)
	}
}

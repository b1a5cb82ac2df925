package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
)

type codedErr struct{ code string }

func (e codedErr) Error() string     { return "coded failure" }
func (e codedErr) ErrorCode() string { return e.code }

func TestErrorFormatter(t *testing.T) {
	errBusy := errors.New("line busy")
	f := NewErrorFormatter(map[error]string{errBusy: "busy"})
	cases := []struct {
		name string
		err  error
		want ErrorPayload
	}{
		{"registered sentinel", fmt.Errorf("dial: %w", errBusy), ErrorPayload{"busy", "dial: line busy"}},
		{"package sentinel", ErrNotStarted, ErrorPayload{CodeNotStarted, "app: not started"}},
		{"canceled", fmt.Errorf("x: %w", context.Canceled), ErrorPayload{CodeCanceled, "x: context canceled"}},
		{"deadline", context.DeadlineExceeded, ErrorPayload{CodeTimeout, "context deadline exceeded"}},
		{"coder", fmt.Errorf("w: %w", codedErr{"no_account"}), ErrorPayload{"no_account", "w: coded failure"}},
		{"coder without code", codedErr{""}, ErrorPayload{CodeInternal, "coded failure"}},
		{"payload passthrough", fmt.Errorf("w: %w", ErrorPayload{"x", "y"}), ErrorPayload{"x", "y"}},
		{"unknown", errors.New("disk on fire"), ErrorPayload{CodeInternal, "disk on fire"}},
	}
	for _, tc := range cases {
		if got := f.Format(tc.err); got != tc.want {
			t.Errorf("%s: Format = %#v, want %#v", tc.name, got, tc.want)
		}
	}
	if got := f.Format(nil); got != nil {
		t.Errorf("Format(nil) = %#v, want nil", got)
	}
	var zero ErrorFormatter
	if got := zero.Payload(ErrInvalidArgument); got.Code != CodeInvalidArgument {
		t.Errorf("zero formatter: %#v", got)
	}
	if got := (ErrorPayload{"a", "b"}).Error(); got != "a: b" {
		t.Errorf("ErrorPayload.Error = %q", got)
	}
}

func TestWailsLoggerLevels(t *testing.T) {
	a, buf := newTestApp(t)
	l := newWailsLogger(a.log)
	l.Print("p\n")
	l.Debug("d")
	l.Info("i")
	l.Warning("w")
	l.Error("e")
	for _, want := range []string{"level=INFO msg=p ", "level=DEBUG msg=d", "level=WARN msg=w", "level=ERROR msg=e", "source=wails"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("log lacks %q:\n%s", want, buf)
		}
	}
}

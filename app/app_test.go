package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// testAssets is a minimal built frontend.
var testAssets = fstest.MapFS{"index.html": {Data: []byte("<html></html>")}}

func newTestApp(t *testing.T, opts ...Option) (*App, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(testAssets, append([]Option{WithLogger(logger)}, opts...)...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a, &buf
}

func TestNewRejectsBadInput(t *testing.T) {
	if _, err := New(nil); !errors.Is(err, ErrNoAssets) {
		t.Fatalf("New(nil) = %v, want ErrNoAssets", err)
	}
	bad := map[string]Option{
		"empty version": WithVersion(""),
		"nil logger":    WithLogger(nil),
		"zero width":    WithWindowSize(0, 720),
		"neg height":    WithWindowSize(1024, -1),
		"empty title":   WithTitle(""),
		"nil clock":     WithClock(nil),
		"nil sentinel":  WithErrorCode(nil, "x"),
		"empty code":    WithErrorCode(errors.New("x"), ""),
	}
	for name, opt := range bad {
		if _, err := New(testAssets, opt); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("%s: err = %v, want ErrInvalidOption", name, err)
		}
	}
}

func TestWindowOptions(t *testing.T) {
	a, _ := newTestApp(t, WithVersion("9.9.9"))
	o := a.options()
	if o.Title != "Pitchline" || o.Width != 1024 || o.Height != 720 {
		t.Fatalf("window = %q %dx%d, want Pitchline 1024x720", o.Title, o.Width, o.Height)
	}
	if len(o.Bind) != len(a.svcs.list()) || len(o.Bind) < 7 || o.Bind[6] != a.System() {
		t.Fatalf("Bind = %#v, want every service, SystemService seventh", o.Bind)
	}
	if o.ErrorFormatter == nil || o.OnStartup == nil || o.OnDomReady == nil || o.OnShutdown == nil {
		t.Fatal("lifecycle hooks or ErrorFormatter not wired")
	}
	got := o.ErrorFormatter(fmt.Errorf("wrap: %w", ErrInvalidArgument))
	if p, ok := got.(ErrorPayload); !ok || p.Code != CodeInvalidArgument {
		t.Fatalf("ErrorFormatter = %#v, want code %q", got, CodeInvalidArgument)
	}
	if o.AssetServer == nil || o.AssetServer.Assets == nil {
		t.Fatal("assets not wired")
	}
	if o.Linux == nil || o.Linux.ProgramName != "pitchline" {
		t.Fatal("Linux ProgramName must match build/linux/pitchline.desktop")
	}
	b, _ := newTestApp(t, WithWindowSize(800, 600), WithTitle("X"))
	if o := b.options(); o.Width != 800 || o.Height != 600 || o.Title != "X" {
		t.Fatalf("options not applied: %q %dx%d", o.Title, o.Width, o.Height)
	}
}

func TestSystemServiceVersion(t *testing.T) {
	a, buf := newTestApp(t, WithVersion("1.2.3"))
	v, err := a.System().Version()
	if err != nil || v != "1.2.3" {
		t.Fatalf("Version() = %q, %v", v, err)
	}
	if !strings.Contains(buf.String(), "version served") {
		t.Fatalf("no debug log for version: %s", buf)
	}
	var nilSvc *SystemService
	if _, err := nilSvc.Version(); !errors.Is(err, ErrNotStarted) {
		t.Fatalf("nil service: %v", err)
	}
}

func TestLifecycle(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(250 * time.Millisecond); return now }
	a, buf := newTestApp(t, WithClock(clock), WithLaunchURL("tel:+4930123"))
	ctx := context.Background()
	a.OnStartup(ctx)
	a.OnDomReady(ctx)
	if a.UIReady() {
		t.Fatal("UIReady before the frontend emitted ui:ready")
	}
	a.markUIReady([]any{map[string]any{"version": "dev"}})
	if !a.UIReady() {
		t.Fatal("UIReady not set")
	}
	a.OnShutdown(ctx)
	log := buf.String()
	for _, want := range []string{"msg=startup", "launch_url=tel:+4930123", "msg=\"dom ready\"", "msg=\"ui ready\"", "elapsed=750ms", "msg=shutdown"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestRunWithoutBuiltFrontend(t *testing.T) {
	a, err := New(fstest.MapFS{".gitkeep": {}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(); !errors.Is(err, ErrNoAssets) || !strings.Contains(err.Error(), "make build") {
		t.Fatalf("Run() = %v, want ErrNoAssets mentioning make build", err)
	}
}

func TestCheckDisplay(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if err := checkDisplay("linux", env(nil)); !errors.Is(err, ErrNoDisplay) || !strings.Contains(err.Error(), "xvfb-run") {
		t.Fatalf("linux without display: %v", err)
	}
	for _, kv := range []map[string]string{{"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"}} {
		if err := checkDisplay("linux", env(kv)); err != nil {
			t.Errorf("linux with %v: %v", kv, err)
		}
	}
	if err := checkDisplay("freebsd", env(nil)); !errors.Is(err, ErrNoDisplay) {
		t.Errorf("freebsd without display: %v", err)
	}
	for _, goos := range []string{"darwin", "windows"} {
		if err := checkDisplay(goos, env(nil)); err != nil {
			t.Errorf("%s: %v", goos, err)
		}
	}
}

// Command pitchline is the Pitchline desktop softphone.
//
// This file is the composition root only: it routes subcommands to package
// cli and otherwise opens the desktop window through package app. It holds no
// logic of its own beyond choosing between the two.
package main

import (
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"github.com/pitchline/pitchline/app"
	// Opus registers itself with audio/codec: the desktop phone offers it
	// first (the engine reaches it only through the codec registry).
	_ "github.com/pitchline/pitchline/audio/codec/opus"
	"github.com/pitchline/pitchline/cli"
)

// assets is the built frontend (frontend/dist, produced by `make build`).
// A fresh clone holds only dist/.gitkeep, which keeps this embed valid so that
// `go vet` and `go test` work before the frontend is built.
//
//go:embed all:frontend/dist
var assets embed.FS

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	// Global flags may come before the command too (`pitchline --data-dir
	// D crm sync`), as with git and go.
	lead, rest := cli.SplitGlobals(os.Args[1:])
	if len(rest) > 0 && rest[0] == "serve" {
		os.Exit(runServe(append(rest[1:], lead...), os.Stdout, os.Stderr))
	}
	if len(rest) > 0 && isSubcommand(rest[0]) {
		os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(runDesktop(os.Args[1:], os.Stderr))
}

// urlScheme matches an argument that starts with a URL scheme (RFC 3986
// section 3.1), e.g. "tel:", "sip:", "callto:".
var urlScheme = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// isSubcommand reports whether arg names a CLI subcommand: anything that is
// neither a flag nor a URL (tel:, sip:, callto: ... handed over by the
// desktop's URL-scheme handler).
func isSubcommand(arg string) bool {
	return arg != "" && !strings.HasPrefix(arg, "-") && !urlScheme.MatchString(arg)
}

// launchURL returns the first URL argument, if any.
func launchURL(args []string) string {
	for _, a := range args {
		if urlScheme.MatchString(a) {
			return a
		}
	}
	return ""
}

// newLogger builds the process logger; level comes from PITCHLINE_LOG_LEVEL
// (debug, info, warn, error; default info).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil || level == "" {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// runDesktop opens the desktop window and returns the exit code: 0 on a
// clean exit or a hand-off to the running instance, 1 on failure, 2 on a
// usage error.
func runDesktop(args []string, stderr io.Writer) int {
	flagOpts, err := app.WindowFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "pitchline:", err)
		return 2
	}
	logger := newLogger(stderr, os.Getenv("PITCHLINE_LOG_LEVEL"))
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(stderr, "pitchline:", err)
		return 1
	}
	opts := append([]app.Option{app.WithVersion(version), app.WithLogger(logger)}, flagOpts...)
	if err := app.Run(dist, opts...); err != nil {
		if errors.Is(err, app.ErrHandedOff) {
			return 0 // the running instance took the URL
		}
		fmt.Fprintln(stderr, "pitchline:", err)
		return 1
	}
	return 0
}

// runServe runs browser mode (`pitchline serve`) and returns the exit code.
func runServe(args []string, stdout, stderr io.Writer) int {
	dist, err := fs.Sub(assets, "frontend/dist")
	if err != nil {
		fmt.Fprintln(stderr, "pitchline:", err)
		return 1
	}
	logger := newLogger(stderr, os.Getenv("PITCHLINE_LOG_LEVEL"))
	return app.Serve(dist, args, stdout, stderr, app.WithVersion(version), app.WithLogger(logger))
}

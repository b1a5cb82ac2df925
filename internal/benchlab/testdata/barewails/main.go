// Command barewails is the bare Wails v2 application the desktop benchmark
// compares Pitchline against (BENCHMARKS.md, "Desktop window"): the
// hello-world of `wails init` (one bound Greet method, one page with an
// input and a button), built with the same Wails module version and the same
// tags as Pitchline. It reports "ui ready" on stderr the way Pitchline does:
// once the page has a reply from a bound method rendered, two frames painted,
// and its input takes focus.
//
// It lives under testdata so that `go build ./...` and `go vet ./...` skip
// it; the benchmark builds it explicitly:
//
//	go build -tags desktop,production,webkit2_41 -ldflags "-w -s" -o barewails ./internal/benchlab/testdata/barewails
package main

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"time"

	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

//go:embed all:frontend
var assets embed.FS

// App is the bound struct, as in the Wails template.
type App struct {
	log     *slog.Logger
	started time.Time
}

// Greet returns a greeting for name.
func (a *App) Greet(name string) string { return fmt.Sprintf("Hello %s, It's show time!", name) }

func (a *App) startup(ctx context.Context) {
	a.log.Info("startup", "elapsed", time.Since(a.started))
	runtime.EventsOn(ctx, "ui:ready", func(data ...any) {
		a.log.Info("ui ready", "elapsed", time.Since(a.started), "data", data)
	})
}

func (a *App) domReady(context.Context) { a.log.Info("dom ready", "elapsed", time.Since(a.started)) }

func main() {
	a := &App{log: slog.New(slog.NewTextHandler(os.Stderr, nil)), started: time.Now()}
	dist, err := fs.Sub(assets, "frontend")
	if err != nil {
		fmt.Fprintln(os.Stderr, "barewails:", err)
		os.Exit(1)
	}
	err = wails.Run(&options.App{
		Title:            "Bare",
		Width:            1024,
		Height:           720,
		AssetServer:      &assetserver.Options{Assets: dist},
		BackgroundColour: &options.RGBA{R: 27, G: 38, B: 54, A: 1},
		OnStartup:        a.startup,
		OnDomReady:       a.domReady,
		Bind:             []any{a},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "barewails:", err)
		os.Exit(1)
	}
}

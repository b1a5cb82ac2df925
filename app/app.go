package app

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/store"

	// Wails v2 is the desktop shell (WebKitGTK on Linux, WebView2 on Windows,
	// WKWebView on macOS); this package is the only importer.
	"github.com/wailsapp/wails/v2"
	"github.com/wailsapp/wails/v2/pkg/options"
	"github.com/wailsapp/wails/v2/pkg/options/assetserver"
	"github.com/wailsapp/wails/v2/pkg/options/linux"
	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// EventUIReady is emitted by the frontend once it has rendered its first
// screen with data from the backend; App logs it with the startup time.
const EventUIReady = "ui:ready"

// App owns the backend (core, services, event hub) and either the desktop
// window (Run) or browser mode (ServeHTTP).
type App struct {
	cfg    config
	assets fs.FS
	system *SystemService
	svcs   *services
	core   *core
	hub    *hub
	errfmt *ErrorFormatter
	log    *slog.Logger

	backendUp  chan struct{} // closed once bringUp returned (window mode)
	backendErr error         // bringUp's error, read after backendUp closed

	mu      sync.Mutex
	ctx     context.Context
	started time.Time
	ready   bool
}

// New creates an App serving the built frontend from assets (the contents of
// frontend/dist, with index.html at the root).
func New(assets fs.FS, opts ...Option) (*App, error) {
	if assets == nil {
		return nil, ErrNoAssets
	}
	cfg := config{
		title:   DefaultTitle,
		width:   DefaultWidth,
		height:  DefaultHeight,
		version: "dev",
		logger:  slog.Default(),
		now:     time.Now,
	}
	for _, opt := range opts {
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	log := cfg.logger.With("component", "app")
	h := newHub(log)
	c := newCore(coreConfig{dataDir: cfg.dataDir, backend: cfg.backend, forceDemo: cfg.demo,
		logger: cfg.logger, now: cfg.now, demoOpts: cfg.demoOpts}, h, cfg.version)
	svcs := newServices(c, cfg.version, log)
	return &App{
		cfg:     cfg,
		assets:  assets,
		system:  svcs.System,
		svcs:    svcs,
		core:    c,
		hub:     h,
		errfmt:  newOrderedFormatter(cfg.errorCodes, coreErrorCodes()),
		log:     log,
		started: cfg.now(),
	}, nil
}

// Run creates an App with New and runs it until the window is closed.
func Run(assets fs.FS, opts ...Option) error {
	a, err := New(assets, opts...)
	if err != nil {
		return err
	}
	return a.Run()
}

// Run opens the window and blocks until the application quits.
//
// Startup is ordered for a fast first screen: the single-instance socket is
// taken first (a second launch with a URL hands it over even where this
// process could not open a window), then the window opens at once while the
// backend (audio devices, store, keychain, phone or demo line) starts in
// the background. The page itself is held back until the backend is up
// (assetGate), so no bound call ever sees a half-started core, yet GTK,
// the WebKit processes and the backend start in parallel.
func (a *App) Run() error {
	if generatingBindings {
		return wails.Run(a.options())
	}
	if _, err := fs.Stat(a.assets, "index.html"); err != nil {
		return fmt.Errorf("%w: index.html not found in frontend/dist (run `make build`): %v", ErrNoAssets, err)
	}
	inst, err := a.acquire()
	if err != nil {
		return err
	}
	if err := checkDisplay(currentGOOS, os.Getenv); err != nil {
		inst.close()
		return err
	}
	a.backendUp = make(chan struct{})
	var release func()
	go func() {
		defer close(a.backendUp)
		release, a.backendErr = a.bringUp(context.Background(), inst)
		if a.backendErr != nil {
			a.log.Error("backend did not start", "err", a.backendErr)
			a.quit()
			return
		}
		a.log.Info("backend started", "elapsed", a.cfg.now().Sub(a.started))
	}()
	err = wails.Run(a.options())
	<-a.backendUp
	if release != nil {
		release()
	}
	if a.backendErr != nil {
		return a.backendErr
	}
	return err
}

// quit closes the window if the Wails runtime is up.
func (a *App) quit() {
	a.mu.Lock()
	ctx := a.ctx
	a.mu.Unlock()
	if ctx != nil && ctx.Value("events") != nil {
		runtime.Quit(ctx)
	}
}

// assetGate holds every request for the page until the backend has started
// (or failed), so that the frontend's first bound call finds a running core.
func (a *App) assetGate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.backendUp != nil {
			select {
			case <-a.backendUp:
			case <-r.Context().Done():
				return
			}
			if a.backendErr != nil {
				http.Error(w, "Pitchline could not start: "+a.backendErr.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// startBackend takes the single-instance socket (or hands the launch URL
// to the running instance and returns ErrHandedOff), opens the audio
// backend, starts the core and dials the launch URL. release undoes it.
func (a *App) startBackend(ctx context.Context) (release func(), err error) {
	inst, err := a.acquire()
	if err != nil {
		return nil, err
	}
	return a.bringUp(ctx, inst)
}

// acquire takes the single-instance socket of the data directory, or hands
// the launch URL to the running instance (ErrHandedOff).
func (a *App) acquire() (*instance, error) {
	dataDir, err := a.dataDir()
	if err != nil {
		return nil, err
	}
	a.core.cfg.dataDir = dataDir
	return acquireInstance(dataDir, a.cfg.launchURL)
}

// bringUp opens the audio backend, starts the core, serves the instance
// socket and dials the launch URL; on error it closes inst.
func (a *App) bringUp(ctx context.Context, inst *instance) (release func(), err error) {
	closeBackend := func() {}
	if a.core.cfg.backend == nil {
		b, notice, err := openBackend(a.cfg.audioDev, a.cfg.logger)
		if err != nil {
			inst.close()
			return nil, err
		}
		a.core.cfg.backend = b
		closeBackend = func() { _ = b.Close() }
		if notice != "" {
			a.log.Warn(notice)
		}
	}
	if err := a.core.start(ctx); err != nil {
		inst.close()
		closeBackend()
		return nil, err
	}
	inst.serve(a.handleURL)
	if a.cfg.launchURL != "" {
		go a.handleURL(a.cfg.launchURL)
	}
	return func() {
		inst.close()
		_ = a.core.close()
		closeBackend()
	}, nil
}

// dataDir returns the configured data directory or the default one.
func (a *App) dataDir() (string, error) {
	if a.cfg.dataDir != "" {
		return a.cfg.dataDir, nil
	}
	p, err := store.DefaultPath()
	if err != nil {
		return "", err
	}
	return filepath.Dir(p), nil
}

// handleURL dials a click-to-call URL (tel:, sip:, callto:) handed to this
// instance and emits EvDial; an empty URL just raises the window.
func (a *App) handleURL(url string) {
	a.mu.Lock()
	ctx := a.ctx
	a.mu.Unlock()
	if ctx != nil && ctx.Value("events") != nil {
		runtime.WindowUnminimise(ctx)
		runtime.WindowShow(ctx)
	}
	if url == "" {
		return
	}
	req := DialRequest{URL: url, Target: url}
	v, err := a.core.dial(url)
	if err != nil {
		p := a.errfmt.Payload(err)
		req.Error = &p
		a.log.Warn("click-to-call failed", "url", url, "err", err)
	} else {
		req.CallID = v.ID
		a.log.Info("click-to-call", "url", url, "call", v.ID)
	}
	emit(a.hub, EvDial, req)
}

// System returns the bound SystemService.
func (a *App) System() *SystemService { return a.system }

// formatError classifies a bound call's error for the window and logs its
// technical detail (the rep sees one sentence, "details" and the log the rest).
func (a *App) formatError(err error) any {
	if err == nil {
		return nil
	}
	p := a.errfmt.Payload(err)
	a.log.Warn("bound call failed", "code", p.Code, "err", err)
	return p
}

// ErrorFormatter returns the formatter used for rejected bound calls.
func (a *App) ErrorFormatter() *ErrorFormatter { return a.errfmt }

// options builds the Wails application options.
func (a *App) options() *options.App {
	return &options.App{
		Title:     a.cfg.title,
		Width:     a.cfg.width,
		Height:    a.cfg.height,
		MinWidth:  640,
		MinHeight: 480,
		AssetServer: &assetserver.Options{
			Assets:     a.assets,
			Middleware: a.assetGate,
		},
		BackgroundColour: &options.RGBA{R: 18, G: 24, B: 38, A: 255},
		OnStartup:        a.OnStartup,
		OnDomReady:       a.OnDomReady,
		OnShutdown:       a.OnShutdown,
		Bind:             a.svcs.list(),
		ErrorFormatter:   a.formatError,
		Logger:           newWailsLogger(a.log),
		Linux: &linux.Options{
			ProgramName: "pitchline",
			// Software rendering, as Wails itself defaults to when no Linux
			// options are given (wails#2977). The "always" policy that a
			// non-nil Options would otherwise select runs WebKit's GL
			// compositor, on llvmpipe where there is no GPU: the first paint
			// took 500-700 ms instead of 20 ms under Xvfb, and it costs
			// memory (BENCHMARKS.md, "Desktop window").
			WebviewGpuPolicy: linux.WebviewGpuPolicyNever,
		},
	}
}

// OnStartup is called by Wails when the runtime is up, before the page loads.
// It stores the runtime context and subscribes to frontend events.
func (a *App) OnStartup(ctx context.Context) {
	a.mu.Lock()
	a.ctx = ctx
	a.mu.Unlock()
	a.hub.setWails(ctx)
	a.log.Info("startup", "version", a.cfg.version, "launch_url", a.cfg.launchURL,
		"elapsed", a.cfg.now().Sub(a.started))
	if ctx.Value("events") != nil { // a real Wails context; plain contexts in tests have none
		runtime.EventsOn(ctx, EventUIReady, func(data ...any) { a.markUIReady(data) })
	}
}

// OnDomReady is called by Wails once the page's DOM is loaded.
func (a *App) OnDomReady(ctx context.Context) {
	a.log.Info("dom ready", "elapsed", a.cfg.now().Sub(a.started))
}

// OnShutdown is called by Wails after the window closed; it releases the
// runtime context.
func (a *App) OnShutdown(ctx context.Context) {
	a.hub.clearWails()
	a.mu.Lock()
	a.ctx = nil
	a.mu.Unlock()
	a.log.Info("shutdown")
}

// UIReady reports whether the frontend has emitted EventUIReady.
func (a *App) UIReady() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ready
}

// markUIReady records the frontend's EventUIReady.
func (a *App) markUIReady(data []any) {
	a.mu.Lock()
	a.ready = true
	a.mu.Unlock()
	a.log.Info("ui ready", "elapsed", a.cfg.now().Sub(a.started), "data", data)
	// Hand the startup garbage (store migrations, index build, asset
	// serving, JSON) back to the OS now rather than when the background
	// scavenger gets to it: it is most of the idle heap's footprint
	// (BENCHMARKS.md, "Desktop window").
	go debug.FreeOSMemory()
}

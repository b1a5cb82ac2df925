package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/internal/testenv"
)

// TestURLSchemesRegistered checks that the URL schemes the desktop assets
// register (Linux .desktop, macOS Info.plist, wails.json for the Windows
// installer) agree, and that main routes each of them to the window rather
// than to a CLI subcommand.
func TestURLSchemesRegistered(t *testing.T) {
	want := []string{"callto", "sip", "tel"}

	desktop, err := os.ReadFile("build/linux/pitchline.desktop")
	if err != nil {
		t.Fatal(err)
	}
	var fromDesktop []string
	for _, line := range strings.Split(string(desktop), "\n") {
		if mt, ok := strings.CutPrefix(line, "MimeType="); ok {
			for _, m := range strings.Split(strings.TrimSuffix(mt, ";"), ";") {
				scheme, ok := strings.CutPrefix(m, "x-scheme-handler/")
				if !ok {
					t.Errorf(".desktop MimeType %q is not a scheme handler", m)
				}
				fromDesktop = append(fromDesktop, scheme)
			}
		}
	}
	if !bytes.Contains(desktop, []byte("\nExec=pitchline %u\n")) {
		t.Error(".desktop must have Exec=pitchline %u so the URL reaches main")
	}

	plist, err := os.ReadFile("build/darwin/Info.plist")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`<key>CFBundleURLSchemes</key>\s*<array>\s*<string>([^<]+)</string>`)
	var fromPlist []string
	for _, m := range re.FindAllSubmatch(plist, -1) {
		fromPlist = append(fromPlist, string(m[1]))
	}

	raw, err := os.ReadFile("wails.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Info struct {
			Protocols []struct{ Scheme string } `json:"protocols"`
		} `json:"info"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		t.Fatalf("wails.json: %v", err)
	}
	var fromWails []string
	for _, p := range cfg.Info.Protocols {
		fromWails = append(fromWails, p.Scheme)
	}

	for name, got := range map[string][]string{"pitchline.desktop": fromDesktop, "Info.plist": fromPlist, "wails.json": fromWails} {
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s registers %v, want %v", name, got, want)
		}
	}
	for _, scheme := range want {
		if arg := scheme + ":+4930123"; isSubcommand(arg) || launchURL([]string{arg}) != arg {
			t.Errorf("%s URL is not routed to the window", scheme)
		}
	}
}

func TestIsSubcommand(t *testing.T) {
	cases := map[string]bool{
		"call":                true,
		"devices":             true,
		"version":             true,
		"":                    false,
		"-v":                  false,
		"--help":              false,
		"tel:+4930123456":     false,
		"TEL:+1-555-0100":     false,
		"sip:alice@127.0.0.1": false,
		"sips:bob@example":    false,
		"callto:+4930123":     false,
		"callto://+4930123":   false,
	}
	for arg, want := range cases {
		if got := isSubcommand(arg); got != want {
			t.Errorf("isSubcommand(%q) = %v, want %v", arg, got, want)
		}
	}
}

func TestLaunchURL(t *testing.T) {
	if got := launchURL([]string{"-x", "tel:+49301"}); got != "tel:+49301" {
		t.Errorf("launchURL = %q", got)
	}
	if got := launchURL([]string{"--flag"}); got != "" {
		t.Errorf("launchURL without URL = %q", got)
	}
}

func TestNewLoggerLevel(t *testing.T) {
	var buf bytes.Buffer
	newLogger(&buf, "debug").Debug("dbg")
	newLogger(&buf, "nonsense").Debug("hidden")
	newLogger(&buf, "").Info("shown")
	out := buf.String()
	if !strings.Contains(out, "msg=dbg") || strings.Contains(out, "hidden") || !strings.Contains(out, "msg=shown") {
		t.Fatalf("unexpected log output:\n%s", out)
	}
}

// TestDesktopWindowSmoke opens the built desktop binary (PITCHLINE_BIN, set by
// `make test`; the binary `make run` starts) in a private Xvfb via
// scripts/xvfb-smoke.sh, as on a fresh machine: an empty HOME and an empty
// --data-dir. It checks that the first screen is interactive and shows the
// labelled demo line, that the store was created in --data-dir, and that the
// screenshot shows the rendered page, not a blank window.
func TestDesktopWindowSmoke(t *testing.T) {
	bin := testenv.RequireEnv(t, "PITCHLINE_BIN", "make test sets it to build/bin/pitchline")
	dir := t.TempDir()
	shot, logPath, data := filepath.Join(dir, "window.png"), filepath.Join(dir, "app.log"), filepath.Join(dir, "data")
	cmd := exec.Command("scripts/xvfb-smoke.sh", bin, shot, logPath, "--data-dir", data)
	out, err := cmd.CombinedOutput()
	appLog, _ := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("xvfb-smoke failed: %v\n%s\napp log:\n%s", err, out, appLog)
	}
	for _, want := range []string{`msg="dom ready"`, `msg="version served"`, `msg="ui ready"`, `interactive:true`, `demoBanner:true`, `version:`} {
		if !bytes.Contains(appLog, []byte(want)) {
			t.Errorf("app log lacks %s:\n%s", want, appLog)
		}
	}
	if _, err := os.Stat(filepath.Join(data, "pitchline.db")); err != nil {
		t.Errorf("--data-dir not used: %v", err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decode screenshot: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1024 || b.Dy() != 720 {
		t.Errorf("window is %dx%d, want 1024x720", b.Dx(), b.Dy())
	}
	st := colourStats(img)
	t.Logf("screenshot: %d distinct colours, background %.1f%%, accent pixels %d", st.distinct, 100*st.bgShare, st.accent)
	if st.distinct < 16 {
		t.Errorf("only %d distinct colours: blank window?", st.distinct)
	}
	if st.bgShare < 0.6 {
		t.Errorf("page background covers %.1f%%, want most of the window (page not loaded?)", 100*st.bgShare)
	}
	if st.accent < 200 {
		t.Errorf("heading colour found on %d pixels, want the rendered 'Pitchline' heading", st.accent)
	}
}

// stats summarises a screenshot.
type stats struct {
	distinct int     // number of distinct RGB colours
	bgShare  float64 // share of pixels in the page background colour
	accent   int     // pixels close to the heading colour
}

// colourStats counts colours against frontend/src/style.css: background
// rgb(18,24,38), heading #4fd1a5.
func colourStats(img image.Image) stats {
	seen := map[[3]uint8]bool{}
	var bg, accent, total int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			c := [3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}
			seen[c] = true
			total++
			if near(c, [3]uint8{18, 24, 38}, 3) {
				bg++
			}
			if near(c, [3]uint8{0x4f, 0xd1, 0xa5}, 12) {
				accent++
			}
		}
	}
	return stats{distinct: len(seen), bgShare: float64(bg) / float64(total), accent: accent}
}

// near reports whether every channel of a is within tol of b.
func near(a, b [3]uint8, tol int) bool {
	for i := range a {
		d := int(a[i]) - int(b[i])
		if d < -tol || d > tol {
			return false
		}
	}
	return true
}

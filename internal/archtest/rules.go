package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// Package is the part of `go list -e -deps -test -json` output the rules
// look at.
type Package struct {
	// ImportPath is the package's import path; test variants carry a
	// suffix ("p [p.test]") and test binaries end in ".test".
	ImportPath string
	// Name is the package name ("main" for commands).
	Name string
	// ForTest is set on the test variants of a package: the package whose
	// test binary they belong to.
	ForTest string
	// Standard is true for packages of the Go standard library.
	Standard bool
	// Imports lists the package's direct production imports.
	Imports []string
	// TestImports lists the imports of the package's in-package _test.go
	// files.
	TestImports []string
	// XTestImports lists the imports of its external (package p_test)
	// _test.go files.
	XTestImports []string
	// CgoFiles lists the package's files that import "C".
	CgoFiles []string
	// Deps lists every package the package depends on, transitively
	// (for a test binary "p.test": everything its tests depend on).
	Deps []string
}

// Violation is one forbidden import edge (or forbidden cgo use, with To set
// to "C").
type Violation struct {
	// From is the importing package.
	From string
	// Test is true when the edge comes from From's _test.go files (or, for
	// engine-cgo-free, only from its tests' dependencies).
	Test bool
	// To is the imported package, or "C" for cgo.
	To string
	// Rule names the broken rule.
	Rule string
}

// String renders v for test failure messages.
func (v Violation) String() string {
	from := v.From
	if v.Test {
		from += " (tests)"
	}
	return fmt.Sprintf("%s -> %s: %s", from, v.To, v.Rule)
}

const (
	// wailsPrefix is the import path prefix of the Wails framework.
	wailsPrefix = "github.com/wailsapp/wails"
	// portaudioPath is the PortAudio binding, a cgo package.
	portaudioPath = "github.com/gordonklaus/portaudio"
)

// plugins are the softphone subtrees that plug into the engine through its
// public API: the engine never depends on them.
var plugins = []string{"softphone/dialer", "softphone/crm", "softphone/store"}

// harnesses are the module's test-harness subtrees (besides any package
// whose name ends in "test" or "fake", such as crmtest or hubspotfake):
// they start external programs and import "testing", so only tests and
// other harnesses may import them.
var harnesses = []string{"internal/testlab", "internal/benchlab", "internal/cmd"}

// under reports whether path is root or inside root's subtree.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// layout answers where an import path sits in the module's layout.
type layout struct{ module string }

// in reports whether path is the module's package rel or inside its subtree.
func (l layout) in(path, rel string) bool { return under(path, l.module+"/"+rel) }

func (l layout) isMain(path string) bool { return path == l.module }

func (l layout) isPlugin(path string) bool {
	for _, p := range plugins {
		if l.in(path, p) {
			return true
		}
	}
	return false
}

// isEngine: softphone/... except the plug-in subtrees.
func (l layout) isEngine(path string) bool { return l.in(path, "softphone") && !l.isPlugin(path) }

func (l layout) isHarness(path string) bool {
	if !under(path, l.module) {
		return false
	}
	for _, h := range harnesses {
		if l.in(path, h) {
			return true
		}
	}
	last := path[strings.LastIndex(path, "/")+1:]
	return strings.HasSuffix(last, "test") || strings.HasSuffix(last, "fake")
}

// isInternal reports whether path has an "internal" element.
func isInternal(path string) bool {
	return strings.HasSuffix(path, "/internal") || strings.Contains(path, "/internal/")
}

// edgeRule is a rule about one import edge from -> to.
type edgeRule struct {
	name string
	// prodOnly rules do not apply to the imports of _test.go files.
	prodOnly bool
	forbids  func(l layout, from, to string) bool
}

// edgeRules are checked on every import of every module package, those of
// its _test.go files included unless prodOnly. Check's doc comment says
// why each exists.
var edgeRules = []edgeRule{
	{name: "wails-only-in-app", forbids: func(l layout, from, to string) bool {
		return under(to, wailsPrefix) && !l.in(from, "app")
	}},
	{name: "app-only-from-main", forbids: func(l layout, from, to string) bool {
		return l.in(to, "app") && !l.isMain(from) && !l.in(from, "app")
	}},
	{name: "cli-only-from-main", forbids: func(l layout, from, to string) bool {
		return l.in(to, "cli") && !l.isMain(from) && !l.in(from, "cli")
	}},
	{name: "portaudio-only-in-audio-device", forbids: func(l layout, from, to string) bool {
		return under(to, portaudioPath) && !l.in(from, "audio/device")
	}},
	{name: "audio-is-leaf", forbids: func(l layout, from, to string) bool {
		return l.in(from, "audio") && (l.in(to, "softphone") || l.in(to, "app") || l.in(to, "cli"))
	}},
	{name: "softphone-no-ui", forbids: func(l layout, from, to string) bool {
		return l.in(from, "softphone") && (l.in(to, "app") || l.in(to, "cli"))
	}},
	{name: "softphone-devices-injected", forbids: func(l layout, from, to string) bool {
		return l.in(from, "softphone") && l.in(to, "audio/device")
	}},
	{name: "engine-no-plugins", forbids: func(l layout, from, to string) bool {
		return l.isEngine(from) && l.isPlugin(to)
	}},
	{name: "plugins-public-api", forbids: func(l layout, from, to string) bool {
		return l.isPlugin(from) && l.isEngine(to) && isInternal(to)
	}},
	{name: "store-not-crm", forbids: func(l layout, from, to string) bool {
		return l.in(from, "softphone/store") && l.in(to, "softphone/crm")
	}},
	{name: "crm-sync-bridges-store", forbids: func(l layout, from, to string) bool {
		return l.in(from, "softphone/crm") && !l.in(from, "softphone/crm/sync") && l.in(to, "softphone/store")
	}},
	{name: "harness-only-in-tests", prodOnly: true, forbids: func(l layout, from, to string) bool {
		return l.isHarness(to) && !l.isHarness(from)
	}},
}

// Check applies Pitchline's dependency rules to pkgs, the output of
// `go list -e -deps -test -json ./...` for the module with path module
// (packages of other modules, test variants and test binaries may be in
// pkgs: edges are checked on the module's own packages, the rest serve
// engine-cgo-free). It returns the violations sorted by From, Test, To and
// Rule.
//
// Every edge rule applies to a package's production imports and to those of
// its _test.go files (both in-package and package p_test), except
// harness-only-in-tests:
//   - wails-only-in-app: only app/... imports Wails, so the engine, the
//     command line and the headless paths never link GTK/WebKit.
//   - app-only-from-main: nothing but the root main package (and app
//     itself) imports app/...: main only wires things together.
//   - cli-only-from-main: likewise for cli/....
//   - portaudio-only-in-audio-device: only audio/device/... imports the
//     PortAudio binding.
//   - audio-cgo-only-device-opus: among audio/..., only audio/device/...
//     (PortAudio) and exactly audio/codec/opus (libopus) have cgo files.
//     The engine reaches Opus only through audio/codec's registry (main and
//     cli import the package), so it stays cgo-free.
//   - audio-is-leaf: audio/... (the PCM domain) never imports softphone/...,
//     app or cli.
//   - softphone-no-ui: softphone/... never imports app or cli.
//   - softphone-devices-injected: softphone/... never imports audio/device:
//     the engine gets devices injected through the audio interfaces; tests
//     on real devices live in internal/devicetest.
//   - engine-no-plugins: the engine never imports the plug-ins
//     softphone/dialer, softphone/crm, softphone/store (nor their
//     subpackages).
//   - plugins-public-api: plug-ins use the engine's public API only: no
//     internal package under the engine (Go's internal rule would allow
//     it, since plug-ins live under softphone/).
//   - store-not-crm: softphone/store never imports softphone/crm/...: the
//     store has its own record types (Vendor, Direction, CallStatus,
//     SyncCall, SyncTask), so the dependency runs one way.
//   - crm-sync-bridges-store: within softphone/crm/..., only
//     softphone/crm/sync (the adapter between the CRM plug-in and the
//     store, with the explicit conversions) imports softphone/store.
//   - harness-only-in-tests (production imports only): nothing but test
//     harnesses imports a harness (internal/testlab, internal/benchlab,
//     internal/cmd/..., and packages named *test or *fake such as
//     softphone/crm/crmtest or hubspotfake), so the product never links
//     them.
//   - engine-cgo-free: no engine package, nor its tests, depends on a
//     package with cgo files outside the standard library (which falls back
//     to pure Go): `CGO_ENABLED=0 go test` builds the engine.
//
// The engine is softphone/... minus the plug-in subtrees: today softphone,
// softphone/media, softphone/demo (the built-in demo line, shipped with the
// engine) and softphone/secret (the keychain), and any subpackage added
// later under softphone/ that is not under a plug-in.
func Check(module string, pkgs []Package) []Violation {
	l := layout{module}
	seen := map[Violation]bool{}
	var out []Violation
	add := func(v Violation) {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	byPath := map[string]*Package{}
	for i := range pkgs {
		byPath[pkgs[i].ImportPath] = &pkgs[i]
	}
	for _, p := range pkgs {
		from := p.ImportPath
		if !under(from, module) || p.ForTest != "" || strings.HasSuffix(from, ".test") {
			continue
		}
		if l.in(from, "audio") && len(p.CgoFiles) > 0 && !l.in(from, "audio/device") && from != l.module+"/audio/codec/opus" {
			add(Violation{From: from, To: "C", Rule: "audio-cgo-only-device-opus"})
		}
		for _, imports := range []struct {
			list []string
			test bool
		}{{p.Imports, false}, {p.TestImports, true}, {p.XTestImports, true}} {
			for _, to := range imports.list {
				for _, r := range edgeRules {
					if (!imports.test || !r.prodOnly) && r.forbids(l, from, to) {
						add(Violation{From: from, Test: imports.test, To: to, Rule: r.name})
					}
				}
			}
		}
		if l.isEngine(from) {
			engineCgo(p, byPath, add)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.Test != b.Test {
			return !a.Test
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Rule < b.Rule
	})
	return out
}

// engineCgo reports, for engine package p, its own cgo files and every
// non-standard package with cgo files among its dependencies and its test
// binary's (p.ImportPath+".test"), as engine-cgo-free violations.
func engineCgo(p Package, byPath map[string]*Package, add func(Violation)) {
	const rule = "engine-cgo-free"
	if len(p.CgoFiles) > 0 {
		add(Violation{From: p.ImportPath, To: "C", Rule: rule})
	}
	cgo := func(dep string) (string, bool) {
		if i := strings.Index(dep, " ["); i >= 0 { // test variant "q [p.test]"
			dep = dep[:i]
		}
		d := byPath[dep]
		return dep, d != nil && !d.Standard && len(d.CgoFiles) > 0
	}
	prod := map[string]bool{}
	for _, dep := range p.Deps {
		if d, ok := cgo(dep); ok {
			prod[d] = true
			add(Violation{From: p.ImportPath, To: d, Rule: rule})
		}
	}
	if bin := byPath[p.ImportPath+".test"]; bin != nil {
		for _, dep := range bin.Deps {
			if d, ok := cgo(dep); ok && !prod[d] && d != p.ImportPath {
				add(Violation{From: p.ImportPath, Test: true, To: d, Rule: rule})
			}
		}
	}
}

package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/pitchline/pitchline"

// moduleRoot returns the directory holding this module's go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(gomod)))
}

// listedPackage is a Package plus go list's error for it.
type listedPackage struct {
	Package
	Error *struct{ Err string }
}

// listPackages runs `go list -e -deps -test -json ./...` in the module at
// root: the module's packages with their test imports, their test binaries
// and every dependency (the standard library's included).
func listPackages(t *testing.T, root string) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-deps", "-test",
		"-json=ImportPath,Name,ForTest,Standard,Imports,TestImports,XTestImports,CgoFiles,Deps,Error", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1") // list cgo files as CgoFiles, not IgnoredGoFiles
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []Package
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		// A package go list could not load has no imports to check.
		if p.Error != nil && strings.HasPrefix(p.ImportPath, module) {
			t.Errorf("go list: %s: %s", p.ImportPath, p.Error.Err)
		}
		pkgs = append(pkgs, p.Package)
	}
	return pkgs
}

// TestImportRules fails when the real module has a forbidden import edge.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t, moduleRoot(t))
	// Guard against a vacuous pass: the listing must contain the known
	// edges of each kind the rules look at.
	byPath := map[string]Package{}
	for _, p := range pkgs {
		byPath[p.ImportPath] = p
	}
	if !slices.Contains(byPath[module].Imports, module+"/app") {
		t.Fatalf("go list output lacks main -> app; got %d packages", len(pkgs))
	}
	if !slices.ContainsFunc(byPath[module+"/app"].Imports, func(s string) bool { return strings.HasPrefix(s, wailsPrefix) }) {
		t.Fatal("go list output lacks app -> wails")
	}
	if !slices.Contains(byPath[module+"/softphone"].XTestImports, module+"/internal/testlab") {
		t.Fatal("go list output lacks softphone's tests -> internal/testlab (test imports not listed)")
	}
	if !slices.Contains(byPath[module+"/softphone.test"].Deps, module+"/softphone/media") {
		t.Fatal("go list output lacks softphone.test's deps (test binaries not listed)")
	}
	if len(byPath[portaudioPath].CgoFiles) == 0 || !slices.Contains(byPath[module+"/audio/device"].Deps, portaudioPath) {
		t.Fatal("go list output lacks audio/device -> portaudio with its cgo files")
	}
	if !slices.Contains(byPath[module+"/softphone/dialer"].Imports, module+"/softphone/store") {
		t.Fatal("go list output lacks the plug-in edge softphone/dialer -> softphone/store")
	}
	for _, v := range Check(module, pkgs) {
		t.Errorf("forbidden: %s", v)
	}
}

// TestCheckerCatchesForbiddenEdges runs synthetic graphs through Check: each
// forbidden edge must be reported with its rule (and whether it comes from
// tests), each allowed one must not.
func TestCheckerCatchesForbiddenEdges(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	const wails = "github.com/wailsapp/wails/v2"
	const pa = portaudioPath
	prod := func(from string, to ...string) []Package { return []Package{{ImportPath: from, Imports: to}} }
	test := func(from string, to ...string) []Package { return []Package{{ImportPath: from, TestImports: to}} }
	xtest := func(from string, to ...string) []Package { return []Package{{ImportPath: from, XTestImports: to}} }
	cases := []struct {
		name string
		pkgs []Package
		want []string // rules expected, in sorted Violation order; "(tests)" marks test edges
	}{
		{"main imports app and cli", prod(module, m("app"), m("cli")), nil},
		{"main imports wails", prod(module, wails), []string{"wails-only-in-app"}},
		{"app imports wails", prod(m("app"), wails+"/pkg/runtime", m("softphone")), nil},
		{"softphone imports wails", prod(m("softphone"), wails), []string{"wails-only-in-app"}},
		{"cli imports wails", prod(m("cli"), wails+"/pkg/options"), []string{"wails-only-in-app"}},
		{"media tests import wails", test(m("softphone/media"), wails), []string{"wails-only-in-app (tests)"}},
		{"cli imports app", prod(m("cli"), m("app")), []string{"app-only-from-main"}},
		{"cli tests import app", xtest(m("cli"), m("app")), []string{"app-only-from-main (tests)"}},
		{"app imports cli", prod(m("app/bind"), m("cli")), []string{"cli-only-from-main"}},
		{"audio/codec uses cgo", []Package{{ImportPath: m("audio/codec"), CgoFiles: []string{"opus.go"}}}, []string{"audio-cgo-only-device-opus"}},
		{"audio uses cgo", []Package{{ImportPath: m("audio"), CgoFiles: []string{"x.go"}}}, []string{"audio-cgo-only-device-opus"}},
		{"audio/device uses cgo", []Package{{ImportPath: m("audio/device"), CgoFiles: []string{"pa.go"}}}, nil},
		{"audio/codec/opus uses cgo", []Package{{ImportPath: m("audio/codec/opus"), CgoFiles: []string{"opus.go"}}}, nil},
		{"audio/codec/opus subpackage uses cgo", []Package{{ImportPath: m("audio/codec/opus/x"), CgoFiles: []string{"x.go"}}}, []string{"audio-cgo-only-device-opus"}},
		{"audio/codec/opusx uses cgo", []Package{{ImportPath: m("audio/codec/opusx"), CgoFiles: []string{"x.go"}}}, []string{"audio-cgo-only-device-opus"}},
		{"engine tests depend on opus", []Package{
			{ImportPath: m("softphone/media")},
			{ImportPath: m("softphone/media.test"), Name: "main", Deps: []string{m("audio/codec/opus")}},
			{ImportPath: m("audio/codec/opus"), CgoFiles: []string{"opus.go"}},
		}, []string{"engine-cgo-free (tests)"}},
		{"audio/device imports portaudio", prod(m("audio/device"), pa), nil},
		{"audio/mixer imports portaudio", prod(m("audio/mixer"), pa), []string{"portaudio-only-in-audio-device"}},
		{"softphone tests import portaudio", xtest(m("softphone"), pa), []string{"portaudio-only-in-audio-device (tests)"}},
		{"audio imports softphone", prod(m("audio/jitter"), m("softphone/media")), []string{"audio-is-leaf"}},
		{"audio imports cli", prod(m("audio"), m("cli")), []string{"audio-is-leaf", "cli-only-from-main"}},
		{"audio/device imports app", prod(m("audio/device"), m("app")), []string{"app-only-from-main", "audio-is-leaf"}},
		{"audio/device tests import softphone", xtest(m("audio/device"), m("softphone")), []string{"audio-is-leaf (tests)"}},
		{"audio/device tests import testlab", xtest(m("audio/device"), m("internal/testlab")), nil},
		{"softphone imports cli", prod(m("softphone"), m("cli")), []string{"cli-only-from-main", "softphone-no-ui"}},
		{"softphone/store imports app", prod(m("softphone/store"), m("app")), []string{"app-only-from-main", "softphone-no-ui"}},
		{"softphone imports audio/device", prod(m("softphone"), m("audio/device")), []string{"softphone-devices-injected"}},
		{"softphone tests import audio/device", xtest(m("softphone"), m("audio/device")), []string{"softphone-devices-injected (tests)"}},
		{"crm imports audio/device", prod(m("softphone/crm"), m("audio/device")), []string{"softphone-devices-injected"}},
		{"softphone imports audio", prod(m("softphone"), m("audio"), m("audio/codec")), nil},
		{"engine imports dialer", prod(m("softphone"), m("softphone/dialer")), []string{"engine-no-plugins"}},
		{"engine tests import crm", test(m("softphone"), m("softphone/crm")), []string{"engine-no-plugins (tests)"}},
		{"demo tests import store", xtest(m("softphone/demo"), m("softphone/store")), []string{"engine-no-plugins (tests)"}},
		{"media imports crm sub", prod(m("softphone/media"), m("softphone/crm/hubspot")), []string{"engine-no-plugins"}},
		{"engine sub imports store", prod(m("softphone/sipua"), m("softphone/store")), []string{"engine-no-plugins"}},
		{"softphone/storex is engine", prod(m("softphone/storex"), m("softphone/store")), []string{"engine-no-plugins"}},
		{"dialer imports engine and store", prod(m("softphone/dialer"), m("softphone"), m("softphone/store")), nil},
		{"crm sub imports engine", prod(m("softphone/crm/csv"), m("softphone/media")), nil},
		{"crm imports engine internal", prod(m("softphone/crm"), m("softphone/internal/sdp")), []string{"plugins-public-api"}},
		{"dialer tests import media internal", xtest(m("softphone/dialer"), m("softphone/media/internal")), []string{"plugins-public-api (tests)"}},
		{"engine imports its internal", prod(m("softphone"), m("softphone/internal/sdp")), nil},
		{"store imports crm", prod(m("softphone/store"), m("softphone/crm")), []string{"store-not-crm"}},
		{"store tests import crm sync", xtest(m("softphone/store"), m("softphone/crm/sync")), []string{"store-not-crm (tests)"}},
		{"crm sync imports store", prod(m("softphone/crm/sync"), m("softphone/store"), m("softphone/crm")), nil},
		{"crm sync tests import store", test(m("softphone/crm/sync"), m("softphone/store")), nil},
		{"crm adapter imports store", prod(m("softphone/crm/hubspot"), m("softphone/store")), []string{"crm-sync-bridges-store"}},
		{"crm tests import store", xtest(m("softphone/crm/zoho"), m("softphone/store")), []string{"crm-sync-bridges-store (tests)"}},
		{"cli imports testlab", prod(m("cli"), m("internal/testlab")), []string{"harness-only-in-tests"}},
		{"cli tests import testlab", xtest(m("cli"), m("internal/testlab")), nil},
		{"app imports crmtest", prod(m("app"), m("softphone/crm/crmtest")), []string{"harness-only-in-tests"}},
		{"dialer imports hubspotfake", prod(m("softphone/dialer"), m("softphone/crm/hubspot/hubspotfake")), []string{"harness-only-in-tests"}},
		{"store imports benchlab", prod(m("softphone/store"), m("internal/benchlab")), []string{"harness-only-in-tests"}},
		{"fake imports crmtest", prod(m("softphone/crm/hubspot/hubspotfake"), m("softphone/crm/crmtest")), nil},
		{"crmfake command imports fake", prod(m("internal/cmd/crmfake"), m("softphone/crm/hubspot/hubspotfake")), nil},
		{"other module app path", prod(m("internal/testlab"), "example.com/app"), nil},
		{"test variant is skipped", []Package{{ImportPath: m("softphone") + " [" + m("softphone") + ".test]", ForTest: m("softphone"),
			Imports: []string{m("cli")}}}, nil},
		{"engine depends on cgo", []Package{
			{ImportPath: m("softphone"), Deps: []string{m("softphone/media"), "example.com/pa", "net", "runtime/cgo"}},
			{ImportPath: m("softphone/media")},
			{ImportPath: "example.com/pa", CgoFiles: []string{"pa.go"}},
			{ImportPath: "net", Standard: true, CgoFiles: []string{"cgo_unix.go"}},
			{ImportPath: "runtime/cgo", Standard: true, CgoFiles: []string{"cgo.go"}},
		}, []string{"engine-cgo-free"}},
		{"engine tests depend on cgo", []Package{
			{ImportPath: m("softphone/media"), Deps: []string{"net"}},
			{ImportPath: m("softphone/media.test"), Name: "main", Deps: []string{
				m("softphone/media") + " [" + m("softphone/media.test") + "]", m("audio/device"), pa, "net", "runtime/cgo"}},
			{ImportPath: m("softphone/media") + " [" + m("softphone/media.test") + "]", ForTest: m("softphone/media")},
			{ImportPath: m("audio/device")},
			{ImportPath: pa, CgoFiles: []string{"portaudio.go"}},
			{ImportPath: "net", Standard: true, CgoFiles: []string{"cgo_unix.go"}},
			{ImportPath: "runtime/cgo", Standard: true, CgoFiles: []string{"cgo.go"}},
		}, []string{"engine-cgo-free (tests)"}},
		{"engine uses cgo", []Package{{ImportPath: m("softphone/media"), CgoFiles: []string{"srtp.go"}}}, []string{"engine-cgo-free"}},
		{"plug-in depends on cgo", []Package{
			{ImportPath: m("softphone/store"), Deps: []string{"example.com/sqlite"}},
			{ImportPath: "example.com/sqlite", CgoFiles: []string{"sqlite3.go"}},
		}, nil},
	}
	for _, tc := range cases {
		var got []string
		for _, v := range Check(module, tc.pkgs) {
			r := v.Rule
			if v.Test {
				r += " (tests)"
			}
			got = append(got, r)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: rules = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCheckerOnRealGoList builds a throwaway module with forbidden edges,
// in production and test files, and runs the same go list + Check pipeline
// on it: it must report them all, and nothing else.
func TestCheckerOnRealGoList(t *testing.T) {
	dir := t.TempDir()
	imp := func(paths ...string) string {
		var b strings.Builder
		for _, p := range paths {
			b.WriteString("import _ \"" + module + "/" + p + "\"\n")
		}
		return b.String()
	}
	cgo := "// #include <stdlib.h>\nimport \"C\"\n"
	files := map[string]string{
		"go.mod":                    "module " + module + "\n\ngo 1.22\n",
		"main.go":                   "package main\n\n" + imp("app") + "\nfunc main() {}\n",
		"app/app.go":                "package app\n",
		"cli/cli.go":                "package cli\n\n" + imp("app"),
		"softphone/core.go":         "package softphone\n\n" + imp("softphone/dialer"),
		"softphone/core_test.go":    "package softphone\n\n" + imp("softphone/crm"),
		"softphone/x_test.go":       "package softphone_test\n\n" + imp("softphone", "audio/device", "internal/testlab"),
		"softphone/media/m.go":      "package media\n",
		"softphone/media/m_test.go": "package media_test\n\n" + imp("softphone/media", "internal/testlab"),
		"softphone/dialer/d.go":     "package dialer\n\n" + imp("softphone/media"),
		"softphone/crm/c.go":        "package crm\n",
		"softphone/store/s_test.go": "package store\n\n" + imp("softphone/crm"),
		"audio/codec/opus.go":       "package codec\n\n" + cgo,
		"audio/device/pa.go":        "package device\n\n" + cgo,
		"audio/device/pa_test.go":   "package device_test\n\n" + imp("audio/device", "softphone/media"),
		"audio/jitter/jitter.go":    "package jitter\n\n" + imp("softphone"),
		"internal/testlab/lab.go":   "package testlab\n",
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, v := range Check(module, listPackages(t, dir)) {
		got = append(got, v.String())
	}
	m := func(rel string) string { return module + "/" + rel }
	want := []string{
		m("audio/codec") + " -> C: audio-cgo-only-device-opus",
		m("audio/device") + " (tests) -> " + m("softphone/media") + ": audio-is-leaf",
		m("audio/jitter") + " -> " + m("softphone") + ": audio-is-leaf",
		m("cli") + " -> " + m("app") + ": app-only-from-main",
		m("softphone") + " -> " + m("softphone/dialer") + ": engine-no-plugins",
		m("softphone") + " (tests) -> " + m("audio/device") + ": engine-cgo-free",
		m("softphone") + " (tests) -> " + m("audio/device") + ": softphone-devices-injected",
		m("softphone") + " (tests) -> " + m("softphone/crm") + ": engine-no-plugins",
		m("softphone/store") + " (tests) -> " + m("softphone/crm") + ": store-not-crm",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

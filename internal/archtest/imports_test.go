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

// listPackages runs `go list -e -json ./...` in the module at root.
func listPackages(t *testing.T, root string) []Package {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Name,Imports,CgoFiles", "./...")
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
		var p Package
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

// TestImportRules fails when the real module has a forbidden import edge.
func TestImportRules(t *testing.T) {
	pkgs := listPackages(t, moduleRoot(t))
	// Guard against a vacuous pass: the graph must contain the known edges.
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
	for _, v := range Check(module, pkgs) {
		t.Errorf("forbidden: %s", v)
	}
}

// TestCheckerCatchesForbiddenEdges runs synthetic graphs through Check: each
// forbidden edge must be reported with its rule, each allowed one must not.
func TestCheckerCatchesForbiddenEdges(t *testing.T) {
	m := func(rel string) string { return module + "/" + rel }
	const wails = "github.com/wailsapp/wails/v2"
	cases := []struct {
		name string
		pkg  Package
		want []string // rules expected, in sorted Violation order
	}{
		{"main imports app and wails", Package{ImportPath: module, Imports: []string{m("app"), m("cli"), wails}}, nil},
		{"app imports wails", Package{ImportPath: m("app"), Imports: []string{wails + "/pkg/runtime", m("softphone")}}, nil},
		{"softphone imports wails", Package{ImportPath: m("softphone"), Imports: []string{wails}}, []string{"wails-only-in-app"}},
		{"cli imports wails", Package{ImportPath: m("cli"), Imports: []string{wails + "/pkg/options"}}, []string{"wails-only-in-app"}},
		{"cli imports app", Package{ImportPath: m("cli"), Imports: []string{m("app")}}, []string{"app-only-from-main"}},
		{"audio/codec uses cgo", Package{ImportPath: m("audio/codec"), CgoFiles: []string{"opus.go"}}, []string{"cgo-only-in-audio-device"}},
		{"audio uses cgo", Package{ImportPath: m("audio"), CgoFiles: []string{"x.go"}}, []string{"cgo-only-in-audio-device"}},
		{"audio/device uses cgo", Package{ImportPath: m("audio/device"), CgoFiles: []string{"pa.go"}}, nil},
		{"softphone/media uses cgo", Package{ImportPath: m("softphone/media"), CgoFiles: []string{"srtp.go"}}, nil},
		{"audio imports softphone", Package{ImportPath: m("audio/jitter"), Imports: []string{m("softphone/media")}}, []string{"audio-is-leaf"}},
		{"audio imports cli", Package{ImportPath: m("audio"), Imports: []string{m("cli")}}, []string{"audio-is-leaf"}},
		{"audio imports app", Package{ImportPath: m("audio/device"), Imports: []string{m("app")}}, []string{"app-only-from-main", "audio-is-leaf"}},
		{"softphone imports cli", Package{ImportPath: m("softphone"), Imports: []string{m("cli")}}, []string{"softphone-no-ui"}},
		{"softphone/store imports app", Package{ImportPath: m("softphone/store"), Imports: []string{m("app")}}, []string{"app-only-from-main", "softphone-no-ui"}},
		{"softphone imports audio/device", Package{ImportPath: m("softphone"), Imports: []string{m("audio/device")}}, []string{"softphone-devices-injected"}},
		{"softphone imports audio", Package{ImportPath: m("softphone"), Imports: []string{m("audio"), m("audio/codec")}}, nil},
		{"core imports dialer", Package{ImportPath: m("softphone"), Imports: []string{m("softphone/dialer")}}, []string{"core-no-plugins"}},
		{"media imports crm sub", Package{ImportPath: m("softphone/media"), Imports: []string{m("softphone/crm/hubspot")}}, []string{"core-no-plugins"}},
		{"core sub imports store", Package{ImportPath: m("softphone/sipua"), Imports: []string{m("softphone/store")}}, []string{"core-no-plugins"}},
		{"dialer imports core and store", Package{ImportPath: m("softphone/dialer"), Imports: []string{m("softphone"), m("softphone/store")}}, nil},
		{"crm sub imports core", Package{ImportPath: m("softphone/crm/csv"), Imports: []string{m("softphone/media")}}, nil},
		{"softphone/storex is core", Package{ImportPath: m("softphone/storex"), Imports: []string{m("softphone/store")}}, []string{"core-no-plugins"}},
		{"other module app path", Package{ImportPath: m("internal/testlab"), Imports: []string{"example.com/app"}}, nil},
	}
	for _, tc := range cases {
		var got []string
		for _, v := range Check(module, []Package{tc.pkg}) {
			got = append(got, v.Rule)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: rules = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCheckerOnRealGoList builds a throwaway module with forbidden edges and
// runs the same go list + Check pipeline on it: it must report them all.
func TestCheckerOnRealGoList(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                 "module " + module + "\n\ngo 1.22\n",
		"main.go":                "package main\n\nimport _ \"" + module + "/app\"\n\nfunc main() {}\n",
		"app/app.go":             "package app\n",
		"cli/cli.go":             "package cli\n\nimport _ \"" + module + "/app\"\n",
		"softphone/core.go":      "package softphone\n\nimport _ \"" + module + "/softphone/dialer\"\n",
		"softphone/dialer/d.go":  "package dialer\n",
		"audio/codec/opus.go":    "package codec\n\n// #include <stdlib.h>\nimport \"C\"\n",
		"audio/device/pa.go":     "package device\n\n// #include <stdlib.h>\nimport \"C\"\n",
		"audio/jitter/jitter.go": "package jitter\n\nimport _ \"" + module + "/softphone\"\n",
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
	want := []string{
		module + "/audio/codec -> C: cgo-only-in-audio-device",
		module + "/audio/jitter -> " + module + "/softphone: audio-is-leaf",
		module + "/cli -> " + module + "/app: app-only-from-main",
		module + "/softphone -> " + module + "/softphone/dialer: core-no-plugins",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

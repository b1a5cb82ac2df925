package archtest

import (
	"fmt"
	"sort"
	"strings"
)

// Package is the part of `go list -json` output the rules look at.
type Package struct {
	// ImportPath is the package's import path.
	ImportPath string
	// Name is the package name ("main" for commands).
	Name string
	// Imports lists the package's direct production imports.
	Imports []string
	// CgoFiles lists the package's files that import "C".
	CgoFiles []string
}

// Violation is one forbidden import edge (or forbidden cgo use, with To set
// to "C").
type Violation struct {
	// From is the importing package.
	From string
	// To is the imported package, or "C" for cgo.
	To string
	// Rule names the broken rule.
	Rule string
}

// String renders v for test failure messages.
func (v Violation) String() string {
	return fmt.Sprintf("%s -> %s: %s", v.From, v.To, v.Rule)
}

// wailsPrefix is the import path prefix of the Wails framework.
const wailsPrefix = "github.com/wailsapp/wails"

// softphonePlugins are the softphone subtrees that the calling core must
// never depend on: they plug into the core, not the other way round.
var softphonePlugins = []string{"softphone/dialer", "softphone/crm", "softphone/store"}

// under reports whether path is root or inside root's subtree.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

// Check applies Pitchline's dependency rules to pkgs, which belong to the
// module with path module, and returns the violations sorted by From and To.
//
// Rules:
//   - wails-only-in-app: only app/... and the root main package import Wails.
//   - app-only-from-main: nothing but the root main package (and app itself)
//     imports app/....
//   - cgo-only-in-audio-device: among audio/... only audio/device/... uses cgo.
//   - audio-is-leaf: audio/... never imports softphone/..., app or cli.
//   - softphone-no-ui: softphone/... never imports app or cli.
//   - softphone-devices-injected: softphone/... never imports audio/device
//     (the engine gets devices injected through the audio interfaces).
//   - core-no-plugins: softphone core packages never import softphone/dialer,
//     softphone/crm or softphone/store.
func Check(module string, pkgs []Package) []Violation {
	m := func(rel string) string { return module + "/" + rel }
	var out []Violation
	add := func(from, to, rule string) { out = append(out, Violation{from, to, rule}) }

	for _, p := range pkgs {
		from := p.ImportPath
		isMain := from == module
		inApp := under(from, m("app"))
		inAudio := under(from, m("audio"))
		inSoftphone := under(from, m("softphone"))
		isPlugin := false
		for _, pl := range softphonePlugins {
			if under(from, m(pl)) {
				isPlugin = true
			}
		}

		if inAudio && len(p.CgoFiles) > 0 && !under(from, m("audio/device")) {
			add(from, "C", "cgo-only-in-audio-device")
		}
		for _, to := range p.Imports {
			if under(to, wailsPrefix) && !inApp && !isMain {
				add(from, to, "wails-only-in-app")
			}
			if under(to, m("app")) && !isMain && !inApp {
				add(from, to, "app-only-from-main")
			}
			if inAudio && (under(to, m("softphone")) || under(to, m("app")) || under(to, m("cli"))) {
				add(from, to, "audio-is-leaf")
			}
			if inSoftphone && (under(to, m("app")) || under(to, m("cli"))) {
				add(from, to, "softphone-no-ui")
			}
			if inSoftphone && under(to, m("audio/device")) {
				add(from, to, "softphone-devices-injected")
			}
			if inSoftphone && !isPlugin {
				for _, pl := range softphonePlugins {
					if under(to, m(pl)) {
						add(from, to, "core-no-plugins")
					}
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].From != out[j].From {
			return out[i].From < out[j].From
		}
		if out[i].To != out[j].To {
			return out[i].To < out[j].To
		}
		return out[i].Rule < out[j].Rule
	})
	return out
}

// Package wails pins the Wails v2 CLI as a Go tool so that `make` can build it
// into .tools/bin without `go install` (which fails on Go 1.26 because Wails
// v2.9.2 requires golang.org/x/tools v0.17.0; this module lifts x/tools to a
// version that compiles with Go 1.26).
package wails

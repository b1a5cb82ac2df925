// Package staticcheck pins honnef.co/go/tools/cmd/staticcheck as a Go tool so
// that `make lint` builds the same linter version everywhere into .tools/bin.
package staticcheck

//go:build !bindings

package app

// generatingBindings is true only in the build that `wails generate module`
// runs to dump the TypeScript bindings (build tag "bindings").
const generatingBindings = false

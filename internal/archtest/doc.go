// Package archtest enforces Pitchline's package dependency rules.
//
// Its test lists the module with `go list -e -deps -test -json ./...` and
// fails when a forbidden import edge appears, in production code and in
// _test.go files alike (Imports, TestImports and XTestImports), or when the
// engine or its tests depend on a cgo package. Check's doc comment in
// rules.go lists the rules and the reason for each, and defines the engine:
// softphone/... minus the plug-in subtrees softphone/dialer, softphone/crm
// and softphone/store.
//
// The Makefile's vet step also vets the engine with CGO_ENABLED=0, which
// compiles its tests without cgo.
package archtest

// Package archtest enforces Pitchline's package dependency rules.
//
// Its test lists the module's packages with `go list -e -json ./...` and fails
// when a forbidden import edge appears (see rules.go for the rules and the
// reason for each). Only production imports (the Imports field) are checked:
// _test.go files may wire plug-ins together for integration tests.
package archtest

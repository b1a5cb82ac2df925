// Package testenv decides what a test does when something it needs from the
// machine is missing (a tool such as lame or sox, a built binary, a built
// frontend): on a developer's machine the test skips with the reason and the
// fix; in CI (CI=true) it fails, so a CI run can never pass by silently
// skipping what it was meant to test.
//
// It imports only the standard library, so any package's tests (audio's
// included, which must not depend on the softphone) can use it.
package testenv

// Package devicetest runs the calling engine (package softphone) on real
// PortAudio devices (audio/device) of a private PulseAudio server: which
// device rings, and what the speaker plays.
//
// These tests live outside the engine on purpose. audio/device is the only
// cgo audio package, and the engine's own tests must build with
// CGO_ENABLED=0 (internal/archtest enforces both), so every engine test
// that needs a real device is here. The package has no code of its own
// besides this comment; everything is in its _test.go files.
package devicetest

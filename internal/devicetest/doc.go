// Package devicetest runs the calling engine (package softphone) on real
// PortAudio devices (audio/device) of a private PulseAudio server: which
// device rings, and what the speaker plays; and calls with the cgo codec
// Opus (audio/codec/opus, libopus) against baresip.
//
// These tests live outside the engine on purpose. audio/device and
// audio/codec/opus are the only cgo audio packages, and the engine's own
// tests must build with CGO_ENABLED=0 (internal/archtest enforces both), so
// every engine test that needs a real device or libopus is here. The package has no code of its own
// besides this comment; everything is in its _test.go files.
package devicetest

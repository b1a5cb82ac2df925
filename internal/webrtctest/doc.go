// Package webrtctest holds the browser-participant test: headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core from
// frontend/node_modules) opens a join link served by softphone/webjoin and
// joins as a softphone/media/webrtc Peer with real Opus (the cgo package
// audio/codec/opus): alone (browser_test.go), as a leg of an engine call
// with a baresip participant (engine_test.go), and in a real
// `pitchline conference --web-join` ($PITCHLINE_BIN, conference_test.go).
// lan_test.go serves a link on a LAN address (WithLAN, WithTLS) in a network
// namespace of its own (testlab.InNetns), joined by a pion client there.
// It lives outside the engine because the engine's tests must build
// without cgo.
package webrtctest

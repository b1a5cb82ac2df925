// Package webrtctest holds the browser-participant test: headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core from
// frontend/node_modules) opens a join link served by softphone/webjoin and
// joins as a softphone/media/webrtc Peer with real Opus (the cgo package
// audio/codec/opus). It lives outside the engine because the engine's
// tests must build without cgo.
package webrtctest

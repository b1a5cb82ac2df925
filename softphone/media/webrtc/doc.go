// Package webrtc is one browser participant's media: a pion/webrtc
// PeerConnection with one Opus audio track (ICE, DTLS-SRTP), shaped like
// softphone/media.Session so the engine can wrap it as a Leg.
//
// Dependency: github.com/pion/webrtc/v4, pinned at v4.2.20 (later versions
// need pion/transport/v5 releases the module proxy does not serve). It was
// chosen rather than hand-written ICE (RFC 8445), DTLS (RFC 6347/9147) and
// SRTP keying (RFC 5764): those are large security-sensitive protocols, pion
// is pure Go (the engine stays cgo-free) and already supplies the
// project's pion/rtp, rtcp, sdp and srtp packages. The WebRTC lab in
// ../shared/lab/webrtc proved it against headless Chromium on loopback.
//
// Signalling is WHIP-style (RFC 9725): the browser offers and NewPeer
// answers, non-trickle (the answer carries every candidate). By default ICE
// gathers UDP host candidates on 127.0.0.1 only, with mDNS off;
// WithICEAddresses chooses other local addresses (for example a LAN
// address, which the join-link server only serves with HTTPS).
//
// Media follows media.Session's external-clock pattern: the owner calls
// Tick once per audio.FrameDuration (WithExternalClock), or the Peer runs
// its own 20 ms ticker. Each Tick reads one 20 ms frame at 48 kHz from the
// input Source, encodes it with the Opus codec found in the audio/codec
// registry (codec.Lookup("opus"), registered by the cgo package
// audio/codec/opus, which this package does not import), sends it, then
// pops the jitter buffer, decodes or conceals one frame and writes it to the
// output Sink. A goroutine started for the remote track reads SRTP-decrypted
// RTP into the jitter buffer; another drains RTCP from the sender. Close
// closes the PeerConnection and waits for both.
//
// Tick does not allocate in this package's code (reused buffers, a reused
// rtp.Packet); pion's SRTP and interceptor chain below WriteRTP are outside
// its control.
package webrtc

// Package webjoin serves join links for browser participants: a one-time
// link (GET /join/{token}) opens a small page that asks for the
// microphone and joins the call over WebRTC with a WHIP-style exchange
// (RFC 9725): the page POSTs its SDP offer as application/sdp to
// /whip/{token}, gets 201 Created with the answer and a Location, and its
// Leave button sends DELETE to that Location.
//
// The package does no media: a Handler (the engine's Phone.BrowserJoins)
// turns the offer into a leg, typically softphone/media/webrtc.NewPeer, and
// returns the answer and something to Close when the participant leaves.
// A link names its call (Link.Call) and may name its participant
// (WithName).
//
// Tokens are 32 bytes from crypto/rand (43 characters of base64url), kept
// only as SHA-256 digests, single use (spent by the first successful join)
// and expiring (10 minutes by default). Unknown tokens get a 404 page,
// used or expired ones a 410 page, each saying in plain words what to do.
//
// Network safety: by default the server binds a loopback address only.
// Serving any other address needs WithLAN and HTTPS with a certificate and
// key the user provides (WithTLS); New refuses otherwise with ErrNotLoopback
// or ErrTLSRequired. CheckTLS and CheckAddress validate such a setting
// without binding anything (a settings page calls them when saving): file
// missing, not a PEM certificate or key, key not the certificate's,
// expired, address not on this computer, each its own sentinel. Bodies are capped (MaxOfferSize) and only
// application/sdp is accepted. The page loads nothing from elsewhere and a
// Content-Security-Policy says so.
package webjoin

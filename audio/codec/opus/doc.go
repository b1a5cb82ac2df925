// Package opus binds libopus (https://opus-codec.org, 1.3.x, through cgo and
// pkg-config) for Pitchline's wideband legs: Opus as defined by RFC 6716
// (https://www.rfc-editor.org/rfc/rfc6716) and carried over RTP by RFC 7587
// (https://www.rfc-editor.org/rfc/rfc7587).
//
// Pitchline uses Opus as 48 kHz mono PCM in 20 ms frames (960 samples).
// The Encoder runs libopus in VoIP mode with, by default, 32 kbit/s,
// complexity 5, in-band forward error correction (FEC, tuned for 10 %
// expected loss) and discontinuous transmission (DTX: during silence it
// emits 1-2 byte packets that RFC 7587 §3.1.3 lets the sender skip).
// Options change each of these.
//
// The Decoder decodes any Opus packet (any mode, bandwidth or frame size up
// to 120 ms) to 48 kHz mono. For a lost packet it either conceals (libopus's
// own PLC) or, given the next packet, rebuilds the lost frame from the
// next packet's FEC data (RFC 6716 §2.1.7); see Decoder.Conceal.
//
// Importing the package (a blank import is enough) registers "opus" in
// audio/codec's registry with a dynamic payload type and a clock rate of
// 48000, so media sessions can offer it; per RFC 7587 §7 its SDP rtpmap is
// always opus/48000/2 whatever the number of channels sent.
//
// This is one of the two cgo audio packages (with audio/device); the engine
// reaches it only through the codec registry and stays cgo-free. Encode and
// Decode never allocate. An Encoder or Decoder is used by one goroutine at a
// time; Close frees its libopus state (a cleanup also frees it if Close is
// never called).
package opus

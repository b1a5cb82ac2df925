// Package media is one call leg's media session: audio from audio/codec's
// registry (G.711; Opus when audio/codec/opus is imported) and RFC 4733
// DTMF over RTP/RTCP on UDP, negotiated with the SDP offer/answer model.
//
// Codecs and clock rates: static payload types (PCMU 0, PCMA 8) and
// dynamic ones (96-127, chosen for our offers; an answer keeps the
// offerer's). Opus is written per RFC 7587 §7 as a=rtpmap:PT opus/48000/2
// with a=fmtp:PT useinbandfec=1; usedtx=1, and a peer's maxaveragebitrate
// caps our encoder. Every codec common to both sides is answered and
// decoded, each at its own clock rate (48000 Hz for Opus, 8000 Hz for
// G.711): the peer may switch payload type on any packet (RFC 3264 §5.1),
// and the one jitter buffer then times the stream at the new rate (RFC
// 7160 §4.3), keeping what it holds. We send with the first codec of the
// latest answer; SetCodecs narrows our next offer (a re-INVITE offering
// G.711 only), and a send codec at another clock rate starts a new SSRC
// (RFC 7160 §4.1). RTP timestamps, DTMF durations and RTCP count at the
// codec's rate. telephone-event is offered at
// every rate we offer (101 for 8000 Hz); a peer offering it only at 8000
// Hz gets it there. Rate() is the PCM rate; sources and sinks at another
// rate are converted (audio/resample). A lost packet is concealed by the
// decoder when it can (codec.Concealer: Opus's FEC from the next packet,
// which the jitter buffer hands over after a loss, or its PLC), else by
// codec.PLC. An encoder returning 0 bytes (Opus DTX in silence) sends no
// packet, and the next one carries the marker bit.
//
// A Session binds an even RTP port and RTP+1 for RTCP on Config.LocalIP,
// produces and answers SDP (RFC 3264, RFC 4566, via pion/sdp), and once
// started runs:
//
//   - a media goroutine paced by a 20 ms ticker (injectable Clock) that reads
//     a frame from the input Source, encodes and sends it as RTP, then pops
//     the jitter buffer, decodes or conceals one frame and writes it to the
//     output and recorder Sinks;
//   - an RTP reader that validates and files incoming packets into the
//     jitter buffer or the DTMF receiver;
//   - an RTCP goroutine sending SR/RR with reception reports every ~5 s
//     (RFC 3550 §6.4) and an RTCP reader computing the round-trip time;
//   - a DTMF goroutine that calls the OnDTMF callback off the media path.
//
// Symmetric RTP and source filtering: packets are accepted only from the
// exact address and port the peer put in its SDP (c= and m=). If the peer
// advertised 0.0.0.0 (old-style hold or a peer behind NAT that does not know
// its address), the first RTP packet's source is latched and from then on
// only that source is accepted. Anything else is dropped and counted in
// Stats.DroppedSource. RTCP is accepted from the peer's IP address.
//
// Direction and hold: SetLocalDirection(DirSendOnly or DirInactive) puts the
// call on hold: RTP stops at once and the next offer/answer carries it. A
// peer's a=sendonly/inactive or c=0.0.0.0 stops our sending the same way.
// RTCP keeps flowing in every direction.
//
// DTMF: SendDTMF needs telephone-event to be negotiated; without it it
// returns ErrDTMFNotNegotiated (no in-band fallback). Received events are
// reported once per event (RFC 4733 §2.5.1.3), however often the end packet
// is repeated.
//
// Packetisation (RFC 4566 §6): we send 20 ms packets unless the peer's
// a=ptime asks for 40 or 60 ms (capped by its a=maxptime; one long Opus
// frame, RFC 7587 §4.2), and decode packets of up to 120 ms
// (a=maxptime:120), whether one long Opus frame or several 20 ms ones,
// playing them out 20 ms per tick; the jitter buffer then counts in
// packets of that length.
//
// Limitations: packets of 20, 40 or 60 ms sent, no RTP/SAVP,
// no rtcp-mux, no sequence probation (RFC 3550 A.1).
//
// The per-packet send and receive paths do not allocate (see
// BenchmarkSendPath and BenchmarkReceivePath).
package media

// Package codec holds Pitchline's audio codecs and their registry.
//
// Today it implements ITU-T G.711 (https://www.itu.int/rec/T-REC-G.711)
// µ-law (PCMU, static RTP payload type 0) and A-law (PCMA, static payload
// type 8), both at 8000 Hz, as defined for RTP by RFC 3551 §4.5.14
// (https://www.rfc-editor.org/rfc/rfc3551#section-4.5.14). Encoding and
// decoding are table driven and never allocate.
//
// Codecs are found by name or static payload type through Lookup and
// LookupPayloadType; each registry entry (Info) creates per-stream Encoder
// and Decoder values, so stateful codecs fit the same shape.
//
// PLC is a codec-independent packet-loss concealer working on decoded PCM.
//
// Opus lives in audio/codec/opus, which wraps libopus via cgo and registers
// itself here when imported (its Decoder also implements Concealer). It is
// deliberately not part of this package, which stays pure Go.
package codec

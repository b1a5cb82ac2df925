// Package jitter is Pitchline's adaptive RTP jitter buffer.
//
// It is modelled on the state machine of pion/interceptor's jitterbuffer
// (https://github.com/pion/interceptor/tree/main/pkg/jitterbuffer): a Buffer
// starts in StateBuffering, collects packets until its target delay is
// reached, then moves to StatePlaying and hands out one packet per playout
// tick; when it runs dry for UnderrunLimit ticks it returns to buffering.
//
// Packets are keyed by RTP sequence number (with 16-bit wraparound) into a
// ring of preallocated slots, so Push and Pop never allocate. Reordered
// packets are put back in order, duplicates and packets arriving after their
// playout time are dropped and counted, and a gap at the playout point is
// reported as StatusMissing so the caller conceals it (see codec.PLC).
//
// The target delay follows the interarrival jitter estimate of RFC 3550
// §6.4.1 / Appendix A.8 (https://www.rfc-editor.org/rfc/rfc3550#appendix-A.8):
// target = one frame + 3 × jitter, clamped to [MinDelay, MaxDelay]. The buffer
// grows towards a higher target by inserting a concealed frame (StatusMissing
// without consuming a packet) and shrinks towards a lower one by discarding a
// frame, at most once per AdaptInterval ticks.
package jitter

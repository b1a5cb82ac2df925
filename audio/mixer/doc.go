// Package mixer connects one audio.Endpoint (microphone and speaker) to any
// number of ports, one per call leg, each at its own sample rate.
//
// A single goroutine, paced by Endpoint.Capture, runs one tick per 20 ms
// frame:
//
//	mic ──▶ every connected port            (resampled to the port's rate)
//	every connected port ──▶ speaker        (summed, clipped)
//	ports in one conference group hear the mic plus each other, minus
//	themselves ("mix-minus"), so a conference needs no extra plumbing.
//
// Ports are fed and drained by other goroutines (RTP receive and send
// loops) through lock-free single-producer/single-consumer rings
// (audio.Ring), so neither side ever blocks the other. Clock drift between
// the sound card and the network is absorbed at the rings: when a ring
// holds too much the oldest audio is dropped; when it runs dry the last
// frame is repeated once at half level, then silence follows.
//
// After setup, a tick does not allocate.
package mixer

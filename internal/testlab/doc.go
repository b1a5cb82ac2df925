// Package testlab starts real SIP, media and desktop peers for interop
// tests: a private Kamailio registrar/proxy (StartKamailio), sipp load and
// scenario runs (RunSipp, StartSipp), headless baresip peers, a private
// PulseAudio server, a private session keyring, and helpers for free
// loopback ports (FreePort, FreePortRange), test certificates (NewTestCA)
// and WAV/tone media.
//
// Everything binds to 127.0.0.1 on ports picked at run time, except in a
// test that InNetns re-runs inside a network namespace of its own, where
// LANAddr and LANPeerAddr (a veth pair) stand in for a LAN. Every process
// is a child of the test binary in its own process group and is stopped in
// t.Cleanup, also when the test fails. A missing tool fails the test with a
// hint to run `make setup`, unless PITCHLINE_SKIP_INTEROP=1 is set, in which
// case the test is skipped.
package testlab

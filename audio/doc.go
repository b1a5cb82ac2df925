// Package audio is Pitchline's PCM domain: frames of mono signed 16-bit
// samples, sources and sinks, device endpoints and the real-time null device.
//
// The media pipeline of one leg:
//
//	microphone ─▶ Endpoint.Capture ─▶ mixer port ─▶ resample ─▶ encode ─▶ RTP out
//	RTP in ─▶ jitter buffer ─▶ decode (+PLC) ─▶ resample ─▶ mixer port ─▶ Endpoint.Play ─▶ speaker
//
// Sub-packages: device (PortAudio, the only cgo package), codec (G.711),
// jitter (adaptive jitter buffer), resample (polyphase Kaiser-sinc),
// mixer, tone, wav, mp3 and file (opens a WAV or MP3 as a Source).
//
// Everything on the hot path works on caller-owned buffers and does not
// allocate per frame.
package audio

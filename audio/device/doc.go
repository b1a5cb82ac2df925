// Package device is Pitchline's PortAudio backend: it lists the system's
// audio devices and opens real-time endpoints (microphone + speaker) and
// outputs (ringer) on them. It is the only cgo audio package.
//
// # Streams
//
// Hardware is opened at its native rate (the device's default sample rate,
// typically 44100 or 48000 Hz), mono signed 16-bit, with one 20 ms frame per
// PortAudio buffer. The PortAudio callback only copies samples to and from
// lock-free single-producer/single-consumer rings (audio.Ring) and updates
// peak meters: no allocation, no locks, no blocking, no logging. Capture and
// Play convert between the native rate and the rate the caller asked for
// with audio/resample, one frame at a time.
//
// Capture blocks until the callback has delivered a frame (the callback
// wakes it with a non-blocking channel send), so the device clock paces the
// caller. Play never blocks: the callback trims the playback queue to a
// bounded length before reading (dropping the oldest audio), and Play drops
// the frame if the queue is completely full because the device has stopped.
// Input and output are always separate PortAudio streams, even on one
// device: PortAudio's ALSA duplex mode stops for good after an xrun on a
// busy machine, and on one device both streams share the hardware clock.
// A stream whose callbacks stop is reopened: by Capture after
// WithRestartAfter without microphone audio, by Play after 25 frames
// without an output callback. Stats reports restarts, xruns and drops.
//
// # Headless Linux
//
// Debian's PortAudio has no PulseAudio host API: it reaches PulseAudio (or
// PipeWire's pulse server) through ALSA's "pulse" plugin, which ALSA only
// enables while a server is reachable. With no server and no /dev/snd,
// PortAudio initialises but offers no devices; Devices and Open* then return
// ErrNoSoundServer, and the user should pick the null backend
// (--audio null). Pa_Initialize prints about 90 lines of ALSA/JACK probing
// noise on stderr; New and Refresh point file descriptor 2 at /dev/null for
// the duration of the call (so anything else written to stderr in that
// window, tens of milliseconds, is lost too).
//
// # Hot plug
//
// PortAudio v19 enumerates devices only in Pa_Initialize. Refresh
// re-initialises PortAudio (Pa_Terminate + Pa_Initialize) to see devices
// that appeared or vanished, which is only possible while no stream is open
// in the process: with streams open it returns ErrRefreshDeferred and the
// re-enumeration happens when the last stream closes. Watch polls Refresh
// and reports the device list whenever it changes. The PortAudio state is
// process-wide, shared by every Backend.
//
// Through ALSA's pulse plugin the whole sound server appears as two devices,
// "pulse" and "default" (IDs "ALSA:pulse", "ALSA:default"): sinks and
// sources plugged into PulseAudio/PipeWire are chosen in the server (its
// default sink and source), not listed here. What Watch sees on such a
// system is the server appearing and disappearing, and ALSA hardware
// devices (hw:…) coming and going.
package device

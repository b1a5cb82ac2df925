// Package mixer connects one audio.Endpoint (microphone and speaker) to any
// number of ports, one per call leg, each at its own sample rate, and
// routes audio between them by a matrix of who hears whom.
//
// # Bus and ports
//
// The bus runs at the endpoint's rate (48 kHz for a wideband bus): the
// microphone and the speaker. Each port works at its own rate (8000,
// 16000, 48000 Hz, ...), and so does the mix it hears: a listener sums
// the talkers at its own rate as they are, and only what crosses rates is
// converted, with audio/resample, at most once per tick for all listeners
// at a rate (see Cost). A single goroutine, paced by Endpoint.Capture,
// runs one tick per 20 ms frame.
//
// Ports are fed and drained by other goroutines (RTP receive and send
// loops, or the port's tick hook, Port.SetOnTick) through lock-free
// single-producer/single-consumer rings (audio.Ring), so neither side ever
// blocks the other. Clock drift between the sound card and the network is
// absorbed at the rings: when a ring holds too much the oldest audio is
// dropped; when it runs dry the last frame is repeated once at half level,
// then silence follows.
//
// A port can change rate in place (Port.SetRate: a leg whose codec
// changed mid-call, G.711 at 8 kHz to Opus at 48 kHz): it keeps its Node,
// and so its routes, its connection and its hook; it fades out at the old
// rate over one tick and in at the new one over the next. The new rings,
// and the plane for a new rate, are made by SetRate; the tick only swaps
// them in.
//
// # The matrix
//
// Every talker and listener is a Node: Local (the device: what Local says
// is the microphone, what Local hears goes to the speaker) or a port
// (Port.Node). A route says that one node hears another; a node never
// hears itself. A new port hears Local and is heard by Local, and hears no
// other port: a two-party call needs no routing. Mixer.Update changes
// several routes at once, at one tick boundary:
//
//	// Conference: everyone hears everyone but themselves (mix-minus).
//	m.Update(func(r *mixer.Routes) { r.MixMinus(mixer.Local, a.Node(), b.Node()) })
//	// A team lead listening: the lead hears all, nobody hears the lead.
//	m.Update(func(r *mixer.Routes) {
//		r.MixMinus(mixer.Local, customer.Node(), lead.Node())
//		r.SetHears(mixer.Local, lead.Node(), false)
//		r.SetHears(customer.Node(), lead.Node(), false)
//	})
//
// Whisper leaves the rep's route from the lead on; barge is a plain
// mix-minus; mute turns off every route from a node; Routes.Isolate cuts a
// node off. Holding a leg is Port.SetConnected(false): a disconnected port
// hears nothing and is heard by nobody, and gets its routes back when
// connected again.
//
// Every change, whether a route, a connection or a port's removal, reaches
// the mix at a tick boundary and fades over that one frame (a linear gain
// ramp): no click, and no frame mixed with half of an Update.
//
// # Cost
//
// Each talker is summed once per tick per rate. A listener that hears
// more talkers than it leaves out (mix-minus) gets the sum minus the few
// it leaves out (itself); any other listener sums its own talkers; a
// listener with one talker at its own rate (a two-party call) gets that
// talker's frame as it is.
//
// Talkers at another rate than the listener's are converted (90 dB
// polyphase filters, audio/resample), each conversion at most once per
// tick and shared by every listener at that rate: a listener hearing all
// the connected talkers at a rate adds their sum converted once (the rep
// at 48 kHz hearing 32 G.711 legs: one 8 → 48 kHz conversion), one
// hearing most of them subtracts the converted frames of the few it does
// not hear, any other adds its talkers' converted frames (the microphone
// heard by 32 G.711 legs: one 48 → 8 kHz conversion for all of them). An
// all-G.711 conference thus costs two conversions per tick, not two per
// leg. The filters are linear, so a converted sum is the sum of the
// converted talkers, and a conversion that did not run on the previous
// tick, or summed other talkers, starts from the talkers' previous frames:
// routes, holds and strategies change without a click. Port levels and
// talk indicators (Port.Levels, Port.Talking) are computed in these
// passes and read without locks. After setup, a tick does not allocate.
// BENCHMARKS.md ("Mixer") has the figures.
package mixer

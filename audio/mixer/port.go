package mixer

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/audio"
)

// Port is one leg's view of the mixer, at the port's own rate: an
// audio.Source of what its Node hears (by default the microphone) and an
// audio.Sink for what its Node says (by default to the speaker).
//
// One goroutine may call ReadFrame and one (possibly other) goroutine may
// call WriteFrame; neither ever blocks. The other methods are safe from
// any goroutine.
type Port struct {
	m    *Mixer
	node Node
	slot int // index in the mixer's route bitsets (m.mu)

	// io is the port's rate, frame size and rings. SetRate swaps in new
	// ones at a tick boundary; ReadFrame and WriteFrame load it once per
	// call, so a reader or writer on another goroutine never mixes rates.
	io atomic.Pointer[portIO]

	connected atomic.Bool
	lastTalk  atomic.Uint64 // the last tick whose uplink was above TalkLevel
	onTick    atomic.Pointer[func()]
	removed   atomic.Bool
	overflows atomic.Uint64
	underruns atomic.Uint64

	// Tick-owned state (m.mu).
	ls            listener
	talker        *talker // its uplink in the mix (talker.cur is up)
	leaving       bool    // removed; dropped after this tick's fade
	tickConnected bool
	wasConnected  bool    // connected during the previous tick
	up            []int16 // this tick's uplink frame
	upPrev        bool    // up holds a frame that may be repeated once
	down          []int16
	next          *rateSwitch // SetRate: the rate to switch to, ready to swap in

	inLevel, outLevel level
}

var (
	_ audio.Source = (*Port)(nil)
	_ audio.Sink   = (*Port)(nil)
)

// portIO is a port's frame size and rings at one rate.
type portIO struct {
	rate, n int // n: samples per frame at rate

	// Uplink: WriteFrame (producer) → tick (consumer).
	upRing *audio.Ring
	// Downlink: tick (producer) → ReadFrame (consumer).
	downRing    *audio.Ring
	downScratch []int16 // ReadFrame's
	downPrev    bool    // downScratch holds a frame that may be repeated once
}

// newPortIO returns rings and buffers at rate (checked by the caller).
func newPortIO(rate int) (*portIO, error) {
	n := audio.FrameSamples(rate)
	capacity := audio.RingCapacity(ringFrames * n)
	upRing, err := audio.NewRing(capacity)
	if err != nil {
		return nil, err
	}
	downRing, err := audio.NewRing(capacity)
	if err != nil {
		return nil, err
	}
	return &portIO{rate: rate, n: n, upRing: upRing, downRing: downRing, downScratch: make([]int16, n)}, nil
}

// A rateSwitch is a port's next rate (SetRate), built outside the tick:
// the tick only swaps it in.
type rateSwitch struct {
	io       *portIO
	talker   *talker // the port's uplink at the new plane (talker.cur is up)
	up, down []int16
	faded    bool // a tick has faded the port out at its old rate
}

// newPort returns a port at rate (checked by the caller). Its rings and
// frames are at its own rate: the mix converts only what crosses rates.
func newPort(m *Mixer, rate int) (*Port, error) {
	io, err := newPortIO(rate)
	if err != nil {
		return nil, err
	}
	p := &Port{m: m, up: make([]int16, io.n), down: make([]int16, io.n)}
	p.io.Store(io)
	return p, nil
}

// Node returns the port's node in the mixer's routing matrix: unique,
// never Local, and not reused while the mixer lives.
func (p *Port) Node() Node { return p.node }

// ID returns int(Node()).
//
// Deprecated: use Node.
func (p *Port) ID() int { return int(p.node) }

// Rate returns the port's sample rate: the size of the frames ReadFrame
// and WriteFrame take (FrameSamples(Rate())). It changes when a SetRate
// takes effect, at a tick boundary.
func (p *Port) Rate() int { return p.io.Load().rate }

// SetRate moves the port to another sample rate (a leg whose codec
// changed mid-call, G.711 at 8 kHz to Opus at 48 kHz or back), keeping its
// Node and with it every route to and from it, its connection state and
// its hook. The port fades out at its old rate over the next tick and
// fades in at the new rate over the one after, as on a hold and resume:
// no click, and no frame mixed at two rates. From that second tick on,
// Rate, ReadFrame and WriteFrame are at the new rate; a reader or writer
// on another goroutine should read Rate before each frame (a hook,
// SetOnTick, runs between ticks and sees one rate per frame). The audio
// still queued at the old rate, at most a frame or two, is dropped.
// SetRate allocates (rings, and a plane and its conversions for a rate
// no port used yet); the tick that swaps them in does not. A SetRate to
// the current rate cancels one still pending.
func (p *Port) SetRate(rate int) error { return p.m.setPortRate(p, rate) }

// SetConnected connects (true) or disconnects (false) the port from the
// next tick on. A connected port hears and is heard along its routes
// (Mixer.Update; by default it hears Local and Local hears it). A
// disconnected port (a leg on hold) hears nothing and is heard by nobody,
// whatever its routes, which are kept for when it is connected again. The
// change fades over one frame.
func (p *Port) SetConnected(on bool) { p.connected.Store(on) }

// SetOnTick makes the mixer call fn on its own goroutine once per frame,
// right after the frame has been mixed, so that this frame's ReadFrame
// audio is ready and WriteFrame audio joins the next frame. A media session
// driven this way needs no clock of its own: every call shares the device
// clock, one wake-up per frame for the whole phone. fn must not block, must
// not call back into the mixer's port management (AddPort, RemovePort) and
// must not allocate. nil removes the hook.
func (p *Port) SetOnTick(fn func()) {
	if fn == nil {
		p.onTick.Store(nil)
		return
	}
	p.onTick.Store(&fn)
}

// Connected reports whether the port is connected.
func (p *Port) Connected() bool { return p.connected.Load() }

// Levels returns the peak levels in dBFS of the audio the port last sent
// to the mixer (in: what its node says) and last received from it (out:
// what its node hears). It takes no lock: a participant list may poll it.
func (p *Port) Levels() (in, out float64) { return p.inLevel.DBFS(), p.outLevel.DBFS() }

// Talking reports whether the port's node has said something above
// TalkLevel in the last TalkHold (a talk indicator that does not flicker
// between syllables). Muting a port by its routes does not change it, so
// a list can show who is talking while muted. It takes no lock.
func (p *Port) Talking() bool {
	return p.m.talking(p.lastTalk.Load())
}

// Stats returns how many times a ring overflowed (audio dropped) and ran
// dry (frame repeated or silence) since the port was added.
func (p *Port) Stats() (overflows, underruns uint64) {
	return p.overflows.Load(), p.underruns.Load()
}

// WriteFrame queues one frame (FrameSamples(Rate()) samples) for the
// speaker and conference partners. It never blocks: when the mixer falls
// behind, the oldest queued audio is dropped at the next tick.
func (p *Port) WriteFrame(src []int16) error {
	if p.removed.Load() {
		return ErrClosed
	}
	io := p.io.Load()
	if len(src) != io.n {
		return fmt.Errorf("mixer: %v write: %d samples, want %d: %w", p.node, len(src), io.n, ErrFrameSize)
	}
	if io.upRing.Write(src) < len(src) {
		p.overflows.Add(1)
	}
	return nil
}

// ReadFrame fills dst (FrameSamples(Rate()) samples) with the latest audio
// for this port: what its node hears (by default the microphone). It never
// blocks; it returns silence while the port is disconnected (after a
// one-frame fade) and, after one repeated frame, on underrun.
func (p *Port) ReadFrame(dst []int16) error {
	if p.removed.Load() {
		return ErrClosed
	}
	io := p.io.Load()
	if len(dst) != io.n {
		return fmt.Errorf("mixer: %v read: %d samples, want %d: %w", p.node, len(dst), io.n, ErrFrameSize)
	}
	// The tick writes a frame for every port, silence for a disconnected
	// one; a disconnected port's reader running ahead is no underrun.
	if p.take(io.downRing, io.downScratch, &io.downPrev) != frameRead && p.connected.Load() {
		p.underruns.Add(1)
	}
	copy(dst, io.downScratch)
	return nil
}

// pullUplink runs in the tick with the mixer lock held: it latches the
// port's connection and takes one frame from its uplink ring into p.up. A
// port disconnected since the last tick still gives this frame, which
// fades out.
func (p *Port) pullUplink(tick uint64) {
	p.wasConnected = p.tickConnected
	// A port about to change rate (SetRate) sits out this tick: it fades
	// out at its old rate, and in at the new one on the next tick.
	p.tickConnected = p.connected.Load() && p.next == nil
	if p.next != nil {
		p.next.faded = true
	}
	r := p.io.Load().upRing
	if !p.tickConnected && !p.wasConnected {
		r.Discard(r.Len())
		clear(p.up)
		p.upPrev = false
		p.inLevel.set(0)
		return
	}
	// An idle uplink (nobody writing) is silence, not an underrun; only a
	// gap after audio counts.
	if p.take(r, p.up, &p.upPrev) == frameRepeated {
		p.underruns.Add(1)
	}
	peak := peakOf(p.up)
	p.inLevel.set(peak)
	if peak >= talkPeak {
		p.lastTalk.Store(tick)
	}
}

// Talk indicator (Port.Talking).
const (
	// TalkLevel is the peak level, in dBFS, above which a frame counts as
	// talking.
	TalkLevel = -40.0
	// TalkHold is how long Talking stays true after the last such frame.
	TalkHold = 300 * time.Millisecond

	talkPeak       = 328 // TalkLevel as a 16-bit peak
	talkHoldFrames = uint64(TalkHold / audio.FrameDuration)
)

// frameKind says where a frame taken from a ring came from.
type frameKind int

const (
	frameRead     frameKind = iota // a whole frame was in the ring
	frameRepeated                  // underrun: the previous frame at half level
	frameSilent                    // underrun again: silence
)

// take fills dst with the next frame of r. A ring that fell behind is
// trimmed to the latest audio (counted as an overflow); on underrun the
// previous frame is repeated once at half level, then silence follows.
// prev tracks whether the last frame was real audio.
func (p *Port) take(r *audio.Ring, dst []int16, prev *bool) frameKind {
	n := len(dst)
	if r.Len() > highWater*n {
		r.Trim(trimTo * n) // reader fell behind: keep only the latest audio
		p.overflows.Add(1)
	}
	switch {
	case r.Len() >= n:
		r.Read(dst)
		*prev = true
		return frameRead
	case *prev:
		halve(dst)
		*prev = false
		return frameRepeated
	default:
		clear(dst)
		return frameSilent
	}
}

func halve(s []int16) {
	for i := range s {
		s[i] /= 2
	}
}

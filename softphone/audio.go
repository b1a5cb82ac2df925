package softphone

import (
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/mixer"
)

// busRate is the rate of the device bus: wideband, so Opus legs keep their
// 20 kHz of audio and G.711 legs (8 kHz) mix with them. Each leg's port
// converts between its codec's rate and the bus (attachAt), and the
// backend resamples the hardware's native rate to it.
const busRate = 48000

// audioRouter connects call legs to the audio device through a mixer. The
// device is opened lazily when the first leg needs it and closed when the
// last leg leaves, so an idle phone holds no device open. Local tones
// (ringback, busy, DTMF feedback) are mixed into the speaker; the ringtone
// plays on the separate ringer device. Several Phones may share one router
// (SharedAudio): the ringer then plays while any of them has a call ringing.
type audioRouter struct {
	backend               audio.Backend
	input, output, ringer string
	log                   *slog.Logger

	mu    sync.Mutex
	ep    audio.Endpoint
	sw    *swapEndpoint // what the mixer runs on; forwards to ep (devices.go)
	meter bool          // keep the device open for a level meter (devices.go)
	mix   *mixer.Mixer
	ports map[*mixer.Port]struct{}
	tones map[string]*tonePlayer
	ring  *tonePlayer
	// ringers holds who wants the ringer on (the Phones sharing the
	// router); the ringtone plays while it is not empty.
	ringers  map[any]struct{}
	ringtone string // ringtone name ("" = RingtoneClassic)
	// localMic and localSpk replace the microphone and tap the speaker
	// (WithLocalAudio); nil for the device's own.
	localMic audio.Source
	localSpk audio.Sink
	// rec is the running microphone recording (micrecord.go), or nil.
	rec *MicRecording
}

func newAudioRouter(b audio.Backend, input, output, ringer string, log *slog.Logger) *audioRouter {
	return &audioRouter{
		backend: b, input: input, output: output, ringer: ringer,
		log:     log.With("component", "audio"),
		ports:   make(map[*mixer.Port]struct{}),
		tones:   make(map[string]*tonePlayer),
		ringers: make(map[any]struct{}),
	}
}

func (r *audioRouter) ensure() error {
	if r.mix != nil {
		return nil
	}
	ep, err := r.backend.OpenEndpoint(r.input, r.output, busRate)
	if err != nil {
		return fmt.Errorf("softphone: open audio device: %w", err)
	}
	sw := newSwapEndpoint(ep)
	var run audio.Endpoint = sw
	if r.localMic != nil || r.localSpk != nil {
		run = &tapEndpoint{Endpoint: sw, mic: r.localMic, spk: r.localSpk}
	}
	m, err := mixer.New(run)
	if err != nil {
		ep.Close()
		return fmt.Errorf("softphone: audio mixer: %w", err)
	}
	r.ep, r.sw, r.mix = ep, sw, m
	return nil
}

// attach returns a mixer port at the bus rate for a leg: the port is a
// Source of microphone audio and a Sink into the speaker.
func (r *audioRouter) attach() (*mixer.Port, error) { return r.attachAt(busRate) }

// attachAt returns a mixer port whose Source and Sink run at rate (a leg's
// codec rate, media.Session.Rate()): the port converts to and from the
// bus.
func (r *audioRouter) attachAt(rate int) (*mixer.Port, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensure(); err != nil {
		return nil, err
	}
	port, err := r.mix.AddPort(rate)
	if err != nil {
		return nil, err
	}
	r.ports[port] = struct{}{}
	return port, nil
}

// route changes who hears whom in the mix, all at once between two
// ticks (see mixer.Update). Without a running mixer there is nothing to
// route.
func (r *audioRouter) route(fn func(*mixer.Routes)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mix == nil {
		return nil
	}
	return r.mix.Update(fn)
}

// detach removes a leg's port and closes the device when nothing uses it.
func (r *audioRouter) detach(port *mixer.Port) {
	if port == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.ports[port]; !ok {
		return
	}
	delete(r.ports, port)
	if r.mix != nil {
		r.mix.RemovePort(port)
	}
	r.maybeCloseLocked()
}

func (r *audioRouter) maybeCloseLocked() {
	if len(r.ports) == 0 && len(r.tones) == 0 && !r.meter && r.mix != nil {
		r.mix.Close()
		r.sw.Close()
		r.mix, r.ep, r.sw = nil, nil, nil
	}
}

// playTone mixes src into the speaker under name, replacing any tone of
// the same name, for at most d (0 = until src ends or stopTone). The
// player's done is closed once it ended and its port is gone.
func (r *audioRouter) playTone(name string, src audio.Source, d time.Duration) (*tonePlayer, error) {
	r.mu.Lock()
	old := r.tones[name]
	delete(r.tones, name)
	r.mu.Unlock()
	if old != nil {
		old.stop() // outside the lock: its onEnd takes r.mu
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.ensure(); err != nil {
		return nil, err
	}
	port, err := r.mix.AddPort(src.Rate())
	if err != nil {
		return nil, err
	}
	port.SetConnected(true)
	tp := startTone(src, port, d, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.mix != nil {
			r.mix.RemovePort(port)
		}
		if r.tones[name] != nil && r.tones[name].port == port {
			delete(r.tones, name)
			r.maybeCloseLocked()
		}
	})
	tp.port = port
	r.tones[name] = tp
	return tp, nil
}

func (r *audioRouter) stopTone(name string) {
	r.mu.Lock()
	tp := r.tones[name]
	r.mu.Unlock()
	if tp != nil {
		tp.stop()
	}
}

// startRinging plays the selected ringtone on the ringer device until
// every owner that asked for it has called stopRinging.
func (r *audioRouter) startRinging(owner any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ringers[owner] = struct{}{}
	if r.ring != nil {
		return nil
	}
	return r.openRingLocked()
}

// openRingLocked opens the ringer device and starts the ringtone (r.mu held).
func (r *audioRouter) openRingLocked() error {
	src, err := newRingtone(r.ringtone, busRate)
	if err != nil {
		return err
	}
	out, err := r.backend.OpenOutput(r.ringer, src.Rate())
	if err != nil {
		return fmt.Errorf("softphone: open ringer device: %w", err)
	}
	r.ring = startTone(src, out, 0, func() { out.Close() })
	return nil
}

// stopRinging withdraws owner's request; the ringtone stops when no owner
// is left.
func (r *audioRouter) stopRinging(owner any) {
	r.mu.Lock()
	delete(r.ringers, owner)
	var tp *tonePlayer
	if len(r.ringers) == 0 {
		tp, r.ring = r.ring, nil
	}
	r.mu.Unlock()
	if tp != nil {
		tp.stop()
	}
}

// restartRinging starts the ringtone again from its beginning, with the
// current ringtone and ringer device, if it is playing.
func (r *audioRouter) restartRinging() error {
	r.mu.Lock()
	tp := r.ring
	r.ring = nil
	r.mu.Unlock()
	if tp == nil {
		return nil
	}
	tp.stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ring != nil || len(r.ringers) == 0 {
		return nil
	}
	return r.openRingLocked()
}

func (r *audioRouter) close() {
	r.mu.Lock()
	rec := r.rec
	r.mu.Unlock()
	if rec != nil {
		_, _ = rec.Stop()
	}
	r.mu.Lock()
	tp := r.ring
	r.ring = nil
	r.ringers = map[any]struct{}{}
	r.mu.Unlock()
	if tp != nil {
		tp.stop()
	}
	r.mu.Lock()
	var tones []*tonePlayer
	for _, tp := range r.tones {
		tones = append(tones, tp)
	}
	r.mu.Unlock()
	for _, tp := range tones {
		tp.stop()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ports = map[*mixer.Port]struct{}{}
	r.tones = map[string]*tonePlayer{}
	r.meter = false
	r.maybeCloseLocked()
}

// frameWriter is where a tone player writes (a mixer port or an Output).
type frameWriter interface {
	Play(src []int16) error
}

type portWriter struct{ p *mixer.Port }

func (w portWriter) Play(src []int16) error { return w.p.WriteFrame(src) }

// tonePlayer paces a Source into a writer in real time on its own
// goroutine; stop ends it and waits.
type tonePlayer struct {
	port     *mixer.Port
	stopCh   chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func startTone(src audio.Source, dst any, d time.Duration, onEnd func()) *tonePlayer {
	var w frameWriter
	switch v := dst.(type) {
	case *mixer.Port:
		w = portWriter{v}
	case frameWriter:
		w = v
	}
	tp := &tonePlayer{stopCh: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(tp.done)
		defer onEnd()
		buf := make([]int16, audio.FrameSamples(src.Rate()))
		tick := time.NewTicker(audio.FrameDuration)
		defer tick.Stop()
		var deadline <-chan time.Time
		if d > 0 {
			t := time.NewTimer(d)
			defer t.Stop()
			deadline = t.C
		}
		for {
			select {
			case <-tp.stopCh:
				return
			case <-deadline:
				return
			case <-tick.C:
				if err := src.ReadFrame(buf); err != nil {
					return
				}
				_ = w.Play(buf)
			}
		}
	}()
	return tp
}

func (tp *tonePlayer) stop() {
	tp.stopOnce.Do(func() { close(tp.stopCh) })
	<-tp.done
}

// SharedAudio is one audio backend with its device selection, mixer and
// ringer, shared by several Phones (one per SIP account) through
// WithSharedAudio: their calls mix on the same microphone and speaker, one
// ringtone plays however many accounts ring, and a device or ringtone
// chosen through any of the Phones applies to all. Its owner closes it
// after the Phones.
type SharedAudio struct {
	r *audioRouter
}

// NewSharedAudio returns a SharedAudio on backend b with the input,
// output and ringer devices ("" = the system default). log may be nil.
func NewSharedAudio(b audio.Backend, input, output, ringer string, log *slog.Logger) (*SharedAudio, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil audio backend", ErrBadConfig)
	}
	if log == nil {
		log = slog.Default()
	}
	return &SharedAudio{r: newAudioRouter(b, input, output, ringer, log)}, nil
}

// Close stops the ringer and tones and closes the device if open. The
// backend stays open: it belongs to the caller.
func (a *SharedAudio) Close() error {
	a.r.close()
	return nil
}

// WithSharedAudio makes the Phone use a, shared with other Phones, instead
// of an audio router of its own. Closing the Phone withdraws its ringing
// and leaves a running for the others.
func WithSharedAudio(a *SharedAudio) Option {
	return func(p *Phone) error {
		if a == nil {
			return fmt.Errorf("%w: nil shared audio", ErrBadConfig)
		}
		p.audio, p.sharedAudio = a.r, true
		return nil
	}
}

package device

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gordonklaus/portaudio"

	"github.com/pitchline/pitchline/audio"
	// Polyphase resampler between the device's native rate and the rate the
	// caller works at (one 20 ms frame per call, no allocation).
	"github.com/pitchline/pitchline/audio/resample"
)

// Stats are the counters of an Endpoint or Output since it was opened.
type Stats struct {
	// NativeInputRate and NativeOutputRate are the hardware rates in Hz
	// (0 for a direction the port does not have).
	NativeInputRate  int
	NativeOutputRate int
	// InputLatency and OutputLatency are what PortAudio reports for the
	// opened streams.
	InputLatency  time.Duration
	OutputLatency time.Duration
	// InputCallbacks and OutputCallbacks count PortAudio callbacks.
	InputCallbacks  uint64
	OutputCallbacks uint64
	// CaptureLost counts microphone samples lost because nobody called
	// Capture and the ring was full; CaptureTrimmed counts samples Capture
	// skipped to keep latency bounded (drop oldest).
	CaptureLost    uint64
	CaptureTrimmed uint64
	// PlayUnderruns counts callbacks that played silence for lack of audio
	// after playback had started; PlayDropped counts samples dropped
	// because the playback queue was over its bound (oldest first) or full.
	PlayUnderruns uint64
	PlayDropped   uint64
	// HostInputOverflows and HostOutputUnderflows count the status flags
	// PortAudio passed to the callback.
	HostInputOverflows   uint64
	HostOutputUnderflows uint64
	// Restarts counts streams reopened because their callbacks stopped.
	Restarts uint64
}

// port is what Endpoint and Output share: the PortAudio streams, the two
// halves and the resamplers.
type port struct {
	b         *Backend
	rate      int
	inDev     *paDevice // nil for an Output
	outDev    *paDevice
	inStream  *portaudio.Stream // guarded by pa.mu
	outStream *portaudio.Stream // guarded by pa.mu
	cap       *captureSide      // nil for an Output
	play      *playSide
	restarts  atomic.Uint64
	inRate    int
	outRate   int
	inLat     time.Duration
	outLat    time.Duration

	// Capture state, used only by the single Capture goroutine.
	capRS    *resample.Resampler // nil when inRate == rate
	capBuf   []int16             // one native input frame
	capTimer *time.Timer
	stall    time.Duration
	capWait  time.Duration // wait before restarting a silent input stream

	// Play state, used only by the single Play goroutine.
	playRS    *resample.Resampler // nil when outRate == rate
	playBuf   []int16             // one native output frame
	playSeen  uint64              // output callbacks seen at the last Play
	playStuck int                 // Plays in a row without an output callback

	closed    atomic.Bool
	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

// Endpoint is a PortAudio microphone + speaker pair; it implements
// audio.Endpoint. Capture must be called from one goroutine and Play from
// one goroutine (they may differ).
type Endpoint struct{ p *port }

// Output is a PortAudio playback-only port (the ringer); it implements
// audio.Output. Play must be called from one goroutine.
type Output struct{ p *port }

var (
	_ audio.Endpoint = (*Endpoint)(nil)
	_ audio.Output   = (*Output)(nil)
)

// Rate returns the rate Capture and Play work at.
func (e *Endpoint) Rate() int { return e.p.rate }

// Capture blocks until one frame of microphone audio is available and
// stores it, converted to Rate(), in dst. It returns audio.ErrClosed after
// Close and ErrStalled when the device delivers nothing for the stall
// timeout. It does not allocate.
func (e *Endpoint) Capture(dst []int16) error { return e.p.capture(dst) }

// Play queues one frame for the speaker and never blocks; see the package
// documentation for the drop policy. It does not allocate.
func (e *Endpoint) Play(src []int16) error { return e.p.playFrame(src) }

// Levels returns the peak levels of the last microphone and speaker
// buffers in dBFS (-96 for silence).
func (e *Endpoint) Levels() (in, out float64) { return e.p.cap.meter.DBFS(), e.p.play.meter.DBFS() }

// Stats returns the endpoint's counters.
func (e *Endpoint) Stats() Stats { return e.p.stats() }

// Close stops and closes the streams. It is idempotent; a blocked Capture
// returns audio.ErrClosed.
func (e *Endpoint) Close() error { return e.p.close() }

// Rate returns the rate Play works at.
func (o *Output) Rate() int { return o.p.rate }

// Play queues one frame for the output device and never blocks.
func (o *Output) Play(src []int16) error { return o.p.playFrame(src) }

// Level returns the peak level of the last output buffer in dBFS.
func (o *Output) Level() float64 { return o.p.play.meter.DBFS() }

// Stats returns the output's counters.
func (o *Output) Stats() Stats { return o.p.stats() }

// Close stops and closes the stream. It is idempotent.
func (o *Output) Close() error { return o.p.close() }

func (p *port) capture(dst []int16) error {
	if p.cap == nil {
		return fmt.Errorf("device: capture on an output-only port: %w", audio.ErrClosed)
	}
	if len(dst) != audio.FrameSamples(p.rate) {
		return fmt.Errorf("device: capture buffer of %d samples, want %d: %w", len(dst), audio.FrameSamples(p.rate), audio.ErrFrameSize)
	}
	if p.closed.Load() {
		return audio.ErrClosed
	}
	c := p.cap
	need := len(p.capBuf)
	// Drop oldest: keep at most the queue bound (plus the frame we take).
	if d := c.ring.Trim(need + p.b.cfg.queue*need); d > 0 {
		c.trimmed.Add(uint64(d))
	}
	if c.ring.Len() < need {
		var waited time.Duration
		p.capTimer.Reset(p.capWait)
		for c.ring.Len() < need {
			select {
			case <-c.notify:
				continue
			case <-p.done:
				p.capTimer.Stop()
				return audio.ErrClosed
			case <-p.capTimer.C:
			}
			// No audio for capWait: the stream died (PortAudio's ALSA
			// code gives up after some xruns). Reopen it, until the stall
			// timeout.
			waited += p.capWait
			if waited >= p.stall {
				return fmt.Errorf("device: no microphone audio for %v: %w", waited, ErrStalled)
			}
			if err := p.restart(true); err != nil {
				return err
			}
			p.capTimer.Reset(p.capWait)
		}
		p.capTimer.Stop()
	}
	if p.capRS == nil {
		c.ring.Read(dst)
		return nil
	}
	c.ring.Read(p.capBuf)
	p.capRS.Process(dst, p.capBuf)
	return nil
}

// playStuckLimit is how many Plays in a row may pass without a single
// output callback before the output stream is considered dead and reopened
// (25 frames = 500 ms when the caller plays in real time).
const playStuckLimit = 25

func (p *port) playFrame(src []int16) error {
	if len(src) != audio.FrameSamples(p.rate) {
		return fmt.Errorf("device: play buffer of %d samples, want %d: %w", len(src), audio.FrameSamples(p.rate), audio.ErrFrameSize)
	}
	if p.closed.Load() {
		return audio.ErrClosed
	}
	pl := p.play
	frame := src
	if p.playRS != nil {
		p.playRS.Process(p.playBuf, src)
		frame = p.playBuf
	}
	pl.started.Store(true)
	if w := pl.ring.Write(frame); w < len(frame) {
		pl.dropped.Add(uint64(len(frame) - w))
	}
	if n := pl.callbacks.Load(); n != p.playSeen {
		p.playSeen, p.playStuck = n, 0
	} else if p.playStuck++; p.playStuck >= playStuckLimit {
		p.playStuck = 0
		if err := p.restart(false); err != nil {
			return err
		}
	}
	return nil
}

// restart reopens the input (or output) stream of a port whose callbacks
// stopped. It runs on the Capture (or Play) goroutine, never in a callback.
func (p *port) restart(input bool) error {
	pa.mu.Lock()
	defer pa.mu.Unlock()
	if p.closed.Load() {
		return audio.ErrClosed
	}
	old := &p.outStream
	if input {
		old = &p.inStream
	}
	if *old != nil {
		_ = (*old).Abort()
		_ = (*old).Close()
		*old = nil
		pa.streams--
	}
	var err error
	if input {
		err = p.openStream(p.inDev, nil, p.inRate)
	} else {
		err = p.openStream(nil, p.outDev, p.outRate)
	}
	if err == nil {
		if err = (*old).Start(); err != nil {
			err = fmt.Errorf("%w: restart stream: %v", ErrPortAudio, err)
		}
	}
	p.restarts.Add(1)
	if err != nil {
		p.b.log.Warn("audio stream restart failed", "input", input, "err", err)
		return err
	}
	p.b.log.Warn("audio stream restarted after its callbacks stopped", "input", input, "restarts", p.restarts.Load())
	return nil
}

func (p *port) stats() Stats {
	s := Stats{
		NativeInputRate: p.inRate, NativeOutputRate: p.outRate,
		InputLatency: p.inLat, OutputLatency: p.outLat,
		Restarts: p.restarts.Load(),
	}
	if c := p.cap; c != nil {
		s.InputCallbacks = c.callbacks.Load()
		s.CaptureLost = c.lost.Load()
		s.CaptureTrimmed = c.trimmed.Load()
		s.HostInputOverflows = c.hostOverflow.Load()
	}
	if pl := p.play; pl != nil {
		s.OutputCallbacks = pl.callbacks.Load()
		s.PlayUnderruns = pl.underruns.Load()
		s.PlayDropped = pl.dropped.Load()
		s.HostOutputUnderflows = pl.hostUnderflow.Load()
	}
	return s
}

// Callbacks, one per stream direction. They run on PortAudio's thread.

func (p *port) inputCallback(in []int16, _ portaudio.StreamCallbackTimeInfo, fl portaudio.StreamCallbackFlags) {
	p.cap.push(in, fl)
}

func (p *port) outputCallback(out []int16, _ portaudio.StreamCallbackTimeInfo, fl portaudio.StreamCallbackFlags) {
	p.play.pull(out, fl)
}

// close stops the streams (PortAudio waits for a running callback), closes
// them and wakes a blocked Capture.
func (p *port) close() error {
	p.closeOnce.Do(func() {
		p.closed.Store(true)
		close(p.done)
		pa.mu.Lock()
		err := p.closeStreamsLocked()
		pa.mu.Unlock()
		p.b.forget(p)
		if err != nil {
			p.closeErr = fmt.Errorf("%w: close stream: %v", ErrPortAudio, err)
		}
		p.b.log.Debug("audio port closed", "stats", p.stats())
	})
	return p.closeErr
}

// closeStreamsLocked aborts and closes the port's streams. Must be called
// with pa.mu held.
func (p *port) closeStreamsLocked() error {
	var errs []error
	for _, s := range []**portaudio.Stream{&p.inStream, &p.outStream} {
		if *s == nil {
			continue
		}
		if err := (*s).Abort(); err != nil && !errors.Is(err, portaudio.StreamIsStopped) {
			errs = append(errs, err)
		}
		if err := (*s).Close(); err != nil {
			errs = append(errs, err)
		}
		*s = nil
		pa.streamClosedLocked(p.b.log)
	}
	return errors.Join(errs...)
}

// openPort opens and starts an input stream on in (unless nil) and an
// output stream on out, each at its device's native rate. Input and output
// are separate streams even on the same device: PortAudio's ALSA duplex
// mode stops for good after an xrun on a busy machine ("ContinuePoll
// failed"), and on one device both streams share the hardware clock
// anyway. Must be called with pa.mu held.
func (b *Backend) openPort(in, out *paDevice, rate int) (*port, error) {
	p := &port{b: b, rate: rate, inDev: in, outDev: out, done: make(chan struct{}),
		stall: b.cfg.stall, capWait: b.cfg.restart}
	var err error
	if in != nil {
		p.inRate = nativeRate(in, rate)
		err = p.openStream(in, nil, p.inRate)
	}
	if err == nil {
		p.outRate = nativeRate(out, rate)
		err = p.openStream(nil, out, p.outRate)
	}
	if err == nil {
		err = p.setupResamplers()
	}
	for _, s := range []*portaudio.Stream{p.inStream, p.outStream} {
		if err == nil && s != nil {
			if serr := s.Start(); serr != nil {
				err = fmt.Errorf("%w: start stream: %v", ErrPortAudio, serr)
			}
		}
	}
	if err != nil {
		p.closed.Store(true)
		_ = p.closeStreamsLocked()
		return nil, err
	}
	return p, nil
}

func (p *port) setupResamplers() error {
	if p.cap != nil {
		p.capBuf = make([]int16, audio.FrameSamples(p.inRate))
		p.capTimer = time.NewTimer(time.Hour)
		p.capTimer.Stop()
		if p.inRate != p.rate {
			rs, err := resample.New(p.inRate, p.rate)
			if err != nil {
				return fmt.Errorf("device: capture resampler %d->%d Hz: %w", p.inRate, p.rate, err)
			}
			p.capRS = rs
		}
	}
	p.playBuf = make([]int16, audio.FrameSamples(p.outRate))
	if p.outRate != p.rate {
		rs, err := resample.New(p.rate, p.outRate)
		if err != nil {
			return fmt.Errorf("device: playback resampler %d->%d Hz: %w", p.rate, p.outRate, err)
		}
		p.playRS = rs
	}
	return nil
}

// nativeRate is the device's default rate, or the requested rate when the
// default does not divide into 20 ms frames.
func nativeRate(d *paDevice, rate int) int {
	if r := d.info.DefaultRate; audio.CheckRate(r) == nil {
		return r
	}
	return rate
}

// openStream opens one input or output stream with one 20 ms frame per
// buffer, mono when the device accepts it, else stereo (downmix and upmix
// happen in the callback). Must be called with pa.mu held.
func (p *port) openStream(in, out *paDevice, rate int) error {
	frame := audio.FrameSamples(rate)
	dev, maxCh := out, 0
	if in != nil {
		dev, maxCh = in, in.info.MaxInputs
	} else {
		maxCh = out.info.MaxOutputs
	}
	var lastErr error
	for _, want := range []int{1, 2} {
		ch := min(want, maxCh)
		if want == 2 && ch < 2 {
			break // stereo is not possible: nothing else to try
		}
		var params portaudio.StreamParameters
		var cb any
		q := p.b.cfg.queue
		if in != nil {
			params = portaudio.LowLatencyParameters(in.pa, nil)
			params.Input.Channels = ch
			cb = p.inputCallback
			// The side must exist before the stream can call back. A
			// restarted stream keeps it (ring, meter, counters); the old
			// stream is closed, so nothing else touches channels.
			if p.cap == nil {
				c, err := newCaptureSide(ch, frame, q)
				if err != nil {
					return err
				}
				p.cap = c
			}
			p.cap.channels = ch
		} else {
			params = portaudio.LowLatencyParameters(nil, out.pa)
			params.Output.Channels = ch
			cb = p.outputCallback
			if p.play == nil {
				pl, err := newPlaySide(ch, frame, q)
				if err != nil {
					return err
				}
				p.play = pl
			}
			p.play.channels = ch
		}
		params.SampleRate = float64(rate)
		params.FramesPerBuffer = frame
		s, err := portaudio.OpenStream(params, cb)
		if err != nil {
			lastErr = err
			p.b.log.Debug("open stream failed", "device", dev.info.Name, "input", in != nil, "rate", rate, "channels", ch, "err", err)
			continue
		}
		pa.streams++
		lat := time.Duration(0)
		if info := s.Info(); info != nil {
			lat = info.InputLatency
			if in == nil {
				lat = info.OutputLatency
			}
		}
		if in != nil {
			p.inStream, p.inLat = s, lat
		} else {
			p.outStream, p.outLat = s, lat
		}
		p.b.log.Debug("stream opened", "device", dev.info.Name, "input", in != nil, "rate", rate,
			"framesPerBuffer", frame, "channels", ch, "latency", lat)
		return nil
	}
	return fmt.Errorf("%w: open %s %q at %d Hz: %v", ErrPortAudio, direction(in != nil), dev.info.Name, rate, lastErr)
}

func direction(input bool) string {
	if input {
		return "input"
	}
	return "output"
}

func name(d *paDevice) string {
	if d == nil {
		return "-"
	}
	return d.info.Name
}

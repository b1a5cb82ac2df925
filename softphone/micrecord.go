package softphone

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/mixer"
	"github.com/pitchline/pitchline/audio/wav"
)

// ErrRecording is returned by RecordMicrophone while another microphone
// recording runs on the same audio device.
var ErrRecording = errors.New("softphone: a microphone recording is already running")

// MicRecording records the selected microphone, through the phone's mixer
// and device (the same path a call's microphone takes), into a mono 16-bit
// WAV file. The mixer's tick drives it, so it follows the device clock; a
// goroutine of its own writes the file. It ends at Stop or at its maximum
// length, whichever comes first.
type MicRecording struct {
	r      *audioRouter
	port   *mixer.Port
	w      *wav.Writer
	path   string
	limit  int64 // frames
	frames atomic.Int64
	ticks  chan struct{}
	stopCh chan struct{}
	done   chan struct{}
	once   sync.Once
	err    error // set before done closes
}

// RecordMicrophone starts recording the microphone into a new WAV file at
// path, at rate Hz, for at most limit (rounded to 20 ms frames). The device
// stays open while it records. Only one recording runs at a time.
func (p *Phone) RecordMicrophone(path string, rate int, limit time.Duration) (*MicRecording, error) {
	if limit < audio.FrameDuration {
		return nil, fmt.Errorf("%w: recording limit %v", ErrBadConfig, limit)
	}
	r := p.audio
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rec != nil {
		return nil, ErrRecording
	}
	w, err := wav.Create(path, rate)
	if err != nil {
		return nil, err
	}
	if err := r.ensure(); err != nil {
		w.Close()
		return nil, err
	}
	port, err := r.mix.AddPort(rate)
	if err != nil {
		w.Close()
		r.maybeCloseLocked()
		return nil, err
	}
	r.ports[port] = struct{}{}
	m := &MicRecording{r: r, port: port, w: w, path: path,
		limit: int64(limit / audio.FrameDuration),
		ticks: make(chan struct{}, audio.FramesPerSecond), stopCh: make(chan struct{}), done: make(chan struct{})}
	// The port hears the microphone only: nobody hears it.
	if err := r.mix.Update(func(rt *mixer.Routes) { _ = rt.SetHears(mixer.Local, port.Node(), false) }); err != nil {
		m.abortLocked()
		return nil, err
	}
	port.SetOnTick(func() {
		select {
		case m.ticks <- struct{}{}:
		default: // the writer is a second behind: the port's ring drops it
		}
	})
	port.SetConnected(true)
	r.rec = m
	go m.run()
	return m, nil
}

// abortLocked undoes a start that failed after the port was added (r.mu held).
func (m *MicRecording) abortLocked() {
	delete(m.r.ports, m.port)
	m.r.mix.RemovePort(m.port)
	m.w.Close()
	m.r.maybeCloseLocked()
}

func (m *MicRecording) run() {
	buf := make([]int16, audio.FrameSamples(m.w.Rate()))
	var err error
	func() {
		for m.frames.Load() < m.limit {
			select {
			case <-m.stopCh:
				return
			case <-m.ticks:
			}
			if err = m.port.ReadFrame(buf); err != nil {
				return
			}
			if err = m.w.WriteFrame(buf); err != nil {
				return
			}
			m.frames.Add(1)
		}
	}()
	m.port.SetOnTick(nil)
	m.r.detach(m.port)
	m.r.mu.Lock()
	if m.r.rec == m {
		m.r.rec = nil
	}
	m.r.mu.Unlock()
	if cerr := m.w.Close(); err == nil {
		err = cerr
	}
	m.err = err
	close(m.done)
}

// Path returns the file being written.
func (m *MicRecording) Path() string { return m.path }

// Elapsed returns how much audio has been written.
func (m *MicRecording) Elapsed() time.Duration {
	return time.Duration(m.frames.Load()) * audio.FrameDuration
}

// Level returns the peak level of the microphone in dBFS (-96 = silence).
func (m *MicRecording) Level() float64 {
	_, out := m.port.Levels()
	return out
}

// Done is closed when the recording has ended (Stop, its maximum length,
// or a write error) and the file is closed.
func (m *MicRecording) Done() <-chan struct{} { return m.done }

// Stop ends the recording, waits until the file is complete, and returns
// how long it is and why it could not be written completely, if so. It
// may be called more than once and after the recording ended by itself.
func (m *MicRecording) Stop() (time.Duration, error) {
	m.once.Do(func() { close(m.stopCh) })
	<-m.done
	return m.Elapsed(), m.err
}

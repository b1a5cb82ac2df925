package device

import (
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	// PortAudio v19 bindings (cgo): the portable audio I/O library that reaches
	// ALSA (and through ALSA's pulse plugin PulseAudio/PipeWire), CoreAudio and
	// WASAPI. https://www.portaudio.com/
	"github.com/gordonklaus/portaudio"
	// x/sys/unix for Dup/Dup2 on every Linux architecture (syscall.Dup2 does
	// not exist on linux/arm64), used to silence Pa_Initialize's stderr noise.
	"golang.org/x/sys/unix"

	"github.com/pitchline/pitchline/audio"
)

// paState is the process-wide PortAudio state. PortAudio's initialisation,
// enumeration and stream open/close are not thread-safe, so every PortAudio
// call outside the stream callback happens under mu.
type paState struct {
	mu      sync.Mutex
	refs    int  // open Backends; PortAudio is initialised while refs > 0
	streams int  // open PortAudio streams in the process
	pending bool // a Refresh was deferred until streams == 0
	inited  bool // Pa_Initialize succeeded and Pa_Terminate has not run since
	devs    []paDevice
}

// paDevice is one enumerated device: the public description plus the
// PortAudio handle, valid until the next re-initialisation.
type paDevice struct {
	info audio.DeviceInfo
	pa   *portaudio.DeviceInfo
}

var pa paState

// quietInitialize runs Pa_Initialize with file descriptor 2 pointed at
// /dev/null: ALSA and JACK print about 90 lines while PortAudio probes.
// Must be called with pa.mu held.
func quietInitialize() error {
	return quietly(portaudio.Initialize)
}

// quietly runs fn with stderr redirected to /dev/null and restores it.
func quietly(fn func() error) error {
	saved, err := unix.Dup(2)
	if err != nil {
		return fn()
	}
	defer unix.Close(saved)
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return fn()
	}
	if err := unix.Dup2(int(null.Fd()), 2); err != nil {
		null.Close()
		return fn()
	}
	null.Close()
	defer unix.Dup2(saved, 2) // restore even if fn panics
	return fn()
}

// skipLowStreamIDs makes burnStreamIDs run once per process.
var skipLowStreamIDs sync.Once

// burnStreamIDs works around a bug in the Go binding: it hands each
// stream's small integer ID to C as unsafe.Pointer(id), which the checkptr
// instrumentation of -race builds rejects for 0 < id < 4096 ("pointer
// arithmetic computed bad pointer value"). OpenStream takes an ID before it
// validates the callback, so 4096 calls with an invalid callback (no
// PortAudio call, no stream) move the binding's counter past that range.
// Must run after Pa_Initialize (OpenStream checks it first).
func burnStreamIDs() {
	for range 4096 {
		_, _ = portaudio.OpenStream(portaudio.StreamParameters{}, func() {})
	}
}

// acquire initialises PortAudio for a new Backend. Must not hold pa.mu.
func (s *paState) acquire(log *slog.Logger) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.refs == 0 {
		if err := s.initLocked(log); err != nil {
			return err
		}
	}
	s.refs++
	return nil
}

// release drops a Backend's reference and terminates PortAudio with the
// last one.
func (s *paState) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs--
	if s.refs == 0 {
		s.terminateLocked()
		s.pending = false
	}
}

func (s *paState) initLocked(log *slog.Logger) error {
	start := time.Now()
	if err := quietInitialize(); err != nil {
		return fmt.Errorf("%w: Pa_Initialize: %v", ErrPortAudio, err)
	}
	skipLowStreamIDs.Do(burnStreamIDs)
	devs, err := enumerate()
	if err != nil {
		_ = quietly(portaudio.Terminate)
		return err
	}
	s.devs = devs
	s.inited = true
	log.Debug("portaudio initialised", "version", portaudio.VersionText(),
		"devices", len(devs), "took", time.Since(start))
	return nil
}

// refreshLocked re-enumerates devices by re-initialising PortAudio.
func (s *paState) refreshLocked(log *slog.Logger) error {
	if s.refs == 0 {
		return audio.ErrClosed
	}
	if s.streams > 0 {
		s.pending = true
		return ErrRefreshDeferred
	}
	s.pending = false
	s.terminateLocked()
	return s.initLocked(log)
}

// terminateLocked runs Pa_Terminate if PortAudio is initialised.
func (s *paState) terminateLocked() {
	if s.inited {
		_ = quietly(portaudio.Terminate)
	}
	s.inited = false
	s.devs = nil
}

// devicesLocked returns the enumerated devices, initialising PortAudio
// again if an earlier re-initialisation failed.
func (s *paState) devicesLocked(log *slog.Logger) ([]paDevice, error) {
	if s.refs == 0 {
		return nil, audio.ErrClosed
	}
	if !s.inited {
		if err := s.initLocked(log); err != nil {
			return nil, err
		}
	}
	if len(s.devs) == 0 {
		return nil, ErrNoSoundServer
	}
	return s.devs, nil
}

// streamClosedLocked accounts for a closed stream and runs a deferred
// refresh when it was the last one.
func (s *paState) streamClosedLocked(log *slog.Logger) {
	s.streams--
	if s.streams == 0 && s.pending && s.refs > 0 {
		if err := s.refreshLocked(log); err != nil {
			log.Warn("deferred device refresh failed", "err", err)
		}
	}
}

// enumerate lists PortAudio's devices with stable IDs ("HostAPI:name",
// with "#n" appended to repeated names) and marks the system defaults.
func enumerate() ([]paDevice, error) {
	list, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("%w: list devices: %v", ErrPortAudio, err)
	}
	var defIn, defOut *portaudio.DeviceInfo
	if d, err := portaudio.DefaultInputDevice(); err == nil {
		defIn = d
	}
	if d, err := portaudio.DefaultOutputDevice(); err == nil {
		defOut = d
	}
	seen := map[string]int{}
	devs := make([]paDevice, 0, len(list))
	for _, d := range list {
		api := ""
		if d.HostApi != nil {
			api = d.HostApi.Name
		}
		id := api + ":" + d.Name
		seen[id]++
		if n := seen[id]; n > 1 {
			id += "#" + strconv.Itoa(n)
		}
		devs = append(devs, paDevice{pa: d, info: audio.DeviceInfo{
			ID:            id,
			Name:          d.Name,
			HostAPI:       api,
			MaxInputs:     d.MaxInputChannels,
			MaxOutputs:    d.MaxOutputChannels,
			DefaultRate:   int(d.DefaultSampleRate + 0.5),
			DefaultInput:  d == defIn,
			DefaultOutput: d == defOut,
		}})
	}
	return devs, nil
}

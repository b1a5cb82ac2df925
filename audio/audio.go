package audio

import "time"

// FrameDuration is the duration of one audio frame everywhere in Pitchline.
// RTP packetisation (ptime), the mixer tick and device buffers all use it.
const FrameDuration = 20 * time.Millisecond

// FramesPerSecond is the number of frames in one second of audio.
const FramesPerSecond = int(time.Second / FrameDuration)

// FrameSamples returns the number of mono samples in one frame at rate Hz.
func FrameSamples(rate int) int { return rate / FramesPerSecond }

// Source produces mono signed 16-bit PCM, one frame at a time, at Rate().
//
// ReadFrame fills all of dst (len(dst) == FrameSamples(Rate())) or returns
// an error; io.EOF marks the end of a finite source. Sources used on the
// media hot path must not allocate and must not block on the network or on
// signalling locks.
type Source interface {
	Rate() int
	ReadFrame(dst []int16) error
}

// Sink consumes mono signed 16-bit PCM frames at Rate().
type Sink interface {
	Rate() int
	WriteFrame(src []int16) error
}

// SourceFunc adapts a function to a Source at a fixed rate.
type SourceFunc struct {
	SampleRate int
	Fn         func(dst []int16) error
}

// Rate implements Source.
func (f SourceFunc) Rate() int { return f.SampleRate }

// ReadFrame implements Source.
func (f SourceFunc) ReadFrame(dst []int16) error { return f.Fn(dst) }

// Endpoint is a real-time duplex audio port: a microphone and a speaker that
// share one clock, opened at Rate().
//
// Capture blocks until the next frame of microphone audio is available; the
// device (or the null device's timer) paces it in real time. Play queues one
// frame for the speaker and never blocks: when the queue is full the oldest
// audio is dropped.
type Endpoint interface {
	Rate() int
	Capture(dst []int16) error
	Play(src []int16) error
	// Levels reports the most recent peak levels of the microphone and the
	// speaker in dBFS (-96 for silence). It is safe to call from any goroutine.
	Levels() (in, out float64)
	Close() error
}

// Output is a playback-only real-time port, used for the ringer device.
type Output interface {
	Rate() int
	Play(src []int16) error
	Close() error
}

// DeviceInfo describes one audio device offered by a Backend.
type DeviceInfo struct {
	// ID is stable for the lifetime of the device and is what Open* takes.
	ID          string `json:"id"`
	Name        string `json:"name"`
	HostAPI     string `json:"hostApi"`
	MaxInputs   int    `json:"maxInputs"`
	MaxOutputs  int    `json:"maxOutputs"`
	DefaultRate int    `json:"defaultRate"`
	// DefaultInput and DefaultOutput mark the system defaults.
	DefaultInput  bool `json:"defaultInput"`
	DefaultOutput bool `json:"defaultOutput"`
}

// Backend is a source of audio devices: PortAudio (audio/device) or the
// real-time null device (audio.NewNullBackend).
//
// Device names "" and "default" mean the system default. Open* take the rate
// the caller works at; a backend opens the hardware at its native rate and
// resamples internally.
type Backend interface {
	Name() string
	Devices() ([]DeviceInfo, error)
	OpenEndpoint(input, output string, rate int) (Endpoint, error)
	OpenOutput(output string, rate int) (Output, error)
	Close() error
}

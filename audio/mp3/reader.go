package mp3

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"time"

	// go-mp3 is a pure-Go MP3 decoder (no cgo), so loading ringtones and
	// announcements does not add a C dependency; its known weak spots are
	// screened out by Scan before it runs.
	gomp3 "github.com/hajimehoshi/go-mp3"

	"github.com/pitchline/pitchline/audio"
)

// MaxFileBytes is the largest file Open and Decode accept (64 MiB).
const MaxFileBytes = 64 << 20

// MaxDuration is the longest stream Decode accepts.
const MaxDuration = 30 * time.Minute

// Option configures a Reader.
type Option func(*Reader)

// WithLoop makes the Reader start over at the end instead of returning
// io.EOF.
func WithLoop() Option { return func(r *Reader) { r.SetLoop(true) } }

// Reader is an audio.Source over a fully decoded MP3 file, at the file's
// sample rate, mono.
type Reader struct {
	audio.Clip // the decoded mono PCM; Rate, Duration, Samples, Rewind, ReadFrame
	info       Info
}

var _ audio.Source = (*Reader)(nil)

// Open reads, validates and decodes the MP3 file at path.
func Open(path string, opts ...Option) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mp3: open %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mp3: read %s: %w", path, err)
	}
	r, err := Decode(data, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Decode validates and decodes a whole MP3 file held in data.
func Decode(data []byte, opts ...Option) (r *Reader, err error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxFileBytes)
	}
	info, err := Scan(data)
	if err != nil {
		return nil, err
	}
	if info.Duration > MaxDuration {
		return nil, fmt.Errorf("%w: %v long (limit %v)", ErrTooLarge, info.Duration.Round(time.Second), MaxDuration)
	}
	if err := audio.CheckRate(info.SampleRate); err != nil {
		return nil, fmt.Errorf("%w: %d Hz: %v", ErrDecode, info.SampleRate, err)
	}
	pcm, err := decodePCM(data[info.Offset:])
	if err != nil {
		return nil, err
	}
	r = &Reader{Clip: audio.NewClip(info.SampleRate, downmix(pcm)), info: info}
	if len(r.Samples()) == 0 {
		return nil, fmt.Errorf("%w: no audio decoded from %d frames", ErrDecode, info.Frames)
	}
	for _, o := range opts {
		o(r)
	}
	return r, nil
}

// decodePCM runs go-mp3 and returns 16-bit little-endian stereo PCM. A
// panic inside the decoder on hostile input is turned into ErrDecode.
func decodePCM(data []byte) (pcm []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			pcm, err = nil, fmt.Errorf("%w: decoder panic: %v", ErrDecode, p)
		}
	}()
	dec, err := gomp3.NewDecoder(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecode, err)
	}
	var out bytes.Buffer
	if l := dec.Length(); l > 0 && l < 4*int64(MaxDuration/time.Second)*48000 {
		out.Grow(int(l))
	}
	if _, err := io.Copy(&out, dec); err != nil && err != io.ErrUnexpectedEOF {
		if out.Len() == 0 {
			return nil, fmt.Errorf("%w: %v", ErrDecode, err)
		}
		// Keep what decoded before a damaged tail.
	}
	return out.Bytes(), nil
}

func downmix(pcm []byte) []int16 {
	n := len(pcm) / 4
	out := make([]int16, n)
	le := binary.LittleEndian
	for i := range out {
		l := int32(int16(le.Uint16(pcm[4*i:])))
		r := int32(int16(le.Uint16(pcm[4*i+2:])))
		out[i] = int16((l + r) >> 1)
	}
	return out
}

// Info returns what Scan found about the stream.
func (r *Reader) Info() Info { return r.info }

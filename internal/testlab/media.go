package testlab

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// ErrBadWAV is returned by ReadWAV and ParseWAV for input that is not a
// PCM 16-bit mono or stereo RIFF/WAVE file.
var ErrBadWAV = errors.New("testlab: not a 16-bit PCM WAV file")

// ToneSamples returns n samples of a sine at freq Hz sampled at rate Hz with
// peak amplitude amp (0..1 of full scale).
func ToneSamples(freq float64, rate, n int, amp float64) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return out
}

// EncodeWAV returns a canonical 44-byte-header RIFF/WAVE file holding
// samples as signed 16-bit little-endian mono PCM at rate Hz.
// This is the only format baresip's aufile source accepts for G.711
// (S16LE, mono, 8000 Hz).
func EncodeWAV(rate int, samples []int16) []byte {
	dataLen := 2 * len(samples)
	b := make([]byte, 44+dataLen)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+dataLen))
	copy(b[8:], "WAVE")
	copy(b[12:], "fmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], uint32(rate))
	binary.LittleEndian.PutUint32(b[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(dataLen))
	for i, s := range samples {
		binary.LittleEndian.PutUint16(b[44+2*i:], uint16(s))
	}
	return b
}

// WriteWAV writes samples to path as a 16-bit mono PCM WAV file at rate Hz.
func WriteWAV(path string, rate int, samples []int16) error {
	if rate <= 0 {
		return fmt.Errorf("testlab: WriteWAV %s: bad rate %d", path, rate)
	}
	return os.WriteFile(path, EncodeWAV(rate, samples), 0o644)
}

// WriteToneWAV writes seconds of a sine at freq Hz (amplitude 0.5 of full
// scale) to path as an S16LE mono 8000 Hz WAV, the format baresip's aufile
// source needs for G.711 calls.
func WriteToneWAV(path string, freq float64, seconds float64) error {
	const rate = 8000
	return WriteWAV(path, rate, ToneSamples(freq, rate, int(seconds*rate), 0.5))
}

// ReadWAV reads a 16-bit PCM WAV file and returns its sample rate and its
// samples. Stereo files are reduced to their first channel.
//
// See ParseWAV for what is accepted.
func ReadWAV(path string) (rate int, samples []int16, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, nil, err
	}
	rate, samples, err = ParseWAV(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", path, err)
	}
	return rate, samples, nil
}

// ParseWAV decodes a RIFF/WAVE file holding 16-bit PCM (format tag 1, or
// WAVE_FORMAT_EXTENSIBLE with 16 bits) with one or two channels, returning
// the sample rate and the first channel's samples.
//
// A data chunk whose declared size is 0 or runs past the end of the input
// (a file still being written, e.g. by baresip's sndfile filter before the
// call ends) is read up to the end of the input.
func ParseWAV(b []byte) (rate int, samples []int16, err error) {
	if len(b) < 12 || !bytes.Equal(b[0:4], []byte("RIFF")) || !bytes.Equal(b[8:12], []byte("WAVE")) {
		return 0, nil, fmt.Errorf("%w: no RIFF/WAVE header", ErrBadWAV)
	}
	var (
		haveFmt  bool
		channels int
		bits     int
	)
	p := 12
	for p+8 <= len(b) {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4:]))
		body := p + 8
		switch id {
		case "fmt ":
			if size < 16 || body+size > len(b) {
				return 0, nil, fmt.Errorf("%w: short fmt chunk", ErrBadWAV)
			}
			tag := binary.LittleEndian.Uint16(b[body:])
			channels = int(binary.LittleEndian.Uint16(b[body+2:]))
			rate = int(binary.LittleEndian.Uint32(b[body+4:]))
			bits = int(binary.LittleEndian.Uint16(b[body+14:]))
			if tag != 1 && tag != 0xFFFE {
				return 0, nil, fmt.Errorf("%w: format tag %#x is not PCM", ErrBadWAV, tag)
			}
			if bits != 16 || channels < 1 || channels > 2 || rate <= 0 {
				return 0, nil, fmt.Errorf("%w: %d bits, %d channels, %d Hz", ErrBadWAV, bits, channels, rate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return 0, nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrBadWAV)
			}
			if size == 0 || size > len(b)-body {
				size = len(b) - body
			}
			frame := 2 * channels
			n := size / frame
			samples = make([]int16, n)
			for i := range samples {
				samples[i] = int16(binary.LittleEndian.Uint16(b[body+i*frame:]))
			}
			return rate, samples, nil
		}
		if size > len(b)-body {
			break
		}
		p = body + size + size&1 // chunks are padded to even sizes
	}
	return 0, nil, fmt.Errorf("%w: no data chunk", ErrBadWAV)
}

package wav

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/pitchline/pitchline/audio"
)

// MaxDataBytes is the largest data chunk Decode accepts (256 MiB, about 45
// minutes of 48 kHz stereo).
const MaxDataBytes = 256 << 20

// WAVE format tags.
const (
	formatPCM        = 0x0001
	formatFloat      = 0x0003
	formatExtensible = 0xFFFE
)

// pcmSubFormat is KSDATAFORMAT_SUBTYPE_PCM without its first two bytes.
var pcmSubFormatTail = []byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

// Option configures a Reader.
type Option func(*Reader)

// WithLoop makes the Reader start over at the end instead of returning
// io.EOF.
func WithLoop() Option { return func(r *Reader) { r.SetLoop(true) } }

// Format describes the encoding of a WAV file as stored.
type Format struct {
	Rate     int
	Channels int
	Bits     int
}

// Reader is an audio.Source over a decoded WAV file, at the file's rate.
type Reader struct {
	audio.Clip // the decoded mono PCM; Rate, Duration, Samples, Rewind, ReadFrame
	format     Format
}

var _ audio.Source = (*Reader)(nil)

// Open reads and decodes the WAV file at path.
func Open(path string, opts ...Option) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wav: open %s: %w", path, err)
	}
	defer f.Close()
	r, err := Decode(f, opts...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Decode reads a whole WAV stream from r.
func Decode(r io.ReadSeeker, opts ...Option) (*Reader, error) {
	format, data, err := parse(r)
	if err != nil {
		return nil, err
	}
	rd := &Reader{Clip: audio.NewClip(format.Rate, toMono(format, data)), format: format}
	for _, o := range opts {
		o(rd)
	}
	return rd, nil
}

func parse(r io.ReadSeeker) (Format, []byte, error) {
	var f Format
	var hdr [12]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return f, nil, fmt.Errorf("%w: %d-byte RIFF header unreadable: %v", ErrNotWAV, len(hdr), err)
	}
	if string(hdr[0:4]) != "RIFF" || string(hdr[8:12]) != "WAVE" {
		if string(hdr[0:4]) == "RIFX" || string(hdr[0:4]) == "RF64" {
			return f, nil, fmt.Errorf("%w: %q container", ErrHeader, hdr[0:4])
		}
		return f, nil, fmt.Errorf("%w: starts with %q", ErrNotWAV, hdr[0:4])
	}
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if !haveFmt {
				return f, nil, fmt.Errorf("%w: no fmt chunk", ErrHeader)
			}
			return f, nil, fmt.Errorf("%w: no data chunk", ErrHeader)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		switch id {
		case "fmt ":
			if haveFmt {
				return f, nil, fmt.Errorf("%w: two fmt chunks", ErrHeader)
			}
			if size < 16 || size > 1024 {
				return f, nil, fmt.Errorf("%w: fmt chunk of %d bytes", ErrHeader, size)
			}
			buf := make([]byte, size+size&1)
			if _, err := io.ReadFull(r, buf); err != nil {
				return f, nil, fmt.Errorf("%w: truncated fmt chunk", ErrHeader)
			}
			var err error
			if f, err = parseFmt(buf[:size]); err != nil {
				return f, nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return f, nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrHeader)
			}
			if size > MaxDataBytes && size != 0xFFFFFFFF {
				return f, nil, fmt.Errorf("%w: data chunk of %d bytes (limit %d)", ErrTooLarge, size, MaxDataBytes)
			}
			// Streaming writers leave the size at 0 or 0xFFFFFFFF; take
			// what is there, up to the limit.
			limit := size
			if size == 0 || size == 0xFFFFFFFF {
				limit = MaxDataBytes + 1
			}
			var b bytes.Buffer
			n, err := io.Copy(&b, io.LimitReader(r, limit))
			if err != nil {
				return f, nil, fmt.Errorf("%w: reading data: %v", ErrHeader, err)
			}
			if n > MaxDataBytes {
				return f, nil, fmt.Errorf("%w: more than %d bytes of data", ErrTooLarge, MaxDataBytes)
			}
			// A truncated file keeps the whole sample blocks that arrived.
			block := int64(f.Channels * f.Bits / 8)
			data := b.Bytes()
			return f, data[:int64(len(data))/block*block], nil
		default:
			if _, err := r.Seek(size+size&1, io.SeekCurrent); err != nil {
				return f, nil, fmt.Errorf("%w: skipping %q chunk: %v", ErrHeader, id, err)
			}
		}
	}
}

func parseFmt(b []byte) (Format, error) {
	le := binary.LittleEndian
	tag := le.Uint16(b[0:2])
	f := Format{
		Channels: int(le.Uint16(b[2:4])),
		Rate:     int(le.Uint32(b[4:8])),
		Bits:     int(le.Uint16(b[14:16])),
	}
	byteRate := int64(le.Uint32(b[8:12]))
	blockAlign := int(le.Uint16(b[12:14]))
	if tag == formatExtensible {
		if len(b) < 40 {
			return f, fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes (need 40)", ErrHeader, len(b))
		}
		sub := le.Uint16(b[24:26])
		if !bytes.Equal(b[26:40], pcmSubFormatTail) {
			return f, fmt.Errorf("%w: extensible sub-format is not a standard GUID", ErrCompressed)
		}
		tag = sub
	}
	switch tag {
	case formatPCM:
	case formatFloat:
		return f, fmt.Errorf("%w (%d-bit IEEE float)", ErrFloat, f.Bits)
	default:
		return f, fmt.Errorf("%w (format tag 0x%04X%s)", ErrCompressed, tag, formatName(tag))
	}
	if f.Channels < 1 || f.Channels > 2 {
		return f, fmt.Errorf("%w: %d channels (need 1 or 2)", ErrChannels, f.Channels)
	}
	if f.Bits != 8 && f.Bits != 16 {
		return f, fmt.Errorf("%w: %d bits (need 8 or 16)", ErrBits, f.Bits)
	}
	if err := audio.CheckRate(f.Rate); err != nil {
		return f, fmt.Errorf("%w: %d Hz (need a positive multiple of 50 Hz)", ErrRate, f.Rate)
	}
	if want := f.Channels * f.Bits / 8; blockAlign != want {
		return f, fmt.Errorf("%w: block align %d, want %d for %d×%d-bit", ErrHeader, blockAlign, want, f.Channels, f.Bits)
	}
	if want := int64(f.Rate) * int64(blockAlign); byteRate != want {
		return f, fmt.Errorf("%w: byte rate %d, want %d", ErrHeader, byteRate, want)
	}
	return f, nil
}

func formatName(tag uint16) string {
	switch tag {
	case 0x0002:
		return ", MS ADPCM"
	case 0x0006:
		return ", A-law"
	case 0x0007:
		return ", µ-law"
	case 0x0011:
		return ", IMA ADPCM"
	case 0x0031:
		return ", GSM 6.10"
	case 0x0055:
		return ", MPEG Layer III"
	}
	return ""
}

func toMono(f Format, data []byte) []int16 {
	block := f.Channels * f.Bits / 8
	n := len(data) / block
	out := make([]int16, n)
	sample := func(b []byte) int32 {
		if f.Bits == 8 {
			return (int32(b[0]) - 128) << 8
		}
		return int32(int16(binary.LittleEndian.Uint16(b)))
	}
	bps := f.Bits / 8
	for i := range out {
		b := data[i*block:]
		v := sample(b)
		if f.Channels == 2 {
			v = (v + sample(b[bps:])) >> 1
		}
		out[i] = int16(v)
	}
	return out
}

// Format returns the encoding of the file as stored.
func (r *Reader) Format() Format { return r.format }

package file

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/mp3"
	"github.com/pitchline/pitchline/audio/resample"
	"github.com/pitchline/pitchline/audio/wav"
)

// Kind is the container format of an audio file.
type Kind string

// Formats recognised by Sniff.
const (
	KindWAV     Kind = "wav"
	KindMP3     Kind = "mp3"
	KindUnknown Kind = "unknown"
)

// String returns the format name.
func (k Kind) String() string { return string(k) }

// Option configures OpenSource.
type Option func(*config)

type config struct {
	loop bool
}

// WithLoop makes the source repeat forever instead of ending with io.EOF.
func WithLoop() Option { return func(c *config) { c.loop = true } }

// Sniff tells the format of a file from its first bytes. reason describes
// unknown content for error messages.
func Sniff(head []byte) (kind Kind, reason string) {
	switch {
	case len(head) >= 12 && string(head[0:4]) == "RIFF" && string(head[8:12]) == "WAVE":
		return KindWAV, ""
	case bytes.HasPrefix(head, []byte("ID3")):
		return KindMP3, ""
	case len(head) >= 2 && head[0] == 0xFF && head[1]&0xE0 == 0xE0:
		return KindMP3, ""
	case len(head) == 0:
		return KindUnknown, "empty file"
	case bytes.HasPrefix(head, []byte("OggS")):
		return KindUnknown, "Ogg container (Vorbis/Opus files are not supported)"
	case bytes.HasPrefix(head, []byte("fLaC")):
		return KindUnknown, "FLAC (not supported)"
	case bytes.HasPrefix(head, []byte("RIFF")):
		return KindUnknown, "RIFF file that is not WAVE"
	case len(head) >= 8 && string(head[4:8]) == "ftyp":
		return KindUnknown, "MP4/M4A container (not supported)"
	case bytes.HasPrefix(head, []byte("FORM")):
		return KindUnknown, "AIFF (not supported)"
	}
	n := min(len(head), 8)
	return KindUnknown, fmt.Sprintf("content starts with %q: neither WAV nor MP3", head[:n])
}

// OpenSource opens the WAV or MP3 file at path and returns it as a Source
// at rate, mono. Without WithLoop the source ends with io.EOF (its last
// frame zero-padded).
func OpenSource(path string, rate int, opts ...Option) (audio.Source, error) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	if err := audio.CheckRate(rate); err != nil {
		return nil, fmt.Errorf("file: %s: %w: %v", path, ErrRate, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("file: open %s: %w", path, err)
	}
	var head [12]byte
	n, err := io.ReadFull(f, head[:])
	f.Close()
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("file: read %s: %w", path, err)
	}
	kind, reason := Sniff(head[:n])
	var src audio.Source
	switch kind {
	case KindWAV:
		var wo []wav.Option
		if cfg.loop {
			wo = append(wo, wav.WithLoop())
		}
		r, err := wav.Open(path, wo...)
		if err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
		src = r
	case KindMP3:
		var mo []mp3.Option
		if cfg.loop {
			mo = append(mo, mp3.WithLoop())
		}
		r, err := mp3.Open(path, mo...)
		if err != nil {
			return nil, fmt.Errorf("file: %w", err)
		}
		src = r
	default:
		return nil, fmt.Errorf("file: %s: %w: %s", path, ErrUnsupportedFormat, reason)
	}
	out, err := resample.NewSource(src, rate)
	if err != nil {
		return nil, fmt.Errorf("file: %s: %w", path, err)
	}
	return out, nil
}

package mp3

import (
	"bytes"
	"fmt"
	"time"
)

// Version is the MPEG audio version of a stream.
type Version string

// MPEG audio versions.
const (
	MPEG1  Version = "MPEG-1"
	MPEG2  Version = "MPEG-2"
	MPEG25 Version = "MPEG-2.5"
)

// String returns the version name.
func (v Version) String() string { return string(v) }

// header is one decoded 4-byte MPEG audio frame header.
type header struct {
	version  Version
	layer    int // 1, 2 or 3
	bitrate  int // kbit/s, 0 = free format
	rate     int // Hz
	padding  int
	channels int
}

var (
	// Bit rates in kbit/s by [version is MPEG-1][layer-1][index].
	bitratesV1 = [3][16]int{
		{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, -1},
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, -1},
		{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1},
	}
	bitratesV2 = [3][16]int{
		{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256, -1},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1},
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1},
	}
	rates = map[Version][3]int{
		MPEG1:  {44100, 48000, 32000},
		MPEG2:  {22050, 24000, 16000},
		MPEG25: {11025, 12000, 8000},
	}
)

// parseHeader decodes the frame header at the start of b. ok is false for
// anything that is not a syntactically valid header (free format is valid).
func parseHeader(b []byte) (h header, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return h, false
	}
	switch (b[1] >> 3) & 3 {
	case 0:
		h.version = MPEG25
	case 2:
		h.version = MPEG2
	case 3:
		h.version = MPEG1
	default:
		return h, false // reserved
	}
	h.layer = 4 - int((b[1]>>1)&3)
	if h.layer == 4 {
		return h, false // reserved
	}
	bi := b[2] >> 4
	ri := (b[2] >> 2) & 3
	if bi == 15 || ri == 3 {
		return h, false
	}
	if h.version == MPEG1 {
		h.bitrate = bitratesV1[h.layer-1][bi]
	} else {
		h.bitrate = bitratesV2[h.layer-1][bi]
	}
	h.rate = rates[h.version][ri]
	h.padding = int((b[2] >> 1) & 1)
	h.channels = 2
	if b[3]>>6 == 3 {
		h.channels = 1
	}
	return h, true
}

// size returns the frame length in bytes including the header, 0 for free
// format.
func (h header) size() int {
	if h.bitrate == 0 {
		return 0
	}
	switch {
	case h.layer == 1:
		return (12*h.bitrate*1000/h.rate + h.padding) * 4
	case h.layer == 3 && h.version != MPEG1:
		return 72*h.bitrate*1000/h.rate + h.padding
	default:
		return 144*h.bitrate*1000/h.rate + h.padding
	}
}

// samples returns the number of samples per channel in one frame.
func (h header) samples() int {
	switch {
	case h.layer == 1:
		return 384
	case h.layer == 3 && h.version != MPEG1:
		return 576
	}
	return 1152
}

func (h header) sameStream(o header) bool {
	return h.version == o.version && h.layer == o.layer && h.rate == o.rate
}

// Info describes a validated MPEG audio stream.
type Info struct {
	Version    Version
	Layer      int
	SampleRate int
	Channels   int
	// Frames is the number of audio frames found.
	Frames int
	// Bitrate is the average bit rate in kbit/s over the audio frames
	// (the first frame is left out when it carries a Xing/Info/VBRI tag).
	Bitrate int
	// Offset is the byte offset of the first frame (after any ID3v2 tag).
	Offset int
	// Duration is the playing time implied by the frame count.
	Duration time.Duration
}

// id3v2Size returns the total size of an ID3v2 tag at the start of b, or 0.
func id3v2Size(b []byte) int {
	if len(b) < 10 || string(b[:3]) != "ID3" || b[3] == 0xFF || b[4] == 0xFF {
		return 0
	}
	for _, c := range b[6:10] {
		if c&0x80 != 0 {
			return 0
		}
	}
	n := int(b[6])<<21 | int(b[7])<<14 | int(b[8])<<7 | int(b[9])
	n += 10
	if b[5]&0x10 != 0 { // footer present
		n += 10
	}
	return n
}

func isTrailerTag(b []byte) bool {
	return bytes.HasPrefix(b, []byte("TAG")) || bytes.HasPrefix(b, []byte("APETAGEX")) ||
		bytes.HasPrefix(b, []byte("LYRICSBEGIN")) || bytes.HasPrefix(b, []byte("ID3"))
}

// confirmed reports whether a frame with header h at pos is followed by
// another frame of the same stream, or by the end of data or a trailing tag.
func confirmed(data []byte, pos int, h header) bool {
	n := h.size()
	if n < 4 {
		return false
	}
	next := pos + n
	if next > len(data) {
		return false
	}
	if next == len(data) || isTrailerTag(data[next:]) {
		return true
	}
	nh, ok := parseHeader(data[next:])
	return ok && nh.bitrate != 0 && nh.sameStream(h)
}

// Scan validates the MPEG audio frames in data and describes the stream.
// It returns ErrNoFrames, ErrFreeFormat, ErrMPEG25, ErrLayer or
// ErrLowBitrate (wrapped, with details) for streams this package rejects.
func Scan(data []byte) (Info, error) {
	var info Info
	pos := 0
	for tag := id3v2Size(data[pos:]); tag > 0; tag = id3v2Size(data[pos:]) {
		if pos+tag > len(data) {
			return info, fmt.Errorf("%w: ID3v2 tag of %d bytes runs past the end of the file", ErrNoFrames, tag)
		}
		pos += tag
	}
	info.Offset = -1
	var first header
	sawFree := false
	var totalBits, counted int64
	for pos+4 <= len(data) {
		h, ok := parseHeader(data[pos:])
		if ok && h.bitrate == 0 {
			sawFree = true
		}
		if !ok || h.bitrate == 0 || (info.Offset >= 0 && !h.sameStream(first)) || !confirmed(data, pos, h) {
			if info.Offset >= 0 && isTrailerTag(data[pos:]) {
				break
			}
			pos++
			continue
		}
		if info.Offset < 0 {
			info.Offset, first = pos, h
		}
		info.Frames++
		if info.Frames > 1 || !hasVBRTag(data[pos:pos+h.size()], h) {
			totalBits += int64(h.bitrate)
			counted++
		}
		if h.channels == 2 {
			info.Channels = 2
		}
		pos += h.size()
	}
	if info.Frames == 0 {
		if sawFree {
			return info, fmt.Errorf("%w (no frame with a fixed bit rate found)", ErrFreeFormat)
		}
		return info, fmt.Errorf("%w (%d bytes scanned)", ErrNoFrames, len(data))
	}
	info.Version, info.Layer, info.SampleRate = first.version, first.layer, first.rate
	if info.Channels == 0 {
		info.Channels = 1
	}
	if counted > 0 {
		info.Bitrate = int(totalBits / counted)
	} else {
		info.Bitrate = first.bitrate
	}
	info.Duration = time.Duration(info.Frames) * time.Duration(first.samples()) * time.Second / time.Duration(first.rate)
	desc := fmt.Sprintf("%s Layer %s, %d Hz, %d kbit/s", info.Version, roman(info.Layer), info.SampleRate, info.Bitrate)
	switch {
	case info.Layer != 3:
		return info, fmt.Errorf("%w (%s)", ErrLayer, desc)
	case info.Version == MPEG25:
		return info, fmt.Errorf("%w (%s): the decoder cannot handle it; re-encode at 16 kHz or more", ErrMPEG25, desc)
	case info.Version == MPEG2 && info.SampleRate == 22050 && info.Bitrate <= 32:
		return info, fmt.Errorf("%w (%s): the decoder garbles it; re-encode at 48 kbit/s or more", ErrLowBitrate, desc)
	}
	return info, nil
}

// hasVBRTag reports whether frame carries a Xing, Info or VBRI header.
func hasVBRTag(frame []byte, h header) bool {
	// The tag sits after the side information: 17/32 bytes (MPEG-1
	// mono/stereo) or 9/17 bytes (MPEG-2), plus the 4-byte header; VBRI
	// is always at offset 36.
	side := 32
	switch {
	case h.version == MPEG1 && h.channels == 1:
		side = 17
	case h.version != MPEG1 && h.channels == 2:
		side = 17
	case h.version != MPEG1:
		side = 9
	}
	at := func(off int, s string) bool { return off+4 <= len(frame) && string(frame[off:off+4]) == s }
	return at(4+side, "Xing") || at(4+side, "Info") || at(36, "VBRI")
}

func roman(l int) string {
	switch l {
	case 1:
		return "I"
	case 2:
		return "II"
	}
	return "III"
}

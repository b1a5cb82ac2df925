package testlab

import (
	"encoding/binary"
	"errors"
	"path/filepath"
	"testing"

	"github.com/pitchline/pitchline/audio/dsp"
)

func TestToneWAVRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tone.wav")
	if err := WriteToneWAV(path, 1000, 2); err != nil {
		t.Fatal(err)
	}
	rate, s, err := ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if rate != 8000 || len(s) != 16000 {
		t.Fatalf("rate %d, %d samples; want 8000, 16000", rate, len(s))
	}
	if f, _ := dsp.DominantFrequency(s, rate, 100, 3500, 10); f != 1000 {
		t.Fatalf("dominant frequency %v Hz, want 1000", f)
	}
	if db := dsp.DBFS(dsp.Peak(s)); db < -6.1 || db > -5.9 {
		t.Fatalf("peak %.2f dBFS, want about -6", db)
	}
}

func TestParseWAVStreamingAndStereo(t *testing.T) {
	b := EncodeWAV(8000, []int16{1, -2, 3, -4})
	binary.LittleEndian.PutUint32(b[40:], 0) // header not finalised yet
	_, s, err := ParseWAV(b)
	if err != nil || len(s) != 4 || s[3] != -4 {
		t.Fatalf("size-0 data chunk: %v %v", s, err)
	}
	binary.LittleEndian.PutUint16(b[22:], 2) // declare stereo: first channel only
	_, s, err = ParseWAV(b)
	if err != nil || len(s) != 2 || s[0] != 1 || s[1] != 3 {
		t.Fatalf("stereo: %v %v", s, err)
	}
}

func TestParseWAVRejects(t *testing.T) {
	good := EncodeWAV(8000, []int16{1, 2})
	bad8 := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(bad8[34:], 8)
	alaw := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(alaw[20:], 6)
	for name, b := range map[string][]byte{
		"empty":    nil,
		"notriff":  []byte("RIFX0000WAVEfmt "),
		"8bit":     bad8,
		"alaw":     alaw,
		"nodata":   good[:36],
		"shortfmt": good[:30],
	} {
		if _, _, err := ParseWAV(b); !errors.Is(err, ErrBadWAV) {
			t.Errorf("%s: err %v, want ErrBadWAV", name, err)
		}
	}
}

func FuzzParseWAV(f *testing.F) {
	f.Add(EncodeWAV(8000, []int16{0, 100, -100}))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Add([]byte("RIFF\x24\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x02\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rate, s, err := ParseWAV(b)
		if err == nil && (rate <= 0 || 2*len(s) > len(b)) {
			t.Fatalf("rate %d with %d samples from %d bytes", rate, len(s), len(b))
		}
	})
}

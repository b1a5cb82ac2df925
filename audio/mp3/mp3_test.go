package mp3

import (
	"errors"
	"github.com/pitchline/pitchline/audio"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testenv"
)

// snrFit returns the SNR in dB of x against the best-fitting sine of freq.
func snrFit(x []int16, rate int, freq float64) float64 {
	var ss, sc, cc, xs, xc float64
	w := 2 * math.Pi * freq / float64(rate)
	for i, v := range x {
		s, c := math.Sincos(w * float64(i))
		f := float64(v) / 32767
		ss, cc, sc, xs, xc = ss+s*s, cc+c*c, sc+s*c, xs+f*s, xc+f*c
	}
	det := ss*cc - sc*sc
	a, b := (xs*cc-xc*sc)/det, (xc*ss-xs*sc)/det
	var sig, noise float64
	for i, v := range x {
		s, c := math.Sincos(w * float64(i))
		ideal := a*s + b*c
		e := float64(v)/32767 - ideal
		sig, noise = sig+ideal*ideal, noise+e*e
	}
	return 10 * math.Log10(sig/noise)
}

// makeWAV writes a mono 16-bit WAV of a sine with the wav package.
func makeWAV(t *testing.T, dir string, rate int, freq float64, seconds float64) string {
	t.Helper()
	p := filepath.Join(dir, "in.wav")
	w, err := wav.Create(p, rate)
	if err != nil {
		t.Fatal(err)
	}
	n := int(seconds * float64(rate))
	buf := make([]int16, n)
	for i := range buf {
		buf[i] = int16(0.5 * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	if err := w.WriteFrame(buf); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// lame encodes in with the given options into dir/name.
func lame(t *testing.T, in, name string, args ...string) string {
	t.Helper()
	testenv.RequireTool(t, "lame", "apt-get install lame; it generates the MP3 test files")
	out := filepath.Join(filepath.Dir(in), name)
	cmd := exec.Command("lame", append(append([]string{"--quiet"}, args...), in, out)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("lame %v: %v %s", args, err, b)
	}
	return out
}

func TestDecode44k128(t *testing.T) {
	dir := t.TempDir()
	p := lame(t, makeWAV(t, dir, 44100, 1000, 2), "a.mp3", "-b", "128")
	r, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	info := r.Info()
	if r.Rate() != 44100 || info.Version != MPEG1 || info.Layer != 3 || info.Bitrate != 128 || info.Channels != 1 {
		t.Fatalf("info %+v", info)
	}
	if d := r.Duration().Seconds(); d < 1.95 || d > 2.2 {
		t.Errorf("duration %v", r.Duration())
	}
	s := r.Samples()
	mid := s[len(s)/4 : len(s)*3/4]
	f, _ := dsp.DominantFrequency(mid, 44100, 200, 5000, 5)
	snr := snrFit(mid, 44100, 1000)
	t.Logf("44.1 kHz 128 kbit/s: dominant %v Hz, SNR %.1f dB", f, snr)
	if f != 1000 || snr < 40 {
		t.Errorf("decoded tone %v Hz, SNR %.1f dB", f, snr)
	}
	// ReadFrame streams the same samples and ends with io.EOF.
	frame := make([]int16, 882)
	total := 0
	for {
		err := r.ReadFrame(frame)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		total += len(frame)
	}
	if total < len(s) || total >= len(s)+882 {
		t.Errorf("streamed %d samples for %d decoded", total, len(s))
	}
}

func TestRejectMPEG25(t *testing.T) {
	dir := t.TempDir()
	p := lame(t, makeWAV(t, dir, 8000, 1000, 1), "low.mp3", "-b", "16")
	_, err := Open(p)
	if !errors.Is(err, ErrMPEG25) || !strings.Contains(err.Error(), p) {
		t.Fatalf("8 kHz file: %v, want ErrMPEG25 naming the file", err)
	}
}

func TestLowBitrate22k(t *testing.T) {
	dir := t.TempDir()
	in := makeWAV(t, dir, 22050, 1000, 2)
	bad := lame(t, in, "b32.mp3", "-b", "32", "--resample", "22.05")
	_, err := Open(bad)
	if !errors.Is(err, ErrLowBitrate) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("22.05 kHz 32 kbit/s: %v, want ErrLowBitrate", err)
	}
	// The rule is still needed: decoding it anyway gives noise.
	data, _ := os.ReadFile(bad)
	info, _ := Scan(data)
	pcm, derr := decodePCM(data[info.Offset:])
	if derr == nil {
		s := downmix(pcm)
		snr := snrFit(s[len(s)/4:len(s)*3/4], 22050, 1000)
		t.Logf("go-mp3 on 22.05 kHz 32 kbit/s (bypassing validation): SNR %.1f dB", snr)
		if snr > 40 {
			t.Errorf("go-mp3 now decodes 22.05 kHz 32 kbit/s cleanly (SNR %.1f dB): ErrLowBitrate can be relaxed", snr)
		}
	}

	good := lame(t, in, "b64.mp3", "-b", "64", "--resample", "22.05")
	r, err := Open(good)
	if err != nil {
		t.Fatalf("22.05 kHz 64 kbit/s: %v", err)
	}
	s := r.Samples()
	snr := snrFit(s[len(s)/4:len(s)*3/4], 22050, 1000)
	t.Logf("22.05 kHz 64 kbit/s: %+v, SNR %.1f dB", r.Info(), snr)
	if r.Rate() != 22050 || r.Info().Version != MPEG2 || snr < 40 {
		t.Errorf("22.05 kHz 64 kbit/s: rate %d, SNR %.1f", r.Rate(), snr)
	}
}

func TestID3AndStereoAndLoop(t *testing.T) {
	testenv.RequireTool(t, "sox", "apt-get install sox; it makes the stereo source file")
	dir := t.TempDir()
	in := filepath.Join(dir, "st.wav")
	// Left 500 Hz, right 1500 Hz.
	if b, err := exec.Command("sox", "-n", "-r", "48000", "-c", "2", "-b", "16", in, "synth", "1", "sine", "500", "sine", "1500", "vol", "0.5").CombinedOutput(); err != nil {
		t.Fatalf("sox: %v %s", err, b)
	}
	p := lame(t, in, "st.mp3", "-b", "192", "-m", "s", "--id3v2-only", "--tt", strings.Repeat("Pitchline ", 30))
	data, _ := os.ReadFile(p)
	if string(data[:3]) != "ID3" {
		t.Fatal("lame wrote no ID3v2 tag")
	}
	r, err := Decode(data, WithLoop())
	if err != nil {
		t.Fatal(err)
	}
	if r.Info().Offset < 300 || r.Info().Channels != 2 || r.Rate() != 48000 {
		t.Fatalf("info %+v", r.Info())
	}
	s := r.Samples()[10000:40000]
	if dsp.Goertzel(s, 48000, 500) < 0.01 || dsp.Goertzel(s, 48000, 1500) < 0.01 {
		t.Errorf("downmix lost a channel: 500 Hz %.3g, 1500 Hz %.3g", dsp.Goertzel(s, 48000, 500), dsp.Goertzel(s, 48000, 1500))
	}
	frame := make([]int16, 960)
	n := len(r.Samples())/960 + 5
	for i := 0; i < n; i++ {
		if err := r.ReadFrame(frame); err != nil {
			t.Fatalf("looping read %d: %v", i, err)
		}
	}
}

// frames builds count chained frames with header bytes h (payload zero).
func frames(h [4]byte, count int) []byte {
	hd, ok := parseHeader(h[:])
	if !ok {
		panic("bad test header")
	}
	size := hd.size()
	if size == 0 {
		size = 200
	}
	var out []byte
	for i := 0; i < count; i++ {
		f := make([]byte, size)
		copy(f, h[:])
		out = append(out, f...)
	}
	return out
}

func TestScanRejects(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"layer II", frames([4]byte{0xFF, 0xFD, 0x94, 0xC0}, 10), ErrLayer},
		{"layer I", frames([4]byte{0xFF, 0xFF, 0x94, 0xC0}, 10), ErrLayer},
		{"free format", frames([4]byte{0xFF, 0xFB, 0x00, 0xC0}, 10), ErrFreeFormat},
		{"text", []byte(strings.Repeat("not an mp3 file ", 100)), ErrNoFrames},
		{"empty", nil, ErrNoFrames},
		{"id3 only", []byte("ID3\x04\x00\x00\x00\x00\x00\x05hello"), ErrNoFrames},
		{"id3 too long", []byte("ID3\x04\x00\x00\x00\x00\x7f\x7fhello"), ErrNoFrames},
		{"lone header", []byte{0xFF, 0xFB, 0x90, 0xC0, 1, 2, 3}, ErrNoFrames},
	}
	for _, c := range cases {
		_, err := Scan(c.data)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if _, err := Decode(c.data); !errors.Is(err, c.want) {
			t.Errorf("Decode %s: %v", c.name, err)
		}
	}
	// MPEG-1 Layer III 128 kbit/s 44.1 kHz frames after junk are found.
	good := append([]byte("junk!"), frames([4]byte{0xFF, 0xFB, 0x90, 0xC0}, 5)...)
	info, err := Scan(good)
	if err != nil || info.Frames != 5 || info.Offset != 5 || info.Bitrate != 128 {
		t.Errorf("scan after junk: %+v %v", info, err)
	}
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "nope.mp3")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func FuzzScan(f *testing.F) {
	f.Add(frames([4]byte{0xFF, 0xFB, 0x90, 0xC0}, 3))
	f.Add(frames([4]byte{0xFF, 0xF3, 0x40, 0xC4}, 3)) // MPEG-2 22.05 kHz 32 kbit/s
	f.Add(frames([4]byte{0xFF, 0xE3, 0x18, 0xC4}, 3)) // MPEG-2.5
	f.Add(append([]byte("ID3\x03\x00\x00\x00\x00\x00\x02ab"), frames([4]byte{0xFF, 0xFB, 0x90, 0xC0}, 2)...))
	f.Add([]byte("TAG"))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Scan(data)
		if err != nil {
			return
		}
		if info.Offset < 0 || info.Offset >= len(data) || info.Frames == 0 || info.Layer != 3 || info.Version == MPEG25 {
			t.Fatalf("accepted %+v", info)
		}
	})
}

func BenchmarkReadFrame(b *testing.B) {
	r := &Reader{Clip: audio.NewClip(48000, make([]int16, 48000)), info: Info{SampleRate: 48000}}
	r.SetLoop(true)
	buf := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.ReadFrame(buf)
	}
}

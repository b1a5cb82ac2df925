package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testenv"
)

func sine(freq, amp float64, rate, n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = int16(math.Round(amp * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return out
}

// build makes a WAV image with the given fmt fields and raw data.
func build(tag, channels uint16, rate uint32, bits uint16, data []byte, extra ...[]byte) []byte {
	var b bytes.Buffer
	le := binary.LittleEndian
	block := channels * bits / 8
	fmtChunk := make([]byte, 16)
	le.PutUint16(fmtChunk[0:], tag)
	le.PutUint16(fmtChunk[2:], channels)
	le.PutUint32(fmtChunk[4:], rate)
	le.PutUint32(fmtChunk[8:], rate*uint32(block))
	le.PutUint16(fmtChunk[12:], block)
	le.PutUint16(fmtChunk[14:], bits)
	for _, e := range extra {
		fmtChunk = append(fmtChunk, e...)
	}
	b.WriteString("RIFF")
	binary.Write(&b, le, uint32(4+8+len(fmtChunk)+8+len(data)))
	b.WriteString("WAVE")
	b.WriteString("LIST")
	binary.Write(&b, le, uint32(3))
	b.Write([]byte{1, 2, 3, 0}) // odd-sized chunk with pad byte
	b.WriteString("fmt ")
	binary.Write(&b, le, uint32(len(fmtChunk)))
	b.Write(fmtChunk)
	b.WriteString("data")
	binary.Write(&b, le, uint32(len(data)))
	b.Write(data)
	return b.Bytes()
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tone.wav")
	w, err := Create(path, 16000)
	if err != nil {
		t.Fatal(err)
	}
	src := sine(1000, 0.5, 16000, 16000+100) // 1 s + 100 samples
	for i := 0; i < len(src); i += 320 {
		end := min(i+320, len(src))
		if err := w.WriteFrame(src[i:end]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFrame(src[:320]); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if st, _ := os.Stat(path); st.Size() != 44+2*int64(len(src)) {
		t.Fatalf("file size %d", st.Size())
	}
	r, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rate() != 16000 || r.Format() != (Format{16000, 1, 16}) || len(r.Samples()) != len(src) {
		t.Fatalf("format %+v, %d samples", r.Format(), len(r.Samples()))
	}
	frame := make([]int16, 320)
	var got []int16
	for {
		err := r.ReadFrame(frame)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, frame...)
	}
	if len(got) != 51*320 {
		t.Fatalf("read %d samples, want %d (51 frames)", len(got), 51*320)
	}
	for i := range src {
		if got[i] != src[i] {
			t.Fatalf("sample %d: %d != %d", i, got[i], src[i])
		}
	}
	if dsp.Peak(got[len(src):]) != 0 {
		t.Error("last partial frame not zero-padded")
	}
	// Validate the header we wrote with sox, an independent reader.
	t.Run("soxi", func(t *testing.T) {
		testenv.RequireTool(t, "soxi", "apt-get install sox; it reads the header back")
		out, err := exec.Command("soxi", "-s", path).Output()
		if err != nil || strings.TrimSpace(string(out)) != "16100" {
			t.Errorf("soxi -s: %q %v", out, err)
		}
	})
}

func TestLoop(t *testing.T) {
	data := make([]byte, 2*150)
	for i := 0; i < 150; i++ {
		binary.LittleEndian.PutUint16(data[2*i:], uint16(i))
	}
	r, err := Decode(bytes.NewReader(build(1, 1, 8000, 16, data)), WithLoop())
	if err != nil {
		t.Fatal(err)
	}
	frame := make([]int16, 160)
	for k := 0; k < 5; k++ {
		if err := r.ReadFrame(frame); err != nil {
			t.Fatal(err)
		}
		for i, v := range frame {
			if want := int16((k*160 + i) % 150); v != want {
				t.Fatalf("loop frame %d sample %d = %d want %d", k, i, v, want)
			}
		}
	}
}

func TestDownmixAnd8Bit(t *testing.T) {
	// Stereo 16-bit: L = 1000, R = -3000 → mono -1000.
	st := make([]byte, 4*160)
	for i := 0; i < 160; i++ {
		binary.LittleEndian.PutUint16(st[4*i:], uint16(1000))
		binary.LittleEndian.PutUint16(st[4*i+2:], uint16(0x10000-3000))
	}
	r, err := Decode(bytes.NewReader(build(1, 2, 8000, 16, st)))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Samples(); len(s) != 160 || s[0] != -1000 || s[159] != -1000 {
		t.Fatalf("stereo downmix: %d samples, %v", len(s), s[:2])
	}
	// 8-bit unsigned stereo: 255 and 128 → (32512+0)/2.
	b8 := bytes.Repeat([]byte{255, 128}, 160)
	r, err = Decode(bytes.NewReader(build(1, 2, 8000, 8, b8)))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Samples(); s[0] != 16256 {
		t.Fatalf("8-bit: %d", s[0])
	}
	// WAVE_FORMAT_EXTENSIBLE with the PCM sub-format is accepted.
	ext := make([]byte, 24)
	binary.LittleEndian.PutUint16(ext[0:], 22)
	binary.LittleEndian.PutUint16(ext[2:], 16)
	binary.LittleEndian.PutUint16(ext[8:], 1)
	copy(ext[10:], pcmSubFormatTail)
	if _, err := Decode(bytes.NewReader(build(0xFFFE, 1, 48000, 16, make([]byte, 100), ext))); err != nil {
		t.Fatalf("extensible PCM: %v", err)
	}
}

func TestRejects(t *testing.T) {
	pcm := make([]byte, 320)
	cases := []struct {
		name string
		data []byte
		want error
	}{
		{"float", build(3, 1, 8000, 32, pcm), ErrFloat},
		{"alaw", build(6, 1, 8000, 8, pcm), ErrCompressed},
		{"24bit", build(1, 1, 8000, 24, pcm), ErrBits},
		{"6ch", build(1, 6, 48000, 16, pcm), ErrChannels},
		{"11025", build(1, 1, 11025, 16, pcm), ErrRate},
		{"text", []byte("hello world, not audio at all"), ErrNotWAV},
		{"short", []byte("RIFF"), ErrNotWAV},
		{"nodata", build(1, 1, 8000, 16, pcm)[:12+12+24], ErrHeader},
	}
	for _, c := range cases {
		_, err := Decode(bytes.NewReader(c.data))
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	bad := build(1, 1, 8000, 16, pcm)
	binary.LittleEndian.PutUint16(bad[12+12+8+12:], 4) // block align
	if _, err := Decode(bytes.NewReader(bad)); !errors.Is(err, ErrHeader) {
		t.Errorf("bad block align: %v", err)
	}
	// Errors from Open name the file.
	dir := t.TempDir()
	p := filepath.Join(dir, "float.wav")
	os.WriteFile(p, build(3, 1, 8000, 32, pcm), 0o644)
	if _, err := Open(p); !errors.Is(err, ErrFloat) || !strings.Contains(err.Error(), p) {
		t.Errorf("Open float: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.wav")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: %v", err)
	}
}

// TestSoxFiles checks files written by sox, an independent encoder.
func TestSoxFiles(t *testing.T) {
	testenv.RequireTool(t, "sox", "apt-get install sox; it makes the reference files")
	dir := t.TempDir()
	cases := []struct {
		args []string
		want error
	}{
		{[]string{"-r", "22050", "-c", "2", "-b", "16", "-e", "signed-integer"}, nil},
		{[]string{"-r", "8000", "-c", "1", "-b", "8", "-e", "unsigned-integer"}, nil},
		{[]string{"-r", "8000", "-c", "1", "-e", "floating-point", "-b", "32"}, ErrFloat},
		{[]string{"-r", "8000", "-c", "1", "-e", "u-law"}, ErrCompressed},
		{[]string{"-r", "44100", "-c", "1", "-b", "24"}, ErrBits},
	}
	for i, c := range cases {
		p := filepath.Join(dir, "f"+string(rune('a'+i))+".wav")
		args := append([]string{"-n"}, c.args...)
		args = append(args, p, "synth", "0.5", "sine", "1000", "vol", "0.5")
		if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
			t.Fatalf("sox %v: %v %s", args, err, out)
		}
		r, err := Open(p)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%v: %v, want %v", c.args, err, c.want)
			continue
		}
		if err == nil {
			f, _ := dsp.DominantFrequency(r.Samples(), r.Rate(), 500, 1500, 10)
			if f != 1000 {
				t.Errorf("%v: dominant %v Hz", c.args, f)
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	pcm := make([]byte, 64)
	f.Add(build(1, 1, 8000, 16, pcm))
	f.Add(build(1, 2, 44100, 8, pcm))
	f.Add(build(3, 1, 8000, 32, pcm))
	f.Add(build(0xFFFE, 2, 48000, 16, pcm, make([]byte, 24)))
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		buf := make([]int16, 160)
		if r.Rate()%50 != 0 {
			t.Fatalf("accepted rate %d", r.Rate())
		}
		for i := 0; i < 4; i++ {
			if r.ReadFrame(buf) != nil {
				break
			}
		}
	})
}

func BenchmarkReadFrame(b *testing.B) {
	r, _ := Decode(bytes.NewReader(build(1, 1, 48000, 16, make([]byte, 96000))), WithLoop())
	buf := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		_ = r.ReadFrame(buf)
	}
}

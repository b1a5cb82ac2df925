package file

import (
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/mp3"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testenv"
)

func writeWAV(t *testing.T, path string, rate int, freq float64, seconds float64) {
	t.Helper()
	w, err := wav.Create(path, rate)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, int(seconds*float64(rate)))
	for i := range buf {
		buf[i] = int16(0.5 * 32767 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	if err := w.WriteFrame(buf); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, s audio.Source, max int) []int16 {
	t.Helper()
	frame := make([]int16, audio.FrameSamples(s.Rate()))
	var out []int16
	for i := 0; i < max; i++ {
		err := s.ReadFrame(frame)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, frame...)
	}
	return out
}

func TestWAVResampled(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "tone.mp3") // wrong extension on purpose
	writeWAV(t, p, 44100, 1000, 1)
	s, err := OpenSource(p, 8000)
	if err != nil {
		t.Fatal(err)
	}
	if s.Rate() != 8000 {
		t.Fatal(s.Rate())
	}
	pcm := readAll(t, s, 1000)
	if len(pcm) != 50*160 {
		t.Fatalf("%d samples, want 8000", len(pcm))
	}
	if f, _ := dsp.DominantFrequency(pcm[800:], 8000, 100, 3900, 10); f != 1000 {
		t.Errorf("dominant %v Hz", f)
	}
}

func TestMP3ByContent(t *testing.T) {
	testenv.RequireTool(t, "lame", "apt-get install lame; it generates the MP3")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.wav")
	writeWAV(t, in, 48000, 700, 1)
	p := filepath.Join(dir, "ring.wav") // an MP3 named .wav
	if b, err := exec.Command("lame", "--quiet", "-b", "96", in, p).CombinedOutput(); err != nil {
		t.Fatalf("lame: %v %s", err, b)
	}
	s, err := OpenSource(p, 16000, WithLoop())
	if err != nil {
		t.Fatal(err)
	}
	pcm := readAll(t, s, 200) // 4 s from a 1 s file: must loop
	if len(pcm) != 200*320 {
		t.Fatalf("looping source ended after %d samples", len(pcm))
	}
	if f, _ := dsp.DominantFrequency(pcm[16000:32000], 16000, 100, 7900, 10); f != 700 {
		t.Errorf("dominant %v Hz", f)
	}
	// MPEG-2.5 errors come through with the file name.
	in8 := filepath.Join(dir, "in8.wav")
	writeWAV(t, in8, 8000, 700, 1)
	p8 := filepath.Join(dir, "low.mp3")
	if b, err := exec.Command("lame", "--quiet", "-b", "16", in8, p8).CombinedOutput(); err != nil {
		t.Fatalf("lame: %v %s", err, b)
	}
	if _, err := OpenSource(p8, 8000); !errors.Is(err, mp3.ErrMPEG25) || !strings.Contains(err.Error(), p8) {
		t.Errorf("MPEG-2.5: %v", err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.wav")
	if _, err := OpenSource(missing, 8000); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing: %v", err)
	}
	for name, content := range map[string]string{
		"notes.txt": "just some text",
		"empty.wav": "",
		"song.ogg":  "OggS\x00\x02rest",
		"x.flac":    "fLaCxxxx",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		_, err := OpenSource(p, 8000)
		if !errors.Is(err, ErrUnsupportedFormat) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: %v", name, err)
		}
	}
	p := filepath.Join(dir, "ok.wav")
	writeWAV(t, p, 8000, 400, 0.1)
	if _, err := OpenSource(p, 11025); !errors.Is(err, ErrRate) {
		t.Errorf("bad rate: %v", err)
	}
	// A WAV with a damaged header names the file and the wav reason.
	bad := filepath.Join(dir, "bad.wav")
	os.WriteFile(bad, []byte("RIFF\x10\x00\x00\x00WAVEjunk"), 0o644)
	if _, err := OpenSource(bad, 8000); !errors.Is(err, wav.ErrHeader) || !strings.Contains(err.Error(), bad) {
		t.Errorf("bad wav: %v", err)
	}
}

func TestSniff(t *testing.T) {
	cases := map[string]Kind{
		"RIFF\x00\x00\x00\x00WAVE": KindWAV,
		"ID3\x04":                  KindMP3,
		"\xff\xfb\x90\xc0":         KindMP3,
		"RIFF\x00\x00\x00\x00AVI ": KindUnknown,
		"":                         KindUnknown,
	}
	for in, want := range cases {
		if got, _ := Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", in, got, want)
		}
	}
}

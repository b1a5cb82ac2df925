package devicetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testlab"
)

// writeToneWAV writes a d long WAV of a freq Hz tone at 16 kHz.
func writeToneWAV(t *testing.T, path string, freq float64, d time.Duration) {
	t.Helper()
	g, err := tone.NewGenerator(16000, []tone.Segment{{Duration: d, Freq: [2]float64{freq}, Amp: [2]float64{0.4}}}, d)
	if err != nil {
		t.Fatal(err)
	}
	w, err := wav.Create(path, 16000)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]int16, audio.FrameSamples(16000))
	for i := 0; i < int(d/audio.FrameDuration); i++ {
		if err := g.ReadFrame(buf); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteFrame(buf); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestPlayFileToSpeaker: a WAV file played with PlayToSpeaker is heard on
// the real speaker device (Goertzel at its tone); StopSpeaker silences it
// and ends the playback; a short file ends by itself; a new playback
// replaces the running one.
func TestPlayFileToSpeaker(t *testing.T) {
	pulse := testlab.StartPulse(t)
	p := micPhone(t, pulse)
	dir := t.TempDir()
	long, short := filepath.Join(dir, "long.wav"), filepath.Join(dir, "short.wav")
	writeToneWAV(t, long, 1000, 20*time.Second)
	writeToneWAV(t, short, 700, 400*time.Millisecond)
	open := func(path string) audio.Source {
		src, err := file.OpenSource(path, 48000)
		if err != nil {
			t.Fatal(err)
		}
		return src
	}

	done, err := p.PlayToSpeaker(open(long))
	if err != nil {
		t.Fatal(err)
	}
	heard, err := pulse.RecordSink(ctx(t, 10*time.Second), 1500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	tail := heard[len(heard)/3:] // past the device's start
	on, off := dsp.Goertzel(tail, testlab.PulseRate, 1000), dsp.Goertzel(tail, testlab.PulseRate, 1700)
	if on < 100*off || dsp.DBFS(dsp.RMS(tail)) < -40 {
		t.Errorf("speaker: 1 kHz power %.3g vs 1.7 kHz %.3g, level %.1f dBFS", on, off, dsp.DBFS(dsp.RMS(tail)))
	}
	select {
	case <-done:
		t.Fatal("a 20 s playback ended after 1.5 s")
	default:
	}
	p.StopSpeaker()
	select {
	case <-done:
	default:
		t.Fatal("StopSpeaker returned before the playback ended")
	}
	after, err := pulse.RecordSink(ctx(t, 10*time.Second), 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if lvl := dsp.DBFS(dsp.RMS(after)); lvl > -60 {
		t.Errorf("the speaker still plays %.1f dBFS after StopSpeaker", lvl)
	}

	// A new playback replaces the running one.
	first, err := p.PlayToSpeaker(open(long))
	if err != nil {
		t.Fatal(err)
	}
	second, err := p.PlayToSpeaker(open(short))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-first:
	default:
		t.Error("the first playback still runs after a second one started")
	}
	// The short one ends by itself.
	select {
	case <-second:
	case <-time.After(30 * time.Second):
		t.Fatal("a 0.4 s playback did not end within 30 s")
	}
	if _, err := p.PlayToSpeaker(nil); err == nil {
		t.Error("a nil source played")
	}
}

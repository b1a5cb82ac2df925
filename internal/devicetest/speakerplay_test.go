package devicetest

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/file"
	"github.com/pitchline/pitchline/internal/testlab"
)

// TestPlayFileToSpeaker: a WAV file played with PlayToSpeaker is heard on
// the real speaker device (Goertzel at its tone); StopSpeaker silences it
// and ends the playback; a short file ends by itself; a new playback
// replaces the running one.
func TestPlayFileToSpeaker(t *testing.T) {
	pulse := testlab.StartPulse(t)
	p := micPhone(t, pulse)
	dir := t.TempDir()
	long, short := filepath.Join(dir, "long.wav"), filepath.Join(dir, "short.wav")
	if err := testlab.WriteWAV(long, 16000, testlab.ToneSamples(1000, 16000, 16000*20, 0.4)); err != nil {
		t.Fatal(err)
	}
	if err := testlab.WriteWAV(short, 16000, testlab.ToneSamples(700, 16000, 16000*4/10, 0.4)); err != nil {
		t.Fatal(err)
	}
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

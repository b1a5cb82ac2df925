package devicetest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/device"
	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/wav"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// micPhone is a phone on pulse's real PortAudio devices that never talks
// SIP (recording needs only its audio).
func micPhone(t *testing.T, pulse *testlab.Pulse) *softphone.Phone {
	t.Helper()
	pulse.Setenv(t)
	b, err := device.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	cfg := softphone.Config{Account: softphone.AccountConfig{AOR: "sip:carol@127.0.0.1", Transport: "udp"}, Listen: "127.0.0.1:0"}
	p, err := softphone.NewPhone(cfg, softphone.WithAudio(b, "default", "default", "default"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// TestRecordMicrophoneToWAV: a tone played into the virtual microphone
// is in the WAV the recorder writes (Goertzel at the tone, not at another
// frequency), at the rate asked for; the maximum length ends a recording
// by itself; a second recording at once is refused; a file that cannot be
// created is an error, not a silent nothing.
func TestRecordMicrophoneToWAV(t *testing.T) {
	pulse := testlab.StartPulse(t)
	p := micPhone(t, pulse)
	tone, err := pulse.PlayTone(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer tone.Stop()

	dir := t.TempDir()
	path := filepath.Join(dir, "vm.wav")
	rec, err := p.RecordMicrophone(path, 16000, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.RecordMicrophone(filepath.Join(dir, "b.wav"), 16000, time.Second); !errors.Is(err, softphone.ErrRecording) {
		t.Errorf("second recording at once: %v, want ErrRecording", err)
	}
	select {
	case <-rec.Done():
	case <-time.After(30 * time.Second):
		t.Fatal("a 2 s recording did not end by itself within 30 s")
	}
	d, err := rec.Stop()
	if err != nil || d != 2*time.Second {
		t.Fatalf("Stop = %v, %v; want 2s at the limit", d, err)
	}
	r, err := wav.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if f := r.Format(); f.Rate != 16000 || f.Channels != 1 {
		t.Errorf("format %+v, want 16 kHz mono", f)
	}
	pcm := r.Samples()
	if len(pcm) != 32000 {
		t.Errorf("%d samples, want 32000", len(pcm))
	}
	// Skip the first half second (device start-up), look at the rest.
	tail := pcm[8000:]
	on, off := dsp.Goertzel(tail, 16000, 1000), dsp.Goertzel(tail, 16000, 1700)
	if on < 100*off || dsp.DBFS(dsp.RMS(tail)) < -30 {
		t.Errorf("recording: 1 kHz power %.3g vs 1.7 kHz %.3g, level %.1f dBFS", on, off, dsp.DBFS(dsp.RMS(tail)))
	}

	// Stop before the limit keeps what was recorded; the next may start.
	rec, err = p.RecordMicrophone(filepath.Join(dir, "short.wav"), 48000, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for rec.Elapsed() < 200*time.Millisecond {
		select {
		case <-rec.Done():
			t.Fatal("recording ended before Stop")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if d, err := rec.Stop(); err != nil || d < 200*time.Millisecond || d >= time.Minute {
		t.Errorf("Stop after 200 ms = %v, %v", d, err)
	}
	if _, err := p.RecordMicrophone(filepath.Join(dir, "no", "such", "dir.wav"), 16000, time.Second); err == nil {
		t.Error("recording into a missing directory started")
	}
}

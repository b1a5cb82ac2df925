package testlab

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
)

func TestPulseToneReachesMicMonitor(t *testing.T) {
	p := StartPulse(t)
	tone, err := p.PlayTone(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer tone.Stop()
	rec, err := p.record(context.Background(), PulseMicSink+".monitor", 600*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	seg := rec[len(rec)/2:]
	f, pow := dsp.DominantFrequency(seg, PulseRate, 200, 3000, 10)
	t.Logf("mic monitor: dominant %v Hz power %.3f rms %.3f", f, pow, dsp.RMS(seg))
	if f != 1000 || dsp.RMS(seg) < 0.2 {
		t.Fatalf("tone not found on %s.monitor: dominant %v Hz, rms %.3f", PulseMicSink, f, dsp.RMS(seg))
	}
	// The speaker sink carries nothing.
	quiet, err := p.RecordSink(context.Background(), 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if r := dsp.RMS(quiet); r > 0.01 {
		t.Fatalf("default sink not silent: rms %.3f", r)
	}
}

func TestPulseLoadUnloadNullSink(t *testing.T) {
	p := StartPulse(t)
	id, err := p.LoadNullSink("plugged")
	if err != nil {
		t.Fatal(err)
	}
	sinks, err := p.Sinks()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sinks, "plugged") || !slices.Contains(sinks, PulseSink) {
		t.Fatalf("sinks after load: %v", sinks)
	}
	if err := p.UnloadModule(id); err != nil {
		t.Fatal(err)
	}
	sinks, err = p.Sinks()
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(sinks, "plugged") {
		t.Fatalf("sink still present after unload: %v", sinks)
	}
	if _, err := p.LoadNullSink("bad name"); err == nil {
		t.Fatal("LoadNullSink accepted a name with a space")
	}
}

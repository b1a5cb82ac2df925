package devicetest

import (
	"context"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/audio/tone"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// TestRingtoneOnRingerDevice: an incoming call rings on the ringer device
// (the ringtone's notes are there) and not on the speaker.
func TestRingtoneOnRingerDevice(t *testing.T) {
	pulse := testlab.StartPulse(t)
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	p, ev := pulsePhone(t, k, pulse)
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
		t.Fatal(err)
	}
	in := ev.callState(t, 0, "", softphone.CallIncoming, 10*time.Second)

	// One ringtone cycle is 3.6 s; 4 s holds a whole phrase wherever it starts.
	rung, err := pulse.RecordSinkNamed(ctx(t, 10*time.Second), "ringer", 4*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	speaker, err := pulse.RecordSink(ctx(t, 5*time.Second), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	// The ringtone is an E-major arpeggio: E5 (659 Hz) ... E6 (1319 Hz).
	var peak float64
	for _, seg := range tone.RingtoneCadence() {
		if f := seg.Freq[0]; f > 0 {
			peak = max(peak, dsp.Goertzel(rung, testlab.PulseRate, f))
		}
	}
	off := dsp.Goertzel(rung, testlab.PulseRate, 400)
	if peak < 100*off || dsp.DBFS(dsp.RMS(rung)) < -50 {
		t.Errorf("ringer device: ringtone power %.3g vs off-note %.3g, level %.1f dBFS", peak, off, dsp.DBFS(dsp.RMS(rung)))
	}
	if lvl := dsp.DBFS(dsp.RMS(speaker)); lvl > -60 {
		t.Errorf("the speaker plays %.1f dBFS while ringing; the ringtone belongs on the ringer", lvl)
	}
	call, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Reject(true); err != nil {
		t.Fatal(err)
	}
}

// TestDTMFFeedbackTone: each key sent during a call plays its two DTMF
// frequencies on the local speaker.
func TestDTMFFeedbackTone(t *testing.T) {
	pulse := testlab.StartPulse(t)
	k := testlab.StartKamailio(t)
	testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	p, ev := pulsePhone(t, k, pulse)
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	m := ev.mark()
	call, err := p.Dial(ctx(t, 30*time.Second), "bob")
	if err != nil {
		t.Fatal(err)
	}
	ev.callState(t, m, call.ID(), softphone.CallConnected, 10*time.Second)

	before, err := pulse.RecordSink(ctx(t, 5*time.Second), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	rec := make(chan []int16, 1)
	go func() {
		s, _ := pulse.RecordSink(context.Background(), 2*time.Second)
		rec <- s
	}()
	// 20 keys: the feedback plays each in turn, 3.2 s in all, so the 2 s
	// recording overlaps it even when parec starts late on a busy machine
	// (before, each key's feedback replaced the last one's: only 120 ms of
	// tone sounded, and a late recording missed it).
	if err := call.SendDTMF("55555555555555555555"); err != nil {
		t.Fatal(err)
	}
	during := <-rec
	lo, hi, _ := tone.DTMFFrequencies('5') // 770 + 1336 Hz
	for _, f := range []float64{lo, hi} {
		a, b := dsp.Goertzel(before, testlab.PulseRate, f), dsp.Goertzel(during, testlab.PulseRate, f)
		// The speaker is silent before (about 1e-7 here): the keys' tones
		// must stand 10x above it. A busy machine's sound server loses part
		// of the 2 s recording (16x was seen where 100x was asked), while a
		// phone that plays no feedback stays near 1x.
		if b < 10*a || b == 0 {
			t.Errorf("%.0f Hz on the speaker: %.3g while sending keys, %.3g before", f, b, a)
		}
	}
}

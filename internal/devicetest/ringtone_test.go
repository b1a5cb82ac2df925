package devicetest

import (
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/dsp"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
)

// ringtonePower returns the strongest Goertzel power, in rec, of the
// tones the named ringtone plays.
func ringtonePower(t *testing.T, rec []int16, name string) float64 {
	t.Helper()
	cad, err := softphone.RingtoneCadence(name)
	if err != nil {
		t.Fatal(err)
	}
	var peak float64
	for _, seg := range cad {
		if f := seg.Freq[0]; f > 0 {
			peak = max(peak, dsp.Goertzel(rec, testlab.PulseRate, f))
		}
	}
	return peak
}

// TestChosenRingtoneOnRingerDevice: the ringtone chosen with WithRingtone
// is what the ringer device plays (not the built-in classic one), and
// SetRingtone while the call rings switches the ringing call's ringtone.
func TestChosenRingtoneOnRingerDevice(t *testing.T) {
	pulse := testlab.StartPulse(t)
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	p, ev := pulsePhone(t, k, pulse, softphone.WithRingtone(softphone.RingtoneDigital))
	if got := p.Ringtone(); got != softphone.RingtoneDigital {
		t.Fatalf("Ringtone() = %q, want digital", got)
	}
	waitRegistered(t, ev)
	if _, err := k.WaitRegistered(ctx(t, 10*time.Second), "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.Command(ctx(t, 5*time.Second), "dial", k.URI("carol")); err != nil {
		t.Fatal(err)
	}
	in := ev.callState(t, 0, "", softphone.CallIncoming, 10*time.Second)

	// check records one whole cycle of want (digital 2.8 s, soft 3 s) and
	// compares its notes with those of the other two ringtones. The first
	// 300 ms are dropped: after a switch the device may still hold frames
	// of the previous ringtone.
	check := func(want string, others ...string) {
		t.Helper()
		rec, err := pulse.RecordSinkNamed(ctx(t, 10*time.Second), "ringer", 3800*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		rung := rec[min(len(rec), testlab.PulseRate*3/10):]
		on := ringtonePower(t, rung, want)
		off := dsp.Goertzel(rung, testlab.PulseRate, 3000)
		if on < 100*off || dsp.DBFS(dsp.RMS(rung)) < -50 {
			t.Errorf("%s: its notes' power %.3g vs 3 kHz %.3g, level %.1f dBFS", want, on, off, dsp.DBFS(dsp.RMS(rung)))
		}
		for _, o := range others {
			if p := ringtonePower(t, rung, o); on < 30*p {
				t.Errorf("%s chosen, but the %s ringtone's notes are there too: %.3g vs %.3g", want, o, p, on)
			}
		}
	}
	check(softphone.RingtoneDigital, softphone.RingtoneClassic, softphone.RingtoneSoft)

	if err := p.SetRingtone("kazoo"); err == nil {
		t.Error("SetRingtone(kazoo) accepted an unknown ringtone")
	}
	if err := p.SetRingtone(softphone.RingtoneSoft); err != nil {
		t.Fatal(err)
	}
	check(softphone.RingtoneSoft, softphone.RingtoneClassic, softphone.RingtoneDigital)

	call, err := p.Call(in.CallID)
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Reject(true); err != nil {
		t.Fatal(err)
	}
}

package softphone

import (
	"errors"
	"testing"

	"github.com/pitchline/pitchline/audio"
)

// ringing reports whether the router's ringtone is playing.
func (r *audioRouter) ringing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.ring != nil
}

// TestSharedAudioRinger: with two Phones on one SharedAudio, the ringer
// plays while either rings; one Phone stopping (or closing) leaves the
// other's ringing alone, and a device or ringtone chosen through one
// applies to both.
func TestSharedAudioRinger(t *testing.T) {
	nb, err := audio.NewNullBackend()
	if err != nil {
		t.Fatal(err)
	}
	defer nb.Close()
	sa, err := NewSharedAudio(nb, "", "", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sa.Close()
	mk := func(user string) *Phone {
		p, err := NewPhone(Config{Account: AccountConfig{AOR: "sip:" + user + "@127.0.0.1"}},
			WithSharedAudio(sa), WithRingtone(RingtoneSoft))
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	a, b := mk("a"), mk("b")
	r := sa.r
	if err := r.startRinging(a); err != nil {
		t.Fatal(err)
	}
	if err := r.startRinging(b); err != nil {
		t.Fatal(err)
	}
	r.stopRinging(a)
	if !r.ringing() {
		t.Fatal("a stopped ringing and silenced b's ringing call")
	}
	if err := a.SetRingtone(RingtoneDigital); err != nil {
		t.Fatal(err)
	}
	if b.Ringtone() != RingtoneDigital {
		t.Errorf("b's ringtone = %q after a chose digital on the shared audio", b.Ringtone())
	}
	if !r.ringing() {
		t.Fatal("changing the ringtone stopped the ringing")
	}
	if err := a.SetDevices("null", "null", "null"); err != nil {
		t.Fatal(err)
	}
	if in, _, ring := b.Devices(); in != "null" || ring != "null" {
		t.Errorf("b's devices = %q/%q after a chose null", in, ring)
	}
	_ = a.Close()
	if !r.ringing() {
		t.Fatal("closing a stopped b's ringing")
	}
	_ = b.Close()
	if r.ringing() {
		t.Fatal("the ringer plays with no Phone ringing")
	}
	if err := a.SetRingtone("kazoo"); !errors.Is(err, ErrUnknownRingtone) {
		t.Errorf("SetRingtone(kazoo) = %v, want ErrUnknownRingtone", err)
	}
	if _, err := NewPhone(Config{Account: AccountConfig{AOR: "sip:c@127.0.0.1"}}, WithRingtone("kazoo")); !errors.Is(err, ErrBadConfig) {
		t.Errorf("WithRingtone(kazoo) = %v, want ErrBadConfig", err)
	}
}

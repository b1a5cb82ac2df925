package app

import (
	"errors"
	"testing"
)

// TestRingtoneSettingApplies: saving a ringtone in Settings selects it in
// the engine at once (no restart), and an unknown one is refused.
func TestRingtoneSettingApplies(t *testing.T) {
	a, _ := startApp(t, t.TempDir(), newKeychain(t))
	s, err := a.svcs.Settings.Get()
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.core.getPhone()
	if err != nil {
		t.Fatal(err)
	}
	if p.Ringtone() != "classic" {
		t.Fatalf("default ringtone %q", p.Ringtone())
	}
	s.Ringtone = "digital"
	if _, err := a.svcs.Settings.Save(s); err != nil {
		t.Fatal(err)
	}
	if p.Ringtone() != "digital" {
		t.Errorf("after saving digital the engine rings %q", p.Ringtone())
	}
	s.Ringtone = "kazoo"
	if _, err := a.svcs.Settings.Save(s); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Save(ringtone kazoo) = %v, want ErrInvalidArgument", err)
	}
}

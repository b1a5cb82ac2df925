package softphone

import (
	"errors"
	"testing"
)

// TestMaxLegsConfig: a phone mixes MaxLegs (8) legs per call unless
// Config.MaxLegs says otherwise; a negative limit is a configuration
// error. The 32-leg conference of the Janus benchmark
// (internal/benchlab, BENCHMARKS.md) exercises a raised limit end to end.
func TestMaxLegsConfig(t *testing.T) {
	for _, tc := range []struct{ cfg, want int }{{0, MaxLegs}, {32, 32}, {2, 2}} {
		p, err := NewPhone(Config{Account: AccountConfig{AOR: "sip:a@127.0.0.1"}, MaxLegs: tc.cfg})
		if err != nil {
			t.Fatalf("MaxLegs %d: %v", tc.cfg, err)
		}
		if got := p.maxLegs(); got != tc.want {
			t.Errorf("Config.MaxLegs %d: maxLegs() = %d, want %d", tc.cfg, got, tc.want)
		}
	}
	if MaxLegs != 8 {
		t.Errorf("default MaxLegs = %d, want 8 (the issue's floor)", MaxLegs)
	}
	if _, err := NewPhone(Config{Account: AccountConfig{AOR: "sip:a@127.0.0.1"}, MaxLegs: -1}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("MaxLegs -1: err %v, want ErrBadConfig", err)
	}
}

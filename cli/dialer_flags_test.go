package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestDialerRunRefusesBadCallerIDs: --caller-ids takes E.164 numbers only,
// and a bad one is a usage error naming it, before anything is dialled.
func TestDialerRunRefusesBadCallerIDs(t *testing.T) {
	var out, errw bytes.Buffer
	err := runDialer([]string{"run", "--sip-uri", "sip:carol@127.0.0.1:5999", "--list", "/nonexistent.csv",
		"--caller-ids", "+12125550199,2125550100"}, &out, &errw)
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "2125550100") {
		t.Fatalf("err = %v, want a usage error naming 2125550100", err)
	}
}

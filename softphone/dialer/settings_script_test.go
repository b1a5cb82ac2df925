package dialer

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestSettingsScriptIDRoundTrip: the list's script survives the stored
// JSON; a list saved before lists had scripts reads as 0 (the default
// script); a negative id is refused.
func TestSettingsScriptIDRoundTrip(t *testing.T) {
	s := DefaultSettings()
	s.ScriptID = 42
	b, err := json.Marshal(s)
	if err != nil || !strings.Contains(string(b), `"script_id":42`) {
		t.Fatalf("%s %v", b, err)
	}
	var back Settings
	if err := json.Unmarshal(b, &back); err != nil || back != s {
		t.Fatalf("back %+v %v", back, err)
	}
	var old Settings
	if err := json.Unmarshal([]byte(`{"mode":"power","lines":1}`), &old); err != nil || old.ScriptID != 0 || old.Mode != ModePower {
		t.Fatalf("old %+v %v", old, err)
	}
	if err := json.Unmarshal([]byte(`{"script_id":-1}`), &old); !errors.Is(err, ErrInvalidSettings) {
		t.Fatalf("negative script: %v", err)
	}
}

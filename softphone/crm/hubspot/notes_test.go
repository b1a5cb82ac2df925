package hubspot

import (
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// TestLongNotesCutForHubSpot: notes over hs_call_body's 65,536 characters
// are sent cut, with a marker naming HubSpot's limit; shorter ones whole.
func TestLongNotesCutForHubSpot(t *testing.T) {
	call := crm.Call{ID: "c1", Direction: crm.Outbound, Status: crm.StatusCompleted, Started: time.Unix(1700000000, 0)}
	call.Notes = strings.Repeat("n", 65536)
	in, err := callInput(call)
	if err != nil || in.Properties["hs_call_body"] != call.Notes {
		t.Fatalf("notes at the limit not sent whole (%d chars): %v", len(in.Properties["hs_call_body"]), err)
	}
	call.Notes = strings.Repeat("long notes ", 20000)
	in, err = callInput(call)
	if err != nil {
		t.Fatal(err)
	}
	body := in.Properties["hs_call_body"]
	if crm.FieldChars(body) > 65536 || !strings.HasPrefix(body, "long notes long notes") ||
		!strings.Contains(body, "hs_call_body) holds at most 65,536 characters") || !strings.Contains(body, "(220,000 characters) is kept in Pitchline") {
		t.Fatalf("hs_call_body: %d chars, ends %q", crm.FieldChars(body), body[max(0, len(body)-200):])
	}
}

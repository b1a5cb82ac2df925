package zoho

import (
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

// TestLongNotesCutForZoho: Description holds 32,000 characters; the notes
// are cut so that the recording link and the idempotency tag still fit.
func TestLongNotesCutForZoho(t *testing.T) {
	call := crm.Call{ID: "c1", Direction: crm.Outbound, Status: crm.StatusCompleted, Started: time.Unix(1700000000, 0),
		Duration: time.Minute, RecordingURL: "https://rec.example/1.mp3", Notes: strings.Repeat("メモ ", 20000)}
	r, err := record(call)
	if err != nil {
		t.Fatal(err)
	}
	d := r["Description"].(string)
	if crm.FieldChars(d) > 32000 || !strings.HasPrefix(d, "メモ メモ") || !strings.HasSuffix(d, "Recording: https://rec.example/1.mp3\n\n"+Tag("c1")) ||
		!strings.Contains(d, "Description field holds at most 32,000 characters; the full note (60,000 characters)") {
		t.Fatalf("Description: %d chars, ends %q", crm.FieldChars(d), d[max(0, len(d)-300):])
	}
}

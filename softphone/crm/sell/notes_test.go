package sell

import (
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
)

func TestLongNotesCutForSell(t *testing.T) {
	call := crm.Call{ID: "c1", Direction: crm.Outbound, Status: crm.StatusCompleted, Started: time.Unix(1700000000, 0),
		OutcomeLabel: "Connected", Notes: strings.Repeat("long notes ", 20000)}
	b, err := buildCall(call)
	if err != nil {
		t.Fatal(err)
	}
	if crm.FieldChars(b.Summary) > NotesLimit.Chars || !strings.HasPrefix(b.Summary, "long notes") ||
		!strings.HasSuffix(b.Summary, "\n\nOutcome: Connected") || !strings.Contains(b.Summary, "Zendesk Sell's call summary field holds at most 65,536 characters") {
		t.Fatalf("summary: %d chars, ends %q", crm.FieldChars(b.Summary), b.Summary[max(0, len(b.Summary)-250):])
	}
}

package pipedrive

import (
	"strings"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
)

// TestLongNotesCutForPipedrive: the limit applies to the HTML sent (after
// escaping), and the idempotency tag survives the cut.
func TestLongNotesCutForPipedrive(t *testing.T) {
	call := crm.Call{ID: "c1", Notes: strings.Repeat("a<b>&c\n", 20000)}
	n := note(call)
	if crm.FieldChars(n) > NotesLimit.Chars || !strings.HasPrefix(n, "<p>a&lt;b&gt;&amp;c</p>") ||
		!strings.HasSuffix(n, "<p>[pitchline:c1]</p>") || !strings.Contains(n, "Pipedrive&#39;s call note field holds at most 65,536 characters") {
		t.Fatalf("note: %d chars, ends %q", crm.FieldChars(n), n[max(0, len(n)-300):])
	}
	short := crm.Call{ID: "c2", Notes: "hi"}
	if got := note(short); got != "<p>hi</p><p>[pitchline:c2]</p>" {
		t.Fatalf("short note changed: %q", got)
	}
}

package crm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFitNotes(t *testing.T) {
	l := NotesLimit{Field: "Test CRM's notes field", Chars: 100}
	if got, cut := FitNotes("short", l, nil); got != "short" || cut {
		t.Fatalf("short notes changed: %q %v", got, cut)
	}
	// Exactly at the limit: unchanged.
	exact := strings.Repeat("a", 100)
	if got, cut := FitNotes(exact, l, nil); got != exact || cut {
		t.Fatalf("notes at the limit changed: %d chars, cut %v", len(got), cut)
	}
	l.Chars = 300
	long := strings.Repeat("日本語のメモ🙂", 100) // multi-byte and a surrogate pair per repeat
	got, cut := FitNotes(long, l, func(s string) string { return "<" + s + "> [tag]" })
	if !cut {
		t.Fatal("long notes not cut")
	}
	if n := FieldChars(got); n > l.Chars {
		t.Fatalf("rendered field is %d chars, over the limit %d", n, l.Chars)
	}
	if !utf8.ValidString(got) {
		t.Fatal("cut inside a character")
	}
	if !strings.HasSuffix(got, "> [tag]") || !strings.HasPrefix(got, "<日本語のメモ") {
		t.Fatalf("render not applied around the cut notes: %q", got)
	}
	if !strings.Contains(got, "holds at most 300 characters") || !strings.Contains(got, "Test CRM's notes field") ||
		!strings.Contains(got, "full note (800 characters) is kept in Pitchline") {
		t.Fatalf("marker does not name the limit and the full length: %q", got)
	}
	// The longest prefix: one more character would not fit.
	prefix := strings.TrimPrefix(got[:strings.Index(got, "\n\n[Truncated")], "<")
	next := long[:len(prefix)+len(string([]rune(long[len(prefix):])[0]))]
	if FieldChars("<"+next+TruncationMarker(l, FieldChars(long))+"> [tag]") <= l.Chars {
		t.Fatalf("kept %d chars; one more would still fit", FieldChars(prefix))
	}
}

func TestFieldCharsCountsUTF16(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "日本": 2, "🙂": 2, "\xff": 1} {
		if got := FieldChars(s); got != want {
			t.Errorf("FieldChars(%q) = %d, want %d", s, got, want)
		}
	}
}

package crm

import (
	"fmt"
	"sort"
	"unicode/utf16"
	"unicode/utf8"
)

// NotesLimit is a CRM's limit on the field a call's notes go to.
type NotesLimit struct {
	// Field names the vendor's field in the marker ("HubSpot's call notes
	// (hs_call_body)").
	Field string
	// Chars is the field's limit in characters. Characters are counted as
	// UTF-16 code units, which is never fewer than the vendor's count
	// whether it counts code points or UTF-16 units.
	Chars int
}

// FieldChars counts s the way NotesLimit.Chars does (UTF-16 code units).
func FieldChars(s string) int {
	n := 0
	for _, r := range s { // invalid bytes range as U+FFFD, one unit
		n += utf16.RuneLen(r)
	}
	return n
}

// TruncationMarker is the text FitNotes appends to notes it cut, naming the
// field's limit and the length of the full note kept in Pitchline.
func TruncationMarker(l NotesLimit, fullChars int) string {
	return fmt.Sprintf("\n\n[Truncated by Pitchline: %s holds at most %s characters; the full note (%s characters) is kept in Pitchline.]",
		l.Field, group(l.Chars), group(fullChars))
}

// FitNotes returns the notes to send to a CRM field limited to l.Chars
// characters. render builds the field's whole value from (possibly cut)
// notes, for adapters that add text around the notes (tags, HTML). When the
// rendered full notes fit they are used unchanged; otherwise the longest
// prefix of the notes (cut at a character boundary) whose rendering plus
// TruncationMarker fits is used, followed by the marker. truncated reports
// whether the notes were cut. The local store always keeps the full text;
// only the copy sent to the CRM is cut, because the CRM would refuse it.
func FitNotes(notes string, l NotesLimit, render func(notes string) string) (field string, truncated bool) {
	if render == nil {
		render = func(s string) string { return s }
	}
	full := render(notes)
	if l.Chars <= 0 || FieldChars(full) <= l.Chars {
		return full, false
	}
	marker := TruncationMarker(l, FieldChars(notes))
	// Rune boundaries of notes; binary search the longest prefix that fits.
	cuts := make([]int, 0, utf8.RuneCountInString(notes)+1)
	for i := range notes {
		cuts = append(cuts, i)
	}
	cuts = append(cuts, len(notes))
	fits := func(k int) bool { return FieldChars(render(notes[:cuts[k]]+marker)) <= l.Chars }
	// sort.Search finds the first k that does NOT fit; keep the one before.
	k := sort.Search(len(cuts), func(k int) bool { return !fits(k) }) - 1
	if k < 0 {
		k = 0
	}
	return render(notes[:cuts[k]] + marker), true
}

// group writes n with thousands separators (65536 → "65,536").
func group(n int) string {
	s := fmt.Sprint(n)
	out := ""
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out += ","
		}
		out += string(c)
	}
	return out
}

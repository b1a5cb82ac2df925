package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseTemplate(t *testing.T) {
	v := func(name, fb string) TemplateSegment { return TemplateSegment{Var: true, Name: name, Fallback: fb} }
	l := func(s string) TemplateSegment { return TemplateSegment{Text: s} }
	cases := []struct {
		in    string
		segs  []TemplateSegment
		probs int
	}{
		{"", nil, 0},
		{"plain", []TemplateSegment{l("plain")}, 0},
		{"Hi {{contact.first_name}}!", []TemplateSegment{l("Hi "), v("contact.first_name", ""), l("!")}, 0},
		{"Hi {{ contact.first_name | there }}", []TemplateSegment{l("Hi "), v("contact.first_name", "there")}, 0},
		{"{{rep.name|}}", []TemplateSegment{v("rep.name", "")}, 0},
		{"{{company.name|a|b}}", []TemplateSegment{v("company.name", "a|b")}, 0},
		{"{{deal.name}}{{rep.name}}", []TemplateSegment{v("deal.name", ""), v("rep.name", "")}, 0},
		{"Hi {{contact.first_name", []TemplateSegment{l("Hi {{contact.first_name")}, 1},
		{"{{ a {{rep.name}}", []TemplateSegment{l("{{ a "), v("rep.name", "")}, 1},
		{"{{}} {{two words}}", []TemplateSegment{l("{{}} {{two words}}")}, 2},
		{"{{contact.nickname|pal}}", []TemplateSegment{v("contact.nickname", "pal")}, 1},
		{"{{{rep.name}}}", []TemplateSegment{l("{{{rep.name}}}")}, 1},
		{"こんにちは{{contact.last_name|お客}}様", []TemplateSegment{l("こんにちは"), v("contact.last_name", "お客"), l("様")}, 0},
	}
	for _, c := range cases {
		segs, probs := ParseTemplate(c.in)
		if !reflect.DeepEqual(segs, c.segs) || len(probs) != c.probs {
			t.Errorf("ParseTemplate(%q) = %+v, %v; want %+v, %d problems", c.in, segs, probs, c.segs, c.probs)
		}
	}
	_, probs := ParseTemplate("日本 {{oops")
	if len(probs) != 1 || probs[0].Offset != 3 || probs[0].Error() != `at character 4: "{{" is not closed with "}}"` {
		t.Fatalf("problem offset counts characters: %+v", probs)
	}
}

func TestFillTemplateNeverReadsBraces(t *testing.T) {
	missing := func(name string) string { return "[" + name + "]" }
	got := FillTemplate("Hi {{contact.first_name|there}}, {{company.name}} / {{rep.name}}",
		map[string]string{"contact.first_name": " ", "rep.name": "Ken"}, missing)
	if got != "Hi there, [company.name] / Ken" {
		t.Fatal(got)
	}
}

// FuzzParseTemplate: the parser never panics, problem offsets are inside
// the text, a text with no problems has no "{{" left in its literal text
// (nothing raw is read out), and the canonical form parses to the same
// segments.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{"", "Hi {{contact.first_name|there}}!", "{{ a {{rep.name}}", "{{{rep.name}}}",
		"{{company.name|a|b}}", "{{x", "}}{{", "{{deal.name}}{{rep.name|}}", "日本{{contact.last_name|様}}", "{{|}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		segs, probs := ParseTemplate(text)
		n := utf8.RuneCountInString(text)
		for _, p := range probs {
			if p.Offset < 0 || p.Offset > n {
				t.Fatalf("problem offset %d outside a text of %d characters", p.Offset, n)
			}
		}
		var canon strings.Builder
		for i, s := range segs {
			if !s.Var && s.Text == "" {
				t.Fatalf("empty literal segment %d", i)
			}
			if !s.Var && i > 0 && !segs[i-1].Var {
				t.Fatalf("two literal segments in a row at %d", i)
			}
			if s.Var && !validVarName(s.Name) {
				t.Fatalf("variable with a bad name %q", s.Name)
			}
			if len(probs) == 0 && !s.Var && strings.Contains(s.Text, "{{") {
				t.Fatalf("no problem reported but literal %q holds {{", s.Text)
			}
			canon.WriteString(s.Raw())
		}
		again, probs2 := ParseTemplate(canon.String())
		if !reflect.DeepEqual(again, segs) {
			t.Fatalf("canonical form %q parses to %+v, not %+v", canon.String(), again, segs)
		}
		if (len(probs) == 0) != (len(probs2) == 0) {
			t.Fatalf("problems %v vs canonical %v", probs, probs2)
		}
	})
}

// TestTemplateVectors checks ParseTemplate against the vectors the
// window's twin parser (frontend/src/lib/script.ts) is also checked with.
func TestTemplateVectors(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "script_templates.json"))
	if err != nil {
		t.Fatal(err)
	}
	type part struct {
		Text     *string `json:"text,omitempty"`
		Var      string  `json:"var,omitempty"`
		Fallback *string `json:"fallback,omitempty"`
	}
	type problem struct {
		Offset int    `json:"offset"`
		Kind   string `json:"kind"`
	}
	var doc struct {
		Cases []struct {
			In       string    `json:"in"`
			Parts    []part    `json:"parts"`
			Problems []problem `json:"problems"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 10 {
		t.Fatalf("%d vectors", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		segs, probs := ParseTemplate(c.In)
		var want []TemplateSegment
		for _, p := range c.Parts {
			if p.Text != nil {
				want = append(want, TemplateSegment{Text: *p.Text})
			} else {
				want = append(want, TemplateSegment{Var: true, Name: p.Var, Fallback: *p.Fallback})
			}
		}
		var got []problem
		for _, p := range probs {
			got = append(got, problem{p.Offset, p.Kind})
		}
		if !reflect.DeepEqual(segs, want) || !reflect.DeepEqual(got, c.Problems) && len(got)+len(c.Problems) > 0 {
			t.Errorf("%q: got %+v %+v, want %+v %+v", c.In, segs, got, want, c.Problems)
		}
	}
}

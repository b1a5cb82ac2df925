package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Call-script templates.
//
// A section's text is plain text with variables in double braces:
//
//	Hi {{contact.first_name|there}}, this is {{rep.name}}.
//
// A variable is a name from ScriptVariables, optionally followed by "|" and
// a fallback: the text read out when the field is empty ("there" above).
// Spaces around the name and the fallback are ignored. A variable with no
// value and no fallback is shown to the rep as a marked placeholder, never
// as raw braces (the window's ScriptPanel; frontend/src/lib/script.ts is the
// TypeScript twin of this parser and must agree with it).
//
// Grammar (everything not matched is literal text):
//
//	var      = "{{" ws name ws [ "|" fallback ] "}}"
//	name     = letter-or-_ { letter | digit | "_" | "." }   (ASCII)
//	fallback = any text without "{{", "}}"
//
// ParseTemplate is lenient (it renders whatever it is given); CheckTemplate
// reports what the rep should fix: an unclosed "{{", a bad or unknown name.

// maxTemplateProblems caps the problems ParseTemplate lists.
const maxTemplateProblems = 20

// ScriptVariables are the variables a call script may use, in the order the
// editor offers them.
var ScriptVariables = []string{
	"contact.first_name",
	"contact.last_name",
	"company.name",
	"deal.name",
	"rep.name",
}

// TemplateSegment is one piece of a parsed template: literal Text, or a
// variable Name (Var true) with its Fallback ("" when none).
type TemplateSegment struct {
	Var      bool
	Text     string
	Name     string
	Fallback string
}

// TemplateProblem is one thing wrong in a template, Offset characters
// (runes) from its start.
type TemplateProblem struct {
	Offset int
	// Kind is "unclosed", "bad_name" or "unknown" (the window's twin
	// parser uses the same kinds).
	Kind    string
	Message string
}

// Error renders the problem for the rep.
func (p TemplateProblem) Error() string {
	return fmt.Sprintf("at character %d: %s", p.Offset+1, p.Message)
}

// ParseTemplate splits text into literal and variable segments, and lists
// the problems found. Invalid markup is kept as literal text, so joining
// the Text of the literal segments and the raw form of the variables gives
// back text (see TemplateSegment.Raw).
func ParseTemplate(text string) ([]TemplateSegment, []TemplateProblem) {
	var segs []TemplateSegment
	var probs []TemplateProblem
	problem := func(at int, kind, msg string) {
		// A rep fixes the first few; a pathological text stays cheap.
		if len(probs) < maxTemplateProblems {
			probs = append(probs, TemplateProblem{utf8.RuneCountInString(text[:at]), kind, msg})
		}
	}
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			segs = append(segs, TemplateSegment{Text: lit.String()})
			lit.Reset()
		}
	}
	i := 0
	for i < len(text) {
		j := strings.Index(text[i:], "{{")
		if j < 0 {
			lit.WriteString(text[i:])
			break
		}
		lit.WriteString(text[i : i+j])
		at := i + j
		end := strings.Index(text[at+2:], "}}")
		if end < 0 {
			problem(at, "unclosed", `"{{" is not closed with "}}"`)
			lit.WriteString(text[at:])
			break
		}
		inner := text[at+2 : at+2+end]
		if k := strings.Index(inner, "{{"); k >= 0 {
			// "{{ a {{b}}": the first "{{" is literal text.
			problem(at, "unclosed", `"{{" is not closed with "}}"`)
			lit.WriteString(text[at : at+2+k])
			i = at + 2 + k
			continue
		}
		name, fallback, _ := strings.Cut(inner, "|")
		name = strings.TrimSpace(name)
		if !validVarName(name) {
			problem(at, "bad_name", fmt.Sprintf("%q is not a variable name", "{{"+inner+"}}"))
			lit.WriteString(text[at : at+2+end+2])
			i = at + 2 + end + 2
			continue
		}
		if !knownVariable(name) {
			problem(at, "unknown", fmt.Sprintf("unknown variable %q", name))
		}
		flush()
		segs = append(segs, TemplateSegment{Var: true, Name: name, Fallback: strings.TrimSpace(fallback)})
		i = at + 2 + end + 2
	}
	flush()
	return segs, probs
}

// Raw is the segment as template text: literal text as is, a variable in
// its canonical form ("{{name}}" or "{{name|fallback}}").
func (s TemplateSegment) Raw() string {
	if !s.Var {
		return s.Text
	}
	if strings.HasSuffix(s.Fallback, "}") {
		// "{{a|b}}}" would end the variable one brace early.
		return "{{" + s.Name + "|" + s.Fallback + " }}"
	}
	if s.Fallback != "" {
		return "{{" + s.Name + "|" + s.Fallback + "}}"
	}
	return "{{" + s.Name + "}}"
}

// FillTemplate renders text for reading out: variables take their value
// from values, else their fallback, else missing(name) (the caller's
// placeholder; it never contains braces unless the caller puts them).
func FillTemplate(text string, values map[string]string, missing func(name string) string) string {
	segs, _ := ParseTemplate(text)
	var b strings.Builder
	for _, s := range segs {
		switch {
		case !s.Var:
			b.WriteString(s.Text)
		case strings.TrimSpace(values[s.Name]) != "":
			b.WriteString(values[s.Name])
		case s.Fallback != "":
			b.WriteString(s.Fallback)
		default:
			b.WriteString(missing(s.Name))
		}
	}
	return b.String()
}

// CheckTemplate returns the template's problems as one error (nil when
// there are none); invalid UTF-8 is a problem too.
func CheckTemplate(text string) error {
	if !utf8.ValidString(text) {
		return fmt.Errorf("%w: the text is not valid UTF-8", ErrInvalid)
	}
	_, probs := ParseTemplate(text)
	if len(probs) == 0 {
		return nil
	}
	msgs := make([]string, len(probs))
	for i, p := range probs {
		msgs[i] = p.Error()
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(msgs, "; "))
}

func validVarName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c == '.' || c >= '0' && c <= '9'):
		default:
			return false
		}
	}
	return true
}

func knownVariable(name string) bool {
	for _, v := range ScriptVariables {
		if v == name {
			return true
		}
	}
	return false
}

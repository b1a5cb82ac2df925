package app

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/pitchline/pitchline/softphone/store"
)

// This file binds call scripts with branches (softphone/store/scripts.go):
// named scripts made of sections, each with text and choices; a choice
// leads to another section and may pre-fill the post-call form's outcome
// and add a note line. Section text uses {{variable|fallback}} templates
// (softphone/store/scripttemplate.go; the window fills them in). A call
// list names its script in its settings (DialerSettingsView.ScriptID);
// other calls show the default script.
//
// The settings form (SettingsView.Scripts) still saves a script's name and
// first section's text; this service owns the sections. Every change here
// emits EvSettings, so a settings form open elsewhere never saves a stale
// list of scripts back.

// ScriptChoiceView is one choice of a script section.
type ScriptChoiceView struct {
	// Label is the button's text ("Not interested — price").
	Label string `json:"label"`
	// Target names the section the choice leads to ("" ends the script).
	Target string `json:"target"`
	// Outcome is an outcome label pre-selected in the post-call form ("" =
	// none).
	Outcome string `json:"outcome"`
	// Note is one line appended to the call's notes ("" = none).
	Note string `json:"note"`
}

// ScriptSectionView is one section of a script.
type ScriptSectionView struct {
	// Name is unique in the script; choices point at it.
	Name string `json:"name"`
	// Body is the text, with {{contact.first_name|there}}-style variables.
	Body string `json:"body"`
	// Choices are the section's buttons, in order (at most 9).
	Choices []ScriptChoiceView `json:"choices"`
}

// CallScriptView is a call script with its sections; the first section is
// where a call starts.
type CallScriptView struct {
	// ID identifies the script (0 = new).
	ID int64 `json:"id"`
	// Name is the script's title, unique.
	Name string `json:"name"`
	// Default marks the script of calls that are not from a call list (or
	// whose list names none).
	Default bool `json:"default"`
	// Sections in order.
	Sections []ScriptSectionView `json:"sections"`
}

// ScriptsService edits the call scripts.
type ScriptsService struct{ c *core }

// List returns every script with its sections, by name.
func (s *ScriptsService) List() ([]CallScriptView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	all, err := st.Scripts(s.c.ctx)
	if err != nil {
		return nil, err
	}
	out := make([]CallScriptView, 0, len(all))
	for _, sc := range all {
		out = append(out, scriptView(sc))
	}
	return out, nil
}

// Save validates and stores v (ID 0 creates it) and returns it as saved.
// A problem (an empty name, a choice leading to a missing section, an
// unknown variable, an outcome that does not exist) is an invalid_argument
// error whose message names the first one.
func (s *ScriptsService) Save(v CallScriptView) (CallScriptView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return CallScriptView{}, err
	}
	sc := scriptFrom(v)
	probs := store.ScriptProblems(sc, true)
	outcomes, err := st.Outcomes(s.c.ctx, false)
	if err != nil {
		return CallScriptView{}, err
	}
	for i := range sc.Sections {
		for j := range sc.Sections[i].Choices {
			ch := &sc.Sections[i].Choices[j]
			if ch.Outcome = strings.TrimSpace(ch.Outcome); ch.Outcome == "" {
				continue
			}
			label := ""
			for _, o := range outcomes {
				if strings.EqualFold(o.Label, ch.Outcome) {
					label = o.Label
				}
			}
			if label == "" {
				probs = append(probs, fmt.Sprintf("choice %q of section %q sets the outcome %q, which is not an enabled outcome", ch.Label, sc.Sections[i].Name, ch.Outcome))
			}
			ch.Outcome = label
		}
	}
	if len(probs) > 0 {
		return CallScriptView{}, fmt.Errorf("%w: %s", ErrInvalidArgument, problemSentence(probs))
	}
	if err := st.SaveScript(s.c.ctx, &sc); errors.Is(err, store.ErrDuplicate) {
		return CallScriptView{}, fmt.Errorf("%w: another script is already named %q", ErrInvalidArgument, sc.Name)
	} else if err != nil {
		return CallScriptView{}, storeErr(err)
	}
	s.changed()
	saved, err := st.Script(s.c.ctx, sc.ID)
	if err != nil {
		return CallScriptView{}, err
	}
	return scriptView(saved), nil
}

// Delete removes script id and returns the scripts left. When it was the
// default, the first script left becomes the default; lists that named it
// fall back to the default script.
func (s *ScriptsService) Delete(id int64) ([]CallScriptView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	old, err := st.Script(s.c.ctx, id)
	if err != nil {
		return nil, err
	}
	if err := st.DeleteScript(s.c.ctx, id); err != nil {
		return nil, err
	}
	if old.Default {
		if left, err := st.Scripts(s.c.ctx); err == nil && len(left) > 0 {
			first := left[0]
			first.Default = true
			if err := st.SaveScript(s.c.ctx, &first); err != nil {
				return nil, err
			}
		}
	}
	s.changed()
	return s.List()
}

// changed tells the window the scripts changed (EvSettings carries them).
func (s *ScriptsService) changed() {
	if v, err := s.c.settings(); err == nil {
		emit(s.c.out, EvSettings, v)
	}
}

// listScriptID returns the script id a list's settings keep: id when that
// script exists, else 0 (the default script). A script deleted while the
// list settings were open is what Delete documents: the list falls back to
// the default script.
func (c *core) listScriptID(id int64) (int64, error) {
	if id == 0 {
		return 0, nil
	}
	st, err := c.storeOrErr()
	if err != nil {
		return 0, err
	}
	if _, err := st.Script(c.ctx, id); errors.Is(err, store.ErrNotFound) {
		c.log.Info("list settings name a script that no longer exists; using the default script", "script", id)
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	return id, nil
}

// problemSentence makes the first problem a sentence for the rep (the
// error's message shows it: no ": " inside) and counts the others.
func problemSentence(probs []string) string {
	first := strings.ReplaceAll(probs[0], ": ", " - ")
	r := []rune(first)
	r[0] = unicode.ToUpper(r[0])
	out := string(r) + "."
	if n := len(probs) - 1; n == 1 {
		out += " There is 1 more problem."
	} else if n > 1 {
		out += fmt.Sprintf(" There are %d more problems.", n)
	}
	return out
}

func scriptView(sc store.Script) CallScriptView {
	v := CallScriptView{ID: sc.ID, Name: sc.Name, Default: sc.Default, Sections: make([]ScriptSectionView, 0, len(sc.Sections))}
	for _, sec := range sc.Sections {
		sv := ScriptSectionView{Name: sec.Name, Body: sec.Body, Choices: make([]ScriptChoiceView, 0, len(sec.Choices))}
		for _, ch := range sec.Choices {
			sv.Choices = append(sv.Choices, ScriptChoiceView(ch))
		}
		v.Sections = append(v.Sections, sv)
	}
	return v
}

func scriptFrom(v CallScriptView) store.Script {
	sc := store.Script{ID: v.ID, Name: v.Name, Default: v.Default, Sections: make([]store.ScriptSection, 0, len(v.Sections))}
	for _, sv := range v.Sections {
		sec := store.ScriptSection{Name: sv.Name, Body: sv.Body}
		for _, ch := range sv.Choices {
			sec.Choices = append(sec.Choices, store.ScriptChoice(ch))
		}
		sc.Sections = append(sc.Sections, sec)
	}
	return sc
}

package app

import (
	"strings"
	"testing"
)

func objectionScript() CallScriptView {
	return CallScriptView{Name: "Cold call", Default: true, Sections: []ScriptSectionView{
		{Name: "Opening", Body: "Hi {{contact.first_name|there}}, this is {{rep.name}}.", Choices: []ScriptChoiceView{
			{Label: "Interested", Target: "Qualify"},
			{Label: "Not interested — price", Target: "Price", Outcome: "not interested", Note: "Objection: price"},
		}},
		{Name: "Price", Body: "Teams at {{company.name|companies like yours}} said the same.", Choices: []ScriptChoiceView{
			{Label: "Back to the pitch", Target: "Opening"},
		}},
		{Name: "Qualify", Body: "How many reps call every day?", Choices: []ScriptChoiceView{
			{Label: "Book a demo", Outcome: "Meeting booked", Note: "Demo booked"},
		}},
	}}
}

// TestScriptsServiceSaveListDelete: a script with branches round-trips,
// outcome labels take the admin's spelling, every change emits EvSettings
// (with the first section as the settings form's body), a settings save
// of name+body keeps the branches, and problems are invalid_argument with
// a sentence naming the first one.
func TestScriptsServiceSaveListDelete(t *testing.T) {
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs.Scripts

	saved, err := s.Save(objectionScript())
	if err != nil {
		t.Fatal(err)
	}
	if saved.ID == 0 || len(saved.Sections) != 3 || saved.Sections[0].Choices[1].Outcome != "Not interested" ||
		saved.Sections[2].Choices[0].Target != "" || saved.Sections[1].Choices[0].Target != "Opening" {
		t.Fatalf("saved %+v", saved)
	}
	set := waitFor(t, l, EvSettings, "settings with the script", func(v SettingsView) bool {
		return len(v.Scripts) == 1 && v.Scripts[0].Name == "Cold call"
	})
	if set.Scripts[0].Body != saved.Sections[0].Body || !set.Scripts[0].Default {
		t.Fatalf("settings scripts %+v", set.Scripts)
	}

	// The settings form saves name and body only: the branches stay.
	set.Scripts[0].Body = "Hello {{contact.first_name}}"
	if _, err := a.svcs.Settings.Save(set); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil || len(list) != 1 || len(list[0].Sections) != 3 || list[0].Sections[0].Body != "Hello {{contact.first_name}}" ||
		len(list[0].Sections[0].Choices) != 2 {
		t.Fatalf("after a settings save: %+v %v", list, err)
	}

	bad := []struct {
		edit func(*CallScriptView)
		want string
	}{
		{func(v *CallScriptView) { v.Sections[0].Choices[0].Target = "Qualfy" },
			`Section "Opening", choice 1 ("Interested") leads to section "Qualfy", which does not exist.`},
		{func(v *CallScriptView) { v.Name = " " }, "The script has no name."},
		{func(v *CallScriptView) { v.Sections[1].Body = "Hi {{contact.nick}} {{x" },
			`In section "Price" at character 4, unknown variable "contact.nick". There is 1 more problem.`},
		{func(v *CallScriptView) { v.Sections[2].Choices[0].Outcome = "Sold" },
			`Choice "Book a demo" of section "Qualify" sets the outcome "Sold", which is not an enabled outcome.`},
	}
	for _, b := range bad {
		v := objectionScript()
		v.ID = saved.ID
		b.edit(&v)
		_, err := s.Save(v)
		p := a.errfmt.Payload(err)
		if p.Code != CodeInvalidArgument || p.Message != b.want {
			t.Errorf("got %q %q, want invalid_argument %q", p.Code, p.Message, b.want)
		}
	}
	if _, err := s.Save(CallScriptView{Name: "Cold call", Sections: []ScriptSectionView{{Name: "A"}}}); a.errfmt.Payload(err).Message != `Another script is already named "Cold call".` {
		t.Fatalf("a second script with the same name: %v", err)
	}

	// Deleting the default makes the next script the default.
	_, err = s.Save(CallScriptView{Name: "Renewal", Sections: []ScriptSectionView{{Name: "Start", Body: "Hi"}}})
	if err != nil {
		t.Fatal(err)
	}
	left, err := s.Delete(saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	def := 0
	for _, v := range left {
		names = append(names, v.Name)
		if v.Default {
			def++
		}
	}
	if strings.Contains(strings.Join(names, ","), "Cold call") || def != 1 {
		t.Fatalf("after delete: %+v", left)
	}
	if _, err := s.Delete(saved.ID); codeOf(a, err) != "not_found" {
		t.Fatalf("delete twice: %v", err)
	}
}

// TestListScriptSetting: a list names its script in its settings; a
// script that no longer exists is the default script (0).
func TestListScriptSetting(t *testing.T) {
	kc := newKeychain(t)
	a, _ := startApp(t, t.TempDir(), kc)
	sc, err := a.svcs.Scripts.Save(objectionScript())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := a.svcs.Dialer.Import(DialerImportInput{Name: "Q3", CSV: "name,phone\nAda,+12125550100\n"})
	if err != nil || rep.List == nil {
		t.Fatalf("import: %+v %v", rep, err)
	}
	set := rep.List.Settings
	if set.ScriptID != 0 {
		t.Fatalf("a new list's script: %d", set.ScriptID)
	}
	set.ScriptID = sc.ID
	v, err := a.svcs.Dialer.SaveSettings(rep.List.ID, set)
	if err != nil || v.Settings.ScriptID != sc.ID {
		t.Fatalf("save: %+v %v", v, err)
	}
	lists, err := a.svcs.Dialer.Lists()
	if err != nil || len(lists) != 1 || lists[0].Settings.ScriptID != sc.ID {
		t.Fatalf("lists: %+v %v", lists, err)
	}
	set.ScriptID = sc.ID + 100
	if v, err := a.svcs.Dialer.SaveSettings(rep.List.ID, set); err != nil || v.Settings.ScriptID != 0 {
		t.Fatalf("missing script: %+v %v", v.Settings, err)
	}
}

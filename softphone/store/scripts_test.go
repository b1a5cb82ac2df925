package store

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func coldCall() Script {
	return Script{Name: "Cold call", Default: true, Sections: []ScriptSection{
		{Name: "Opening", Body: "Hi {{contact.first_name|there}}, this is {{rep.name}}.", Choices: []ScriptChoice{
			{Label: "Interested", Target: "Qualify"},
			{Label: "Not interested — price", Target: "Price", Outcome: "Not interested", Note: "Objection: price"},
			{Label: "Book a meeting", Outcome: "Meeting booked", Note: "Meeting booked from the opening"},
		}},
		{Name: "Price", Body: "Many teams at {{company.name|your company}} felt the same.", Choices: []ScriptChoice{
			{Label: "Back to the pitch", Target: "Opening"}, // a cycle is fine
		}},
		{Name: "Qualify", Body: "How many reps call every day?"},
	}}
}

func TestScriptSectionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := coldCall()
	must(t, s.SaveScript(ctx, &a))
	got, err := s.Script(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := coldCall()
	want.ID, want.Body = a.ID, want.Sections[0].Body
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// Replacing sections drops the old ones and their choices.
	a.Sections = []ScriptSection{{Name: "Only", Body: "x", Choices: []ScriptChoice{{Label: "Done", Outcome: "Connected"}}}}
	must(t, s.SaveScript(ctx, &a))
	got, _ = s.Script(ctx, a.ID)
	if len(got.Sections) != 1 || got.Sections[0].Name != "Only" || len(got.Sections[0].Choices) != 1 || got.Body != "x" {
		t.Fatalf("after replace: %+v", got)
	}
	var n int
	s.db.QueryRow(`SELECT count(*) FROM script_choices`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d choice rows, want 1", n)
	}
	// Deleting the script deletes its sections and choices (cascade).
	must(t, s.DeleteScript(ctx, a.ID))
	s.db.QueryRow(`SELECT (SELECT count(*) FROM script_choices) + (SELECT count(*) FROM script_sections)`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d section/choice rows left after delete", n)
	}
	if _, err := s.Script(ctx, a.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted script: %v", err)
	}
}

// The settings form saves scripts as name+body (Sections nil): that must
// change the first section's text only and keep the branches.
func TestScriptLegacySaveKeepsSections(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	a := coldCall()
	must(t, s.SaveScript(ctx, &a))
	legacy := Script{ID: a.ID, Name: "Cold call v2", Body: "Hello {{contact.first_name}}", Default: true}
	must(t, s.SaveScript(ctx, &legacy))
	got, _ := s.Script(ctx, a.ID)
	if got.Name != "Cold call v2" || got.Body != "Hello {{contact.first_name}}" || len(got.Sections) != 3 ||
		got.Sections[0].Body != got.Body || len(got.Sections[0].Choices) != 3 || got.Sections[1].Name != "Price" {
		t.Fatalf("legacy save: %+v", got)
	}
	// A new script saved the old way gets one "Opening" section.
	b := Script{Name: "Renewal", Body: "Hi"}
	must(t, s.SaveScript(ctx, &b))
	got, _ = s.Script(ctx, b.ID)
	if len(got.Sections) != 1 || got.Sections[0].Name != "Opening" || got.Sections[0].Body != "Hi" {
		t.Fatalf("new legacy script: %+v", got)
	}
}

func TestCheckScriptErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(*Script)
		want string
	}{
		{"empty script name", func(s *Script) { s.Name = "  " }, "the script has no name"},
		{"no sections", func(s *Script) { s.Sections = []ScriptSection{} }, "has no section"},
		{"empty section name", func(s *Script) { s.Sections[2].Name = "" }, "section 3 has no name"},
		{"duplicate section", func(s *Script) { s.Sections[2].Name = "Price" }, `two sections are named "Price"`},
		{"missing target", func(s *Script) { s.Sections[0].Choices[0].Target = "Qualfy" },
			`section "Opening", choice 1 ("Interested") leads to section "Qualfy", which does not exist`},
		{"empty choice label", func(s *Script) { s.Sections[1].Choices[0].Label = "" }, `section "Price", choice 1 has no label`},
		{"two-line note", func(s *Script) { s.Sections[0].Choices[1].Note = "a\nb" }, "note is more than one line"},
		{"too many choices", func(s *Script) {
			for range 10 {
				s.Sections[2].Choices = append(s.Sections[2].Choices, ScriptChoice{Label: "x"})
			}
		}, "has 10 choices, the limit is 9"},
		{"huge text", func(s *Script) { s.Sections[2].Body = strings.Repeat("a", MaxScriptBytes+1) }, "the limit is 65536"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc := coldCall()
			c.edit(&sc)
			err := CheckScript(sc, true)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want ErrInvalid containing %q", err, c.want)
			}
			s := openTest(t)
			if err := s.SaveScript(context.Background(), &sc); !errors.Is(err, ErrInvalid) {
				t.Fatalf("SaveScript accepted it: %v", err)
			}
			if all, _ := s.Scripts(context.Background()); len(all) != 0 {
				t.Fatalf("an invalid script was stored: %+v", all)
			}
		})
	}
	if err := CheckScript(coldCall(), true); err != nil {
		t.Fatalf("valid script (with a cycle): %v", err)
	}
	// Templates are checked only when asked: the store keeps older text.
	sc := coldCall()
	sc.Sections[0].Body = "Hi {{contact.nickname}}, {{oops"
	if err := CheckScript(sc, false); err != nil {
		t.Fatal(err)
	}
	err := CheckScript(sc, true)
	if err == nil || !strings.Contains(err.Error(), `unknown variable "contact.nickname"`) || !strings.Contains(err.Error(), `in section "Opening" at character 26, "{{" is not closed`) {
		t.Fatalf("template problems: %v", err)
	}
}

// A version-6 file with scripts opens as version 7 with each body as the
// script's first section: nothing a rep typed is lost.
func TestMigrateV7KeepsScriptBodies(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s = reopenMigrated(t, s, path, 7, `DROP TABLE script_choices`, `DROP TABLE script_sections`, `PRAGMA user_version = 6`,
		`INSERT INTO scripts(name, body, is_default) VALUES('Intro', 'Hi {{contact.first_name}}, it''s {{rep.name}}', 1), ('Empty', '', 0)`)
	all, err := s.Scripts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[1].Name != "Intro" || !all[1].Default || len(all[1].Sections) != 1 ||
		all[1].Sections[0].Name != "Opening" || all[1].Sections[0].Body != "Hi {{contact.first_name}}, it's {{rep.name}}" ||
		all[1].Body != all[1].Sections[0].Body || len(all[0].Sections) != 1 {
		t.Fatalf("migrated scripts: %+v", all)
	}
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// This file holds call scripts with branches: a script is a named, ordered
// list of sections; a section has text (a template, see scripttemplate.go)
// and choices; a choice leads to another section (by name, "" ends the
// script) and may carry an outcome label and a note line that pre-fill the
// post-call form. Cycles are allowed (objection handling loops back).

// schemaV7 adds script sections and choices. The single body every script
// had until version 6 becomes the script's first section ("Opening"), so
// nothing a rep typed is lost; scripts.body keeps a copy of the first
// section's text. IF NOT EXISTS and OR IGNORE make the step safe to re-run
// on a file whose later tables a test dropped.
var schemaV7 = []string{
	`CREATE TABLE IF NOT EXISTS script_sections (
		script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
		position INTEGER NOT NULL,
		name TEXT NOT NULL,
		body TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (script_id, position))`,
	`CREATE TABLE IF NOT EXISTS script_choices (
		script_id INTEGER NOT NULL REFERENCES scripts(id) ON DELETE CASCADE,
		section INTEGER NOT NULL,
		position INTEGER NOT NULL,
		label TEXT NOT NULL,
		target TEXT NOT NULL DEFAULT '',
		outcome TEXT NOT NULL DEFAULT '',
		note TEXT NOT NULL DEFAULT '',
		PRIMARY KEY (script_id, section, position))`,
	`INSERT OR IGNORE INTO script_sections(script_id, position, name, body)
		SELECT id, 0, 'Opening', body FROM scripts`,
}

// Limits of a script's parts (the store refuses more, never truncates).
const (
	// MaxScriptSections is the most sections a script may have.
	MaxScriptSections = 200
	// MaxScriptChoices is the most choices a section may have (the call
	// view offers them on the digit keys 1-9).
	MaxScriptChoices = 9
	// MaxScriptLabel is the longest script, section or choice name, outcome
	// or note line, in characters.
	MaxScriptLabel = 500
)

// Script is a call script shown during calls.
type Script struct {
	ID   int64
	Name string
	// Body is the first section's text. SaveScript with Sections nil (a
	// caller that predates sections, the settings form) sets only the
	// first section's text from it and keeps the other sections.
	Body    string
	Default bool
	// Sections in order; the first is where a call starts.
	Sections []ScriptSection
}

// ScriptSection is one part of a script: what to say and where to go next.
type ScriptSection struct {
	// Name is unique within the script; choices point at it.
	Name string
	// Body is the text, with {{variable|fallback}} templates.
	Body    string
	Choices []ScriptChoice
}

// ScriptChoice is one button of a section.
type ScriptChoice struct {
	// Label is what the rep clicks ("Not interested — price").
	Label string
	// Target is the name of the section it leads to; "" ends the script.
	Target string
	// Outcome is an outcome label the choice pre-selects in the post-call
	// form ("" for none); Note a line it appends to the call's notes.
	Outcome string
	Note    string
}

// CheckScript validates a script's structure and returns every problem in
// one ErrInvalid error (see ScriptProblems).
func CheckScript(sc Script, templates bool) error {
	probs := ScriptProblems(sc, templates)
	if len(probs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: script %q: %s", ErrInvalid, strings.TrimSpace(sc.Name), strings.Join(probs, "; "))
}

// ScriptProblems lists what is wrong with a script, one sentence each
// (without a final period): empty names, duplicate section names, a
// choice pointing at a missing section, sizes. With templates true it also
// checks each section's text (unclosed braces, unknown variables); the
// settings form's older path saves without that, so text typed before
// sections existed is never refused. Cycles between sections are fine.
func ScriptProblems(sc Script, templates bool) []string {
	var probs []string
	add := func(format string, a ...any) { probs = append(probs, fmt.Sprintf(format, a...)) }
	if strings.TrimSpace(sc.Name) == "" {
		add("the script has no name")
	}
	long := func(what, s string) {
		if utf8.RuneCountInString(s) > MaxScriptLabel {
			add("%s is longer than %d characters", what, MaxScriptLabel)
		}
	}
	long("the script name", sc.Name)
	if len(sc.Sections) == 0 {
		add("the script has no section")
	}
	if len(sc.Sections) > MaxScriptSections {
		add("the script has %d sections, the limit is %d", len(sc.Sections), MaxScriptSections)
	}
	names := map[string]bool{}
	for i, sec := range sc.Sections {
		name := strings.TrimSpace(sec.Name)
		where := fmt.Sprintf("section %d", i+1)
		if name == "" {
			add("%s has no name", where)
		} else {
			where = fmt.Sprintf("section %q", name)
			if names[name] {
				add("two sections are named %q", name)
			}
			names[name] = true
		}
		long(where+"'s name", sec.Name)
		if len(sec.Body) > MaxScriptBytes {
			add("%s's text is %d bytes, the limit is %d", where, len(sec.Body), MaxScriptBytes)
		} else if templates {
			if !utf8.ValidString(sec.Body) {
				add("%s's text is not valid UTF-8", where)
			}
			_, tps := ParseTemplate(sec.Body)
			for _, p := range tps {
				add("in %s at character %d, %s", where, p.Offset+1, p.Message)
			}
		}
		if len(sec.Choices) > MaxScriptChoices {
			add("%s has %d choices, the limit is %d", where, len(sec.Choices), MaxScriptChoices)
		}
		for j, ch := range sec.Choices {
			cw := fmt.Sprintf("%s, choice %d", where, j+1)
			if strings.TrimSpace(ch.Label) == "" {
				add("%s has no label", cw)
			}
			long(cw+"'s label", ch.Label)
			long(cw+"'s outcome", ch.Outcome)
			long(cw+"'s note", ch.Note)
			if strings.ContainsAny(ch.Note, "\r\n") {
				add("%s's note is more than one line", cw)
			}
		}
	}
	for i, sec := range sc.Sections {
		for j, ch := range sec.Choices {
			if t := strings.TrimSpace(ch.Target); t != "" && !names[t] {
				add("section %q, choice %d (%q) leads to section %q, which does not exist", strings.TrimSpace(sc.Sections[i].Name), j+1, ch.Label, t)
			}
		}
	}
	return probs
}

// normalise trims names, labels and targets in place.
func (sc *Script) normalise() {
	sc.Name = strings.TrimSpace(sc.Name)
	for i := range sc.Sections {
		sec := &sc.Sections[i]
		sec.Name = strings.TrimSpace(sec.Name)
		for j := range sec.Choices {
			ch := &sec.Choices[j]
			ch.Label = strings.TrimSpace(ch.Label)
			ch.Target = strings.TrimSpace(ch.Target)
			ch.Outcome = strings.TrimSpace(ch.Outcome)
			ch.Note = strings.TrimSpace(ch.Note)
		}
	}
}

// Scripts returns the call scripts by name, with their sections.
func (s *Store) Scripts(ctx context.Context) ([]Script, error) {
	db, err := s.reader()
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, `SELECT id, name, is_default FROM scripts ORDER BY name COLLATE NOCASE, id`)
	if err != nil {
		return nil, fmt.Errorf("store: read scripts: %w", err)
	}
	var out []Script
	byID := map[int64]int{}
	for rows.Next() {
		var sc Script
		if err := rows.Scan(&sc.ID, &sc.Name, &sc.Default); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: read scripts: %w", err)
		}
		byID[sc.ID] = len(out)
		out = append(out, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: read scripts: %w", err)
	}
	secs, err := db.QueryContext(ctx, `SELECT script_id, name, body FROM script_sections ORDER BY script_id, position`)
	if err != nil {
		return nil, fmt.Errorf("store: read script sections: %w", err)
	}
	for secs.Next() {
		var id int64
		var sec ScriptSection
		if err := secs.Scan(&id, &sec.Name, &sec.Body); err != nil {
			secs.Close()
			return nil, fmt.Errorf("store: read script sections: %w", err)
		}
		if i, ok := byID[id]; ok {
			out[i].Sections = append(out[i].Sections, sec)
		}
	}
	secs.Close()
	if err := secs.Err(); err != nil {
		return nil, fmt.Errorf("store: read script sections: %w", err)
	}
	chs, err := db.QueryContext(ctx, `SELECT c.script_id, s.position, c.label, c.target, c.outcome, c.note
		FROM script_choices c JOIN script_sections s ON s.script_id = c.script_id AND s.position = c.section
		ORDER BY c.script_id, c.section, c.position`)
	if err != nil {
		return nil, fmt.Errorf("store: read script choices: %w", err)
	}
	defer chs.Close()
	for chs.Next() {
		var id int64
		var pos int
		var ch ScriptChoice
		if err := chs.Scan(&id, &pos, &ch.Label, &ch.Target, &ch.Outcome, &ch.Note); err != nil {
			return nil, fmt.Errorf("store: read script choices: %w", err)
		}
		// Positions are dense (SaveScript writes 0..n-1).
		if i, ok := byID[id]; ok && pos < len(out[i].Sections) {
			out[i].Sections[pos].Choices = append(out[i].Sections[pos].Choices, ch)
		}
	}
	if err := chs.Err(); err != nil {
		return nil, fmt.Errorf("store: read script choices: %w", err)
	}
	for i := range out {
		if len(out[i].Sections) > 0 {
			out[i].Body = out[i].Sections[0].Body
		}
	}
	return out, nil
}

// Script returns one script (ErrNotFound when there is none with id).
func (s *Store) Script(ctx context.Context, id int64) (Script, error) {
	all, err := s.Scripts(ctx)
	if err != nil {
		return Script{}, err
	}
	for _, sc := range all {
		if sc.ID == id {
			return sc, nil
		}
	}
	return Script{}, fmt.Errorf("%w: script %d", ErrNotFound, id)
}

// SaveScript creates (ID 0) or updates a script. Names are unique
// (ErrDuplicate); making a script the default clears the previous default.
//
// With Sections set, the script's sections and choices are replaced after
// CheckScript (structure only: the caller checks templates when it wants
// to refuse them). With Sections nil, Body replaces the first section's
// text and the other sections stay as they are; a new script gets one
// section, "Opening".
func (s *Store) SaveScript(ctx context.Context, sc *Script) error {
	sc.normalise()
	legacy := sc.Sections == nil
	if legacy {
		if sc.Name == "" {
			return fmt.Errorf("%w: script name is empty", ErrInvalid)
		}
		if len(sc.Body) > MaxScriptBytes {
			return fmt.Errorf("%w: script %q is %d bytes, the limit is %d", ErrTooLarge, sc.Name, len(sc.Body), MaxScriptBytes)
		}
	} else {
		if err := CheckScript(*sc, false); err != nil {
			return err
		}
		sc.Body = sc.Sections[0].Body
	}
	return s.write(ctx, "save script "+sc.Name, func(tx *sql.Tx) error {
		var other int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM scripts WHERE name = ? AND id <> ?`, sc.Name, sc.ID).Scan(&other)
		if err == nil {
			return fmt.Errorf("%w: a script named %q", ErrDuplicate, sc.Name)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if sc.Default {
			if _, err := tx.ExecContext(ctx, `UPDATE scripts SET is_default = 0 WHERE id <> ?`, sc.ID); err != nil {
				return err
			}
		}
		if sc.ID == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO scripts(name, body, is_default) VALUES(?, ?, ?)`, sc.Name, sc.Body, sc.Default)
			if err != nil {
				return err
			}
			if sc.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, `UPDATE scripts SET name = ?, body = ?, is_default = ? WHERE id = ?`, sc.Name, sc.Body, sc.Default, sc.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: script %d", ErrNotFound, sc.ID)
			}
		}
		if legacy {
			_, err := tx.ExecContext(ctx, `INSERT INTO script_sections(script_id, position, name, body) VALUES(?, 0, 'Opening', ?)
				ON CONFLICT(script_id, position) DO UPDATE SET body = excluded.body`, sc.ID, sc.Body)
			return err
		}
		return writeSections(ctx, tx, sc)
	})
}

// writeSections replaces sc's sections and choices.
func writeSections(ctx context.Context, tx *sql.Tx, sc *Script) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM script_choices WHERE script_id = ?`, sc.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM script_sections WHERE script_id = ?`, sc.ID); err != nil {
		return err
	}
	for i, sec := range sc.Sections {
		if _, err := tx.ExecContext(ctx, `INSERT INTO script_sections(script_id, position, name, body) VALUES(?, ?, ?, ?)`,
			sc.ID, i, sec.Name, sec.Body); err != nil {
			return err
		}
		for j, ch := range sec.Choices {
			if _, err := tx.ExecContext(ctx, `INSERT INTO script_choices(script_id, section, position, label, target, outcome, note)
				VALUES(?, ?, ?, ?, ?, ?, ?)`, sc.ID, i, j, ch.Label, ch.Target, ch.Outcome, ch.Note); err != nil {
				return err
			}
		}
	}
	return nil
}

// DeleteScript deletes a script with its sections.
func (s *Store) DeleteScript(ctx context.Context, id int64) error {
	return s.write(ctx, fmt.Sprintf("delete script %d", id), func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM scripts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: script %d", ErrNotFound, id)
		}
		return nil
	})
}

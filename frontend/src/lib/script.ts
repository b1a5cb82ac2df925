// Call scripts: templates with {{variable|fallback}} and branching sections.
//
// parseTemplate is the TypeScript twin of softphone/store/scripttemplate.go
// (ParseTemplate): both read the same grammar and are checked against the
// same vectors (softphone/store/testdata/script_templates.json).
//
//   var      = "{{" ws name ws [ "|" fallback ] "}}"
//   name     = letter-or-_ { letter | digit | "_" | "." }   (ASCII)
//   fallback = any text without "{{", "}}"
//
// Anything else is literal text. A variable with no value shows its
// fallback; with neither, the rep sees a marked placeholder (never braces).
import type { CallScriptView, OutcomeView, ScriptChoiceView, ScriptSectionView } from "./contract";

/** Variables a call script may use, in the order the editor lists them. */
export const SCRIPT_VARIABLES = [
  "contact.first_name",
  "contact.last_name",
  "company.name",
  "deal.name",
  "rep.name",
] as const;

/** ScriptVariable is one of SCRIPT_VARIABLES. */
export type ScriptVariable = (typeof SCRIPT_VARIABLES)[number];

/** ScriptValues maps variable names to values; missing or empty means unknown. */
export type ScriptValues = Partial<Record<string, string | undefined | null>>;

/** TemplatePart is one piece of a parsed template. */
export type TemplatePart = { kind: "text"; text: string } | { kind: "var"; name: string; fallback: string };

/** TemplateProblem is one thing wrong in a template, offset in characters (code points). */
export interface TemplateProblem { offset: number; kind: "unclosed" | "bad_name" | "unknown"; name: string }

/** ScriptSegment is one piece of a filled script. */
export type ScriptSegment =
  | { kind: "text"; text: string }
  | { kind: "var"; name: string; value: string }
  | { kind: "fallback"; name: string; text: string }
  | { kind: "missing"; name: string };

const MAX_PROBLEMS = 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const KNOWN = new Set<string>(SCRIPT_VARIABLES);

/** Go's strings.TrimSpace: exactly unicode.IsSpace's set (JS \s differs: it has U+FEFF, lacks U+0085). */
const SPACE = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const TRIM = new RegExp(`^${SPACE}+|${SPACE}+$`, "gu");
const trim = (s: string) => s.replace(TRIM, "");

/** Characters (code points) in s, as Go's utf8.RuneCountInString. */
const runes = (s: string) => Array.from(s).length;

/** parseTemplate splits text into literal and variable parts and lists the problems. */
export function parseTemplate(text: string): { parts: TemplatePart[]; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let lit = "";
  const flush = () => {
    if (lit) parts.push({ kind: "text", text: lit });
    lit = "";
  };
  const problem = (at: number, kind: TemplateProblem["kind"], name = "") => {
    if (problems.length < MAX_PROBLEMS) problems.push({ offset: runes(text.slice(0, at)), kind, name });
  };
  let i = 0;
  while (i < text.length) {
    const j = text.indexOf("{{", i);
    if (j < 0) {
      lit += text.slice(i);
      break;
    }
    lit += text.slice(i, j);
    const end = text.indexOf("}}", j + 2);
    if (end < 0) {
      problem(j, "unclosed");
      lit += text.slice(j);
      break;
    }
    const inner = text.slice(j + 2, end);
    const k = inner.indexOf("{{");
    if (k >= 0) {
      problem(j, "unclosed");
      lit += text.slice(j, j + 2 + k);
      i = j + 2 + k;
      continue;
    }
    const bar = inner.indexOf("|");
    const name = trim(bar < 0 ? inner : inner.slice(0, bar));
    const fallback = bar < 0 ? "" : trim(inner.slice(bar + 1));
    if (!NAME.test(name)) {
      problem(j, "bad_name", `{{${inner}}}`);
      lit += text.slice(j, end + 2);
      i = end + 2;
      continue;
    }
    if (!KNOWN.has(name)) problem(j, "unknown", name);
    flush();
    parts.push({ kind: "var", name, fallback });
    i = end + 2;
  }
  flush();
  return { parts, problems };
}

/** rawPart is a part as template text (variables in canonical form). */
export function rawPart(p: TemplatePart): string {
  if (p.kind === "text") return p.text;
  if (p.fallback.endsWith("}")) return `{{${p.name}|${p.fallback} }}`;
  return p.fallback ? `{{${p.name}|${p.fallback}}}` : `{{${p.name}}}`;
}

/**
 * fillScript fills a template: a variable shows its value, else its
 * fallback, else a "missing" segment (the panel marks it for the rep;
 * never "undefined", never braces).
 */
export function fillScript(template: string, values: ScriptValues): ScriptSegment[] {
  return parseTemplate(template).parts.map((p): ScriptSegment => {
    if (p.kind === "text") return p;
    const v = values[p.name];
    if (typeof v === "string" && trim(v) !== "") return { kind: "var", name: p.name, value: v };
    if (p.fallback) return { kind: "fallback", name: p.name, text: p.fallback };
    return { kind: "missing", name: p.name };
  });
}

/** unknownVariables lists variable names in template that are not in SCRIPT_VARIABLES. */
export function unknownVariables(template: string): string[] {
  return [...new Set(parseTemplate(template).problems.filter((p) => p.kind === "unknown").map((p) => p.name))];
}

// --- scripts with branches -------------------------------------------------

/**
 * scriptFor picks the script of a call: the call list's script (listScriptId,
 * when it still exists), else the default script, else the first one.
 */
export function scriptFor(scripts: CallScriptView[], listScriptId = 0): CallScriptView | undefined {
  return (listScriptId ? scripts.find((s) => s.id === listScriptId) : undefined) ?? scripts.find((s) => s.default) ?? scripts[0];
}

/** ScriptRun is where a rep is in a script: the sections visited, the last one current. */
export interface ScriptRun {
  scriptId: number;
  /** path holds section names; path[path.length-1] is current; "" marks the end. */
  path: string[];
  /** choices holds the label chosen in each section of path but the last. */
  choices: string[];
  /** outcome is the outcome label of the last choice that set one ("" = none). */
  outcome: string;
}

/** startRun begins script at its first section. */
export function startRun(script: CallScriptView): ScriptRun {
  return { scriptId: script.id, path: [script.sections[0]?.name ?? ""], choices: [], outcome: "" };
}

/** currentSection returns the run's section (undefined at the end of the script). */
export function currentSection(script: CallScriptView, run: ScriptRun): ScriptSectionView | undefined {
  const name = run.path[run.path.length - 1];
  return name === "" ? undefined : script.sections.find((s) => s.name === name);
}

/** ChoiceEffect is what a choice adds to the post-call form. */
export interface ChoiceEffect { noteLines: string[]; outcome: string }

/**
 * choose follows choice from the run's current section: the next section
 * (or the end), the note lines to append (the path step, then the choice's
 * note) and the outcome it pre-selects.
 */
export function choose(run: ScriptRun, from: ScriptSectionView, choice: ScriptChoiceView): { run: ScriptRun; effect: ChoiceEffect } {
  const noteLines = [`Script: ${from.name} → ${choice.label}`];
  if (choice.note) noteLines.push(choice.note);
  const next: ScriptRun = {
    scriptId: run.scriptId,
    path: [...run.path, choice.target],
    choices: [...run.choices, choice.label],
    outcome: choice.outcome || run.outcome,
  };
  return { run: next, effect: { noteLines, outcome: choice.outcome } };
}

/** back steps to the previous section (notes already added stay: they are the rep's record). */
export function back(run: ScriptRun): ScriptRun {
  if (run.path.length < 2) return run;
  return { ...run, path: run.path.slice(0, -1), choices: run.choices.slice(0, -1) };
}

/** appendLines adds lines at the end of notes, never changing what is there. */
export function appendLines(notes: string, lines: string[]): string {
  if (lines.length === 0) return notes;
  const add = lines.join("\n");
  if (notes === "") return add;
  return notes.endsWith("\n") ? notes + add : `${notes}\n${add}`;
}

/** outcomeIdFor returns the id (as the form's select value) of the enabled outcome labelled label, or "". */
export function outcomeIdFor(label: string, outcomes: OutcomeView[]): string {
  if (!label) return "";
  const o = outcomes.find((o) => o.enabled && !o.deleted && o.label.toLowerCase() === label.toLowerCase());
  return o ? String(o.id) : "";
}

/** ScriptIssue is one problem the editor shows beside the script. */
export type ScriptIssue =
  | { kind: "noName" }
  | { kind: "noSections" }
  | { kind: "sectionNoName"; section: number }
  | { kind: "duplicateSection"; name: string }
  | { kind: "choiceNoLabel"; section: string; choice: number }
  | { kind: "missingTarget"; section: string; choice: number; target: string }
  | { kind: "template"; section: string; problem: TemplateProblem };

/** checkScript lists what the backend would refuse (app/scripts.go), for the editor to show as the rep types. */
export function checkScript(s: CallScriptView): ScriptIssue[] {
  const out: ScriptIssue[] = [];
  if (trim(s.name) === "") out.push({ kind: "noName" });
  if (s.sections.length === 0) out.push({ kind: "noSections" });
  const names = new Set<string>();
  s.sections.forEach((sec, i) => {
    const n = trim(sec.name);
    if (n === "") out.push({ kind: "sectionNoName", section: i + 1 });
    else if (names.has(n)) out.push({ kind: "duplicateSection", name: n });
    names.add(n);
    for (const p of parseTemplate(sec.body).problems) out.push({ kind: "template", section: n || String(i + 1), problem: p });
  });
  for (const sec of s.sections) {
    sec.choices.forEach((c, j) => {
      if (trim(c.label) === "") out.push({ kind: "choiceNoLabel", section: trim(sec.name), choice: j + 1 });
      const t = trim(c.target);
      if (t !== "" && !names.has(t)) out.push({ kind: "missingTarget", section: trim(sec.name), choice: j + 1, target: t });
    });
  }
  return out;
}

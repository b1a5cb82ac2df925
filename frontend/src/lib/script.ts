// Call-script templates: "Hello {{contact.first_name}}, this is {{rep.name}}".

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

/** ScriptSegment is one piece of a filled script: literal text or a variable. */
export type ScriptSegment =
  | { kind: "text"; text: string }
  | { kind: "var"; name: string; value: string }
  | { kind: "missing"; name: string };

const VAR = /\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g;

/**
 * fillScript splits template into text and variable segments. A variable with
 * no value becomes a "missing" segment (rendered visibly by the UI, never as
 * "undefined"); unknown variable names are treated the same way.
 */
export function fillScript(template: string, values: ScriptValues): ScriptSegment[] {
  const out: ScriptSegment[] = [];
  let last = 0;
  for (const m of template.matchAll(VAR)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: "text", text: template.slice(last, at) });
    const name = m[1];
    const v = values[name];
    if (typeof v === "string" && v.trim() !== "") out.push({ kind: "var", name, value: v });
    else out.push({ kind: "missing", name });
    last = at + m[0].length;
  }
  if (last < template.length) out.push({ kind: "text", text: template.slice(last) });
  return out;
}

/** unknownVariables lists variable names in template that are not in SCRIPT_VARIABLES. */
export function unknownVariables(template: string): string[] {
  const known = new Set<string>(SCRIPT_VARIABLES);
  const bad = new Set<string>();
  for (const m of template.matchAll(VAR)) if (!known.has(m[1])) bad.add(m[1]);
  return [...bad];
}

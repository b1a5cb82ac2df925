// Call-script logic: the template parser agrees with the Go parser on the
// shared vectors, holds its invariants on random input (property tests
// with a seeded generator, so a failure names its seed), and the branching
// run pre-fills the form without touching what the rep typed.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallScriptView, OutcomeView } from "./contract";
import {
  appendLines, back, checkScript, choose, currentSection, fillScript, outcomeIdFor, parseTemplate, rawPart, scriptFor, startRun,
  type TemplatePart,
} from "./script";

interface Vector { in: string; parts: ({ text: string } | { var: string; fallback: string })[]; problems: { offset: number; kind: string }[] }
const vectors: Vector[] = JSON.parse(readFileSync(resolve(__dirname, "../../../softphone/store/testdata/script_templates.json"), "utf8")).cases;

describe("parseTemplate agrees with the Go parser", () => {
  it("on every shared vector", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(10);
    for (const v of vectors) {
      const { parts, problems } = parseTemplate(v.in);
      const want: TemplatePart[] = v.parts.map((p) => ("text" in p ? { kind: "text", text: p.text } : { kind: "var", name: p.var, fallback: p.fallback }));
      expect(parts, v.in).toEqual(want);
      expect(problems.map((p) => ({ offset: p.offset, kind: p.kind })), v.in).toEqual(v.problems);
    }
  });
});

// mulberry32: a small seeded PRNG.
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const PIECES = ["{{", "}}", "{", "}", "|", " ", "\u3000", "contact.first_name", "rep.name", "x y", "a", ".", "様", "😀", "\n", "company.name|", "deal.name}}"];
function randomTemplate(r: () => number): string {
  let s = "";
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  return s;
}

describe("parseTemplate properties", () => {
  const values = { "contact.first_name": "", "rep.name": "Ken" };
  for (let seed = 1; seed <= 3000; seed++) {
    const text = randomTemplate(rng(seed));
    const { parts, problems } = parseTemplate(text);
    const canon = parts.map(rawPart).join("");
    const again = parseTemplate(canon);
    const ok =
      // canonical form parses to the same parts
      JSON.stringify(again.parts) === JSON.stringify(parts) &&
      (again.problems.length === 0) === (problems.length === 0) &&
      // no empty or adjacent literal parts
      parts.every((p, i) => (p.kind === "var" || (p.text !== "" && parts[i - 1]?.kind !== "text"))) &&
      // problem offsets inside the text
      problems.every((p) => p.offset >= 0 && p.offset <= Array.from(text).length) &&
      // a template without problems leaves no "{{" to read out, and filling never prints "undefined"
      (problems.length > 0 || parts.every((p) => p.kind === "var" || !p.text.includes("{{"))) &&
      !JSON.stringify(fillScript(text, values)).includes("undefined");
    if (!ok) {
      it(`holds for seed ${seed}`, () => {
        expect({ text, parts, canon, again: again.parts }).toBe("consistent");
      });
    }
  }
  it("ran 3000 random templates", () => expect(true).toBe(true));
});

describe("fillScript", () => {
  it("shows the value, else the fallback, else a missing marker; never braces", () => {
    const segs = fillScript("Hi {{contact.first_name|there}}, {{company.name}} — {{rep.name|me}}", { "contact.first_name": " ", "rep.name": "Ken" });
    expect(segs).toEqual([
      { kind: "text", text: "Hi " }, { kind: "fallback", name: "contact.first_name", text: "there" }, { kind: "text", text: ", " },
      { kind: "missing", name: "company.name" }, { kind: "text", text: " — " }, { kind: "var", name: "rep.name", value: "Ken" },
    ]);
  });
});

const script: CallScriptView = {
  id: 7, name: "Cold call", default: false, sections: [
    { name: "Opening", body: "Hi", choices: [
      { label: "Interested", target: "Qualify", outcome: "", note: "" },
      { label: "Not interested — price", target: "Price", outcome: "Not interested", note: "Objection: price" },
    ] },
    { name: "Price", body: "Many teams…", choices: [{ label: "Back", target: "Opening", outcome: "", note: "" }] },
    { name: "Qualify", body: "How many reps?", choices: [{ label: "Book a demo", target: "", outcome: "Meeting booked", note: "Demo booked" }] },
  ],
};

describe("script runs", () => {
  it("picks the list's script, else the default, else the first", () => {
    const other = { ...script, id: 9, name: "Default", default: true };
    expect(scriptFor([script, other], 7)?.id).toBe(7);
    expect(scriptFor([script, other], 0)?.id).toBe(9);
    expect(scriptFor([script, other], 404)?.id).toBe(9);
    expect(scriptFor([script], 0)?.id).toBe(7);
    expect(scriptFor([], 7)).toBeUndefined();
  });

  it("follows choices (cycles too), records the path and the outcome, and steps back", () => {
    let run = startRun(script);
    expect(currentSection(script, run)?.name).toBe("Opening");
    let r = choose(run, currentSection(script, run)!, script.sections[0].choices[1]);
    expect(r.effect).toEqual({ noteLines: ["Script: Opening → Not interested — price", "Objection: price"], outcome: "Not interested" });
    run = r.run;
    expect(currentSection(script, run)?.name).toBe("Price");
    r = choose(run, currentSection(script, run)!, script.sections[1].choices[0]);
    run = r.run;
    expect(currentSection(script, run)?.name).toBe("Opening");
    expect(run.outcome).toBe("Not interested"); // a choice without an outcome keeps the last one
    run = choose(run, script.sections[0], script.sections[0].choices[0]).run;
    run = choose(run, script.sections[2], script.sections[2].choices[0]).run;
    expect(currentSection(script, run)).toBeUndefined(); // the end
    expect(run.path).toEqual(["Opening", "Price", "Opening", "Qualify", ""]);
    expect(run.outcome).toBe("Meeting booked");
    run = back(run);
    expect(currentSection(script, run)?.name).toBe("Qualify");
    expect(back(startRun(script)).path).toEqual(["Opening"]);
  });

  it("appends note lines and never changes what the rep typed", () => {
    expect(appendLines("", ["a", "b"])).toBe("a\nb");
    expect(appendLines("Rep typed this", ["a"])).toBe("Rep typed this\na");
    expect(appendLines("line\n", ["a"])).toBe("line\na");
    expect(appendLines("keep", [])).toBe("keep");
    for (let seed = 1; seed <= 200; seed++) {
      const typed = randomTemplate(rng(seed));
      expect(appendLines(typed, ["x"]).startsWith(typed)).toBe(true);
    }
  });

  it("maps an outcome label to an enabled outcome's id", () => {
    const outcomes = [
      { id: 3, label: "Not interested", enabled: true, deleted: false },
      { id: 4, label: "Meeting booked", enabled: false, deleted: false },
    ] as OutcomeView[];
    expect(outcomeIdFor("not interested", outcomes)).toBe("3");
    expect(outcomeIdFor("Meeting booked", outcomes)).toBe("");
    expect(outcomeIdFor("", outcomes)).toBe("");
  });

  it("lists what the backend would refuse", () => {
    const bad: CallScriptView = structuredClone(script);
    bad.name = " ";
    bad.sections[0].choices[0].target = "Qualfy";
    bad.sections[2].name = "Price";
    bad.sections[1].body = "{{oops";
    expect(checkScript(bad).map((i) => i.kind).sort()).toEqual(["duplicateSection", "missingTarget", "noName", "template"].sort());
    expect(checkScript(script)).toEqual([]);
  });
});

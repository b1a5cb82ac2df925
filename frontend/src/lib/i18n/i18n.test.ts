// Every key exists in both languages, placeholders match, and no component
// renders a literal string: text nodes and user-visible attributes in every
// .svelte file must come from t(...) (checked on the Svelte AST).
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "svelte/compiler";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { ja } from "./ja";
import { locale, setLocale, t } from "./index.svelte";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("dictionary", () => {
  it("has every English key in Japanese, non-empty, with the same placeholders", () => {
    const missing = Object.keys(en).filter((k) => !(k in ja));
    expect(missing).toEqual([]);
    const extra = Object.keys(ja).filter((k) => !(k in en));
    expect(extra).toEqual([]);
    for (const [k, v] of Object.entries(en)) {
      const j = (ja as Record<string, string>)[k];
      expect(j.trim(), k).not.toBe("");
      expect(placeholders(j), k).toEqual(placeholders(v));
    }
  });

  it("switches language and fills placeholders", () => {
    setLocale("ja");
    expect(locale()).toBe("ja");
    expect(t("dialpad.call")).toBe("発信");
    expect(t("search.noResults", { query: "Mar" })).toBe("「Mar」に一致する連絡先はありません");
    setLocale("xx");
    expect(locale()).toBe("en");
    expect(t("search.noResults", { query: "Mar" })).toBe("No contacts match “Mar”");
  });
});

// --- literal-string scan --------------------------------------------------

const SRC = resolve(__dirname, "../..");
const VISIBLE_ATTRS = new Set(["aria-label", "title", "placeholder", "alt", "label", "aria-description", "aria-roledescription"]);
/** A literal is user-visible language when it has a letter (symbols like "×", "⌫", "·" and digits are not words). */
const hasWord = (s: string) => /\p{L}/u.test(s);

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? svelteFiles(join(dir, d.name)) : d.name.endsWith(".svelte") ? [join(dir, d.name)] : [],
  );
}

type Node = { type: string; [k: string]: unknown };

function literals(source: string): string[] {
  const ast = parse(source, { modern: true }) as unknown as { fragment: Node };
  const found: string[] = [];
  const walk = (n: unknown): void => {
    if (!n || typeof n !== "object") return;
    if (Array.isArray(n)) return n.forEach((x) => walk(x));
    const node = n as Node;
    if (node.type === "Text" && hasWord(String(node.data))) found.push(`text ${JSON.stringify(String(node.data).trim())}`);
    if (node.type === "Attribute") {
      // Only user-visible attributes matter; class, type, role... are code.
      if (VISIBLE_ATTRS.has(String(node.name)) && Array.isArray(node.value)) {
        for (const v of node.value as Node[]) if (v.type === "Text" && hasWord(String(v.data))) found.push(`${node.name}=${JSON.stringify(v.data)}`);
      }
      return;
    }
    for (const [k, v] of Object.entries(node)) {
      if (k === "parent" || k === "metadata") continue;
      if (typeof v === "object") walk(v);
    }
  };
  walk(ast.fragment);
  return found;
}

describe("dictionary use", () => {
  // Keys built at run time from a backend enum or a fixed list.
  const DYNAMIC = ["demo.behaviour.", "call.cause.", "settings.language.", "history.filter.", "err."];
  it("every key is used by some component or module", () => {
    const files = (function all(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? (d.name === "i18n" ? [] : all(join(dir, d.name))) : /\.(svelte|ts)$/.test(d.name) && !d.name.endsWith(".test.ts") ? [join(dir, d.name)] : [],
      );
    })(SRC);
    const code = files.map((f) => readFileSync(f, "utf8")).join("\n");
    const unused = Object.keys(en).filter((k) => !code.includes(`"${k}"`) && !DYNAMIC.some((p) => k.startsWith(p)));
    expect(unused).toEqual([]);
  });
});

describe("components", () => {
  const files = svelteFiles(SRC);
  it("finds the components", () => {
    expect(files.length).toBeGreaterThan(10);
  });
  it.each(files.map((f) => [f.slice(SRC.length + 1), f]))("%s renders no literal strings", (_name, file) => {
    expect(literals(readFileSync(file, "utf8"))).toEqual([]);
  });
  it("the scanner catches a literal", () => {
    expect(literals(`<p class="a">Hello {name}</p><button aria-label="Close" title={t("x")}>×</button>`)).toEqual(['text "Hello"', 'aria-label="Close"']);
    expect(literals(`{#if x}<b>{t("a")}</b>{:else}<i>Oops</i>{/if}`)).toEqual(['text "Oops"']);
  });
});

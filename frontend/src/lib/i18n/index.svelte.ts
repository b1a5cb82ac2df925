// The typed dictionary and the reactive current locale. t() reads the locale
// rune, so every {t(...)} in a template re-renders when the language changes.
import { en, type MessageKey } from "./en";
import { ja } from "./ja";

export type { MessageKey };

/** Locale is a UI language Pitchline ships. */
export type Locale = "en" | "ja";

/** LOCALES lists the shipped UI languages. */
export const LOCALES: readonly Locale[] = ["en", "ja"];

/** dictionaries maps each locale to its complete string table. */
export const dictionaries: Record<Locale, Record<MessageKey, string>> = { en, ja };

const state = $state({ locale: "en" as Locale });

/** isLocale reports whether s names a shipped locale. */
export function isLocale(s: unknown): s is Locale {
  return s === "en" || s === "ja";
}

/** setLocale switches the UI language (unknown values fall back to English). */
export function setLocale(l: string): void {
  state.locale = isLocale(l) ? l : "en";
  if (typeof document !== "undefined") document.documentElement.lang = state.locale;
}

/** locale returns the current UI language (reactive). */
export function locale(): Locale {
  return state.locale;
}

/**
 * t returns the string for key in the current locale with {placeholders}
 * replaced from params. A placeholder without a param is left visible.
 */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const s = dictionaries[state.locale][key] ?? en[key];
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/**
 * tn is t for a count: it uses key + "." + the plural category of count in
 * the current locale (Intl.PluralRules: "one", "few", ...) when that key
 * exists, and key itself otherwise ("1 more call" / "2 more calls").
 */
export function tn(key: MessageKey, count: number, params?: Record<string, string | number>): string {
  const cat = new Intl.PluralRules(state.locale).select(count);
  const k = `${key}.${cat}` as MessageKey;
  return t(k in dictionaries[state.locale] ? k : key, { count, ...params });
}

// errorText turns an ErrorPayload into the one sentence a rep reads, in the
// UI language: the translation of its code, or the Go side's English
// sentence for a code this build does not know.
import type { ErrorPayload } from "./contract";
import { locale, t, type MessageKey } from "./i18n/index.svelte";
import { en } from "./i18n/en";

/** errorKey is the dictionary key of code, or "" when there is none. */
export function errorKey(code: string): MessageKey | "" {
  const k = `err.${code}`;
  return k in en ? (k as MessageKey) : "";
}

/** errorText is the translated sentence for e. An invalid argument's own
 * reason (the Go side writes it for a person, in English) is kept in English;
 * other languages get the generic sentence and the reason behind "details". */
export function errorText(e: ErrorPayload): string {
  if (e.code === "invalid_argument" && locale() === "en" && e.message) return e.message;
  const k = errorKey(e.code);
  if (!k) return e.message;
  return t(k, { host: e.host || t("err.server") });
}

/** errorDetail is the technical text behind the "details" toggle ("" when
 * it would only repeat the sentence). */
export function errorDetail(e: ErrorPayload): string {
  const d = e.detail || (errorKey(e.code) ? e.message : "");
  return d && d !== errorText(e) ? d : "";
}

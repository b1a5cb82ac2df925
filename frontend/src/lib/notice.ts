// A background notice in the window's language. The core sends each
// notice's code with its params (and an English message for the log and
// the CLI); a code this table knows is said from the dictionary, any other
// falls back to the core's message.
import type { Notice } from "./contract";
import { locale, t, type MessageKey } from "./i18n/index.svelte";

const NOTICE: Record<string, MessageKey> = {
  crm_outcome_unmapped: "notice.crm_outcome_unmapped",
  crm_outcome_match_failed: "notice.crm_outcome_match_failed",
  crm_outcome_synced_unmapped: "notice.crm_outcome_synced_unmapped",
  blocked: "notice.blocked",
};

/** quotedList joins labels as the locale writes a quoted list (Intl.ListFormat): “a”, “b”, and “c”; 「a」、「b」、「c」. */
export function quotedList(labels: string[]): string {
  const ja = locale() === "ja";
  const q = labels.map((l) => (ja ? `「${l}」` : `“${l}”`));
  return new Intl.ListFormat(locale(), { type: "conjunction" }).format(q);
}

/** noticeText is the sentence a rep reads for n. */
export function noticeText(n: Notice): string {
  const key = NOTICE[n.code];
  if (!key || !n.params) return n.message;
  const p: Record<string, string> = { ...n.params };
  if (p.labels !== undefined) p.labels = quotedList(p.labels.split("\n"));
  return t(key, p);
}

/**
 * toastMs is how long a toast of level with text stays up: 4 s (8 s for an
 * error) or the time to read it, whichever is longer, at most 15 s. A wide
 * character (kana, kanji) counts as two, as it takes about that long to read.
 */
export function toastMs(level: string, text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! >= 0x2e80 ? 2 : 1;
  return Math.min(15000, Math.max(level === "error" ? 8000 : 4000, w * 70));
}

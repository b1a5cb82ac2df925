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

// What the post-call form pre-selects: the outcome the call itself implies
// and the deal the caller-ID pop showed. The rep can change both.
import type { CallerIDView, DealView, OutcomeView } from "./contract";

/**
 * IMPLIED lists, per call status, the outcome labels that status implies
 * (compared case-insensitively; the default outcomes and their usual
 * Japanese names). A completed call implies nothing: it may have reached a
 * person or a voicemail box.
 */
const IMPLIED: Record<string, string[]> = {
  busy: ["busy", "話し中"],
  no_answer: ["no answer", "応答なし", "不在"],
  canceled: ["no answer", "応答なし", "不在"],
  voicemail: ["left voicemail", "voicemail", "留守電", "留守番電話"],
};

/** impliedOutcome returns the id (as text) of the offered outcome the status implies, or "". */
export function impliedOutcome(status: string, outcomes: OutcomeView[]): string {
  const labels = IMPLIED[status];
  if (!labels) return "";
  for (const want of labels) {
    const o = outcomes.find((o) => o.enabled && !o.deleted && o.label.trim().toLowerCase() === want);
    if (o) return String(o.id);
  }
  return "";
}

/** shownDeal returns the id of the deal the caller-ID pop showed, or "". */
export function shownDeal(id: CallerIDView | null | undefined, deals: DealView[]): string {
  const name = id?.dealName?.trim();
  if (!name) return "";
  return deals.find((d) => d.name.trim() === name)?.id ?? "";
}

// Dictionary keys of the dialer's backend enums (modes, session states,
// skip reasons, import fields and rejections, DNC sources), so every key is
// written out once. tn() picks "dialer.contacts.one" and "dnc.count.one".
import type { MessageKey } from "./i18n/index.svelte";

export const MODE_LABEL: Record<string, MessageKey> = {
  preview: "dialer.mode.preview",
  power: "dialer.mode.power",
  parallel: "dialer.mode.parallel",
};

export const STATE_LABEL: Record<string, MessageKey> = {
  idle: "dialer.state.idle",
  running: "dialer.state.running",
  paused: "dialer.state.paused",
  done: "dialer.state.done",
};

/** REASON_LABEL names a skip reason (the backend's dialer.Reason, or "rep": the rep skipped). */
export const REASON_LABEL: Record<string, MessageKey> = {
  dnc: "dialer.reason.dnc",
  calling_hours: "dialer.reason.calling_hours",
  retry_cap: "dialer.reason.retry_cap",
  invalid_number: "dialer.reason.invalid_number",
  rep: "dialer.reason.skipped",
};

/** FIELDS are the columns' uses in the import dialog, in menu order. */
export const FIELDS: readonly [string, MessageKey][] = [
  ["name", "dialer.field.name"],
  ["phone", "dialer.field.phone"],
  ["other_phone", "dialer.field.other_phone"],
  ["company", "dialer.field.company"],
  ["email", "dialer.field.email"],
  ["timezone", "dialer.field.timezone"],
  ["extra", "dialer.field.extra"],
  ["ignore", "dialer.field.ignore"],
];

export const REJECT_LABEL: Record<string, MessageKey> = {
  empty_phone: "dialer.reject.empty_phone",
  invalid_number: "dialer.reject.invalid_number",
  duplicate: "dialer.reject.duplicate",
  bad_row: "dialer.reject.bad_row",
};

export const SOURCE_LABEL: Record<string, MessageKey> = {
  manual: "dnc.source.manual",
  form: "dnc.source.form",
  import: "dnc.source.import",
};


/** REJECT_MSG is the translated sentence of a rejected row (the backend's
 * English sentence has the specifics and shows in English). */
export const REJECT_MSG: Record<string, MessageKey> = {
  empty_phone: "dialer.rejectMsg.empty_phone",
  invalid_number: "dialer.rejectMsg.invalid_number",
  duplicate: "dialer.rejectMsg.duplicate",
  bad_row: "dialer.rejectMsg.bad_row",
};

// Locale-aware formatting through Intl, with formatters cached per locale
// (creating Intl formatters is the expensive part; events arrive every 200 ms).

const numberCache = new Map<string, Intl.NumberFormat>();
const dateCache = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: string, opts: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = locale + JSON.stringify(opts);
  let f = numberCache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, opts);
    numberCache.set(key, f);
  }
  return f;
}

function dateFormat(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let f = dateCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    dateCache.set(key, f);
  }
  return f;
}

/**
 * formatMoney formats amount in currency (ISO 4217) for locale, e.g.
 * 1200000 JPY in "ja" → "￥1,200,000", in "en" → "¥1,200,000". An invalid
 * currency code falls back to the plain number followed by the code.
 */
export function formatMoney(amount: number, currency: string, locale: string): string {
  try {
    return numberFormat(locale, { style: "currency", currency }).format(amount);
  } catch {
    return `${numberFormat(locale, {}).format(amount)} ${currency}`;
  }
}

/** formatNumber formats a plain number for locale. */
export function formatNumber(n: number, locale: string, maxFraction = 0): string {
  return numberFormat(locale, { maximumFractionDigits: maxFraction }).format(n);
}

/** formatPercent formats a 0..1 ratio as a percentage for locale. */
export function formatPercent(ratio: number, locale: string): string {
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** formatDuration renders whole seconds as m:ss or h:mm:ss (locale-neutral, like a clock). */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const ss = String(sec).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** formatDateTime formats a date and time for locale (short date, short time). */
export function formatDateTime(d: Date | string | number, locale: string): string {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return "";
  return dateFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** formatTime formats a time of day for locale. */
export function formatTime(d: Date | string | number, locale: string): string {
  const date = d instanceof Date ? d : new Date(d);
  if (Number.isNaN(date.getTime())) return "";
  return dateFormat(locale, { timeStyle: "short" }).format(date);
}

/** isoDate returns the local calendar date of d as YYYY-MM-DD (for date filters). */
export function isoDate(d: Date | string | number): string {
  const date = d instanceof Date ? d : new Date(d);
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const day = String(date.getDate()).padStart(2, "0");
  return `${y}-${m}-${day}`;
}

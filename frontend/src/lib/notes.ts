// Notes boxes (in-call notes, post-call form) accept at most NOTES_MAX
// characters, counted as the browser counts them (UTF-16 code units, what
// textarea maxlength uses). The backend and the local store keep much more
// (4 MiB) so that notes arriving from the CLI or the API are never lost; a
// CRM with a smaller notes field gets a copy cut with a marker.

/** NOTES_MAX is the notes boxes' limit in characters. */
export const NOTES_MAX = 65536;

/** NOTES_COUNTER_FROM is the length from which the character counter shows. */
export const NOTES_COUNTER_FROM = Math.floor(NOTES_MAX * 0.9);

/** Insertion is the result of fitting inserted text into a limited box. */
export interface Insertion {
  /** value is the box's new text. */
  value: string;
  /** caret is where the caret goes (after the inserted text). */
  caret: number;
  /** inserted is how many characters of the text went in. */
  inserted: number;
  /** dropped is how many characters of the text did not fit. */
  dropped: number;
}

/**
 * fitInsert replaces value[start:end] with as much of text as fits in max
 * characters, never splitting a surrogate pair. When value is already over
 * max (notes that came from elsewhere), nothing is inserted but the
 * selection is still replaced only if text fits entirely in what it frees.
 */
export function fitInsert(value: string, start: number, end: number, text: string, max = NOTES_MAX): Insertion {
  const room = Math.max(0, max - (value.length - (end - start)));
  let keep = Math.min(text.length, room);
  if (keep > 0 && keep < text.length && isHighSurrogate(text.charCodeAt(keep - 1))) keep--;
  const part = text.slice(0, keep);
  return {
    value: value.slice(0, start) + part + value.slice(end),
    caret: start + part.length,
    inserted: part.length,
    dropped: text.length - part.length,
  };
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

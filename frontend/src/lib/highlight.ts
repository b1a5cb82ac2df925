// Splits text into matched / unmatched pieces for search-result highlighting.
// Digit queries ("0312") also match formatted numbers ("03-1234-5678").

/** Piece is a run of text, marked when it matched the query. */
export interface Piece {
  text: string;
  match: boolean;
}

function fold(s: string): string {
  return s.normalize("NFKC").toLocaleLowerCase();
}

/** highlight returns the pieces of text with every match of query marked. */
export function highlight(text: string, query: string): Piece[] {
  const q = fold(query.trim());
  if (q === "" || text === "") return [{ text, match: false }];
  const pieces: Piece[] = [];
  const f = fold(text);
  // Plain substring matches (case- and width-insensitive). NFKC + lower-case
  // can change string length for rare characters; fall back to no highlight.
  if (f.length === text.length && f.includes(q)) {
    let i = 0;
    for (let at = f.indexOf(q); at >= 0; at = f.indexOf(q, at + q.length)) {
      if (at > i) pieces.push({ text: text.slice(i, at), match: false });
      pieces.push({ text: text.slice(at, at + q.length), match: true });
      i = at + q.length;
    }
    if (i < text.length) pieces.push({ text: text.slice(i), match: false });
    return pieces;
  }
  const qd = q.replace(/\D+/g, "");
  if (qd.length >= 2 && qd.length === q.replace(/[\s\-().+]/g, "").length) {
    // Digit-aware: map the digit positions of text and match across separators.
    const pos: number[] = [];
    let digits = "";
    for (let i = 0; i < text.length; i++) {
      if (text[i] >= "0" && text[i] <= "9") {
        pos.push(i);
        digits += text[i];
      }
    }
    const at = digits.indexOf(qd);
    if (at >= 0) {
      const start = pos[at];
      const end = pos[at + qd.length - 1] + 1;
      if (start > 0) pieces.push({ text: text.slice(0, start), match: false });
      pieces.push({ text: text.slice(start, end), match: true });
      if (end < text.length) pieces.push({ text: text.slice(end), match: false });
      return pieces;
    }
  }
  return [{ text, match: false }];
}

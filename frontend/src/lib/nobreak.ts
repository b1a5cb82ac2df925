// keepTogether makes a formatted phone number unbreakable (no-break spaces
// and hyphens), so that a narrow column never splits "+1 555-010-0199"
// over several lines. Other text is returned as is.
export function keepTogether(s: string): string {
  if (!/^\+?[\d\s().\-]+$/.test(s)) return s;
  return s.replace(/ /g, "\u00a0").replace(/-/g, "\u2011");
}

// Phone-number helpers for the dialpad, search results, caller ID and history.
// libphonenumber-js is the libphonenumber port with the smallest footprint
// (metadata "min" build, ~40 kB gz) and ships AsYouType for live formatting.
import { AsYouType, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/** Characters a dial string may contain: leading +, digits, * and #. */
const DIAL_CHARS = /[0-9*#]/;

/** E161 maps letters to keypad digits (ITU-T E.161, as printed on phones). */
const E161: Record<string, string> = {};
for (const [digit, letters] of [["2", "ABC"], ["3", "DEF"], ["4", "GHI"], ["5", "JKL"], ["6", "MNO"], ["7", "PQRS"], ["8", "TUV"], ["9", "WXYZ"]]) {
  for (const l of letters) E161[l] = digit;
}

/** letterDigit returns the keypad digit of a Latin letter (E.161), or "". */
export function letterDigit(ch: string): string {
  return E161[ch.toUpperCase()] ?? "";
}

/**
 * sanitizeDial keeps only what a dial string can carry: a single leading "+",
 * digits, "*" and "#". Letters become their keypad digits (E.161) as on
 * every phone: "1-800-FLOWERS" dials 18003569377. Everything else a paste
 * brings along (spaces, dashes, brackets, dots, "tel:" prefixes) is dropped;
 * full-width characters (０-９, Ａ) are folded to ASCII first, as Japanese
 * IMEs emit them.
 */
export function sanitizeDial(input: string): string {
  let s = input.normalize("NFKC").trim();
  s = s.replace(/^(tel|callto|sip):/i, "");
  // A trailing extension ("ext. 12", "x12", ";ext=12") cannot be dialed in
  // the number itself; its letters are not keypad letters.
  s = s.replace(/(?:;ext=|\b(?:ext|extension)\b\.?|(?<=[\d\s])x)\s*\d*\s*$/i, "");
  const letters = vanity(s);
  let out = "";
  for (const ch of s) {
    if (ch === "+" && out.length === 0) out = "+";
    else if (DIAL_CHARS.test(ch)) out += ch;
    else if (letters) out += letterDigit(ch);
  }
  return out;
}

/**
 * isAddress reports whether s is a SIP address, dialled as typed: a sip: or
 * sips: URI, or user@host.
 */
export function isAddress(s: string): boolean {
  const t = s.normalize("NFKC").trim();
  return /^sips?:/i.test(t) || t.includes("@");
}

/**
 * isURI reports whether s is dialled as typed by the engine: a SIP address
 * (isAddress) or a tel: URI.
 */
export function isURI(s: string): boolean {
  return isAddress(s) || /^tel:/i.test(s.normalize("NFKC").trim());
}

/**
 * editDial is what the dial field keeps of what the rep typed or pasted.
 * Text that starts with a letter and holds no space ("sip:bob@example.com",
 * "bob@example.com", a user name such as "alice", or a vanity word such as
 * "FLOWERS" on its way) is kept as typed, so an address can be typed key by
 * key; "tel:" and "callto:" text and everything else is a phone number,
 * sanitised by sanitizeDial.
 */
export function editDial(input: string): string {
  const t = input.normalize("NFKC").trim();
  if (/^[A-Za-z]/.test(t) && !/\s/.test(t) && !/^(tel|callto):/i.test(t)) return t;
  return sanitizeDial(t);
}

/**
 * isText reports whether a dial string kept by editDial is text (an address,
 * a user name or a vanity word) rather than a sanitised number.
 */
export function isText(dial: string): boolean {
  return /^[A-Za-z]/.test(dial);
}

/**
 * vanity reports whether the letters in s spell a phone number
 * ("1-800-FLOWERS", "FLOWERS") rather than words around one ("call me:
 * 03-1234-5678"): s holds only digits, letters and number punctuation, and
 * starts with a digit or "+", or holds no digit at all.
 */
function vanity(s: string): boolean {
  if (!/^[+\d\sA-Za-z().\-\/]*$/.test(s) || !/[A-Za-z]/.test(s)) return false;
  const first = s.replace(/^[\s().\-\/]+/, "")[0] ?? "";
  return /[+\d]/.test(first) || !/\d/.test(s);
}

/** DialCheck says what a dial string will call and whether it looks valid. */
export interface DialCheck {
  /** target is what the engine dials (E.164 when it parses). */
  target: string;
  /** display is the target written for the rep (international format when it parses). */
  display: string;
  /**
   * invalid is true when libphonenumber says the number cannot be a valid
   * number (for defaultCountry, or for the country of a +number). Short
   * strings (extensions, short codes: 6 digits or fewer without "+") and
   * feature codes with * or # are never flagged.
   */
  invalid: boolean;
  /** country is the region the number was checked for ("" for +numbers of no country). */
  country: string;
}

/** checkDial tells what dial (already sanitised) will call and whether it looks valid. */
export function checkDial(dial: string, defaultCountry: string): DialCheck {
  const none = { target: dial, display: dial, invalid: false, country: "" };
  if (isText(dial)) {
    // Upper-case letters with number punctuation spell a number (as the
    // engine reads them); anything else is a SIP address or a user name at
    // the account's domain, dialled as typed.
    if (!isAddress(dial) && /^[A-Z][A-Z0-9().\-\/]*$/.test(dial)) return checkDial(sanitizeDial(dial), defaultCountry);
    return none;
  }
  if (dial === "" || /[*#]/.test(dial)) return none;
  const intl = dial.startsWith("+");
  if (!intl && digitsOf(dial).length <= 6) return none;
  const p = parsePhoneNumberFromString(dial, country(defaultCountry));
  if (!p) return { ...none, invalid: true, country: intl ? "" : defaultCountry };
  const ok = p.isValid();
  return {
    target: p.isPossible() ? p.number : dial,
    display: p.isPossible() ? p.formatInternational() : dial,
    invalid: !ok,
    country: p.country ?? (intl ? "" : defaultCountry),
  };
}

/** isCountryCode reports whether c looks like an ISO 3166-1 alpha-2 code. */
export function isCountryCode(c: string): c is CountryCode {
  return /^[A-Z]{2}$/.test(c);
}

function country(c: string): CountryCode | undefined {
  return isCountryCode(c) ? c : undefined;
}

/**
 * formatAsYouType formats a partial dial string the way the number will be
 * written in defaultCountry (national format for local numbers, e.g.
 * "03-1234-5678" for Tokyo with JP; international for "+..."). Strings with
 * "*" or "#" (feature codes, DTMF) and text (addresses, user names) are
 * returned as typed.
 */
export function formatAsYouType(dial: string, defaultCountry: string): string {
  if (dial === "" || /[*#]/.test(dial) || isText(dial)) return dial;
  return new AsYouType(country(defaultCountry)).input(dial);
}

/**
 * formatPhone formats a complete number for display: national format when the
 * number belongs to defaultCountry, international otherwise, and the input
 * unchanged when it cannot be parsed (extensions, SIP URIs).
 */
export function formatPhone(number: string, defaultCountry: string): string {
  const p = parsePhoneNumberFromString(number, country(defaultCountry));
  if (!p || !p.isPossible()) return number;
  return p.country === defaultCountry ? p.formatNational() : p.formatInternational();
}

/**
 * toDialTarget turns what the user typed into what the engine dials: a SIP
 * address or tel: URI as typed (the engine parses it), E.164 when the number
 * parses for defaultCountry, the sanitised string otherwise (extensions,
 * feature codes).
 */
export function toDialTarget(input: string, defaultCountry: string): string {
  if (isURI(input)) return input.trim();
  const dial = sanitizeDial(input);
  if (/[*#]/.test(dial)) return dial;
  const p = parsePhoneNumberFromString(dial, country(defaultCountry));
  return p && p.isPossible() ? p.number : dial;
}

/** digitsOf returns only the digits of s (used for digit-aware matching). */
export function digitsOf(s: string): string {
  return s.replace(/\D+/g, "");
}

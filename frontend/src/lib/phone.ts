// Phone-number helpers for the dialpad, search results, caller ID and history.
// libphonenumber-js is the libphonenumber port with the smallest footprint
// (metadata "min" build, ~40 kB gz) and ships AsYouType for live formatting.
import { AsYouType, parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/** Characters a dial string may contain: leading +, digits, * and #. */
const DIAL_CHARS = /[0-9*#]/;

/**
 * sanitizeDial keeps only what a dial string can carry: a single leading "+",
 * digits, "*" and "#". Everything else a paste brings along (spaces, dashes,
 * brackets, dots, letters, "tel:" prefixes, full-width digits) is dropped;
 * full-width digits (０-９) are folded to ASCII first, as Japanese IMEs emit them.
 */
export function sanitizeDial(input: string): string {
  let s = input.normalize("NFKC").trim();
  s = s.replace(/^(tel|callto|sip):/i, "");
  let out = "";
  for (const ch of s) {
    if (ch === "+" && out.length === 0) out = "+";
    else if (DIAL_CHARS.test(ch)) out += ch;
  }
  return out;
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
 * "*" or "#" (feature codes, DTMF) are returned as typed.
 */
export function formatAsYouType(dial: string, defaultCountry: string): string {
  if (dial === "" || /[*#]/.test(dial)) return dial;
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
 * toDialTarget turns what the user typed into what the engine dials: E.164
 * when the number parses for defaultCountry, the sanitised string otherwise
 * (extensions, feature codes).
 */
export function toDialTarget(input: string, defaultCountry: string): string {
  const dial = sanitizeDial(input);
  if (/[*#]/.test(dial)) return dial;
  const p = parsePhoneNumberFromString(dial, country(defaultCountry));
  return p && p.isPossible() ? p.number : dial;
}

/** digitsOf returns only the digits of s (used for digit-aware matching). */
export function digitsOf(s: string): string {
  return s.replace(/\D+/g, "");
}

import { describe, expect, it } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import ErrorNote from "./ErrorNote.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { en } from "../lib/i18n/en";
import { ja } from "../lib/i18n/ja";

const refused = {
  code: "connection_refused",
  message: "127.0.0.1:5060 refused the connection. Check the address and port.",
  detail: "softphone: registration failed: registrar 127.0.0.1:5060: dial tcp 127.0.0.1:5060: connect: connection refused",
  host: "127.0.0.1:5060",
};

describe("ErrorNote", () => {
  it("shows one translated sentence and hides the detail behind a toggle", async () => {
    setLocale("en");
    render(ErrorNote, { props: { error: refused } });
    const note = screen.getByRole("alert");
    expect(note.textContent).toContain("127.0.0.1:5060 refused the connection. Check the address and port.");
    const pre = note.querySelector("pre")!;
    expect(pre.hidden).toBe(true);
    const toggle = screen.getByRole("button", { name: "Details" });
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    await fireEvent.click(toggle);
    expect(pre.hidden).toBe(false);
    expect(pre.textContent).toBe(refused.detail);
    expect(screen.getByRole("button", { name: "Hide details" }).getAttribute("aria-expanded")).toBe("true");
  });

  it("speaks Japanese from the code, not the Go side's English text", () => {
    setLocale("ja");
    render(ErrorNote, { props: { error: { code: "auth_failed", message: "The server refused the user name or password.", detail: "softphone: authentication failed (403 Forbidden from pbx:5060)" } } });
    const note = screen.getByRole("alert");
    expect(note.textContent).toContain("サーバーがユーザー名またはパスワードを拒否しました");
    expect(note.textContent).not.toContain("The server refused");
    expect(screen.getByRole("button", { name: "詳細" })).toBeTruthy();
    setLocale("en");
  });

  it("falls back to the Go sentence for an unknown code, and offers no empty toggle", () => {
    setLocale("en");
    render(ErrorNote, { props: { error: { code: "something_new", message: "A new kind of failure. Try again." } } });
    expect(screen.getByRole("alert").textContent).toContain("A new kind of failure. Try again.");
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("has a sentence in both languages for every code the Go side sends", () => {
    // The Go table (app/errfmt.go messages) and this one must cover the same codes.
    const codes = ["internal", "invalid_argument", "not_started", "canceled", "timeout", "dns_lookup", "connection_refused",
      "network_unreachable", "tls_certificate", "auth_failed", "duplicate", "too_large", "invalid_number", "account_not_registered",
      "invalid_target", "no_such_call", "invalid_state", "call_failed", "registration_failed", "not_found", "no_keychain",
      "keychain_locked", "no_sound_server", "crm_auth", "crm_forbidden", "crm_sell_search", "crm_unreachable", "crm_bad_response",
      "crm_not_connected", "outcome_required", "no_form"];
    for (const c of codes) {
      expect((en as Record<string, string>)[`err.${c}`], c).toBeTruthy();
      expect((ja as Record<string, string>)[`err.${c}`], c).toBeTruthy();
    }
  });
});

// Background notices in the window's language: a known code is said from
// its params, the labels as the locale quotes a list; any other code (or
// one without params) keeps the core's English message.
import { describe, expect, it } from "vitest";
import { noticeText, quotedList, toastMs } from "./notice";
import { setLocale } from "./i18n/index.svelte";

describe("noticeText", () => {
  it("says an unmapped-outcomes notice in English and Japanese from its params", () => {
    const n = { level: "warning" as const, code: "crm_outcome_unmapped", message: "core's English", params: { vendor: "HubSpot", labels: "Meeting booked\nNot interested" } };
    setLocale("en");
    expect(noticeText(n)).toBe("HubSpot has no outcome named “Meeting booked” and “Not interested”: calls with these outcomes reach HubSpot without one. Map them in Settings → Outcomes.");
    setLocale("ja");
    expect(noticeText(n)).toBe("HubSpot には「Meeting booked」、「Not interested」という結果がありません。これらの結果の通話は結果なしで HubSpot に記録されます。「設定 → 通話の結果」で対応付けてください。");
    setLocale("en");
  });

  it("quotes one, two and three labels as the locale lists them", () => {
    setLocale("en");
    expect(quotedList(["A"])).toBe("“A”");
    expect(quotedList(["A", "B", "C"])).toBe("“A”, “B”, and “C”");
    setLocale("ja");
    expect(quotedList(["A", "B"])).toBe("「A」、「B」");
    setLocale("en");
  });

  it("keeps the core's message for a code it does not know, or without params", () => {
    setLocale("ja");
    expect(noticeText({ level: "info", code: "something_new", message: "as the core said", params: { a: "b" } })).toBe("as the core said");
    expect(noticeText({ level: "warning", code: "blocked", message: "blocked an INVITE from x (dnd)" })).toBe("blocked an INVITE from x (dnd)");
    expect(noticeText({ level: "warning", code: "blocked", message: "m", params: { from: "sip:x@y", reason: "dnd" } })).toBe("sip:x@y からの着信をブロックしました。");
    setLocale("en");
  });

  it("keeps a toast up long enough to read it: 4 s for a short one, longer for a notice's two sentences, at most 15 s", () => {
    expect(toastMs("info", "Transfer done")).toBe(4000);
    expect(toastMs("error", "Call failed")).toBe(8000);
    const n = { level: "warning" as const, code: "crm_outcome_unmapped", message: "", params: { vendor: "HubSpot", labels: "Meeting booked\nNot interested" } };
    setLocale("en");
    expect(toastMs("warning", noticeText(n))).toBeGreaterThanOrEqual(9000);
    setLocale("ja");
    expect(toastMs("warning", noticeText(n))).toBeGreaterThanOrEqual(9000);
    setLocale("en");
    expect(toastMs("warning", "x".repeat(1000))).toBe(15000);
  });
});

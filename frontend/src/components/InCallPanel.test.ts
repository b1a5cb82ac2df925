import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import InCallPanel from "./InCallPanel.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import type { CallScriptView, CallView } from "../lib/contract";
import type { CallActions, CallToolsActions } from "../lib/actions";
import { call, callerId, margaret } from "../test/fixtures";

function actions() {
  const a = { hangup: vi.fn(), mute: vi.fn(), hold: vi.fn(), resume: vi.fn(), dtmf: vi.fn(), transfer: vi.fn(), notes: vi.fn() };
  return a satisfies CallActions;
}
const levels = { active: true, micDb: -20, speakerDb: -30 };
const script: CallScriptView = {
  id: 1, name: "Intro", default: true, sections: [
    { name: "Opening", body: "Hi {{contact.first_name}} {{contact.last_name}}, {{rep.name}} here about {{deal.name}} at {{company.name}}.", choices: [] },
  ],
};

function show(c: CallView, over: Record<string, unknown> = {}) {
  const a = actions();
  const r = render(InCallPanel, { props: { call: c, scripts: [script], repName: "Ken", country: "JP", levels, actions: a, ...over } });
  return { a, ...r };
}

const known = callerId({ known: true, contactId: "ct1", name: "Margaret Sato", company: "Marcom", dealName: "Marcom renewal", dealAmount: "1200000", dealCurrency: "JPY" });

describe("InCallPanel", () => {
  it.each([
    ["dialing", {}, "Calling…"],
    ["ringing", {}, "Ringing…"],
    ["connected", {}, "Connected"],
    ["held", { held: true }, "On hold"],
    ["remote_held", { remoteHeld: true }, "Held by the other side"],
  ] as const)("shows state %s", (state, flags, label) => {
    setLocale("en");
    show(call({ state, ...flags }));
    expect(screen.getByRole("status").textContent).toBe(label);
  });

  it("shows the contact card with deal amount in the locale's currency format and the timer", () => {
    setLocale("en");
    show(call({ callerId: known, durationMs: 65_400 }), { contact: margaret });
    expect(screen.getByRole("heading", { level: 2 }).textContent).toBe("Margaret Sato");
    expect(document.querySelector(".caller-company")?.textContent).toContain("Marcom");
    expect(document.querySelector(".amount")?.textContent).toBe("¥1,200,000");
    expect(screen.getByLabelText("Call duration").textContent).toBe("1:05");
  });

  it("formats the deal amount for Japanese", () => {
    setLocale("ja");
    show(call({ callerId: known }));
    expect(document.querySelector(".amount")?.textContent).toBe("￥1,200,000");
    expect(screen.getByRole("status").textContent).toBe("通話中");
    setLocale("en");
  });

  it("mute, hold, hang up call the actions with the call id", async () => {
    setLocale("en");
    const { a } = show(call({ id: "x9" }));
    await fireEvent.click(screen.getByRole("button", { name: "Mute" }));
    expect(a.mute).toHaveBeenCalledWith("x9", true);
    await fireEvent.click(screen.getByRole("button", { name: "Hold" }));
    expect(a.hold).toHaveBeenCalledWith("x9");
    await fireEvent.click(screen.getByRole("button", { name: "Hang up" }));
    expect(a.hangup).toHaveBeenCalledWith("x9");
  });

  it("a held, muted call offers resume and unmute", async () => {
    setLocale("en");
    const { a } = show(call({ id: "h1", state: "held", held: true, muted: true }));
    expect(screen.getByRole("button", { name: "Unmute" }).getAttribute("aria-pressed")).toBe("true");
    await fireEvent.click(screen.getByRole("button", { name: "Resume" }));
    expect(a.resume).toHaveBeenCalledWith("h1");
    await fireEvent.click(screen.getByRole("button", { name: "Unmute" }));
    expect(a.mute).toHaveBeenCalledWith("h1", false);
  });

  it("controls are disabled before the call connects, except hang-up", () => {
    setLocale("en");
    show(call({ state: "ringing" }));
    expect((screen.getByRole("button", { name: "Mute" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Hang up" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("sends DTMF from the keypad and blind-transfers to a typed target", async () => {
    setLocale("en");
    const { a } = show(call({ id: "d1" }));
    await fireEvent.click(screen.getByRole("button", { name: "Keypad" }));
    await fireEvent.click(screen.getByRole("button", { name: "Key 5" }));
    await fireEvent.click(screen.getByRole("button", { name: "Key #" }));
    expect(a.dtmf.mock.calls).toEqual([["d1", "5"], ["d1", "#"]]);
    expect(screen.getByText("Sent: 5#")).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Transfer" }));
    await fireEvent.input(screen.getByLabelText("Transfer to number"), { target: { value: "2000" } });
    await fireEvent.click(screen.getByRole("button", { name: "Transfer now" }));
    expect(a.transfer).toHaveBeenCalledWith("d1", "2000");
  });

  it("keeps notes with the call", async () => {
    setLocale("en");
    const { a } = show(call({ id: "n1", notes: "earlier" }));
    const ta = screen.getByLabelText("Call notes") as HTMLTextAreaElement;
    expect(ta.value).toBe("earlier");
    await fireEvent.input(ta, { target: { value: "wants a demo" } });
    expect(a.notes).toHaveBeenLastCalledWith("n1", "wants a demo");
    await fireEvent.blur(ta);
    expect(a.notes).toHaveBeenLastCalledWith("n1", "wants a demo", true);
  });

  it("fills the call script and shows missing variables visibly", () => {
    setLocale("en");
    // Unknown caller: no contact, no deal, no company.
    show(call({ callerId: callerId() }));
    const body = document.querySelector(".script-body")!;
    expect(body.textContent).not.toContain("undefined");
    const missing = [...body.querySelectorAll(".missing")].map((e) => e.getAttribute("data-var"));
    expect(missing).toEqual(["contact.first_name", "contact.last_name", "deal.name", "company.name"]);
    // A marked placeholder the rep can read, never raw braces.
    expect(body.querySelector(".missing")?.textContent).toBe("no first name");
    expect(body.textContent).not.toContain("{{");
    expect(body.textContent).toContain("Ken here");
  });

  it("fills the call script from the contact", () => {
    setLocale("en");
    show(call({ callerId: known }), { contact: margaret });
    expect(document.querySelector(".script-body")?.textContent).toBe("Hi Margaret Sato, Ken here about Marcom renewal at Marcom.");
  });

  it("shows the meters and the quality", () => {
    setLocale("en");
    show(call({ quality: { level: "poor", lossPct: 12.5, jitterMs: 48, rttMs: 0 } }));
    const meters = document.querySelectorAll("meter");
    expect([...meters].map((m) => m.getAttribute("aria-label"))).toEqual(["Microphone level", "Speaker level"]);
    expect(meters[0].getAttribute("value")).toBe("-20");
    expect(document.querySelector(".quality")?.getAttribute("data-level")).toBe("poor");
    expect(document.querySelector(".quality")?.textContent).toContain("Call quality: Poor");
  });
});

describe("InCallPanel for a lead's own monitor call", () => {
  function tools(role: "listen" | undefined): CallToolsActions {
    return {
      pair: () => null, monitorRole: () => role, links: () => [], invite: vi.fn(), setRole: vi.fn(), consult: vi.fn(),
      completeTransfer: vi.fn(), cancelConsult: vi.fn(), setMonitorRole: vi.fn(), hangup: vi.fn(), createJoinLink: vi.fn(), revokeJoinLink: vi.fn(),
    };
  }
  it("offers no Transfer on a monitor call, and does on an ordinary call", () => {
    setLocale("en");
    const { unmount } = show(call({ id: "m1" }), { tools: tools("listen") });
    expect(screen.queryByRole("button", { name: "Transfer" })).toBeNull();
    expect(screen.getByRole("button", { name: "Hang up" })).toBeTruthy();
    unmount();
    show(call({ id: "c1" }), { tools: tools(undefined) });
    expect(screen.getByRole("button", { name: "Transfer" })).toBeTruthy();
  });
});

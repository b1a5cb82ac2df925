import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import IncomingPop from "./IncomingPop.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { call, callerId } from "../test/fixtures";

const acts = () => ({ answer: vi.fn(), ignore: vi.fn(), forward: vi.fn() });

describe("IncomingPop", () => {
  it("shows the contact, company, deal and amount (HubSpot caller ID) and answers", async () => {
    setLocale("en");
    const a = acts();
    const c = call({ id: "in1", direction: "inbound", state: "incoming", callerId: callerId({ known: true, name: "Margaret Sato", company: "Marcom", dealName: "Renewal", dealAmount: "2500", dealCurrency: "USD" }) });
    render(IncomingPop, { props: { call: c, country: "JP", forwardTo: "", actions: a } });
    expect(screen.getByRole("alertdialog")).toBeTruthy();
    expect(screen.getByRole("heading").textContent).toBe("Margaret Sato");
    expect(document.querySelector(".caller-company")?.textContent).toBe("Marcom");
    expect(document.querySelector(".caller-deal")?.textContent).toBe("Renewal · $2,500.00");
    expect(screen.queryByRole("button", { name: /Forward/ })).toBeNull();
    const answer = screen.getByRole("button", { name: "Answer" });
    expect(document.activeElement).toBe(answer);
    await fireEvent.click(answer);
    expect(a.answer).toHaveBeenCalledWith("in1");
  });

  it("shows the formatted number for an unknown caller; ignore and forward", async () => {
    setLocale("en");
    const a = acts();
    const c = call({ id: "in2", direction: "inbound", state: "incoming", number: "+819011112222", callerId: callerId({ formatted: "" }), forwardable: true });
    render(IncomingPop, { props: { call: c, country: "JP", forwardTo: "+81312345678", actions: a } });
    expect(screen.getByRole("heading").textContent).toBe("090-1111-2222");
    await fireEvent.click(screen.getByRole("button", { name: "Ignore" }));
    expect(a.ignore).toHaveBeenCalledWith("in2");
    await fireEvent.click(screen.getByRole("button", { name: "Forward to 03-1234-5678" }));
    expect(a.forward).toHaveBeenCalledWith("in2");
  });

  it("speaks Japanese", () => {
    setLocale("ja");
    render(IncomingPop, { props: { call: call({ state: "incoming", direction: "inbound" }), country: "JP", forwardTo: "", actions: acts() } });
    expect(screen.getByRole("button", { name: "応答" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "拒否" })).toBeTruthy();
    setLocale("en");
  });
});

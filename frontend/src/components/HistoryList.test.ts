import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import HistoryList from "./HistoryList.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { callerId } from "../test/fixtures";
import type { HistoryDetail, HistoryEntry } from "../lib/contract";

function entry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: "h1", direction: "outbound", missed: false, number: "+81312345678",
    callerId: callerId({ known: true, name: "Margaret Sato" }), started: "2026-01-05T10:00:00Z", durationMs: 40_000,
    status: "completed", cause: "", notes: "asked for pricing", outcomeId: 3, formDone: true,
    sync: [{ vendor: "hubspot", state: "synced", error: "", remoteId: "9", attempts: 1 }], ...over,
  };
}

const DETAIL: HistoryDetail = {
  entry: entry(), outcomeLabel: "Meeting booked", dealName: "Marcom renewal", dealStage: "Negotiation",
  tasks: [{ id: "t1", title: "Send the proposal", due: "2030-01-02T15:04:05Z", reminder: "", done: false }],
  recording: "/data/recordings/h1.wav",
};

describe("HistoryList", () => {
  it("a row click opens the call's detail and never dials; the call button dials", async () => {
    setLocale("en");
    const oncall = vi.fn();
    const detail = vi.fn(async (_id: string) => DETAIL);
    render(HistoryList, { props: { entries: [entry()], country: "JP", oncall, detail } });
    await fireEvent.click(screen.getByRole("button", { name: "Show the call with Margaret Sato" }));
    expect(oncall).not.toHaveBeenCalled();
    expect(detail).toHaveBeenCalledWith("h1");
    const dialog = await screen.findByRole("dialog", { name: "Call with Margaret Sato" });
    await waitFor(() => expect(dialog.querySelector('[data-field="outcome"]')?.textContent).toBe("Meeting booked"));
    const field = (f: string) => dialog.querySelector(`[data-field="${f}"]`)?.textContent?.replace(/\s+/g, " ").trim();
    expect(field("status")).toBe("Outgoing call · answered · 0:40");
    expect(field("deal")).toBe("Marcom renewal (Negotiation)");
    expect(field("notes")).toBe("asked for pricing");
    expect(field("tasks")).toContain("Send the proposal · due");
    expect(field("sync")).toBe("hubspot: synced");
    expect(field("recording")).toBe("/data/recordings/h1.wav");
    // Close returns to the list without dialing.
    await fireEvent.click(screen.getAllByRole("button", { name: "Close" })[0]);
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(oncall).not.toHaveBeenCalled();
    // The row's own call button dials.
    await fireEvent.click(screen.getByRole("button", { name: "Call back Margaret Sato" }));
    expect(oncall).toHaveBeenCalledWith(entry());
  });

  it("the detail says what is missing, and dials from its own button", async () => {
    setLocale("en");
    const oncall = vi.fn();
    const bare: HistoryDetail = { entry: entry({ notes: "", outcomeId: 0, sync: [] }), outcomeLabel: "", dealName: "", dealStage: "", tasks: [], recording: "" };
    render(HistoryList, { props: { entries: [bare.entry], country: "JP", oncall, detail: async () => bare } });
    await fireEvent.click(screen.getByRole("button", { name: "Show the call with Margaret Sato" }));
    const dialog = await screen.findByRole("dialog");
    await waitFor(() => expect(dialog.querySelector('[data-field="outcome"]')?.textContent).toBe("Not logged yet"));
    expect(dialog.querySelector('[data-field="notes"]')?.textContent).toBe("No notes");
    expect(dialog.querySelector('[data-field="sync"]')?.textContent?.trim()).toBe("Not sent to a CRM");
    expect(dialog.querySelector('[data-field="recording"]')).toBeNull();
    await fireEvent.click(screen.getAllByRole("button", { name: "Call back Margaret Sato" }).at(-1)!);
    expect(oncall).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});

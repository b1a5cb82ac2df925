// The conference in the whole window: "conference" events and ticks reach
// the panel through the store; the panel's actions and Alt+I / Alt+G call
// ConferenceService.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import App from "./App.svelte";
import { PhoneStore } from "./lib/store.svelte";
import { setLocale } from "./lib/i18n/index.svelte";
import type { ConferenceView } from "./lib/contract";
import { call, callerId, fakeBackend, participant, snapshot } from "./test/fixtures";

const ann = participant({ id: "l1", callId: "o1", name: "Ann Lee" });
const bob = participant({ id: "l2", callId: "o1", number: "101", remote: "sip:101@127.0.0.1", state: "ringing" });

async function boot() {
  setLocale("en");
  const reply = (id: unknown): ConferenceView => ({ callId: String(id), left: false, participants: [ann] });
  const { backend, transport } = fakeBackend({
    "SystemService.Snapshot": () => snapshot({ calls: [call({ id: "o1", state: "connected", participants: [ann] })] }),
    "HistoryService.List": () => [],
    "ContactsService.Get": () => ({}),
    "ContactsService.Search": () => [],
    "ConferenceService.Add": reply,
    "ConferenceService.Merge": (id: unknown): ConferenceView => ({ callId: String(id), left: false, participants: [{ ...ann, callId: String(id), state: "held", held: true }, { ...bob, id: "l3", callId: String(id), state: "connected" }] }),
    "ConferenceService.Resume": reply,
    "ConferenceService.Hold": reply,
    "ConferenceService.Leave": reply,
    "ConferenceService.EndAll": reply,
  });
  const store = new PhoneStore(backend);
  render(App, { props: { store } });
  await store.start();
  return { store, transport };
}

describe("conference in the window", () => {
  it("follows conference events and ticks, and sends the panel's actions", async () => {
    const { transport } = await boot();
    expect(document.querySelector(".participants")).toBeNull();

    // Alt+I opens "Add participant" with the cursor in its field.
    await fireEvent.keyDown(window, { key: "i", code: "KeyI", altKey: true });
    const input = await screen.findByLabelText("Number, contact or SIP address");
    await waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: "101" } });
    await fireEvent.submit((input as HTMLInputElement).form!);
    expect(transport.called("ConferenceService", "Add")[0].args).toEqual(["o1", "101"]);

    transport.emit("conference", { callId: "o1", left: false, participants: [ann, bob] });
    await waitFor(() => expect(document.querySelectorAll(".incall .part").length).toBe(2));
    expect(document.querySelector('.part[data-leg="l2"]')?.getAttribute("data-state")).toBe("ringing");
    transport.emit("conference", { callId: "o1", left: false, participants: [ann, { ...bob, state: "connected" }] });
    transport.emit("tick", {
      levels: { active: true, micDb: -20, speakerDb: -20 },
      calls: [{ id: "o1", durationMs: 5000, quality: ann.quality, participants: [
        { id: "l1", levelDb: -96, talking: false, quality: ann.quality },
        { id: "l2", levelDb: -10, talking: true, quality: { level: "poor", lossPct: 9, jitterMs: 80, rttMs: 0 } },
      ] }],
    });
    await waitFor(() => expect(document.querySelector('.part[data-leg="l2"]')?.getAttribute("data-talking")).toBe("true"));
    expect(document.querySelector('.part[data-leg="l2"] .pq')?.classList.contains("q-poor")).toBe(true);

    await fireEvent.click(screen.getByRole("button", { name: "Hold 101" }));
    expect(transport.called("ConferenceService", "Hold")[0].args).toEqual(["o1", "l2"]);
    await fireEvent.click(screen.getByRole("button", { name: "Leave" }));
    expect(transport.called("ConferenceService", "Leave")[0].args).toEqual(["o1"]);
    transport.emit("conference", { callId: "o1", left: true, participants: [ann, { ...bob, state: "connected" }] });
    await screen.findByText("You left; the others stay connected on this computer.");
    await fireEvent.click(screen.getByRole("button", { name: "End for all" }));
    await waitFor(() => expect(transport.called("ConferenceService", "EndAll")[0]?.args).toEqual(["o1"]));

    // The help overlay lists the new shortcuts.
    await fireEvent.keyDown(document.body, { key: "?" });
    expect(await screen.findByText("Add a participant to the current call")).toBeTruthy();
    expect(document.querySelector(".shortcuts")?.textContent).toContain("Alt+G");
  });

  it("Alt+G merges the focused call with the only other call that is up, and resumes whom the merge left held", async () => {
    const { transport } = await boot();
    // A second call, newer: it takes the panel; the first (a conference) is held.
    transport.emit("call", call({ id: "o1", state: "held", held: true, participants: [ann, { ...bob, state: "held", held: true }] }));
    transport.emit("call", call({ id: "o2", state: "connected", created: "2026-01-05T10:05:00Z", callerId: callerId({ known: true, name: "Bob" }) }));
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("o2"));
    expect(document.querySelector('.call-list li[data-call="o1"] .cl-more')?.textContent).toBe("and 1 more");
    await fireEvent.keyDown(window, { key: "g", code: "KeyG", altKey: true });
    // The newer call joins the older one, which keeps the panel.
    await waitFor(() => expect(transport.called("ConferenceService", "Merge")[0]?.args).toEqual(["o1", "o2"]));
    await waitFor(() => expect(transport.called("ConferenceService", "Resume")[0]?.args).toEqual(["o1", "l1"]));
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("o1"));
  });
});

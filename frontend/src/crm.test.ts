// CRM events through the whole window: "outcomes" reaches the open
// outcome form, "sync" drives the header badge and the CRM panel's
// progress bar, and the failed list retries through CrmService.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import { emptyCRM, PhoneStore } from "./lib/store.svelte";
import { setLocale } from "./lib/i18n/index.svelte";
import type { CRMStatus, FormView, OutcomeView } from "./lib/contract";
import { callerId, fakeBackend, snapshot } from "./test/fixtures";

const outcomes: OutcomeView[] = [
  { id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping: {} },
  { id: 2, label: "No answer", enabled: true, deleted: false, position: 2, mapping: {} },
];

function pendingForm(): FormView {
  return {
    callId: "f1", state: "pending", direction: "outbound", number: "+15550100166",
    callerId: callerId({ known: true, name: "Olivia Grant" }), contact: null, deals: [],
    status: "completed", started: "2026-01-05T10:00:00Z", durationMs: 30_000, notes: "", outcomes, requireOutcome: false,
  };
}

function crm(over: Partial<CRMStatus>): CRMStatus {
  return { ...emptyCRM, vendor: "hubspot", connected: true, account: "Acme", state: "idle", ...over };
}

async function boot() {
  setLocale("en");
  const { backend, transport } = fakeBackend({
    "SystemService.Snapshot": () => snapshot({ forms: { pending: [pendingForm()], requireOutcome: false } }),
    "HistoryService.List": () => [],
    "OutcomesService.List": () => outcomes,
    "CrmService.Failed": () => [
      { id: 9, vendor: "hubspot", kind: "call", callId: "f0", error: "record rejected: bad number", attempts: 1, direction: "outbound", number: "+15550100100", name: "", started: "2026-01-04T09:00:00Z", task: "" },
    ],
    "CrmService.Retry": () => crm({ state: "syncing", pending: 1, total: 1 }),
  });
  const store = new PhoneStore(backend);
  render(App, { props: { store } });
  await store.start();
  return { store, transport };
}

describe("CRM in the window", () => {
  it("an open outcome form follows the outcomes event", async () => {
    const { transport } = await boot();
    const select = (await screen.findByLabelText("Outcome")) as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["Choose an outcome…", "Connected", "No answer"]);
    transport.emit("outcomes", [
      { ...outcomes[0], label: "Reached" },
      { ...outcomes[1], enabled: false },
      { id: 3, label: "Left voicemail", enabled: true, deleted: false, position: 3, mapping: {} },
    ]);
    await waitFor(() => expect([...select.options].map((o) => o.textContent)).toEqual(["Choose an outcome…", "Reached", "Left voicemail"]));
  });

  it("the header badge shows the queue while offline and the drain's progress; it opens the CRM panel", async () => {
    const { transport } = await boot();
    expect(document.querySelector(".sync-badge")).toBeNull();
    transport.emit("sync", crm({ state: "backoff", offline: true, pending: 4, total: 4, reason: "crm: temporary failure: connection refused" }));
    const badge = await screen.findByRole("button", { name: /^CRM sync: CRM offline · 4 waiting/ });
    transport.emit("sync", crm({ state: "syncing", pending: 1, sent: 3, total: 4, synced: 3 }));
    await waitFor(() => expect(badge.textContent?.trim()).toBe("Syncing 3/4"));
    await fireEvent.click(badge);
    const bar = (await screen.findByLabelText("Syncing 3 of 4")) as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([3, 4]);
    transport.emit("sync", crm({ state: "idle", pending: 0, sent: 4, total: 4, synced: 4 }));
    await waitFor(() => expect(document.querySelector(".sync-badge")).toBeNull());
    expect(document.querySelector(".crm-progress")).toBeNull();
  });

  it("the failed list retries a call through CrmService.Retry", async () => {
    const { transport } = await boot();
    transport.emit("sync", crm({ failed: 1 }));
    await fireEvent.click(await screen.findByRole("button", { name: /^CRM sync: 1 failed/ }));
    const table = await screen.findByRole("table", { name: "Failed items" });
    expect(within(table).getByText("record rejected: bad number")).toBeTruthy();
    await fireEvent.click(within(table).getByRole("button", { name: "Retry sync of the call with +1 555 010 0100" }));
    expect(transport.called("CrmService", "Retry")[0].args).toEqual(["f0"]);
  });
});

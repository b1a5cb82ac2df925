import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import CrmSettings from "./CrmSettings.svelte";
import SyncBadge from "./SyncBadge.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { emptyCRM } from "../lib/store.svelte";
import type { CRMStatus, FailedItemView } from "../lib/contract";

function status(over: Partial<CRMStatus> = {}): CRMStatus {
  return { ...emptyCRM, vendor: "hubspot", connected: true, account: "Acme portal", state: "idle", lastPull: "2026-01-05T10:00:00Z", pulled: { contacts: 3 }, ...over };
}

function failedItem(over: Partial<FailedItemView> = {}): FailedItemView {
  return {
    id: 7, vendor: "hubspot", kind: "call", callId: "c1", error: "hubspot: create calls: crm: record rejected: hs_call_body is too long", attempts: 1,
    direction: "outbound", number: "+15550100166", name: "Olivia Grant", started: "2026-01-05T10:00:00Z", task: "", ...over,
  };
}

function props(over: Record<string, unknown> = {}) {
  return {
    status: status(),
    onconnect: vi.fn(async () => status()),
    ondisconnect: vi.fn(async () => {}),
    onsync: vi.fn(async () => {}),
    onretryall: vi.fn(async () => {}),
    onretry: vi.fn(async (_id: string) => {}),
    loadFailed: vi.fn(async () => [] as FailedItemView[]),
    ...over,
  };
}

describe("CrmSettings", () => {
  it("shows the drain's progress as text and a progress bar, and the offline notice", async () => {
    setLocale("en");
    const p = props({ status: status({ state: "syncing", pending: 83, sent: 37, total: 120, synced: 400 }) });
    const { rerender } = render(CrmSettings, { props: p });
    const bar = screen.getByLabelText("Syncing 37 of 120") as HTMLProgressElement;
    expect(bar.tagName).toBe("PROGRESS");
    expect(bar.max).toBe(120);
    expect(bar.value).toBe(37);
    expect(screen.queryByText(/Can't reach the CRM/)).toBeNull();

    await rerender({ ...p, status: status({ state: "backoff", offline: true, reason: "hubspot: dial tcp: connection refused", pending: 5, total: 5, until: "2026-01-05T10:05:00Z" }) });
    expect(screen.getByRole("status").textContent).toMatch(/^Can't reach the CRM\. 5 waiting to sync; nothing is lost\. Next try at /);
    expect(document.querySelector(".crm-state")?.textContent).toContain("Offline, retrying");
    expect(document.querySelector("progress")).toBeNull();

    await rerender({ ...p, status: status({ state: "syncing", pending: 3, sent: 2, total: 5 }) });
    expect((screen.getByLabelText("Syncing 2 of 5") as HTMLProgressElement).value).toBe(2);
    expect(screen.queryByRole("status")).toBeNull();

    await rerender({ ...p, status: status({ state: "idle", pending: 0, sent: 5, total: 5 }) });
    expect(document.querySelector("progress")).toBeNull();
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("lists failed items with call, time, item and reason; Retry per call and Retry all", async () => {
    setLocale("en");
    const items = [
      failedItem(),
      failedItem({ id: 8, kind: "task", task: "Send the pricing sheet", error: "task refused", attempts: 3, callId: "c2", name: "", number: "+15550100199" }),
    ];
    const loadFailed = vi.fn(async () => items);
    const p = props({ status: status({ failed: 2 }), loadFailed });
    const { rerender } = render(CrmSettings, { props: p });
    const table = await screen.findByRole("table", { name: "Failed items" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => [...r.querySelectorAll("td")].slice(0, 4).map((c) => c.textContent?.trim()))).toEqual([
      ["Olivia Grant", expect.stringContaining("2026"), "Call log", "hubspot: create calls: crm: record rejected: hs_call_body is too long"],
      ["+1 555 010 0199", expect.stringContaining("2026"), "Task: Send the pricing sheet", "task refused (3 attempts)"],
    ]);
    await fireEvent.click(screen.getByRole("button", { name: "Retry sync of the call with Olivia Grant" }));
    expect(p.onretry).toHaveBeenCalledWith("c1");
    await fireEvent.click(screen.getByRole("button", { name: "Retry failed items" }));
    expect(p.onretryall).toHaveBeenCalledTimes(1);

    // The list follows the counts: one retried and synced → read again.
    loadFailed.mockResolvedValueOnce([items[1]]);
    await rerender({ ...p, status: status({ failed: 1, synced: 1 }) });
    await waitFor(() => expect(within(table).getAllByRole("row").length).toBe(2));
    expect(loadFailed).toHaveBeenCalledTimes(2);
    await rerender({ ...p, status: status({ failed: 0, synced: 2 }) });
    await waitFor(() => expect(screen.queryByRole("table")).toBeNull());
    expect(loadFailed).toHaveBeenCalledTimes(2);
  });

  it("shows why the failed list could not be read", async () => {
    setLocale("en");
    render(CrmSettings, { props: props({ status: status({ failed: 1 }), loadFailed: vi.fn(async () => Promise.reject({ code: "internal", message: "store closed" })) }) });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Something went wrong.");
    await fireEvent.click(within(alert).getByRole("button", { name: "Details" }));
    expect(alert.querySelector("pre")?.hidden).toBe(false);
    expect(alert.querySelector("pre")?.textContent).toBe("store closed");
  });
});

describe("SyncBadge", () => {
  it("is hidden with nothing waiting and shows pending, offline, progress, failed and reconnect", async () => {
    setLocale("en");
    const onopen = vi.fn();
    const { rerender } = render(SyncBadge, { props: { status: status(), onopen } });
    expect(screen.queryByRole("button")).toBeNull();

    await rerender({ status: status({ state: "backoff", offline: true, pending: 4, total: 4 }), onopen });
    let b = screen.getByRole("button");
    expect(b.dataset.kind).toBe("offline");
    expect(b.textContent?.trim()).toBe("CRM offline · 4 waiting");
    expect(b.getAttribute("aria-label")).toBe("CRM sync: CRM offline · 4 waiting. Open the CRM settings");

    await rerender({ status: status({ state: "syncing", pending: 3, sent: 1, total: 4 }), onopen });
    b = screen.getByRole("button");
    expect(b.textContent?.trim()).toBe("Syncing 1/4");
    const bar = b.querySelector("progress") as HTMLProgressElement;
    expect([bar.value, bar.max]).toEqual([1, 4]);

    await rerender({ status: status({ state: "backoff", pending: 2, total: 2, reason: "rate limited" }), onopen });
    expect(screen.getByRole("button").textContent?.trim()).toBe("2 to sync");

    await rerender({ status: status({ failed: 2 }), onopen });
    b = screen.getByRole("button");
    expect(b.textContent?.trim()).toBe("2 failed");
    expect(b.getAttribute("aria-label")).toBe("CRM sync: 2 failed. Open the CRM settings");
    await fireEvent.click(b);
    expect(onopen).toHaveBeenCalledTimes(1);

    await rerender({ status: status({ reconnect: true, state: "reconnect", pending: 1 }), onopen });
    expect(screen.getByRole("button").textContent?.trim()).toBe("Reconnect CRM");

    await rerender({ status: { ...emptyCRM, pending: 3 }, onopen });
    expect(screen.queryByRole("button")).toBeNull();
  });
});

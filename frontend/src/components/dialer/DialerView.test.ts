// The dialer view over a fake backend: the empty state, the import dialog
// (mapping change → a new dry run, the per-row report, import), the
// session controls with their shortcuts, the preview card's verdict, the
// DNC manager; English and Japanese.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import DialerView from "./DialerView.svelte";
import { DialerStore } from "../../lib/dialer.svelte";
import { setLocale } from "../../lib/i18n/index.svelte";
import { fakeBackend } from "../../test/fixtures";
import type { DialerImportInput, DialerListView, DNCEntryView } from "../../lib/contract";

const settings = { mode: "preview", lines: 1, wrapUpMs: 0, callerId: "", hours: "09:00-20:00", maxAttempts: 3, maxPerDay: 2, retrySpacingMs: 0 };

const card = {
  listId: "L1", position: 0, total: 2,
  contact: { position: 0, name: "Ada Lovelace", company: "Analytical", email: "", numbers: [], status: "calling_hours", message: "" },
  number: "+12125550100", formatted: "(212) 555-0100", dealName: "Engine", dealAmount: "5000", dealCurrency: "USD",
  lastOutcome: "Left voicemail", lastCalled: "2026-12-01T10:00:00Z", localTime: "21:30", timeZone: "America/New_York", zoneSource: "number",
  allowed: false, reason: "calling_hours", message: "It is 21:30 for Ada Lovelace (America/New_York); this list calls between 09:00 and 20:00 local time.",
};
function session(done: number) {
  return {
    active: true, seq: done, id: "S1", listId: "L1", listName: "East", state: "ready", mode: "preview", lines: 1,
    counters: { dialled: 0, connected: 0, voicemail: 0, noAnswer: 0, busy: 0, abandoned: 0, skipped: done }, done, total: 2,
    current: card, needOutcome: false, paused: false, retriesPending: 0, skips: [], error: null,
  };
}

function setup(lists: DialerListView[] = []) {
  let dnc: DNCEntryView[] = [];
  const { backend, transport } = fakeBackend({
    "DialerService.Lists": () => lists,
    "DialerService.DNC": () => dnc,
    "DialerService.Columns": () => [
      { header: "Name", field: "name", sample: "Ada" },
      { header: "Tel", field: "phone", sample: "+1 212 555 0100" },
      { header: "Firm", field: "extra", sample: "Analytical" },
    ],
    "DialerService.Import": (input) => {
      const i = input as DialerImportInput;
      const list = { id: "L9", name: i.name, contacts: 1, settings, created: "", updated: "" };
      return {
        list: i.dryRun ? null : list, imported: 1, rejected: 1, blank: 0,
        rows: [
          { line: 2, name: "Ada", status: "imported", reason: "", message: "", warnings: [] },
          { line: 3, name: "Bob", status: "rejected", reason: "empty_phone", message: "Line 3 has no phone number; add one in the phone column and import again.", warnings: [] },
        ],
      };
    },
    "DialerService.Session": () => ({ active: false, seq: 0, id: "", listId: "", listName: "", state: "", mode: "", lines: 0, counters: { dialled: 0, connected: 0, voicemail: 0, noAnswer: 0, busy: 0, abandoned: 0, skipped: 0 }, done: 0, total: 0, current: null, needOutcome: false, paused: false, retriesPending: 0, skips: [], error: null }),
    "DialerService.StartSession": () => session(0),
    "DialerService.SessionSkip": () => ({ ...session(1), state: "done", current: null, skips: [{ index: 0, contact: "Ada Lovelace", number: "", reason: "rep", message: "", localTime: "" }] }),
    "DialerService.Preview": () => ({
      listId: "L1", position: 0, total: 2,
      contact: { position: 0, name: "Ada Lovelace", company: "Analytical", email: "", numbers: [], status: "calling_hours", message: "" },
      number: "+12125550100", formatted: "(212) 555-0100", dealName: "Engine", dealAmount: "5000", dealCurrency: "USD",
      lastOutcome: "Left voicemail", lastCalled: "2026-12-01T10:00:00Z", localTime: "21:30", timeZone: "America/New_York", zoneSource: "number",
      allowed: false, reason: "calling_hours", message: "It is 21:30 for Ada Lovelace (America/New_York); this list calls between 09:00 and 20:00 local time.",
    }),
    "DialerService.AddDNC": (n, note) => (dnc = [{ number: "+12125550100", raw: String(n), note: String(note), source: "manual", added: "2026-12-05T08:00:00Z" }]),
    "DialerService.RemoveDNC": () => (dnc = []),
  });
  const dialer = new DialerStore(backend);
  render(DialerView, { props: { dialer } });
  return { dialer, transport };
}

describe("DialerView", () => {
  it("offers an import when there is no list, maps columns and shows the per-row report", async () => {
    setLocale("en");
    const { dialer, transport } = setup();
    await dialer.load();
    await screen.findByText(/No call lists yet/);
    await fireEvent.click(screen.getByRole("button", { name: "Import CSV…" }));
    const dlg = await screen.findByRole("dialog", { name: "Import a call list" });
    const paste = within(dlg).getByLabelText("Or paste the CSV text");
    await fireEvent.change(paste, { target: { value: "Name,Tel,Firm\nAda,+1 212 555 0100,Analytical\nBob,,\n" } });
    await within(dlg).findByText("1 will be imported, 1 left out");
    expect(within(dlg).getByText(/Line 3 has no phone number/)).toBeTruthy();
    expect(within(dlg).getByText("No phone")).toBeTruthy();

    await fireEvent.change(within(dlg).getByRole("combobox", { name: "Firm" }), { target: { value: "company" } });
    await waitFor(() => expect(transport.called("DialerService", "Import").at(-1)?.args[0]).toMatchObject({ dryRun: true, mapping: { Name: "name", Tel: "phone", Firm: "company" } }));

    await fireEvent.input(within(dlg).getByLabelText("List name"), { target: { value: "Q3" } });
    await fireEvent.click(within(dlg).getByRole("button", { name: "Import 1 contacts" }));
    await within(dlg).findByText("1 imported, 1 left out");
    expect(transport.called("DialerService", "Import").at(-1)?.args[0]).toMatchObject({ name: "Q3", dryRun: false });
    expect(dialer.listId).toBe("L9");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect((screen.getByRole("combobox", { name: "Call list" }) as HTMLSelectElement).value).toBe("L9");
  });

  it("starts a session: progress, counters, the card's verdict and shortcuts", async () => {
    setLocale("en");
    const { dialer } = setup([{ id: "L1", name: "East", contacts: 2, settings, created: "", updated: "" }]);
    await dialer.load();
    const start = await screen.findByRole("button", { name: /Start/ });
    expect(start.getAttribute("aria-keyshortcuts")).toBe("Alt+P");
    expect(screen.getByRole("progressbar", { name: "Session progress" }).getAttribute("aria-valuetext")).toBe("0 of 2");
    await fireEvent.click(start);
    const card = await screen.findByRole("article", { name: "Ada Lovelace" });
    expect(card.textContent).toContain("Outside calling hours");
    expect(card.textContent).toContain("21:30 (America/New York)");
    expect(card.textContent).toContain("Left voicemail");
    expect(card.textContent).toContain("Engine");
    const dial = within(card).getByRole("button", { name: /Dial/ });
    expect((dial as HTMLButtonElement).disabled).toBe(true);
    expect(dial.getAttribute("aria-keyshortcuts")).toBe("Alt+N");
    await fireEvent.click(within(card).getByRole("button", { name: /Skip/ }));
    await screen.findByText("Every contact on this list was worked through.");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuetext")).toBe("1 of 2");
    await fireEvent.click(screen.getByText(/Skipped contacts \(1\)/));
    expect(document.querySelector('.dl-skipped li[data-reason="rep"] .skip-reason')?.textContent).toBe("Skipped");
  });

  it("manages the do-not-call list in Japanese", async () => {
    setLocale("ja");
    const { dialer, transport } = setup([{ id: "L1", name: "East", contacts: 2, settings, created: "", updated: "" }]);
    await dialer.load();
    await fireEvent.click(await screen.findByRole("button", { name: /発信禁止リスト/ }));
    const dlg = await screen.findByRole("dialog", { name: "発信禁止リスト" });
    await fireEvent.input(within(dlg).getByLabelText("番号"), { target: { value: "(212) 555-0100" } });
    await fireEvent.click(within(dlg).getByRole("button", { name: "追加" }));
    await within(dlg).findByText("(212) 555-0100を発信禁止リストに追加しました。");
    expect(transport.called("DialerService", "AddDNC")[0].args).toEqual(["(212) 555-0100", "", "manual"]);
    await fireEvent.click(within(dlg).getByRole("button", { name: "(212) 555-0100を削除" }));
    await within(dlg).findByText("発信禁止リストに番号はありません。");
    setLocale("en");
  });
});

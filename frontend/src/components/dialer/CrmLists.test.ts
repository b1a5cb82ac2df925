// The dialer's CRM lists dialog over a fake backend: the connected CRM's
// lists, a pull with progress events and its report (the list is then in
// the picker, selected), a refresh of a pulled list, Zendesk Sell's tags
// with the note that its smart lists are not in its API, a CRM whose lists
// can't be read, and no CRM connected; English and Japanese.
import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import DialerView from "./DialerView.svelte";
import { DialerStore } from "../../lib/dialer.svelte";
import { setLocale } from "../../lib/i18n/index.svelte";
import { fakeBackend } from "../../test/fixtures";
import type { DialerCRMListsView, DialerListView } from "../../lib/contract";

const settings = { mode: "preview", lines: 1, wrapUpMs: 0, callerId: "", hours: "09:00-20:00", maxAttempts: 3, maxPerDay: 2, retrySpacingMs: 0 };
const pulled: DialerListView = { id: "crm:hubspot:7", name: "Q3 prospects", contacts: 2, settings, created: "", updated: "" };

function setup(crm: DialerCRMListsView) {
  let lists: DialerListView[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const { backend, transport } = fakeBackend({
    "DialerService.Lists": () => lists,
    "DialerService.Session": () => null,
    "DialerService.CRMLists": () => crm,
    "DialerService.PullCRMList": async () => {
      await gate;
      lists = [pulled];
      return {
        list: pulled, created: true, pulled: 3, added: 2, updated: 0, removed: 0, doNotCall: 1,
        problems: [
          { name: "Nobody", reason: "empty_phone", kind: "empty_phone", message: "Nobody has no phone number in HubSpot; add one there and pull the list again." },
          { name: "Ann", reason: "", kind: "number_left_out", number: "12", label: "mobile", message: "Ann's mobile number was left out: the phone number is too short." },
        ],
      };
    },
  });
  const dialer = new DialerStore(backend);
  render(DialerView, { props: { dialer } });
  return { dialer, transport, release };
}

const hubspot: DialerCRMListsView = { vendor: "hubspot", supported: true, message: "", note: "", lists: [{ id: "7", name: "Q3 prospects", size: 3, object: "contacts", listId: "" }] };
const sell: DialerCRMListsView = {
  vendor: "sell", supported: true, message: "", note: "sell_smart_lists", lists: [
    { id: "5001", name: "q3", size: -1, object: "contacts", listId: "" },
    { id: "5002", name: "webinar", size: -1, object: "leads", listId: "" },
  ],
};

describe("CRM lists", () => {
  it("pulls a CRM list with progress, reports what was left off and selects it", async () => {
    setLocale("en");
    const { dialer, transport, release } = setup(hubspot);
    await dialer.load();
    await fireEvent.click(screen.getByRole("button", { name: "CRM lists…" }));
    const dlg = await screen.findByRole("dialog", { name: "Lists from your CRM" });
    const pull = await within(dlg).findByRole("button", { name: "Pull Q3 prospects" });
    expect(within(dlg).getByText("3 records")).toBeTruthy();
    await fireEvent.click(pull);
    transport.emit("dialer_pull", { crmListId: "7", done: 2, total: 3 });
    await within(dlg).findByText("2 of 3 records read");
    expect(within(dlg).getByRole("progressbar").getAttribute("aria-valuenow")).toBe("2");
    release();
    await within(dlg).findByText(/Q3 prospects: 2 contacts \(2 added, 0 updated, 0 removed, 1 do-not-call\)/);
    await fireEvent.click(within(dlg).getByText("Left off: 1 · Notes: 1"));
    // Said from the kind in the window's language; the core's sentence,
    // with its detail, is the tooltip.
    const nobody = within(dlg).getByText("Nobody has no phone number in HubSpot; add one there and pull the list again.");
    expect(nobody.getAttribute("title")).toMatch(/has no phone number in HubSpot/);
    expect(within(dlg).getByText("Ann's number 12 (Mobile) was left out: it can't be dialled. Correct it in HubSpot and pull the list again.")).toBeTruthy();
    expect(transport.called("DialerService", "PullCRMList")[0].args).toEqual(["7"]);
    expect(dialer.listId).toBe("crm:hubspot:7");
    expect(within(dlg).getByRole("button", { name: "Refresh Q3 prospects" })).toBeTruthy();
    expect(dlg.querySelector(".crm-row .crm-size")!.textContent).toBe("3 records · pulled");
    setLocale("ja");
    await within(dlg).findByText("HubSpot に Nobody の電話番号がありません。追加してから、リストをもう一度取り込んでください。");
    expect(within(dlg).getByText(/Ann の携帯番号 12 は発信できないため外しました/)).toBeTruthy();
    // Ann is kept (only her mobile number is left out): not counted as left off.
    expect(within(dlg).getByText("取り込めなかったレコード：1件・注意：1件")).toBeTruthy();
    setLocale("en");
  });

  it("offers Zendesk Sell's contact and lead tags under one sentence saying its smart lists aren't in its API (Japanese too)", async () => {
    setLocale("en");
    const { dialer, transport, release } = setup(sell);
    await dialer.load();
    await fireEvent.click(screen.getByRole("button", { name: "CRM lists…" }));
    const dlg = await screen.findByRole("dialog", { name: "Lists from your CRM" });
    const note = await within(dlg).findByRole("note");
    expect(note.textContent).toBe("Zendesk Sell's smart lists aren't in its API, so its lists here are its tags: pick a tag to call the contacts or leads that carry it, or export a smart list to CSV in Sell and import the file.");
    const rows = dlg.querySelectorAll(".crm-row");
    expect(rows[0].querySelector(".crm-name")!.textContent).toBe("q3 · tag on contacts");
    expect(rows[1].querySelector(".crm-name")!.textContent).toBe("webinar · tag on leads");
    expect(within(dlg).getAllByText("size unknown")).toHaveLength(2);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Pull webinar" }));
    release();
    await within(dlg).findByText(/Q3 prospects: 2 contacts/);
    expect(transport.called("DialerService", "PullCRMList")[0].args).toEqual(["5002"]);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    setLocale("ja");
    const ja = setup(sell);
    await ja.dialer.load();
    await fireEvent.click(screen.getAllByRole("button", { name: "CRMのリスト…" }).at(-1)!);
    const jdlg = await screen.findByRole("dialog", { name: "CRMのリスト" });
    expect((await within(jdlg).findByRole("note")).textContent).toMatch(/^Zendesk SellのスマートリストはAPIから読めないため/);
    expect(jdlg.querySelector(".crm-row .crm-name")!.textContent).toBe("q3 · 連絡先のタグ");
    setLocale("en");
  });

  it("says in one sentence to export a CSV when the CRM's lists can't be read, and when no CRM is connected (Japanese too)", async () => {
    setLocale("en");
    const msg = "acme's lists can't be read here: export the list to CSV and import the file.";
    const { dialer } = setup({ vendor: "acme", supported: false, message: msg, note: "", lists: [] });
    await dialer.load();
    await fireEvent.click(screen.getByRole("button", { name: "CRM lists…" }));
    const dlg = await screen.findByRole("dialog", { name: "Lists from your CRM" });
    await within(dlg).findByText(msg);
    expect(within(dlg).queryByRole("button", { name: /Pull/ })).toBeNull();
    expect(within(dlg).queryByRole("note")).toBeNull();
    await fireEvent.click(within(dlg).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    setLocale("ja");
    dialer.crm = null;
    const none = setup({ vendor: "", supported: false, message: "", note: "", lists: [] });
    await none.dialer.load();
    await fireEvent.click(screen.getAllByRole("button", { name: "CRMのリスト…" }).at(-1)!);
    const ja = await screen.findByRole("dialog", { name: "CRMのリスト" });
    await within(ja).findByText(/CRMが接続されていません/);
    setLocale("en");
  });
});

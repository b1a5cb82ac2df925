// The dialer's CRM lists dialog over a fake backend: the connected CRM's
// lists, a pull with progress events and its report (the list is then in
// the picker, selected), a refresh of a pulled list, Zendesk Sell's one
// sentence, and no CRM connected; English and Japanese.
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
        problems: [{ name: "Nobody", reason: "empty_phone", message: "Nobody has no phone number in hubspot; add one there and pull the list again." }],
      };
    },
  });
  const dialer = new DialerStore(backend);
  render(DialerView, { props: { dialer } });
  return { dialer, transport, release };
}

const hubspot: DialerCRMListsView = { vendor: "hubspot", supported: true, message: "", lists: [{ id: "7", name: "Q3 prospects", size: 3, listId: "" }] };

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
    await fireEvent.click(within(dlg).getByText("Left off (1)"));
    expect(within(dlg).getByText(/Nobody has no phone number/)).toBeTruthy();
    expect(transport.called("DialerService", "PullCRMList")[0].args).toEqual(["7"]);
    expect(dialer.listId).toBe("crm:hubspot:7");
    expect(within(dlg).getByRole("button", { name: "Refresh Q3 prospects" })).toBeTruthy();
  });

  it("says in one sentence to export a CSV for Zendesk Sell, and when no CRM is connected (Japanese too)", async () => {
    setLocale("en");
    const msg = "Zendesk Sell smart lists can't be read through Sell's API: export the smart list to CSV in Sell and import the file here.";
    const { dialer } = setup({ vendor: "sell", supported: false, message: msg, lists: [] });
    await dialer.load();
    await fireEvent.click(screen.getByRole("button", { name: "CRM lists…" }));
    const dlg = await screen.findByRole("dialog", { name: "Lists from your CRM" });
    await within(dlg).findByText(msg);
    expect(within(dlg).queryByRole("button", { name: /Pull/ })).toBeNull();
    await fireEvent.click(within(dlg).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    setLocale("ja");
    dialer.crm = null;
    const none = setup({ vendor: "", supported: false, message: "", lists: [] });
    await none.dialer.load();
    await fireEvent.click(screen.getAllByRole("button", { name: "CRMのリスト…" }).at(-1)!);
    const ja = await screen.findByRole("dialog", { name: "CRMのリスト" });
    await within(ja).findByText(/CRMが接続されていません/);
    setLocale("en");
  });
});

import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import AccountChip from "./AccountChip.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { snapshot } from "../test/fixtures";
import type { AccountView } from "../lib/contract";

const acct = (over: Partial<AccountView>): AccountView => ({ ...snapshot().accounts[0], demo: false, active: false, ...over });

describe("AccountChip", () => {
  it("shows one status chip for a single account", () => {
    setLocale("en");
    render(AccountChip, { props: { accounts: snapshot().accounts, ondnd: vi.fn(), ondefault: vi.fn() } });
    expect(screen.getByRole("status", { name: "Account status" }).textContent).toContain("Demo line");
    expect(screen.queryByLabelText("Calls from")).toBeNull();
  });

  it("shows every account's status and picks the account calls go out from", async () => {
    setLocale("en");
    const ondefault = vi.fn();
    const accounts = [
      acct({ id: "sip:alice@pbx", label: "Alice", active: true, state: "registered" }),
      acct({ id: "sip:sales@pbx", label: "Sales line", state: "failed", reason: "403 Forbidden" }),
    ];
    render(AccountChip, { props: { accounts, ondnd: vi.fn(), ondefault } });
    expect(screen.getByRole("status", { name: "Status of Alice" }).textContent).toContain("Registered");
    const sales = screen.getByRole("status", { name: "Status of Sales line" });
    expect(sales.textContent).toContain("Failed");
    expect(sales.textContent).not.toContain("403"); // the reason is behind the chip, not in it
    await fireEvent.click(screen.getByRole("button", { name: "Why: Sales line" }));
    expect(screen.getByRole("dialog").textContent).toContain("403 Forbidden");
    const from = screen.getByLabelText("Calls from") as HTMLSelectElement;
    expect(from.value).toBe("sip:alice@pbx");
    await fireEvent.change(from, { target: { value: "sip:sales@pbx" } });
    expect(ondefault).toHaveBeenCalledWith("sip:sales@pbx");
  });

  it("keeps a failed account's chip short and says why on click, translated, with details", async () => {
    setLocale("ja");
    const accounts = [
      acct({ id: "sip:alice@pbx.example.test", label: "Alice", active: true, state: "failed",
        reason: "The server name pbx.example.test could not be found (DNS lookup failed). Check the address.",
        error: { code: "dns_lookup", message: "x", host: "pbx.example.test",
          detail: "softphone: registration failed: registrar pbx.example.test:5060: lookup pbx.example.test on 10.255.255.53:53: no such host" } }),
    ];
    render(AccountChip, { props: { accounts, ondnd: vi.fn(), ondefault: vi.fn() } });
    const chip = screen.getByRole("status", { name: "アカウントの状態" });
    expect(chip.textContent).toContain("失敗");
    expect(chip.textContent).not.toContain("pbx.example.test");
    expect(chip.getAttribute("title")).toContain("サーバー名 pbx.example.test が見つかりません");
    await fireEvent.click(screen.getByRole("button", { name: "理由: Alice" }));
    const pop = screen.getByRole("dialog");
    expect(pop.textContent).toContain("DNS");
    expect(pop.querySelector("pre")?.hidden).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "詳細" }));
    expect(pop.querySelector("pre")?.hidden).toBe(false);
    expect(pop.textContent).toContain("10.255.255.53:53: no such host");
    setLocale("en");
  });
});

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
    expect(screen.getByRole("status", { name: "Status of Sales line" }).textContent).toContain("Failed: 403 Forbidden");
    const from = screen.getByLabelText("Calls from") as HTMLSelectElement;
    expect(from.value).toBe("sip:alice@pbx");
    await fireEvent.change(from, { target: { value: "sip:sales@pbx" } });
    expect(ondefault).toHaveBeenCalledWith("sip:sales@pbx");
  });
});

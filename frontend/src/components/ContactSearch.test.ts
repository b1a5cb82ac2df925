import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import ContactSearch from "./ContactSearch.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import type { ContactHit } from "../lib/contract";
import { margaret } from "../test/fixtures";

const simon = { ...margaret, id: "ct2", name: "Simon Martin", firstName: "Simon", lastName: "Martin", company: "Acme", address: "", phones: [margaret.phones[0]], deals: [] };

describe("ContactSearch", () => {
  it("lists each number separately, highlights matches and dials the clicked number", async () => {
    setLocale("en");
    const search = vi.fn(async (q: string): Promise<ContactHit[]> => (q === "Mar" ? [{ contact: margaret, field: "name" }, { contact: simon, field: "name" }] : []));
    const ondial = vi.fn();
    render(ContactSearch, { props: { search, ondial, country: "JP", debounceMs: 0 } });
    await fireEvent.input(screen.getByRole("searchbox", { name: "Search contacts" }), { target: { value: "Mar" } });
    await waitFor(() => expect(screen.getAllByRole("listitem").length).toBeGreaterThan(2));
    expect(search).toHaveBeenLastCalledWith("Mar");

    const marg = document.querySelector<HTMLElement>('[data-contact="ct1"]')!;
    const buttons = within(marg).getAllByRole("button");
    expect(buttons.map((b) => b.getAttribute("aria-label"))).toEqual([
      "Call Margaret Sato on 03-1234-5678",
      "Call Margaret Sato on 090-1111-2222",
    ]);
    // Highlight: "Mar" in the name, company and address.
    const marks = [...marg.querySelectorAll("mark")].map((m) => m.textContent);
    expect(marks).toEqual(["Mar", "Mar", "Mar"]);
    expect(document.querySelector('[data-contact="ct2"] mark')?.textContent).toBe("Mar");

    await fireEvent.click(buttons[1]);
    expect(ondial).toHaveBeenCalledWith("+819011112222");
  });

  it("says when nothing matches and ignores stale answers", async () => {
    setLocale("en");
    let release: (v: ContactHit[]) => void = () => {};
    const search = vi.fn((q: string) =>
      q === "slow" ? new Promise<ContactHit[]>((r) => (release = r)) : Promise.resolve([] as ContactHit[]),
    );
    render(ContactSearch, { props: { search, ondial: vi.fn(), country: "JP", debounceMs: 0 } });
    const input = screen.getByRole("searchbox", { name: "Search contacts" });
    await fireEvent.input(input, { target: { value: "slow" } });
    await waitFor(() => expect(search).toHaveBeenCalledWith("slow"));
    await fireEvent.input(input, { target: { value: "zzz" } });
    await screen.findByText("No contacts match “zzz”");
    release([{ contact: margaret, field: "name" }]);
    await Promise.resolve();
    expect(screen.queryByText("Margaret Sato")).toBeNull();
  });
});

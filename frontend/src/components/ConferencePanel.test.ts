import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import ConferencePanel from "./ConferencePanel.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import type { CallView, ContactHit } from "../lib/contract";
import type { ConferenceActions } from "../lib/actions";
import { call, margaret, participant } from "../test/fixtures";

function actions() {
  const a = { add: vi.fn(), merge: vi.fn(), hold: vi.fn(), resume: vi.fn(), mute: vi.fn(), remove: vi.fn(), leave: vi.fn(), endAll: vi.fn() };
  return a satisfies ConferenceActions;
}

const ann = participant({ id: "l1", name: "Ann Lee", number: "+81312345678", talking: true, levelDb: -12 });
const bob = participant({ id: "l2", name: "", number: "101", remote: "sip:101@127.0.0.1" });
const conf = (over: Partial<CallView> = {}) => call({ participants: [ann, bob], ...over });

function show(c: CallView, over: Record<string, unknown> = {}) {
  const a = actions();
  const r = render(ConferencePanel, { props: { call: c, country: "JP", actions: a, ...over } });
  return { a, ...r };
}

describe("ConferencePanel", () => {
  it("a two-party call offers Add participant and Merge calls, and no list", () => {
    setLocale("en");
    show(call({ participants: [ann] }));
    expect(screen.getByRole("button", { name: /Add participant/ })).toBeTruthy();
    const merge = screen.getByRole("button", { name: /Merge calls/ }) as HTMLButtonElement;
    expect(merge.disabled).toBe(true); // no other call to merge with
    expect(merge.title).toBe("Another call must be connected to merge with.");
    expect(document.querySelector(".participants")).toBeNull();
    expect(screen.queryByRole("button", { name: "Leave" })).toBeNull();
  });

  it("lists each participant with name, number, state, talk level, quality and per-participant controls", async () => {
    setLocale("en");
    const { a } = show(conf());
    const rows = document.querySelectorAll(".part");
    expect(rows.length).toBe(2);
    expect(rows[0].querySelector(".pname")?.textContent).toBe("Ann Lee");
    expect(rows[0].querySelector(".pnum")?.textContent).toBe("03-1234-5678");
    expect(rows[0].querySelector(".talk")?.classList.contains("on")).toBe(true);
    expect(rows[0].querySelector(".pstate")?.textContent).toContain("Connected");
    expect(rows[0].querySelector(".pq")?.getAttribute("title")).toBe("Call quality: Good");
    // No name: the number is the name, shown once.
    expect(rows[1].querySelector(".pname")?.textContent).toBe("101");
    expect(rows[1].querySelector(".pnum")).toBeNull();
    expect(screen.getByText("2 on the call")).toBeTruthy();

    await fireEvent.click(screen.getByRole("button", { name: "Hold 101" }));
    expect(a.hold).toHaveBeenCalledWith("c1", "l2");
    await fireEvent.click(screen.getByRole("button", { name: "Mute Ann Lee" }));
    expect(a.mute).toHaveBeenCalledWith("c1", "l1", true);
    await fireEvent.click(screen.getByRole("button", { name: "Hang up 101" }));
    expect(a.remove).toHaveBeenCalledWith("c1", "l2");
    await fireEvent.click(screen.getByRole("button", { name: "Leave" }));
    expect(a.leave).toHaveBeenCalledWith("c1");
    await fireEvent.click(screen.getByRole("button", { name: "End for all" }));
    expect(a.endAll).toHaveBeenCalledWith("c1");
  });

  it("a held or muted participant shows it and offers Resume / Unmute", async () => {
    setLocale("en");
    const { a } = show(conf({ participants: [ann, { ...bob, state: "held", held: true, muted: true, talking: true }] }));
    const row = document.querySelector('.part[data-leg="l2"]')!;
    expect(row.querySelector(".pstate")?.textContent).toContain("On hold");
    expect(row.querySelector(".pstate")?.textContent).toContain("Muted");
    expect(row.querySelector(".talk")?.classList.contains("on")).toBe(false);
    await fireEvent.click(screen.getByRole("button", { name: "Resume 101" }));
    expect(a.resume).toHaveBeenCalledWith("c1", "l2");
    await fireEvent.click(screen.getByRole("button", { name: "Unmute 101" }));
    expect(a.mute).toHaveBeenCalledWith("c1", "l2", false);
  });

  it("a ringing participant can be hung up but not held or muted", () => {
    setLocale("en");
    show(conf({ participants: [ann, { ...bob, state: "ringing" }] }));
    expect((screen.getByRole("button", { name: "Hold 101" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Mute 101" }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole("button", { name: "Hang up 101" }) as HTMLButtonElement).disabled).toBe(false);
    expect(document.querySelector('.part[data-leg="l2"] .pstate')?.textContent).toContain("Ringing");
  });

  it("after Leave says the others stay connected and offers End for all only", async () => {
    setLocale("en");
    const { a } = show(conf({ left: true }));
    expect(screen.getByText("You left; the others stay connected on this computer.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Leave" })).toBeNull();
    expect((screen.getByRole("button", { name: /Add participant/ }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "End for all" }));
    expect(a.endAll).toHaveBeenCalledWith("c1");
  });

  it("adds a participant by number (as the dialpad resolves it), SIP address or contact search", async () => {
    setLocale("en");
    const hits: ContactHit[] = [{ contact: margaret, field: "name" }];
    const search = vi.fn(async () => hits);
    const { a } = show(call({ participants: [ann] }), { search });
    await fireEvent.click(screen.getByRole("button", { name: /Add participant/ }));
    let input = screen.getByLabelText("Number, contact or SIP address") as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(input));
    await fireEvent.input(input, { target: { value: "03-1234-5678" } });
    await fireEvent.submit(input.form!);
    expect(a.add).toHaveBeenLastCalledWith("c1", "+81312345678");

    await fireEvent.click(screen.getByRole("button", { name: /Add participant/ }));
    input = screen.getByLabelText("Number, contact or SIP address") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "sip:bob@example.com" } });
    await fireEvent.submit(input.form!);
    expect(a.add).toHaveBeenLastCalledWith("c1", "sip:bob@example.com");

    await fireEvent.click(screen.getByRole("button", { name: /Add participant/ }));
    input = screen.getByLabelText("Number, contact or SIP address") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "Marg" } });
    const pick = await screen.findByRole("button", { name: "Call in Margaret Sato (090-1111-2222)" });
    expect(search).toHaveBeenCalledWith("Marg");
    await fireEvent.click(pick);
    expect(a.add).toHaveBeenLastCalledWith("c1", "+819011112222");

    // Esc closes the form and gives focus back to the button.
    await fireEvent.click(screen.getByRole("button", { name: /Add participant/ }));
    input = screen.getByLabelText("Number, contact or SIP address") as HTMLInputElement;
    await fireEvent.keyDown(input, { key: "Escape" });
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: /Add participant/ })));
    expect(a.add).toHaveBeenCalledTimes(3);
  });

  it("merges with the only other call at once, or asks which one", async () => {
    setLocale("en");
    const other = call({ id: "c2", state: "held", held: true, callerId: { ...call().callerId, known: true, name: "Bob" } });
    const third = call({ id: "c3", state: "connected", callerId: { ...call().callerId, known: true, name: "Cy" } });
    let r = show(call({ participants: [ann] }), { others: [other] });
    await fireEvent.click(screen.getByRole("button", { name: /Merge calls/ }));
    expect(r.a.merge).toHaveBeenCalledWith("c1", "c2");
    r.unmount();

    r = show(call({ participants: [ann] }), { others: [other, third] });
    await fireEvent.click(screen.getByRole("button", { name: /Merge calls/ }));
    expect(r.a.merge).not.toHaveBeenCalled();
    await fireEvent.click(screen.getByRole("button", { name: "Merge with Cy" }));
    expect(r.a.merge).toHaveBeenCalledWith("c1", "c3");
  });

  it("shows shortcuts and Japanese text", () => {
    setLocale("ja");
    show(conf());
    expect(screen.getByRole("button", { name: /参加者を追加/ }).textContent).toContain("Alt+I");
    expect(screen.getByRole("button", { name: /通話を統合/ }).getAttribute("aria-keyshortcuts")).toBe("Alt+G");
    expect(screen.getByRole("button", { name: "退出" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "全員を終話" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "101 を保留" })).toBeTruthy();
  });
});

import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import NotesBox from "./NotesBox.svelte";
import { setLocale } from "../lib/i18n/index.svelte";
import { NOTES_MAX, fitInsert } from "../lib/notes";

function paste(el: HTMLElement, text: string) {
  const ev = new Event("paste", { bubbles: true, cancelable: true });
  Object.defineProperty(ev, "clipboardData", { value: { getData: () => text } });
  el.dispatchEvent(ev);
  return ev;
}

describe("fitInsert", () => {
  it("inserts what fits at the selection and never splits a surrogate pair", () => {
    expect(fitInsert("abcd", 2, 2, "XY", 10)).toEqual({ value: "abXYcd", caret: 4, inserted: 2, dropped: 0 });
    expect(fitInsert("abcd", 1, 3, "XYZW", 5)).toEqual({ value: "aXYZd", caret: 4, inserted: 3, dropped: 1 });
    expect(fitInsert("abc", 3, 3, "d🙂", 5)).toMatchObject({ value: "abcd", dropped: 2 });
    expect(fitInsert("x".repeat(12), 12, 12, "more", 10)).toMatchObject({ value: "x".repeat(12), inserted: 0, dropped: 4 });
  });
});

describe("NotesBox", () => {
  it("shows a counter near the limit and refuses more at the box", async () => {
    setLocale("en");
    render(NotesBox, { props: { label: "Notes", value: "" } });
    const box = screen.getByLabelText("Notes") as HTMLTextAreaElement;
    expect(box.maxLength).toBe(NOTES_MAX);
    expect(screen.queryByText(/characters$/)).toBeNull();
    await fireEvent.input(box, { target: { value: "a".repeat(60_000) } });
    expect(screen.getByText("60,000 / 65,536 characters")).toBeTruthy();
  });

  it("a paste over the limit keeps what fits and tells the rep", async () => {
    setLocale("en");
    const oninput = vi.fn();
    render(NotesBox, { props: { label: "Notes", value: "", oninput } });
    const box = screen.getByLabelText("Notes") as HTMLTextAreaElement;
    await fireEvent.input(box, { target: { value: "start " } });
    box.setSelectionRange(6, 6);
    const ev = paste(box, "p".repeat(70_000));
    expect(ev.defaultPrevented).toBe(true);
    expect(box.value.length).toBe(NOTES_MAX);
    expect(box.value.startsWith("start ppp")).toBe(true);
    expect(oninput).toHaveBeenLastCalledWith(box.value);
    await Promise.resolve();
    expect(screen.getByRole("alert").textContent).toBe("Only the first 65,530 characters were pasted (4,470 did not fit): notes hold 65,536 characters.");
  });

  it("keeps longer notes from elsewhere in full and refuses typing more", () => {
    setLocale("en");
    render(NotesBox, { props: { label: "Notes", value: "y".repeat(NOTES_MAX + 10) } });
    const box = screen.getByLabelText("Notes") as HTMLTextAreaElement;
    expect(box.value.length).toBe(NOTES_MAX + 10);
    box.setSelectionRange(box.value.length, box.value.length);
    const typed = new InputEvent("beforeinput", { inputType: "insertText", data: "z", cancelable: true, bubbles: true });
    box.dispatchEvent(typed);
    expect(typed.defaultPrevented).toBe(true);
    const del = new InputEvent("beforeinput", { inputType: "deleteContentBackward", cancelable: true, bubbles: true });
    box.dispatchEvent(del);
    expect(del.defaultPrevented).toBe(false);
    expect(screen.getByRole("status").textContent).toContain("Everything is kept");
  });

  it("a paste that fits is left to the browser", () => {
    setLocale("en");
    render(NotesBox, { props: { label: "Notes", value: "" } });
    const ev = paste(screen.getByLabelText("Notes"), "short");
    expect(ev.defaultPrevented).toBe(false);
  });

  it("speaks Japanese", async () => {
    setLocale("ja");
    render(NotesBox, { props: { label: "メモ", value: "a".repeat(60_000) } });
    expect(screen.getByText("60,000 / 65,536 文字")).toBeTruthy();
    setLocale("en");
  });
});

import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/svelte";
import Dialpad from "./Dialpad.svelte";
import { setLocale } from "../lib/i18n/index.svelte";

function setup(country = "JP") {
  setLocale("en");
  const ondial = vi.fn();
  const onredial = vi.fn();
  render(Dialpad, { props: { country, ondial, onredial, lastDialed: "+81312345678" } });
  const input = screen.getByLabelText("Number to call") as HTMLInputElement;
  return { ondial, onredial, input };
}

describe("Dialpad", () => {
  it("builds the number from clicked keys and formats it as you type", async () => {
    const { ondial, input } = setup("JP");
    for (const k of "0312345678") await fireEvent.click(screen.getByRole("button", { name: `Key ${k}` }));
    expect(input.value).toBe("03-1234-5678");
    await fireEvent.click(screen.getByRole("button", { name: "Call 03-1234-5678" }));
    expect(ondial).toHaveBeenCalledWith("+81312345678");
  });

  it("accepts typing, strips punctuation and dials on Enter", async () => {
    const { ondial, input } = setup("US");
    await fireEvent.input(input, { target: { value: "415.555/0100" } });
    expect(input.value).toBe("(415) 555-0100");
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(ondial).toHaveBeenCalledWith("+14155550100");
  });

  it("keeps a SIP address typed key by key and dials it as typed", async () => {
    const { ondial, input } = setup("US");
    for (const ch of "sip:bob@127.0.0.1:5070") await fireEvent.input(input, { target: { value: input.value + ch } });
    expect(input.value).toBe("sip:bob@127.0.0.1:5070");
    expect(screen.queryByRole("status")).toBeNull(); // no "invalid number" warning for an address
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(ondial).toHaveBeenCalledWith("sip:bob@127.0.0.1:5070");
  });

  it("pasting 1-800-FLOWERS dials the keypad digits and shows the number dialed", async () => {
    const { ondial, input } = setup("US");
    await fireEvent.paste(input, { clipboardData: { getData: () => "1-800-FLOWERS" } });
    expect(input.value.replace(/\D/g, "")).toBe("18003569377");
    expect(screen.getByText("Dials +1 800 356 9377")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull(); // a valid number: no warning
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(ondial).toHaveBeenCalledWith("+18003569377");
  });

  it("warns before calling a number that cannot be valid, and still lets the rep call it", async () => {
    const { ondial, input } = setup("JP");
    await fireEvent.input(input, { target: { value: "12345678" } });
    const warning = screen.getByRole("status");
    expect(warning.textContent).toContain("doesn't look like a valid number for Japan");
    await fireEvent.click(screen.getByRole("button", { name: /^Call / }));
    expect(ondial).toHaveBeenCalledWith("+8112345678");
    expect(screen.getByRole("button", { name: /^Call / }).textContent?.trim()).toBe("Call anyway");
    // Extensions are not flagged.
    await fireEvent.input(input, { target: { value: "201" } });
    expect(screen.queryByRole("status")).toBeNull();
  });

  it("empties the field when the call it placed ends, not when dialing fails", async () => {
    setLocale("en");
    const ondial = vi.fn();
    const r = render(Dialpad, { props: { country: "JP", ondial, inCall: false } });
    const input = screen.getByLabelText("Number to call") as HTMLInputElement;
    await fireEvent.input(input, { target: { value: "0312345678" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(input.value).toBe("03-1234-5678"); // no call came up: the number stays to fix
    await r.rerender({ inCall: true });
    expect(input.value).toBe("03-1234-5678");
    await r.rerender({ inCall: false });
    expect(input.value).toBe("");
  });

  it("paste keeps only + digits * # ", async () => {
    const { input, ondial } = setup("JP");
    const data = { getData: () => "Tel: +81 (90) 1111-2222 ext" };
    await fireEvent.paste(input, { clipboardData: data });
    expect(input.value).toBe("+81 90 1111 2222");
    await fireEvent.click(screen.getByRole("button", { name: /^Call / }));
    expect(ondial).toHaveBeenCalledWith("+819011112222");
  });

  it("keeps feature codes with * and # verbatim", async () => {
    const { input, ondial } = setup("JP");
    await fireEvent.paste(input, { clipboardData: { getData: () => "*72#" } });
    expect(input.value).toBe("*72#");
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(ondial).toHaveBeenCalledWith("*72#");
  });

  it("backspace removes a digit; the call button is disabled when empty; redial", async () => {
    const { input, ondial, onredial } = setup("JP");
    expect((screen.getByRole("button", { name: "Call" }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Key 1" }));
    await fireEvent.click(screen.getByRole("button", { name: "Key 2" }));
    await fireEvent.click(screen.getByRole("button", { name: "Delete last digit" }));
    expect(input.value).toBe("1");
    await fireEvent.click(screen.getByRole("button", { name: "Redial 03-1234-5678" }));
    expect(onredial).toHaveBeenCalledOnce();
    expect(ondial).not.toHaveBeenCalled();
  });
});

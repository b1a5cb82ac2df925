// The list settings dialog's voicemail file: checked as a drop will decode
// it (its duration shown, or the reason it cannot play), saved with the
// list's settings; a file that does not play is not saved. English and
// Japanese.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, within } from "@testing-library/svelte";
import ListSettings from "./ListSettings.svelte";
import { setLocale } from "../../lib/i18n/index.svelte";
import type { DialerListView, DialerSettingsView } from "../../lib/contract";

const list: DialerListView = {
  id: "L1", name: "East", contacts: 3, created: "", updated: "",
  settings: { mode: "power", lines: 1, wrapUpMs: 0, callerId: "", hours: "09:00-20:00", maxAttempts: 3, maxPerDay: 2, retrySpacingMs: 0, voicemail: "" },
};

function setup() {
  const onsave = vi.fn(async (_n: string, _s: DialerSettingsView) => {});
  const checkVoicemail = vi.fn(async (p: string) => {
    if (p.endsWith(".txt")) throw { code: "dialer_voicemail", message: `dialer: invalid list settings: dialer: the voicemail file cannot be played: voicemail ${p} cannot be played (WAV or MP3)` };
    return { path: p, durationMs: 12_400 };
  });
  render(ListSettings, { props: { list, onsave, ondelete: vi.fn(async () => {}), onclose: vi.fn(), checkVoicemail } });
  return { onsave, checkVoicemail };
}

describe("ListSettings voicemail", () => {
  it("checks the file, shows how long it plays, and saves it with the settings", async () => {
    setLocale("en");
    const { onsave, checkVoicemail } = setup();
    const dlg = await screen.findByRole("dialog");
    within(dlg).getByText("No voicemail: machines are hung up on.");
    const field = within(dlg).getByLabelText("Voicemail to leave (WAV or MP3 file)");
    await fireEvent.input(field, { target: { value: "/home/rep/notes.txt" } });
    await fireEvent.keyDown(field, { key: "Enter" });
    await within(dlg).findByText(/That voicemail file can't be played/);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Save settings" }));
    expect(onsave).not.toHaveBeenCalled();
    expect((field as HTMLInputElement).value).toBe("/home/rep/notes.txt"); // what the rep typed stays

    await fireEvent.input(field, { target: { value: "/home/rep/vm.mp3" } });
    await fireEvent.click(within(dlg).getByRole("button", { name: "Check" }));
    await within(dlg).findByText(/Plays for 12.4 s/);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Save settings" }));
    expect(onsave).toHaveBeenCalledTimes(1);
    expect(onsave.mock.calls[0][1].voicemail).toBe("/home/rep/vm.mp3");
    expect(checkVoicemail.mock.calls.map((c) => c[0])).toEqual(["/home/rep/notes.txt", "/home/rep/vm.mp3"]);
  });

  it("speaks Japanese", async () => {
    setLocale("ja");
    setup();
    const dlg = await screen.findByRole("dialog");
    const field = within(dlg).getByLabelText("残す留守電メッセージ（WAVまたはMP3ファイル）");
    await fireEvent.input(field, { target: { value: "/home/rep/vm.wav" } });
    await fireEvent.click(within(dlg).getByRole("button", { name: "確認" }));
    await within(dlg).findByText(/再生時間 12.4 秒/);
    setLocale("en");
  });
});

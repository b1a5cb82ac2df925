// The list settings dialog's voicemail file: checked as a drop will decode
// it (its duration shown, or the reason it cannot play), saved with the
// list's settings; a file that does not play is not saved. English and
// Japanese.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import ListSettings from "./ListSettings.svelte";
import { setLocale } from "../../lib/i18n/index.svelte";
import type { DialerListView, DialerSettingsView, VoicemailPlayView, VoicemailRecordingView } from "../../lib/contract";

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

function fakeRecorder(opts: { failStop?: boolean; limitAfter?: number } = {}) {
  let polls = 0;
  let on = false;
  const view = (): VoicemailRecordingView => ({ recording: on, listId: "L1", elapsedMs: polls * 1000, maxMs: 60000, levelDb: -12 });
  const rec = {
    start: vi.fn(async (_id: string) => { on = true; polls = 0; return view(); }),
    status: vi.fn(async () => { polls++; if (opts.limitAfter && polls >= opts.limitAfter) on = false; return view(); }),
    stop: vi.fn(async () => {
      on = false;
      if (opts.failStop) throw { code: "voicemail_not_saved", message: "app: the recorded voicemail could not be saved (/data/voicemail/L1.wav): disk full" };
      return { path: "/data/voicemail/L1-1.wav", durationMs: 3_200 };
    }),
  };
  return rec;
}

function setupRec(rec: ReturnType<typeof fakeRecorder>, voicemail = "") {
  const onsave = vi.fn(async (_n: string, _s: DialerSettingsView) => {});
  const l = { ...list, settings: { ...list.settings, voicemail } };
  const r = render(ListSettings, { props: { list: l, onsave, ondelete: vi.fn(async () => {}), onclose: vi.fn(), checkVoicemail: vi.fn(), recorder: rec, pollMs: 5 } });
  return { onsave, ...r };
}

describe("ListSettings voicemail recording", () => {
  it("records with elapsed time and level, Stop sets the file as the voicemail, keyboard first", async () => {
    setLocale("en");
    const rec = fakeRecorder();
    const { onsave } = setupRec(rec);
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record voicemail" }));
    expect(rec.start).toHaveBeenCalledWith("L1");
    const stop = await within(dlg).findByRole("button", { name: "Stop" });
    await waitFor(() => expect(document.activeElement).toBe(stop)); // Stop is focused for the keyboard
    await within(dlg).findByText(/Recording from your microphone: 0:0[2-9] of 1:00/);
    expect(within(dlg).getByRole("meter", { name: "Microphone level" }).getAttribute("value")).toBe("48");
    await fireEvent.click(stop);
    await within(dlg).findByText("Recorded 3.2 s and set as this list's voicemail.");
    expect(rec.stop).toHaveBeenCalledTimes(1);
    const field = within(dlg).getByLabelText("Voicemail to leave (WAV or MP3 file)") as HTMLInputElement;
    expect(field.value).toBe("/data/voicemail/L1-1.wav");
    within(dlg).getByText(/Plays for 3.2 s/);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Save settings" }));
    expect(onsave.mock.calls[0][1].voicemail).toBe("/data/voicemail/L1-1.wav");
  });

  it("asks before replacing a voicemail, stops itself at the limit, and says when the save failed", async () => {
    setLocale("en");
    const rec = fakeRecorder({ failStop: true, limitAfter: 3 });
    setupRec(rec, "/home/rep/old.mp3");
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record again" }));
    within(dlg).getByText("Replace the current voicemail with a new recording?");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Cancel" }));
    expect(rec.start).not.toHaveBeenCalled();
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record again" }));
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record new" }));
    await within(dlg).findByText(/The recording could not be saved/);
    expect(rec.stop).toHaveBeenCalledTimes(1); // at the limit, without Stop
    const field = within(dlg).getByLabelText("Voicemail to leave (WAV or MP3 file)") as HTMLInputElement;
    expect(field.value).toBe("/home/rep/old.mp3"); // the old voicemail stays
  });

  it("closing the dialog while recording keeps the recording", async () => {
    setLocale("en");
    const rec = fakeRecorder();
    const { unmount } = setupRec(rec);
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record voicemail" }));
    await within(dlg).findByRole("button", { name: "Stop" });
    unmount();
    expect(rec.stop).toHaveBeenCalledTimes(1);
  });

  it("speaks Japanese", async () => {
    setLocale("ja");
    const rec = fakeRecorder();
    setupRec(rec);
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "留守電メッセージを録音" }));
    await fireEvent.click(await within(dlg).findByRole("button", { name: "停止" }));
    await within(dlg).findByText("3.2 秒録音し、このリストの留守電メッセージにしました。");
    setLocale("en");
  });
});

function fakePlayer() {
  let handler: ((v: VoicemailPlayView) => void) | null = null;
  let path = "";
  const player = {
    play: vi.fn(async (p: string) => {
      if (p.endsWith(".txt")) throw { code: "dialer_voicemail", message: `dialer: voicemail ${p} cannot be played (WAV or MP3)` };
      path = p;
      return { playing: true, path: p, durationMs: 4_300, reason: "" };
    }),
    stop: vi.fn(async () => ({ playing: false, path, durationMs: 4_300, reason: "stopped" })),
    onended: vi.fn((h: (v: VoicemailPlayView) => void) => { handler = h; return () => { handler = null; }; }),
    /** end sends the backend's "voicemail_play" end event. */
    end: (reason: string) => handler?.({ playing: false, path, durationMs: 4_300, reason }),
    subscribed: () => handler !== null,
  };
  return player;
}

function setupPlay(voicemail = "/home/rep/vm.mp3") {
  const player = fakePlayer();
  const l = { ...list, settings: { ...list.settings, voicemail } };
  const onclose = vi.fn();
  const r = render(ListSettings, { props: { list: l, onsave: vi.fn(async () => {}), ondelete: vi.fn(async () => {}), onclose, checkVoicemail: vi.fn(), player } });
  return { player, onclose, ...r };
}

describe("ListSettings voicemail playback", () => {
  it("Play plays the file, a second press stops it, and its end (or a call) turns it back to Play", async () => {
    setLocale("en");
    const { player } = setupPlay();
    const dlg = await screen.findByRole("dialog");
    const btn = within(dlg).getByRole("button", { name: "Play" });
    btn.focus();
    await fireEvent.click(btn);
    expect(player.play).toHaveBeenCalledWith("/home/rep/vm.mp3");
    await within(dlg).findByText(/Playing on your speaker \(4.3 s\)/);
    expect(btn.textContent).toBe("Stop");
    await fireEvent.click(btn);
    expect(player.stop).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(btn.textContent).toBe("Play"));
    within(dlg).getByText(/Plays for 4.3 s/);

    await fireEvent.click(btn);
    await waitFor(() => expect(btn.textContent).toBe("Stop"));
    player.end("call"); // the backend stopped it: a call started
    await waitFor(() => expect(btn.textContent).toBe("Play"));
    expect(player.stop).toHaveBeenCalledTimes(1);
  });

  it("Esc stops the playback and keeps the dialog; the next Esc closes it", async () => {
    setLocale("en");
    const { player, onclose } = setupPlay();
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Play" }));
    await within(dlg).findByRole("button", { name: "Stop" });
    await fireEvent.keyDown(within(dlg).getByRole("button", { name: "Stop" }), { key: "Escape" });
    expect(player.stop).toHaveBeenCalledTimes(1);
    expect(onclose).not.toHaveBeenCalled();
    await within(dlg).findByRole("button", { name: "Play" });
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it("a file that cannot play says why and plays nothing; closing the dialog stops a playback", async () => {
    setLocale("en");
    const { player, unmount } = setupPlay("/home/rep/notes.txt");
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Play" }));
    await within(dlg).findByText(/That voicemail file can't be played/);
    expect(within(dlg).getByRole("button", { name: "Play" })).toBeTruthy();
    const field = within(dlg).getByLabelText("Voicemail to leave (WAV or MP3 file)");
    await fireEvent.input(field, { target: { value: "/home/rep/vm.wav" } });
    await fireEvent.click(within(dlg).getByRole("button", { name: "Play" }));
    await within(dlg).findByRole("button", { name: "Stop" });
    expect(player.subscribed()).toBe(true);
    unmount();
    expect(player.stop).toHaveBeenCalledTimes(1);
    expect(player.subscribed()).toBe(false);
  });

  it("speaks Japanese", async () => {
    setLocale("ja");
    setupPlay();
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "再生" }));
    await within(dlg).findByText(/スピーカーで再生中（4.3 秒）/);
    within(dlg).getByRole("button", { name: "停止" });
    setLocale("en");
  });
});

describe("ListSettings apology prompt", () => {
  function setupAp() {
    const player = fakePlayer();
    const onsave = vi.fn(async (_n: string, _s: DialerSettingsView) => {});
    const checkApology = vi.fn(async (p: string) => {
      if (p.endsWith("long.wav")) throw { code: "dialer_apology", message: `dialer: apology prompt ${p} is longer than 15s` };
      return { path: p, durationMs: 3_000 };
    });
    const l = { ...list, settings: { ...list.settings, mode: "parallel", lines: 3, apology: "" } };
    render(ListSettings, { props: { list: l, onsave, ondelete: vi.fn(async () => {}), onclose: vi.fn(), checkVoicemail: vi.fn(), checkApology, player } });
    return { player, onsave, checkApology };
  }

  it("in parallel mode: checked (a too-long file is not saved), played, and saved with the settings", async () => {
    setLocale("en");
    const { player, onsave, checkApology } = setupAp();
    const dlg = await screen.findByRole("dialog");
    within(dlg).getByText(/The built-in prompt plays/);
    const field = within(dlg).getByLabelText(/Apology when two answer at once/);
    await fireEvent.input(field, { target: { value: "/home/rep/long.wav" } });
    await fireEvent.keyDown(field, { key: "Enter" });
    await within(dlg).findByText(/That apology prompt can't be used/);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Save settings" }));
    expect(onsave).not.toHaveBeenCalled();

    await fireEvent.input(field, { target: { value: "/home/rep/sorry.wav" } });
    const plays = within(dlg).getAllByRole("button", { name: "Play" });
    await fireEvent.click(plays[1]);
    expect(player.play).toHaveBeenCalledWith("/home/rep/sorry.wav");
    await within(dlg).findByText(/Playing on your speaker \(3.0 s\)/);
    expect(plays[1].textContent).toBe("Stop");
    expect(plays[0].textContent).toBe("Play"); // the voicemail's button is its own
    await fireEvent.click(plays[1]);
    expect(player.stop).toHaveBeenCalledTimes(1);
    await within(dlg).findByText(/Plays for 3.0 s to a contact who answers/);
    await fireEvent.click(within(dlg).getByRole("button", { name: "Save settings" }));
    expect(onsave).toHaveBeenCalledTimes(1);
    expect(onsave.mock.calls[0][1].apology).toBe("/home/rep/sorry.wav");
    expect(checkApology).toHaveBeenCalledWith("/home/rep/sorry.wav");
  });

  it("is not shown outside parallel mode, and speaks Japanese", async () => {
    setLocale("ja");
    setupAp();
    const dlg = await screen.findByRole("dialog");
    within(dlg).getByLabelText(/同時応答時のお詫び/);
    await fireEvent.change(dlg.querySelector("select.ls-mode")!, { target: { value: "power" } });
    await waitFor(() => expect(within(dlg).queryByLabelText(/同時応答時のお詫び/)).toBeNull());
    setLocale("en");
  });
});

describe("ListSettings voicemail recording progress events", () => {
  it("follows the backend's progress events (no polling) and saves at the limit", async () => {
    setLocale("en");
    let handler: ((v: VoicemailRecordingView) => void) | null = null;
    const view = (elapsedMs: number, recording = true): VoicemailRecordingView => ({ recording, listId: "L1", elapsedMs, maxMs: 60000, levelDb: -6 });
    const rec = {
      start: vi.fn(async () => view(0)),
      status: vi.fn(async () => view(0)),
      stop: vi.fn(async () => ({ path: "/data/voicemail/L1-2.wav", durationMs: 60_000 })),
      onprogress: vi.fn((h: (v: VoicemailRecordingView) => void) => { handler = h; return () => { handler = null; }; }),
    };
    render(ListSettings, { props: { list, onsave: vi.fn(async () => {}), ondelete: vi.fn(async () => {}), onclose: vi.fn(), checkVoicemail: vi.fn(), recorder: rec, pollMs: 5 } });
    const dlg = await screen.findByRole("dialog");
    await fireEvent.click(within(dlg).getByRole("button", { name: "Record voicemail" }));
    await within(dlg).findByRole("button", { name: "Stop" });
    await waitFor(() => expect(handler).not.toBeNull());
    handler!({ ...view(4_000), listId: "other" }); // another list's recording is not this one
    handler!(view(12_000));
    await within(dlg).findByText(/Recording from your microphone: 0:12 of 1:00/);
    expect(within(dlg).getByRole("meter", { name: "Microphone level" }).getAttribute("value")).toBe("54");
    handler!(view(60_000, false)); // the limit
    await within(dlg).findByText("Recorded 60.0 s and set as this list's voicemail.");
    expect(rec.stop).toHaveBeenCalledTimes(1);
    expect(rec.status).not.toHaveBeenCalled();
    expect(handler).toBeNull(); // unsubscribed
  });
});

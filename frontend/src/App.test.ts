// The whole window over the typed Backend client with a recording transport:
// snapshot → render, user actions → service calls, events → DOM.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import App from "./App.svelte";
import { PhoneStore } from "./lib/store.svelte";
import { setLocale } from "./lib/i18n/index.svelte";
import type { CallView } from "./lib/contract";
import { call, callerId, fakeBackend, snapshot } from "./test/fixtures";

async function boot(over: Parameters<typeof snapshot>[0] = {}) {
  setLocale("en");
  const notify = vi.fn();
  const { backend, transport } = fakeBackend({
    "SystemService.Snapshot": () => snapshot(over),
    "HistoryService.List": () => [],
    "CallsService.Dial": (target) => call({ id: "o1", state: "dialing", number: String(target), durationMs: 0 }),
    "CallsService.Mute": (id, on) => call({ id: String(id), muted: Boolean(on) }),
    "CallsService.Answer": (id) => call({ id: String(id), direction: "inbound", state: "connected" }),
    "ContactsService.Get": () => ({}),
  });
  const store = new PhoneStore(backend, { notify });
  render(App, { props: { store } });
  await store.start();
  return { store, transport, notify };
}

describe("App", () => {
  it("renders the snapshot: account chip, demo banner and numbers", async () => {
    await boot();
    expect(screen.getByRole("status", { name: "Account status" }).textContent).toContain("Demo line");
    expect(screen.getByRole("status", { name: "Account status" }).textContent).toContain("Registered");
    expect(screen.getByRole("button", { name: "Call demo number 1000" })).toBeTruthy();
  });

  it("dials from the dialpad, then follows call events and ticks", async () => {
    const { transport } = await boot();
    const input = screen.getByLabelText("Number to call");
    await fireEvent.input(input, { target: { value: "0312345678" } });
    await fireEvent.keyDown(input, { key: "Enter" });
    expect(transport.called("CallsService", "Dial")[0].args).toEqual(["+81312345678"]);
    await screen.findByText("Calling…");

    transport.emit("call", call({ id: "o1", state: "ringing" }));
    await screen.findByText("Ringing…");
    transport.emit("call", call({ id: "o1", state: "connected" }));
    transport.emit("tick", { levels: { active: true, micDb: -12, speakerDb: -20 }, calls: [{ id: "o1", durationMs: 3200, quality: { level: "good", lossPct: 0, jitterMs: 2, rttMs: 0 } }] });
    await waitFor(() => expect(screen.getByLabelText("Call duration").textContent).toBe("0:03"));

    // Alt+M mutes the focused call.
    await fireEvent.keyDown(window, { key: "m", code: "KeyM", altKey: true });
    expect(transport.called("CallsService", "Mute")[0].args).toEqual(["o1", true]);

    transport.emit("call", call({ id: "o1", state: "ended", cause: "local_bye" }));
    await waitFor(() => expect(document.querySelector(".incall")).toBeNull());
  });

  it("pops an incoming call with caller ID, notifies, and answers with Alt+A", async () => {
    const { transport, notify } = await boot();
    const incoming: CallView = call({
      id: "i1", direction: "inbound", state: "incoming",
      callerId: callerId({ known: true, name: "Mark Tanaka", company: "Marcom", dealName: "Pilot", dealAmount: "300000", dealCurrency: "JPY" }),
    });
    transport.emit("call", incoming);
    const pop = await screen.findByRole("alertdialog");
    expect(pop.textContent).toContain("Mark Tanaka");
    expect(pop.textContent).toContain("¥300,000");
    expect(notify).toHaveBeenCalledWith(expect.objectContaining({ id: "i1" }));
    await fireEvent.keyDown(window, { key: "a", code: "KeyA", altKey: true });
    expect(transport.called("CallsService", "Answer")[0].args).toEqual(["i1"]);
    transport.emit("call", { ...incoming, state: "connected" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("i1");
  });

  it("switches language when settings arrive and opens the shortcut help on ?", async () => {
    const { transport } = await boot();
    transport.emit("settings", { language: "ja", defaultCountry: "JP", ringtone: "classic", forwardTo: "", scripts: [] });
    await screen.findByRole("button", { name: "発信" });
    await fireEvent.keyDown(document.body, { key: "?" });
    expect(screen.getByRole("dialog").textContent).toContain("キーボードショートカット");
    expect(screen.getByRole("dialog").textContent).toContain("Alt+M");
    await fireEvent.keyDown(window, { key: "Escape" });
    expect(screen.queryByRole("dialog")).toBeNull();
    setLocale("en");
  });

  it("lists several calls and switches between them", async () => {
    const { transport } = await boot({
      calls: [call({ id: "a", state: "held", held: true, callerId: callerId({ known: true, name: "Ann" }) }), call({ id: "b", state: "connected", callerId: callerId({ known: true, name: "Bob" }) })],
    });
    transport.handlers["CallsService.SwitchTo"] = (id) => call({ id: String(id), state: "connected", callerId: callerId({ known: true, name: "Ann" }) });
    expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("b");
    await fireEvent.click(screen.getByRole("button", { name: "Switch to Ann" }));
    expect(transport.called("CallsService", "SwitchTo")[0].args).toEqual(["a"]);
    transport.emit("call", call({ id: "b", state: "held", held: true, callerId: callerId({ known: true, name: "Bob" }) }));
    transport.emit("call", call({ id: "a", state: "connected", callerId: callerId({ known: true, name: "Ann" }) }));
    await waitFor(() => expect(document.querySelector(".incall")?.getAttribute("data-call")).toBe("a"));
  });

  it("a notice about a failure shows its sentence, the detail behind Details", async () => {
    const { transport } = await boot();
    transport.emit("notice", { level: "warning", code: "crm_pull", message: "CRM sync: The CRM refused the token.",
      error: { code: "crm_auth", message: "The CRM refused the token.", detail: "hubspot: crm: authentication failed, reconnect your CRM: HTTP 401 INVALID_AUTHENTICATION: Authentication credentials not found." } });
    const note = await waitFor(() => {
      const el = document.querySelector(".toast .error-note[data-code=crm_auth]");
      if (!el) throw new Error("no toast");
      return el as HTMLElement;
    });
    expect(note.textContent).toContain("The CRM refused the token. Reconnect it with a new token in Settings → CRM.");
    expect(note.querySelector("pre")?.hidden).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: "Details" }));
    expect(note.querySelector("pre")?.textContent).toContain("HTTP 401 INVALID_AUTHENTICATION");
  });

  it("shows a failed registration with its reason", async () => {
    const { transport } = await boot();
    transport.emit("account", { ...snapshot().accounts[0], state: "failed", reason: "The server refused the user name or password.",
      error: { code: "auth_failed", message: "The server refused the user name or password.", detail: "softphone: authentication failed (403 Forbidden from pbx:5060)" } });
    await waitFor(() => expect(screen.getByRole("status", { name: "Account status" }).textContent).toContain("Failed"));
    // The chip stays short; the reason is on hover and one click away, with the SIP detail behind "Details".
    const chip = screen.getByRole("status", { name: "Account status" });
    expect(chip.textContent).not.toContain("403");
    expect(chip.getAttribute("title")).toContain("The server refused the user name or password");
    await fireEvent.click(screen.getByRole("button", { name: "Why: Demo line" }));
    await fireEvent.click(screen.getByRole("button", { name: "Details" }));
    expect(screen.getByRole("dialog").textContent).toContain("403 Forbidden from pbx:5060");
  });
});

describe("PhoneStore", () => {
  it("a late service reply does not bring back a call that already ended", async () => {
    const { store, transport } = await boot();
    transport.emit("call", call({ id: "z1", state: "connected" }));
    expect(store.calls.map((c) => c.id)).toEqual(["z1"]);
    let reply: (v: unknown) => void = () => {};
    transport.handlers["CallsService.Hangup"] = () => new Promise((r) => (reply = r));
    const p = store.hangup("z1");
    await vi.waitFor(() => expect(transport.called("CallsService", "Hangup")).toHaveLength(1));
    transport.emit("call", call({ id: "z1", state: "ended" }));
    reply(call({ id: "z1", state: "connected" }));
    await p;
    expect(store.calls).toEqual([]);
  });

  it("a stale reply does not overwrite a newer call event", async () => {
    const { store, transport } = await boot();
    transport.emit("call", call({ id: "y1", direction: "inbound", state: "incoming" }));
    let reply: (v: unknown) => void = () => {};
    transport.handlers["CallsService.Answer"] = () => new Promise((r) => (reply = r));
    const p = store.answer("y1");
    transport.emit("call", call({ id: "y1", direction: "inbound", state: "connected" }));
    reply(call({ id: "y1", direction: "inbound", state: "answering" }));
    await p;
    expect(store.calls.map((c) => c.state)).toEqual(["connected"]);
  });
});

describe("call endings and a second call", () => {
  it("says why a call ended (busy) but not after a normal hang-up", async () => {
    const { store, transport } = await boot();
    transport.emit("call", call({ id: "b1", state: "dialing" }));
    transport.emit("call", call({ id: "b1", state: "ended", cause: "busy", status: 486, reason: "Busy Here" }));
    expect(store.toasts.map((x) => x.text)).toEqual(["Call ended: Busy"]);
    transport.emit("call", call({ id: "b2", state: "connected" }));
    transport.emit("call", call({ id: "b2", state: "ended", cause: "local_hangup" }));
    expect(store.toasts).toHaveLength(1);
  });

  it("answering while on a call asks the backend only: the engine holds the current one", async () => {
    const { store, transport } = await boot({ calls: [call({ id: "cur", state: "connected" })] });
    transport.handlers["CallsService.Answer"] = (id) => call({ id: String(id), state: "connected" });
    transport.emit("call", call({ id: "new", direction: "inbound", state: "incoming" }));
    await store.answer("new");
    expect(transport.calls.filter((c) => c.service === "CallsService").map((c) => `${c.method}:${c.args[0]}`)).toEqual(["Answer:new"]);
  });
});

describe("dialing while on a call", () => {
  it("asks the backend to dial only: the engine holds the connected call", async () => {
    const { store, transport } = await boot({ calls: [call({ id: "cur", state: "connected" })] });
    await store.dial("100");
    expect(transport.calls.filter((c) => c.service === "CallsService").map((c) => `${c.method}:${c.args[0]}`)).toEqual(["Dial:100"]);
  });
});

describe("call notes", () => {
  it("are saved after a pause, and flushed before a hang-up", async () => {
    const { store, transport } = await boot({ calls: [call({ id: "n1", state: "connected" })] });
    transport.handlers["CallsService.SetNotes"] = (id, n) => call({ id: String(id), notes: String(n) });
    transport.handlers["CallsService.Hangup"] = (id) => call({ id: String(id), state: "ended" });
    store.notesDelayMs = 60_000;
    store.noteDraft("n1", "wants a");
    store.noteDraft("n1", "wants a demo");
    expect(transport.called("CallsService", "SetNotes")).toEqual([]);
    await store.hangup("n1");
    const order = transport.calls.filter((c) => c.service === "CallsService").map((c) => [c.method, ...c.args]);
    expect(order).toEqual([["SetNotes", "n1", "wants a demo"], ["Hangup", "n1"]]);
  });

});

describe("post-call form: add to do-not-call", () => {
  it("adds a SIP-only call's address (not its user part) to the do-not-call list from the form", async () => {
    const { transport } = await boot();
    transport.handlers["DialerService.AddDNC"] = () => [];
    transport.emit("call", call({ id: "s1", state: "connected", remote: "sip:bob@127.0.0.1:5070;transport=udp", number: "bob" }));
    transport.emit("call", call({ id: "s1", state: "ended", cause: "local_bye", remote: "sip:bob@127.0.0.1:5070;transport=udp", number: "bob" }));
    transport.emit("form", {
      callId: "s1", state: "pending", direction: "outbound", number: "bob", callerId: callerId({ known: false, e164: "", formatted: "bob" }),
      contact: null, deals: [], status: "completed", started: "2026-01-05T10:00:00Z", durationMs: 5000, notes: "",
      outcomes: [{ id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping: {} }], requireOutcome: false,
    });
    await fireEvent.click(await screen.findByLabelText("Add this number to the do-not-call list"));
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    await waitFor(() => expect(transport.called("DialerService", "AddDNC").length).toBe(1));
    expect(transport.called("DialerService", "AddDNC")[0].args).toEqual(["sip:bob@127.0.0.1:5070;transport=udp", "", "form"]);
  });

  it("adds a phone call's number to the do-not-call list from the form", async () => {
    const { transport } = await boot();
    transport.handlers["DialerService.AddDNC"] = () => [];
    transport.emit("call", call({ id: "p1", state: "ended", cause: "local_bye", remote: "sip:+81312345678@pbx.example.com", number: "+81312345678" }));
    transport.emit("form", {
      callId: "p1", state: "pending", direction: "outbound", number: "+81312345678", callerId: callerId({ e164: "+81312345678" }),
      contact: null, deals: [], status: "completed", started: "2026-01-05T10:00:00Z", durationMs: 5000, notes: "",
      outcomes: [{ id: 1, label: "Connected", enabled: true, deleted: false, position: 1, mapping: {} }], requireOutcome: false,
    });
    await fireEvent.click(await screen.findByLabelText("Add this number to the do-not-call list"));
    await fireEvent.click(screen.getByRole("button", { name: "Log call" }));
    await waitFor(() => expect(transport.called("DialerService", "AddDNC").length).toBe(1));
    expect(transport.called("DialerService", "AddDNC")[0].args[0]).toBe("+81312345678");
  });
});

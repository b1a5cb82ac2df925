// DialerStore over a recording fake backend: the session is the backend's
// runner; the store sends the rep's actions (start, dial, skip, pause,
// resume, stop) and shows what the "dialer" event and the replies say.
import { describe, expect, it } from "vitest";
import { DialerStore, viewState } from "./dialer.svelte";
import { fakeBackend } from "../test/fixtures";
import type { DialerListView, DialerPreview, DialerSessionView } from "./contract";

const settings = { mode: "preview", lines: 1, wrapUpMs: 0, callerId: "", hours: "09:00-20:00", maxAttempts: 3, maxPerDay: 2, retrySpacingMs: 7200000 };
const list = (id: string, contacts: number): DialerListView => ({ id, name: `List ${id}`, contacts, settings, created: "", updated: "" });

function preview(position: number, over: Partial<DialerPreview> = {}): DialerPreview {
  return {
    listId: "L1", position, total: 3,
    contact: { position, name: `C${position}`, company: "", email: "", numbers: [], status: "ready", message: "" },
    number: `+1212555010${position}`, formatted: `(212) 555-010${position}`, dealName: "", dealAmount: "", dealCurrency: "",
    lastOutcome: "", lastCalled: "", localTime: "10:00", timeZone: "America/New_York", zoneSource: "number",
    allowed: true, reason: "", message: "", ...over,
  };
}

function session(over: Partial<DialerSessionView> = {}): DialerSessionView {
  return {
    active: true, seq: 0, id: "S1", listId: "L1", listName: "List L1", state: "ready", mode: "preview", lines: 1,
    counters: { dialled: 0, connected: 0, voicemail: 0, noAnswer: 0, busy: 0, abandoned: 0, skipped: 0 },
    done: 0, total: 3, current: preview(0), needOutcome: false, paused: false, retriesPending: 0, skips: [], error: null, ...over,
  };
}

function setup(running: DialerSessionView | null = null) {
  const { backend, transport } = fakeBackend({
    "DialerService.Lists": () => [list("L1", 3), list("L2", 0)],
    "DialerService.DNC": () => [],
    "DialerService.Session": () => running ?? { ...session(), active: false, listId: "", state: "", current: null },
    "DialerService.StartSession": () => session(),
    "DialerService.SessionDial": () => session({ state: "dialing", counters: { ...session().counters, dialled: 1 } }),
    "DialerService.SessionSkip": () => session({ current: preview(1), done: 1, counters: { ...session().counters, skipped: 1 }, skips: [{ index: 0, contact: "C0", number: "", reason: "rep", message: "", localTime: "" }] }),
    "DialerService.SessionPause": () => session({ state: "paused", paused: true }),
    "DialerService.SessionResume": () => session(),
    "DialerService.SessionStop": () => session({ state: "stopped", current: null }),
    "DialerService.Preview": (_id, pos) => preview(Number(pos), { allowed: false, reason: "dnc", message: "On the DNC list." }),
    "DialerService.AddDNC": (n) => [{ number: String(n), raw: String(n), note: "", source: "manual", added: "" }],
  });
  return { d: new DialerStore(backend), transport };
}

describe("viewState", () => {
  it("maps the runner's states", () => {
    expect(viewState(null)).toBe("idle");
    for (const s of ["ready", "dialing", "connected", "wrap_up"]) expect(viewState(session({ state: s }))).toBe("running");
    expect(viewState(session({ state: "paused" }))).toBe("paused");
    expect(viewState(session({ state: "connected", paused: true }))).toBe("paused");
    expect(viewState(session({ state: "done" }))).toBe("done");
    expect(viewState(session({ state: "stopped" }))).toBe("idle");
  });
});

describe("DialerStore", () => {
  it("loads the lists and selects the first; no session yet", async () => {
    const { d } = setup();
    await d.load();
    expect(d.loaded).toBe(true);
    expect(d.listId).toBe("L1");
    expect(d.total).toBe(3);
    expect(d.state).toBe("idle");
    expect(d.preview).toBeNull();
  });

  it("selects the list of a session already running (a reload keeps its place)", async () => {
    const { d } = setup(session({ listId: "L2", done: 1 }));
    await d.load();
    expect(d.listId).toBe("L2");
    expect(d.state).toBe("running");
    expect(d.done).toBe(1);
  });

  it("sends the rep's actions to the runner and shows its replies and events", async () => {
    const { d, transport } = setup();
    await d.load();
    await d.toggle(); // start
    expect(transport.called("DialerService", "StartSession")[0].args).toEqual(["L1"]);
    expect(d.state).toBe("running");
    expect(d.preview?.position).toBe(0);
    expect(d.canDial).toBe(true);

    await d.skip();
    expect(d.preview?.position).toBe(1);
    expect(d.skipped).toEqual([{ position: 0, name: "C0", reason: "rep", message: "", localTime: "" }]);
    expect(d.counters.skipped).toBe(1);
    expect(d.done).toBe(1);

    await d.dial();
    expect(transport.called("DialerService", "SessionDial")).toHaveLength(1);
    expect(d.counters.dialled).toBe(1);
    expect(d.canDial).toBe(false); // dialing: no second dial
    await d.dial();
    expect(transport.called("DialerService", "SessionDial")).toHaveLength(1);

    // Events from the runner replace the status.
    transport.emit("dialer", session({ state: "wrap_up", needOutcome: true, current: null }));
    expect(d.needOutcome).toBe(true);
    transport.emit("dialer", session({ state: "done", done: 3, current: null }));
    expect(d.state).toBe("done");
    expect(d.preview).toBeNull();
  });

  it("pause, resume and stop go to the runner; the card's refusal is not sent", async () => {
    const { d, transport } = setup();
    await d.load();
    await d.start();
    await d.toggle();
    expect(d.state).toBe("paused");
    await d.skip(); // paused: nothing sent
    expect(transport.called("DialerService", "SessionSkip")).toHaveLength(0);
    await d.toggle();
    expect(d.state).toBe("running");
    await d.addDNC("+12125550100"); // the card is reloaded with its new verdict
    expect(d.preview?.reason).toBe("dnc");
    await d.dial();
    expect(transport.called("DialerService", "SessionDial")).toHaveLength(0);
    expect(d.error?.code).toBe("skip_dnc");
    await d.stop();
    expect(d.state).toBe("idle");
  });

  it("keeps the newest status whether the reply or the event comes last", async () => {
    const { d, transport } = setup();
    await d.load();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // StartSession's reply was taken (seq 1, not ready yet) before the
    // event that shows the first card (seq 2), but arrives after it.
    transport.handlers["DialerService.StartSession"] = async () => {
      await gate;
      return session({ seq: 1, state: "idle", current: null });
    };
    const started = d.start();
    transport.emit("dialer", session({ seq: 2 }));
    release();
    await started;
    expect(d.state).toBe("running");
    expect(d.preview?.position).toBe(0);
    // Later statuses (seq grows across sessions) are taken.
    transport.emit("dialer", session({ seq: 3, state: "stopped", current: null }));
    expect(d.state).toBe("idle");
  });

  it("keeps a backend error for the view", async () => {
    const { d, transport } = setup();
    await d.load();
    transport.handlers["DialerService.StartSession"] = () => {
      throw { code: "account_not_registered", message: "not signed in" };
    };
    await d.start();
    expect(d.error?.code).toBe("account_not_registered");
    expect(d.state).toBe("idle");
  });
});

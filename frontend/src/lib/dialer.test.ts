// DialerStore over a recording fake backend: the session walks the list
// with the backend's verdicts, counts skips with their reasons, dials only
// what the card allows, tallies the calls it dialled, and keeps errors for
// the view.
import { describe, expect, it } from "vitest";
import { DialerStore } from "./dialer.svelte";
import { call, fakeBackend } from "../test/fixtures";
import type { DialerListView, DialerPreview } from "./contract";

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

function setup(verdicts: Record<number, Partial<DialerPreview>> = {}) {
  const { backend, transport } = fakeBackend({
    "DialerService.Lists": () => [list("L1", 3), list("L2", 0)],
    "DialerService.DNC": () => [],
    "DialerService.Preview": (_id, pos) => preview(Number(pos), verdicts[Number(pos)]),
    "DialerService.Dial": (_id, pos) => call({ id: `c${pos}`, state: "dialing" }),
    "DialerService.AddDNC": (n) => [{ number: String(n), raw: String(n), note: "", source: "manual", added: "" }],
  });
  return { d: new DialerStore(backend), transport };
}

describe("DialerStore", () => {
  it("loads the lists and selects the first", async () => {
    const { d } = setup();
    await d.load();
    expect(d.loaded).toBe(true);
    expect(d.listId).toBe("L1");
    expect(d.total).toBe(3);
    expect(d.state).toBe("idle");
  });

  it("walks the list: dial what is allowed, skip with the reason, done at the end", async () => {
    const { d, transport } = setup({ 1: { allowed: false, reason: "dnc", message: "C1's number is on the do-not-call list." } });
    await d.load();
    await d.start();
    expect(d.state).toBe("running");
    expect(d.preview?.position).toBe(0);

    const c = await d.dial();
    expect(c?.id).toBe("c0");
    expect(transport.called("DialerService", "Dial")[0].args).toEqual(["L1", 0]);
    expect(d.counters.dialled).toBe(1);
    expect(d.position).toBe(1);

    // The card refuses: Dial sends nothing and says why.
    expect(await d.dial()).toBeUndefined();
    expect(transport.called("DialerService", "Dial")).toHaveLength(1);
    expect(d.error?.code).toBe("skip_dnc");

    await d.skip();
    expect(d.skipped).toEqual([{ position: 1, name: "C1", reason: "dnc", message: "C1's number is on the do-not-call list." }]);
    await d.skip();
    expect(d.skipped[1].reason).toBe("skipped");
    expect(d.counters.skipped).toBe(2);
    expect(d.done).toBe(3);
    expect(d.state).toBe("done");
    expect(d.preview).toBeNull();
  });

  it("pause blocks dialling and skipping until resume; stop ends the session", async () => {
    const { d, transport } = setup();
    await d.load();
    await d.toggle(); // start
    expect(d.state).toBe("running");
    await d.toggle(); // pause
    expect(d.state).toBe("paused");
    await d.dial();
    await d.skip();
    expect(transport.called("DialerService", "Dial")).toHaveLength(0);
    expect(d.position).toBe(0);
    await d.toggle(); // resume
    expect(d.state).toBe("running");
    d.stop();
    expect(d.state).toBe("idle");
    expect(d.preview).toBeNull();
  });

  it("counts the outcomes of the calls it dialled, not of others", async () => {
    const { d, transport } = setup();
    await d.load();
    await d.start();
    await d.dial(); // c0
    await d.dial(); // c1
    transport.emit("call", call({ id: "c0", state: "connected" }));
    transport.emit("call", call({ id: "c0", state: "connected" }));
    transport.emit("call", call({ id: "c0", state: "ended", cause: "remote_hangup" }));
    transport.emit("call", call({ id: "c1", state: "ended", cause: "busy" }));
    transport.emit("call", call({ id: "other", state: "ended", cause: "busy" }));
    expect(d.counters).toMatchObject({ dialled: 2, connected: 1, busy: 1, noAnswer: 0 });
  });

  it("keeps a backend error for the view and reloads the card after a DNC change", async () => {
    const { d, transport } = setup();
    await d.load();
    await d.start();
    transport.handlers["DialerService.Dial"] = () => {
      throw { code: "account_not_registered", message: "not signed in" };
    };
    expect(await d.dial()).toBeUndefined();
    expect(d.error?.code).toBe("account_not_registered");
    expect(d.position).toBe(0);
    const before = transport.called("DialerService", "Preview").length;
    await d.addDNC("+12125550100");
    expect(d.dnc).toHaveLength(1);
    expect(transport.called("DialerService", "Preview").length).toBe(before + 1);
  });
});

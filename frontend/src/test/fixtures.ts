// Test fixtures: view values shaped exactly like the Go backend sends them,
// and a recording Transport for the typed Backend client.
import { Backend, type Transport } from "../lib/backend";
import type { CallView, CallerIDView, ContactView, EventMap, EventName, ParticipantView, Snapshot } from "../lib/contract";

export function callerId(over: Partial<CallerIDView> = {}): CallerIDView {
  return {
    known: false, contactId: "", name: "", company: "", dealName: "", dealAmount: "", dealCurrency: "",
    e164: "+81312345678", formatted: "03-1234-5678", ...over,
  };
}

export function call(over: Partial<CallView> = {}): CallView {
  return {
    id: "c1", account: "demo", direction: "outbound", state: "connected", remote: "sip:+81312345678@127.0.0.1", number: "+81312345678",
    display: "", callerId: callerId(), muted: false, held: false, remoteHeld: false,
    created: "2026-01-05T10:00:00Z", answered: "2026-01-05T10:00:02Z", durationMs: 0, codec: "PCMU", notes: "",
    cause: "", status: 0, reason: "", quality: { level: "unknown", lossPct: 0, jitterMs: 0, rttMs: 0 }, forwardable: false,
    participants: [], left: false,
    ...over,
  };
}

export function participant(over: Partial<ParticipantView> = {}): ParticipantView {
  return {
    id: "l1", callId: "c1", name: "", number: "+81312345678", remote: "sip:+81312345678@127.0.0.1", state: "connected",
    role: "participant", muted: false, held: false, remoteHeld: false, levelDb: -96, talking: false,
    quality: { level: "good", lossPct: 0, jitterMs: 2, rttMs: 0 }, ...over,
  };
}

export const margaret: ContactView = {
  id: "ct1", name: "Margaret Sato", firstName: "Margaret", lastName: "Sato", title: "CTO", email: "m@marcom.example",
  company: "Marcom", address: "1-2-3 Martin Road, Tokyo",
  phones: [
    { label: "work", raw: "03-1234-5678", e164: "+81312345678", formatted: "03-1234-5678" },
    { label: "mobile", raw: "090-1111-2222", e164: "+819011112222", formatted: "090-1111-2222" },
  ],
  deals: [{ id: "d1", name: "Marcom renewal", amount: "1200000", currency: "JPY", stage: "proposal" }],
};

export function snapshot(over: Partial<Snapshot> = {}): Snapshot {
  return {
    version: "1.0.0-test",
    accounts: [{
      id: "demo", label: "Demo line", demo: true, active: true, aor: "sip:rep@127.0.0.1", authUser: "", displayName: "Ken Rep",
      registrar: "", outboundProxy: "", transport: "udp", hasPassword: false, state: "registered", reason: "", dnd: false,
    }],
    calls: [],
    devices: { backend: "null", devices: [], input: "", output: "", ringer: "", meter: false, error: "" },
    settings: { language: "en", defaultCountry: "JP", ringtone: "classic", forwardTo: "", scripts: [] },
    demo: { active: true, numbers: [{ number: "1000", behaviour: "answer", description: "answers" }] },
    levels: { active: false, micDb: -96, speakerDb: -96 },
    lastDialed: "",
    forms: { pending: [], requireOutcome: false },
    crm: { vendor: "", connected: false, reconnect: false, account: "", baseUrl: "", state: "", reason: "", until: "", pending: 0, failed: 0, synced: 0, sent: 0, total: 0, offline: false, lastPush: "", lastPull: "", pulled: {} },
    ...over,
  };
}

/** Recorded is one service call the UI made. */
export interface Recorded { service: string; method: string; args: unknown[] }

/** FakeTransport records calls, answers them from handlers and lets tests emit events. */
export class FakeTransport implements Transport {
  readonly kind = "http" as const;
  calls: Recorded[] = [];
  readyData: unknown[] = [];
  handlers: Record<string, (...args: unknown[]) => unknown> = {};
  private listeners = new Map<string, Set<(p: unknown) => void>>();

  constructor(handlers: Record<string, (...args: unknown[]) => unknown> = {}) {
    this.handlers = handlers;
  }
  async call(service: string, method: string, args: unknown[]): Promise<unknown> {
    this.calls.push({ service, method, args });
    const h = this.handlers[`${service}.${method}`];
    if (!h) throw { code: "not_found", message: `no fake for ${service}.${method}` };
    return h(...args);
  }
  on(event: string, handler: (p: unknown) => void): () => void {
    let s = this.listeners.get(event);
    if (!s) this.listeners.set(event, (s = new Set()));
    s.add(handler);
    return () => s!.delete(handler);
  }
  ready(data: unknown): void {
    this.readyData.push(data);
  }
  emit<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const h of this.listeners.get(event) ?? []) h(payload);
  }
  called(service: string, method: string): Recorded[] {
    return this.calls.filter((c) => c.service === service && c.method === method);
  }
}

export function fakeBackend(handlers: Record<string, (...args: unknown[]) => unknown> = {}): { backend: Backend; transport: FakeTransport } {
  // The dialer view loads its lists and the DNC list with the window.
  const transport = new FakeTransport({ "DialerService.Lists": () => [], "DialerService.DNC": () => [], ...handlers });
  return { backend: new Backend(transport), transport };
}

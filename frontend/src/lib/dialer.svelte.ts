// The dialer view's state: call lists, the selected list, the session
// (state, position, counters, skipped contacts), the preview card and the
// do-not-call list. Every decision (compliance, what to dial) is the
// backend's; this store calls DialerService and keeps what it answered.
import type {
  CallView, DialerColumnView, DialerImportInput, DialerImportReport, DialerListView, DialerPreview,
  DialerSettingsView, DNCEntryView, DNCImportReport, ErrorPayload,
} from "./contract";
import type { Backend } from "./backend";
import { toError } from "./backend";

/** SessionState is where a session is. */
export type SessionState = "idle" | "running" | "paused" | "done";

/** Counters are a session's tallies. */
export interface Counters {
  dialled: number; connected: number; voicemail: number; noAnswer: number
  busy: number; abandoned: number; skipped: number
}

/** Skipped is one contact the session passed over, with why. */
export interface Skipped { position: number; name: string; reason: string; message: string }

export const zeroCounters = (): Counters => ({ dialled: 0, connected: 0, voicemail: 0, noAnswer: 0, busy: 0, abandoned: 0, skipped: 0 });

/** DialerStore holds the dialer view's state and actions. */
export class DialerStore {
  loaded = $state(false);
  lists = $state<DialerListView[]>([]);
  listId = $state("");
  dnc = $state<DNCEntryView[]>([]);
  state = $state<SessionState>("idle");
  /** position is the contact on the preview card (0-based). */
  position = $state(0);
  /** done counts the contacts worked (dialled or skipped) this session. */
  done = $state(0);
  preview = $state<DialerPreview | null>(null);
  counters = $state<Counters>(zeroCounters());
  skipped = $state<Skipped[]>([]);
  /** error is the last failed action's error (shown inline, with details). */
  error = $state<ErrorPayload | null>(null);
  busy = $state(false);

  /** the calls this session dialled, by id, and whether each was answered. */
  private mine = new Map<string, boolean>();
  private unsub: (() => void) | null = null;

  constructor(readonly backend: Backend) {}

  get list(): DialerListView | undefined {
    return this.lists.find((l) => l.id === this.listId);
  }
  get total(): number {
    return this.list?.contacts ?? 0;
  }

  /** start loads the lists and the DNC list and follows the calls it dials. */
  async load(): Promise<void> {
    this.unsub ??= this.backend.on("call", (c) => this.onCall(c));
    await this.guard(async () => {
      const [lists, dnc] = await Promise.all([this.backend.dialer.lists(), this.backend.dialer.dnc()]);
      this.lists = lists ?? [];
      this.dnc = dnc ?? [];
      if (!this.lists.some((l) => l.id === this.listId)) this.select(this.lists[0]?.id ?? "");
    });
    this.loaded = true;
  }

  close(): void {
    this.unsub?.();
    this.unsub = null;
  }

  /** select picks a list and resets the session. */
  select(id: string): void {
    this.listId = id;
    this.reset();
  }

  private reset(): void {
    this.state = "idle";
    this.position = 0;
    this.done = 0;
    this.preview = null;
    this.counters = zeroCounters();
    this.skipped = [];
    this.mine.clear();
    this.error = null;
  }

  // ---- session ----

  /** start begins the session at the first contact. */
  async start(): Promise<void> {
    if (!this.listId || this.total === 0) return;
    this.reset();
    this.state = "running";
    await this.show(0);
  }
  pause(): void {
    if (this.state === "running") this.state = "paused";
  }
  resume(): void {
    if (this.state === "paused") this.state = "running";
  }
  /** toggle is the Alt+P shortcut: start, pause or resume. */
  async toggle(): Promise<void> {
    if (this.state === "running") this.pause();
    else if (this.state === "paused") this.resume();
    else await this.start();
  }
  stop(): void {
    if (this.state === "idle") return;
    this.state = "idle";
    this.preview = null;
  }

  /** skip passes over the contact on the card, with its reason. */
  async skip(): Promise<void> {
    const p = this.preview;
    if (!p || this.state !== "running") return;
    this.counters.skipped++;
    this.skipped.push({ position: p.position, name: p.contact.name, reason: p.allowed ? "skipped" : p.reason, message: p.message });
    await this.advance();
  }

  /** dial calls the contact on the card (the backend checks compliance first). */
  async dial(): Promise<CallView | undefined> {
    const p = this.preview;
    if (!p || this.state !== "running" || this.busy) return undefined;
    if (!p.allowed) {
      // The card already says why; Dial would only be refused.
      this.error = { code: `skip_${p.reason}`, message: p.message, detail: p.message };
      return undefined;
    }
    const c = await this.guard(() => this.backend.dialer.dial(p.listId, p.position));
    if (!c) return undefined;
    this.mine.set(c.id, false);
    this.counters.dialled++;
    await this.advance();
    return c;
  }

  private async advance(): Promise<void> {
    this.done++;
    const next = this.position + 1;
    if (next >= this.total) {
      this.state = "done";
      this.preview = null;
      return;
    }
    await this.show(next);
  }

  private async show(position: number): Promise<void> {
    this.position = position;
    const p = await this.guard(() => this.backend.dialer.preview(this.listId, position));
    if (p) this.preview = p;
  }

  /** refresh reloads the card (after the DNC list or settings changed). */
  async refresh(): Promise<void> {
    if (this.preview) await this.show(this.position);
  }

  private onCall(c: CallView): void {
    if (!this.mine.has(c.id)) return;
    if (c.state === "connected" && !this.mine.get(c.id)) {
      this.mine.set(c.id, true);
      this.counters.connected++;
    }
    if (c.state !== "ended") return;
    if (!this.mine.get(c.id)) {
      if (c.cause === "busy") this.counters.busy++;
      else if (c.cause === "no_answer" || c.cause === "canceled" || c.cause === "local_hangup") this.counters.noAnswer++;
    }
    this.mine.delete(c.id);
  }

  // ---- lists ----

  columns(csv: string): Promise<DialerColumnView[]> {
    return this.backend.dialer.columns(csv);
  }

  /** importCSV runs an import (or a dry run); a saved list becomes the selected one. */
  async importCSV(input: DialerImportInput): Promise<DialerImportReport> {
    const r = await this.backend.dialer.importCSV(input);
    if (r.list) {
      this.lists = [r.list, ...this.lists.filter((l) => l.id !== r.list!.id)];
      this.select(r.list.id);
    }
    return r;
  }

  async saveSettings(name: string, s: DialerSettingsView): Promise<void> {
    const id = this.listId;
    let v = await this.backend.dialer.saveSettings(id, s);
    if (name.trim() && name.trim() !== v.name) v = await this.backend.dialer.rename(id, name);
    this.lists = this.lists.map((l) => (l.id === id ? v : l));
    await this.refresh();
  }

  async remove(id: string): Promise<void> {
    this.lists = (await this.backend.dialer.remove(id)) ?? [];
    this.select(this.lists[0]?.id ?? "");
  }

  // ---- do-not-call ----

  async addDNC(number: string, note = "", source: "manual" | "form" = "manual"): Promise<void> {
    this.dnc = (await this.backend.dialer.addDNC(number, note, source)) ?? [];
    await this.refresh();
  }
  async removeDNC(number: string): Promise<void> {
    this.dnc = (await this.backend.dialer.removeDNC(number)) ?? [];
    await this.refresh();
  }
  async importDNC(text: string): Promise<DNCImportReport> {
    const r = await this.backend.dialer.importDNC(text);
    this.dnc = r.entries ?? [];
    await this.refresh();
    return r;
  }

  /** guard runs fn, keeping its error for the view instead of throwing. */
  private async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    try {
      const r = await fn();
      this.error = null;
      return r;
    } catch (e) {
      this.error = toError(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }
}

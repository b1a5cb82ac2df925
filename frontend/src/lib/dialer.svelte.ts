// The dialer view's state: call lists, the selected list, the session
// (state, position, counters, skipped contacts), the preview card and the
// do-not-call list. Every decision (compliance, what to dial) is the
// backend's; this store calls DialerService and keeps what it answered.
import type {
  DialerColumnView, DialerCounters, DialerSessionView, DialerImportInput, DialerImportReport, DialerListView, DialerPreview,
  DialerSettingsView, DNCEntryView, DNCImportReport, ErrorPayload, DialerCRMListsView, DialerPullView, DialerPullReport,
} from "./contract";
import type { Backend } from "./backend";
import { toError } from "./backend";

/** SessionState is where a session is, as the view shows it. */
export type SessionState = "idle" | "running" | "paused" | "done";

/** Skipped is one contact the session passed over, with why. */
export interface Skipped { position: number; name: string; reason: string; message: string; localTime: string }

const zeroCounters = (): DialerCounters => ({ dialled: 0, connected: 0, voicemail: 0, noAnswer: 0, busy: 0, abandoned: 0, skipped: 0 });

/** viewState maps the session runner's state to the view's. */
export function viewState(s: DialerSessionView | null): SessionState {
  if (!s || !s.active || s.state === "stopped" || s.state === "idle") return "idle";
  if (s.state === "done") return "done";
  if (s.paused || s.state === "paused") return "paused";
  return "running";
}

/** DialerStore holds the dialer view's state and actions. The session is
 * the backend's runner (DialerService.StartSession, event "dialer"). */
export class DialerStore {
  loaded = $state(false);
  lists = $state<DialerListView[]>([]);
  listId = $state("");
  dnc = $state<DNCEntryView[]>([]);
  /** session is the runner's last status (of any list). */
  session = $state<DialerSessionView | null>(null);
  /** error is the last failed action's error (shown inline, with details). */
  error = $state<ErrorPayload | null>(null);
  busy = $state(false);

  private unsub: (() => void) | null = null;

  /** crm is the connected CRM's lists (null until read); pull the progress of a pull in flight. */
  crm = $state<DialerCRMListsView | null>(null);
  crmBusy = $state(false);
  crmError = $state<ErrorPayload | null>(null);
  pull = $state<DialerPullView | null>(null);
  pullReport = $state<DialerPullReport | null>(null);
  private unsubPull: (() => void) | null = null;

  constructor(readonly backend: Backend) {}

  get list(): DialerListView | undefined {
    return this.lists.find((l) => l.id === this.listId);
  }
  /** mine is the session when it works through the selected list. */
  get mine(): DialerSessionView | null {
    return this.session && this.session.active && this.session.listId === this.listId ? this.session : null;
  }
  get state(): SessionState {
    return viewState(this.mine);
  }
  get total(): number {
    return this.mine?.total || this.list?.contacts || 0;
  }
  get done(): number {
    return this.mine?.done ?? 0;
  }
  get counters(): DialerCounters {
    return this.mine?.counters ?? zeroCounters();
  }
  get preview(): DialerPreview | null {
    return this.state === "running" || this.state === "paused" ? (this.mine?.current ?? null) : null;
  }
  /** canDial: the session shows a contact and waits for the rep. */
  get canDial(): boolean {
    return this.mine?.state === "ready" && !!this.mine.current?.allowed;
  }
  get skipped(): Skipped[] {
    return (this.mine?.skips ?? []).map((s) => ({ position: s.index, name: s.contact, reason: s.reason, message: s.message, localTime: s.localTime }));
  }
  /** needOutcome: the next dial waits for the post-call form. */
  get needOutcome(): boolean {
    return !!this.mine?.needOutcome;
  }

  /** load reads the lists, the DNC list and a session already running, and follows the session. */
  async load(): Promise<void> {
    this.unsub ??= this.backend.on("dialer", (v) => this.take(v));
    await this.guard(async () => {
      const [lists, dnc, session] = await Promise.all([
        this.backend.dialer.lists(),
        this.backend.dialer.dnc(),
        this.backend.dialer.session().catch(() => null),
      ]);
      this.lists = lists ?? [];
      this.dnc = dnc ?? [];
      if (session) this.take(session);
      const running = session && viewState(session) !== "idle" && viewState(session) !== "done" ? session.listId : "";
      if (running && this.lists.some((l) => l.id === running)) this.listId = running;
      else if (!this.lists.some((l) => l.id === this.listId)) this.listId = this.lists[0]?.id ?? "";
    });
    this.loaded = true;
  }

  close(): void {
    this.unsub?.();
    this.unsub = null;
    this.unsubPull?.();
    this.unsubPull = null;
  }

  // ---- CRM lists ----

  /** loadCRM reads the connected CRM's lists (on opening the dialog, and again on demand). */
  async loadCRM(): Promise<void> {
    this.crmBusy = true;
    try {
      this.crm = await this.backend.dialer.crmLists();
      this.crmError = null;
    } catch (e) {
      this.crmError = toError(e);
    } finally {
      this.crmBusy = false;
    }
  }

  /** pullCRM pulls (or refreshes) CRM list id into a call list, with progress, and selects it. */
  async pullCRM(id: string): Promise<DialerPullReport | null> {
    this.unsubPull ??= this.backend.on("dialer_pull", (p) => {
      if (this.pull && p.crmListId === this.pull.crmListId) this.pull = p;
    });
    this.pull = { crmListId: id, done: 0, total: -1 };
    this.pullReport = null;
    this.crmBusy = true;
    try {
      const r = await this.backend.dialer.pullCRMList(id);
      this.pullReport = r;
      this.crmError = null;
      this.lists = (await this.backend.dialer.lists()) ?? [];
      if (this.state === "idle" || this.state === "done") this.select(r.list.id);
      if (this.crm) this.crm = { ...this.crm, lists: this.crm.lists.map((l) => (l.id === id ? { ...l, listId: r.list.id } : l)) };
      await this.refresh();
      return r;
    } catch (e) {
      this.crmError = toError(e);
      return null;
    } finally {
      this.pull = null;
      this.crmBusy = false;
    }
  }

  /** select picks a list (not while a session runs). */
  select(id: string): void {
    this.listId = id;
    this.error = null;
  }

  // ---- session ----

  private apply = (v: DialerSessionView | undefined) => {
    if (v) this.take(v);
    return v;
  };

  /** take keeps v unless the status held is a later one (replies and
   * events arrive in either order; seq says which is newer). */
  private take(v: DialerSessionView): void {
    const s = this.session;
    if (s && s.active && v.active && (v.seq ?? 0) < (s.seq ?? 0)) return;
    // A finished session's status never covers a running one's.
    if (s && s.active && v.id !== s.id && viewState(s) === "running" && (v.state === "stopped" || v.state === "done")) return;
    this.session = v;
  }

  /** start begins a session on the selected list. */
  async start(): Promise<void> {
    if (!this.listId || this.total === 0) return;
    await this.control(() => this.backend.dialer.startSession(this.listId));
  }
  async pause(): Promise<void> {
    if (this.state === "running") await this.control(() => this.backend.dialer.sessionPause());
  }
  async resume(): Promise<void> {
    if (this.state === "paused") await this.control(() => this.backend.dialer.sessionResume());
  }
  /** toggle is the Alt+P shortcut: start, pause or resume. */
  async toggle(): Promise<void> {
    if (this.state === "running") await this.pause();
    else if (this.state === "paused") await this.resume();
    else await this.start();
  }
  async stop(): Promise<void> {
    if (this.state === "running" || this.state === "paused") await this.control(() => this.backend.dialer.sessionStop());
  }

  /** skip passes over the contact on the card (or the ones ringing). */
  async skip(): Promise<void> {
    if (this.state !== "running" || !this.preview) return;
    await this.control(() => this.backend.dialer.sessionSkip());
  }

  /** dial calls the contact on the card (the session checks compliance first). */
  async dial(): Promise<void> {
    // Alt+N right after Alt+P (start) or Alt+K (skip) waits for that
    // control to land instead of being dropped while it is in flight.
    await this.settled();
    const p = this.preview;
    if (!p || this.state !== "running" || this.busy) return;
    if (!p.allowed) {
      // The card already says why; the session would only skip it.
      this.error = { code: `skip_${p.reason}`, message: p.message, detail: p.message };
      return;
    }
    if (!this.canDial) return;
    await this.control(() => this.backend.dialer.sessionDial());
  }

  /** refresh reloads the card's verdict (after the DNC list or settings changed). */
  async refresh(): Promise<void> {
    const s = this.mine;
    if (!s?.current) return;
    const p = await this.guard(() => this.backend.dialer.preview(s.listId, s.current!.position));
    if (p && this.session === s) this.session = { ...s, current: p };
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
  /** inflight is the session control being carried out (its answer applied included). */
  private inflight: Promise<void> | null = null;

  /** control runs one session control and applies the session it returns. */
  private control(fn: () => Promise<DialerSessionView>): Promise<void> {
    const run = (async () => {
      this.apply(await this.guard(fn));
    })();
    this.inflight = run;
    void run.finally(() => {
      if (this.inflight === run) this.inflight = null;
    });
    return run;
  }

  /** settled waits until no session control is in flight. */
  private async settled(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

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

// The phone state the UI renders: a full snapshot on start, then deltas from
// the event catalogue. State lives in Svelte runes, so a tick (every 200 ms)
// touches only the few DOM nodes that show levels and timers.
import type {
  AccountInput, AccountView, CallView, ConferenceView, ContactView, CRMConnectInput, CRMStatus, DevicesView, DemoView, ErrorPayload,
  FormInput, FormView, HistoryEntry, Levels, Notice, OutcomeView, SettingsView, Snapshot,
} from "./contract";
import type { Backend } from "./backend";
import type { JoinLinkView, Role } from "./contract";
import { consultPair, pruneConsults, type ConsultPair } from "./calltools";
import { toError } from "./backend";
import { noticeText, toastMs } from "./notice";
import { setLocale, t, type MessageKey } from "./i18n/index.svelte";
import { en } from "./i18n/en";

/** Toast is a message shown briefly at the bottom of the window. */
export interface Toast {
  id: number;
  level: "info" | "warning" | "error";
  text: string;
  /** error, when set, is shown as its sentence with a details toggle. */
  error?: ErrorPayload;
}

/** LIVE_STATES are call states that belong in the active-calls list. */
const LIVE_STATES = new Set(["dialing", "ringing", "incoming", "answering", "connected", "held", "remote_held"]);

const emptyLevels: Levels = { active: false, micDb: -96, speakerDb: -96 };
const emptyDevices: DevicesView = { backend: "", devices: [], input: "", output: "", ringer: "", meter: false, error: "" };
/** emptyCRM is the status when no CRM is connected. */
export const emptyCRM: CRMStatus = {
  vendor: "", connected: false, reconnect: false, account: "", baseUrl: "", state: "", reason: "", until: "",
  pending: 0, failed: 0, synced: 0, sent: 0, total: 0, offline: false, lastPush: "", lastPull: "", pulled: {},
};
const emptySettings: SettingsView = { language: "en", defaultCountry: "US", ringtone: "classic", forwardTo: "", scripts: [] };

/** QUIET_CAUSES end a call the way the rep expects; no message is shown. */
const QUIET_CAUSES = new Set(["local_hangup", "canceled", "rejected", "shutdown", "merged", ""]);

/** endReason describes why a call ended, or "" when nothing needs saying. */
export function endReason(c: CallView): string {
  if (QUIET_CAUSES.has(c.cause)) return "";
  const key = `call.cause.${c.cause}`;
  if (key in en) return t(key as MessageKey);
  return [c.status || "", c.reason || c.cause].filter(Boolean).join(" ");
}

/** PhoneStore holds everything the window shows and the actions it can take. */
export class PhoneStore {
  ready = $state(false);
  loadError = $state<ErrorPayload | null>(null);
  version = $state("");
  accounts = $state<AccountView[]>([]);
  calls = $state<CallView[]>([]);
  devices = $state<DevicesView>(emptyDevices);
  settings = $state<SettingsView>(emptySettings);
  demo = $state<DemoView>({ active: false, numbers: [] });
  /** demoInUse: the demo line runs and no real account is registered, so
   * the demo line (its banner, its chip) is what the rep works with. Once an
   * account registers the demo line stays available but out of the way. */
  get demoInUse(): boolean {
    return this.demo.active && !this.accounts.some((a) => !a.demo && a.state === "registered");
  }
  /** shownAccounts are the accounts in the header: the demo line only while it is in use. */
  get shownAccounts(): AccountView[] {
    return this.demoInUse ? this.accounts : this.accounts.filter((a) => !a.demo);
  }
  levels = $state<Levels>(emptyLevels);
  lastDialed = $state("");
  recent = $state<HistoryEntry[]>([]);
  toasts = $state<Toast[]>([]);
  /** focusedId is the call the in-call panel shows. */
  focusedId = $state("");
  /** contacts caches ContactsService.Get results for call scripts (by contact id). */
  contacts = $state<Record<string, ContactView>>({});
  /** lastEnded is the most recent call that ended (shown briefly with its reason). */
  lastEnded = $state<CallView | null>(null);
  /** forms are the pending post-call outcome forms, oldest first. */
  forms = $state<FormView[]>([]);
  /** requireOutcome is the "Require an outcome" setting. */
  requireOutcome = $state(false);
  /** crm is the connected CRM's sync status. */
  crm = $state<CRMStatus>(emptyCRM);

  /** activeAccount is the account the phone uses (reactive). */
  activeAccount = $derived(this.accounts.find((a) => a.active) ?? this.accounts[0]);
  /** incoming lists ringing inbound calls, oldest first. */
  incoming = $derived(this.calls.filter((c) => c.state === "incoming"));
  /** focused is the call shown in the in-call panel. */
  focused = $derived(this.calls.find((c) => c.id === this.focusedId && c.state !== "incoming") ?? this.calls.find((c) => c.state !== "incoming" && !c.held) ?? this.calls.find((c) => c.state !== "incoming"));

  private unsubs: (() => void)[] = [];
  /** drafts holds unsaved call notes per call, with their save timers. */
  private drafts = new Map<string, { text: string; timer: ReturnType<typeof setTimeout> }>();
  /** notesDelayMs is how long typing must pause before notes are saved. */
  notesDelayMs = 800;
  /** ended remembers calls that ended, so a late service reply cannot bring one back. */
  private ended = new Set<string>();
  /** remotes are the SIP addresses of the calls seen, by call id: a call's form knows only its number. */
  private remotes = new Map<string, string>();
  private toastSeq = 0;
  private readonly notify: (call: CallView) => void;

  constructor(readonly backend: Backend, opts: { notify?: (call: CallView) => void } = {}) {
    this.notify = opts.notify ?? (() => {});
  }

  /** start subscribes to every event, then loads the snapshot and recent calls. */
  async start(): Promise<void> {
    const b = this.backend;
    this.unsubs.push(
      b.on("snapshot", (s) => this.applySnapshot(s)),
      b.on("call", (c) => this.applyCall(c)),
      b.on("account", (a) => this.applyAccount(a)),
      b.on("accounts", (list) => (this.accounts = list ?? [])),
      b.on("devices", (d) => (this.devices = d)),
      b.on("settings", (s) => this.applySettings(s)),
      b.on("history", (h) => this.applyHistory(h)),
      b.on("tick", (tk) => {
        this.levels = tk.levels;
        for (const tc of tk.calls ?? []) {
          const c = this.calls.find((x) => x.id === tc.id);
          if (c) {
            c.durationMs = tc.durationMs;
            c.quality = tc.quality;
            for (const tp of tc.participants ?? []) {
              const p = c.participants?.find((x) => x.id === tp.id);
              if (p) {
                p.levelDb = tp.levelDb;
                p.talking = tp.talking;
                p.quality = tp.quality;
              }
            }
          }
        }
      }),
      b.on("dtmf", (d) => this.toast("info", t("call.dtmfReceived", { digit: d.digit }))),
      b.on("transfer", (x) => {
        if (!x.final) return;
        if (x.ok) this.toast("info", t("call.transferDone", { target: x.target }));
        // An attended transfer's failure is told by CompleteTransfer's error, with what to do.
        else if (!this.consults[x.callId]) this.toast("error", t("call.transferFailed", { target: x.target, reason: `${x.status} ${x.reason}`.trim() }));
      }),
      b.on("dial", (d) => {
        if (d.error) this.toastError(d.error);
        else if (d.callId) this.focusedId = d.callId;
      }),
      b.on("notice", (n: Notice) => (n.error ? this.toastError(n.error) : this.toast(n.level, noticeText(n)))),
      b.on("conference", (cv) => this.applyConference(cv)),
      b.on("form", (f) => this.applyForm(f)),
      b.on("sync", (c) => (this.crm = c)),
      b.on("outcomes", (list) => this.applyOutcomes(list ?? [])),
    );
    try {
      const snap = await b.system.snapshot();
      this.applySnapshot(snap);
      this.loadError = null;
      this.ready = true;
      void this.loadRecent();
    } catch (e) {
      this.loadError = toError(e);
    }
  }

  /** stop drops every event subscription. */
  stop(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  applySnapshot(s: Snapshot): void {
    this.version = s.version;
    this.accounts = s.accounts ?? [];
    this.calls = (s.calls ?? []).filter((c) => LIVE_STATES.has(c.state) && !this.ended.has(c.id));
    this.devices = s.devices ?? emptyDevices;
    this.applySettings(s.settings ?? emptySettings);
    this.demo = s.demo ?? { active: false, numbers: [] };
    this.levels = s.levels ?? emptyLevels;
    this.lastDialed = s.lastDialed ?? "";
    for (const c of this.calls) this.fetchContact(c);
    this.forms = s.forms?.pending ?? [];
    this.requireOutcome = !!s.forms?.requireOutcome;
    this.crm = s.crm ?? emptyCRM;
  }

  /** applyOutcomes gives the open outcome forms the current outcome list (event "outcomes"). */
  applyOutcomes(list: OutcomeView[]): void {
    const offered = list.filter((o) => o.enabled && !o.deleted);
    this.forms = this.forms.map((f) => ({ ...f, outcomes: offered }));
  }

  /** applyForm shows a pending outcome form, or removes a closed one. */
  applyForm(f: FormView): void {
    const i = this.forms.findIndex((x) => x.callId === f.callId);
    if (f.state !== "pending") {
      if (i >= 0) this.forms.splice(i, 1);
      return;
    }
    if (i >= 0) this.forms[i] = f;
    else this.forms.push(f);
  }

  /** saveForm stores the form; it closes once the backend has written it. */
  async saveForm(input: FormInput): Promise<boolean> {
    const h = await this.run(this.backend.forms.save(input));
    if (!h) return false;
    this.applyForm({ ...(this.forms.find((x) => x.callId === input.callId) as FormView), state: "saved" });
    this.applyHistory(h);
    return true;
  }

  /** dismissForm closes a form without an outcome; it rejects (ErrorPayload) while an outcome is required. */
  async dismissForm(callId: string): Promise<void> {
    const h = await this.backend.forms.dismiss(callId);
    this.forms = this.forms.filter((x) => x.callId !== callId);
    this.applyHistory(h);
  }

  async setRequireOutcome(on: boolean): Promise<void> {
    const r = await this.run(this.backend.forms.setRequireOutcome(on));
    if (r) this.requireOutcome = r.requireOutcome;
  }

  /** connectCRM checks the token and connects; it rejects with the backend's error. */
  async connectCRM(input: CRMConnectInput): Promise<CRMStatus> {
    const r = await this.backend.crm.connect(input);
    // The first pull may already have reported (event "sync") before this
    // reply arrived: read the status again rather than keep the older reply.
    this.crm = await this.backend.crm.status().catch(() => r);
    return this.crm;
  }
  async disconnectCRM() {
    const r = await this.run(this.backend.crm.disconnect());
    if (r) this.crm = r;
  }
  async syncNow() {
    const r = await this.run(this.backend.crm.syncNow());
    if (r) this.crm = r;
  }
  async retrySync(callId: string) {
    const r = await this.run(this.backend.crm.retry(callId));
    if (r) this.crm = r;
    return !!r;
  }
  async retryAll() {
    const r = await this.run(this.backend.crm.retryAll());
    if (r) this.crm = r;
  }

  applySettings(s: SettingsView): void {
    this.settings = { ...s, scripts: s.scripts ?? [] };
    setLocale(s.language);
  }

  applyAccount(a: AccountView): void {
    const i = this.accounts.findIndex((x) => x.id === a.id);
    if (i >= 0) this.accounts[i] = a;
    else this.accounts.push(a);
  }

  applyCall(c: CallView): void {
    if (c.remote) this.remotes.set(c.id, c.remote);
    if (this.ended.has(c.id)) return;
    const i = this.calls.findIndex((x) => x.id === c.id);
    if (!LIVE_STATES.has(c.state)) {
      this.ended.add(c.id);
      if (i >= 0) this.calls.splice(i, 1);
      this.lastEnded = c;
      if (this.monitorRoles[c.id]) {
        const { [c.id]: _gone, ...rest } = this.monitorRoles;
        this.monitorRoles = rest;
        // The rep's Pitchline answers 403 to a monitor request from an
        // address that is not one of its team leads, or when no call is up.
        if (c.status === 403) {
          this.toast("warning", t("mon.refused"));
          if (this.focusedId === c.id) this.focusedId = "";
          return;
        }
      }
      const why = endReason(c);
      if (why) this.toast(c.cause === "transferred" || c.cause === "forwarded" ? "info" : "warning", t("call.ended.reason", { reason: why }));
      if (this.focusedId === c.id) this.focusedId = "";
      return;
    }
    if (i >= 0) {
      Object.assign(this.calls[i], c);
    } else {
      this.calls.push(c);
      if (c.direction === "outbound") {
        this.focusedId = c.id;
        this.lastDialed = c.number || this.lastDialed;
      }
      if (c.state === "incoming") this.notify(c);
      this.fetchContact(c);
    }
    if (c.state === "connected" && c.direction === "inbound" && (i < 0 || this.calls[i]?.id === c.id)) {
      // An answered incoming call takes the panel.
      if (!this.focused || this.focused.id === c.id || this.focused.held) this.focusedId = c.id;
    }
  }

  /**
   * dncTarget is what "add to do-not-call" puts on the list for a form: its phone number, or, for a
   * SIP-only call (no phone number), the call's SIP address (the backend keeps it as sip:user@host).
   */
  dncTarget(f: FormView): string {
    const remote = this.remotes.get(f.callId) ?? "";
    if (f.callerId?.e164 || !/^sips?:/i.test(remote)) return f.number;
    return remote;
  }

  /** applyConference replaces a live call's participants (event "conference"). */
  applyConference(cv: ConferenceView): void {
    const c = this.calls.find((x) => x.id === cv.callId);
    if (!c) return;
    c.participants = cv.participants ?? [];
    c.left = cv.left;
  }

  applyHistory(h: HistoryEntry): void {
    this.recent = [h, ...this.recent.filter((x) => x.id !== h.id)].slice(0, 20);
  }

  private fetchContact(c: CallView): void {
    const id = c.callerId?.contactId;
    if (!id || this.contacts[id]) return;
    this.backend.contacts.get(id).then(
      (ct) => (this.contacts[id] = ct),
      () => {},
    );
  }

  async loadRecent(): Promise<void> {
    try {
      this.recent = (await this.backend.history.list({ limit: 20 })) ?? [];
    } catch {
      /* history is optional for the phone view */
    }
  }

  /** toast shows a message for a few seconds (long enough to read it). */
  toast(level: Toast["level"], text: string): void {
    const id = ++this.toastSeq;
    this.toasts.push({ id, level, text });
    if (this.toasts.length > 4) this.toasts.shift();
    setTimeout(() => this.dismiss(id), toastMs(level, text));
  }

  /** toastError shows an error's sentence with its details toggle (longer, 12 s). */
  toastError(e: ErrorPayload): void {
    const id = ++this.toastSeq;
    this.toasts.push({ id, level: "error", text: e.message, error: e });
    if (this.toasts.length > 4) this.toasts.shift();
    setTimeout(() => this.dismiss(id), 12000);
  }

  dismiss(id: number): void {
    const i = this.toasts.findIndex((x) => x.id === id);
    if (i >= 0) this.toasts.splice(i, 1);
  }

  /** run awaits p, applies a returned call, and turns a rejection into a toast. */
  private async run<T>(p: Promise<T>): Promise<T | undefined> {
    try {
      const r = await p;
      // A reply is a snapshot taken when the service returned; "call" events
      // are ordered and may already be newer. So a reply only introduces a
      // call the store has not heard of yet (e.g. a fresh dial).
      if (r && typeof r === "object" && "id" in r && "state" in r && "callerId" in r) {
        const c = r as unknown as CallView;
        if (!this.calls.some((x) => x.id === c.id)) this.applyCall(c);
      }
      return r;
    } catch (e) {
      this.toastError(toError(e));
      return undefined;
    }
  }

  // Call waiting is the engine's: dial, redial, call back, answer and
  // resume put the other live calls on hold in the backend.
  dial(target: string) {
    return this.run(this.backend.calls.dial(target));
  }
  redial() {
    return this.run(this.backend.calls.redial());
  }
  /** answer picks up a ringing call (the backend holds the live one). */
  answer(id: string) {
    this.focusedId = id;
    return this.run(this.backend.calls.answer(id));
  }
  reject(id: string) {
    return this.run(this.backend.calls.reject(id));
  }
  forward(id: string) {
    return this.run(this.backend.calls.forward(id, ""));
  }
  /** noteDraft records the notes being typed for a call and saves them after a pause (or now). */
  noteDraft(id: string, text: string, now = false): void {
    const d = this.drafts.get(id);
    if (d) clearTimeout(d.timer);
    if (now) {
      if (d) void this.flushNotes(id, text);
      return;
    }
    this.drafts.set(id, { text, timer: setTimeout(() => void this.flushNotes(id, text), this.notesDelayMs) });
  }

  /** flushNotes saves a pending notes draft (notes can only be set while the call exists). */
  async flushNotes(id: string, text?: string): Promise<void> {
    const d = this.drafts.get(id);
    if (!d) return;
    clearTimeout(d.timer);
    this.drafts.delete(id);
    await this.run(this.backend.calls.setNotes(id, text ?? d.text));
  }

  /** hangup saves unsaved notes first, then ends the call. */
  async hangup(id: string) {
    await this.flushNotes(id);
    return this.run(this.backend.calls.hangup(id));
  }
  mute(id: string, on: boolean) {
    return this.run(this.backend.calls.mute(id, on));
  }
  hold(id: string) {
    return this.run(this.backend.calls.hold(id));
  }
  resume(id: string) {
    return this.run(this.backend.calls.resume(id));
  }
  switchTo(id: string) {
    this.focusedId = id;
    return this.run(this.backend.calls.switchTo(id));
  }
  sendDTMF(id: string, digits: string) {
    return this.run(this.backend.calls.sendDTMF(id, digits));
  }
  transfer(id: string, target: string) {
    return this.run(this.backend.calls.transfer(id, target));
  }
  /** runConf awaits a conference action; its reply is only a fallback, events are newer. */
  private async runConf(p: Promise<ConferenceView>): Promise<boolean> {
    const r = await this.run(p);
    return !!r;
  }
  /** addParticipant dials target (number, contact's number, SIP address) into call id. */
  addParticipant(id: string, target: string) {
    return this.runConf(this.backend.conference.add(id, target));
  }
  /** mergeCalls makes one conference of two calls that are up, then resumes
   * the participants the rep had on hold: merging means talking to everyone
   * (the engine keeps a leg held until it is resumed). The older call stays
   * and the newer one joins it, so the conference keeps the first call's
   * notes, caller and history record (usually the customer's). */
  async mergeCalls(id: string, otherId: string) {
    const at = (x: string) => Date.parse(this.calls.find((c) => c.id === x)?.created ?? "") || 0;
    if (at(otherId) < at(id)) [id, otherId] = [otherId, id];
    const r = await this.run(this.backend.conference.merge(id, otherId));
    if (!r) return false;
    this.focusedId = id;
    for (const p of r.participants ?? []) if (p.held) await this.run(this.backend.conference.resume(id, p.id));
    return true;
  }
  holdParticipant(id: string, legId: string) {
    return this.runConf(this.backend.conference.hold(id, legId));
  }
  resumeParticipant(id: string, legId: string) {
    return this.runConf(this.backend.conference.resume(id, legId));
  }
  muteParticipant(id: string, legId: string, on: boolean) {
    return this.runConf(this.backend.conference.mute(id, legId, on));
  }
  removeParticipant(id: string, legId: string) {
    return this.runConf(this.backend.conference.remove(id, legId));
  }
  leaveConference(id: string) {
    return this.runConf(this.backend.conference.leave(id));
  }
  async endAll(id: string) {
    await this.flushNotes(id);
    return this.runConf(this.backend.conference.endAll(id));
  }

  // --- Call tools: a lead's role, attended transfer, monitor calls, join links.
  /** consults maps a customer's call to its consultation call (attended transfer). */
  consults = $state<Record<string, string>>({});
  /** monitorRoles holds this lead's own monitor calls and their role. */
  monitorRoles = $state<Record<string, Role>>({});
  /** joinLinks are the join links made per call, newest first. */
  joinLinks = $state<Record<string, JoinLinkView[]>>({});

  /** consultPair is the attended transfer call id is part of, or null. */
  consultPair(id: string): ConsultPair | null {
    return consultPair(this.consults, this.calls, id);
  }
  /** inviteParticipant dials target into call id with a role (a lead's, or participant). */
  inviteParticipant(id: string, target: string, role: Role) {
    return this.runConf(this.backend.conference.invite(id, target, role));
  }
  setParticipantRole(id: string, legId: string, role: Role) {
    return this.runConf(this.backend.conference.setRole(id, legId, role));
  }
  /** consult holds the customer (id) and calls a colleague; the new call takes the panel. */
  async consult(id: string, target: string) {
    const k = await this.run(this.backend.conference.consult(id, target));
    if (!k) return false;
    this.consults = { ...pruneConsults(this.consults, new Set(this.calls.map((c) => c.id))), [id]: k.id };
    this.focusedId = k.id;
    return true;
  }
  /** completeTransfer hands the customer to the colleague of the transfer call id is part of. */
  async completeTransfer(id: string) {
    const p = this.consultPair(id);
    if (!p) return false;
    await this.flushNotes(p.customer.id);
    return !!(await this.run(this.backend.conference.completeTransfer(p.customer.id, p.consult.id)));
  }
  /** cancelConsult hangs up the colleague and returns to the customer. */
  async cancelConsult(id: string) {
    const p = this.consultPair(id);
    if (!p) return false;
    const r = await this.run(this.backend.conference.cancelConsult(p.customer.id, p.consult.id));
    if (!r) return false;
    const { [p.customer.id]: _gone, ...rest } = this.consults;
    this.consults = rest;
    this.focusedId = p.customer.id;
    return true;
  }
  /** monitor calls a rep's Pitchline as a team lead with role. */
  async monitor(target: string, role: Role) {
    const c = await this.run(this.backend.conference.monitor(target, role));
    if (!c) return false;
    this.monitorRoles = { ...this.monitorRoles, [c.id]: role };
    this.focusedId = c.id;
    return true;
  }
  /** setMonitorRole switches this lead's monitor call id to role. */
  async setMonitorRole(id: string, role: Role) {
    const r = await this.run(this.backend.conference.setMonitorRole(id, role));
    if (r) this.monitorRoles = { ...this.monitorRoles, [id]: role };
    return !!r;
  }
  /** createJoinLink makes a browser join link into call id, in the rep's language. */
  async createJoinLink(id: string) {
    const l = await this.run(this.backend.conference.createJoinLink(id, this.settings.language === "ja" ? "ja" : "en"));
    if (l) this.joinLinks = { ...this.joinLinks, [id]: [l, ...(this.joinLinks[id] ?? [])] };
    return l;
  }
  /** loadLeads reads the team leads whose monitor requests this phone accepts. */
  loadLeads() {
    return this.run(this.backend.conference.leads());
  }
  /** saveLeads saves and applies the team lead list. */
  saveLeads(list: string[]) {
    return this.run(this.backend.conference.setLeads(list));
  }
  /** revokeJoinLink stops a join link; it leaves the list either way once gone. */
  async revokeJoinLink(id: string, url: string) {
    const drop = () => (this.joinLinks = { ...this.joinLinks, [id]: (this.joinLinks[id] ?? []).filter((l) => l.url !== url) });
    try {
      await this.backend.conference.revokeJoinLink(url);
      drop();
      return true;
    } catch (e) {
      const err = toError(e);
      if (err.code === "join_link_gone") drop();
      this.toastError(err);
      return false;
    }
  }
  setNotes(id: string, notes: string) {
    return this.run(this.backend.calls.setNotes(id, notes));
  }
  callBack(entryId: string) {
    return this.run(this.backend.history.callBack(entryId));
  }
  async setDND(on: boolean) {
    const a = await this.run(this.backend.accounts.setDND(on));
    if (a) this.applyAccount(a);
  }
  /** setDefault makes an account the one calls go out from (all register). */
  async setDefault(id: string) {
    const list = await this.run(this.backend.accounts.setDefault(id));
    if (list) this.accounts = list;
  }
  async saveSettings(s: SettingsView): Promise<boolean> {
    const r = await this.run(this.backend.settings.save(s));
    if (r) this.applySettings(r);
    return !!r;
  }
  async saveAccount(input: AccountInput): Promise<AccountView | undefined> {
    const a = await this.run(this.backend.accounts.save(input));
    if (a) {
      const list = await this.run(this.backend.accounts.list());
      if (list) this.accounts = list;
    }
    return a;
  }
  async removeAccount(id: string) {
    const list = await this.run(this.backend.accounts.remove(id));
    if (list) this.accounts = list;
  }
  testAccount(input: AccountInput) {
    return this.backend.accounts.test(input);
  }
  async selectDevice(kind: "input" | "output" | "ringer", id: string) {
    const d = this.backend.devices;
    const r = await this.run(kind === "input" ? d.selectInput(id) : kind === "output" ? d.selectOutput(id) : d.selectRinger(id));
    if (r) this.devices = r;
  }
  async setMeter(on: boolean) {
    const r = await this.run(this.backend.devices.setMeter(on));
    if (r) this.devices = r;
  }
  testTone(which: "output" | "ringer") {
    return this.run(this.backend.devices.testTone(which));
  }
  searchContacts(query: string, limit = 20) {
    return this.backend.contacts.search(query, limit);
  }
  listHistory(filter: Parameters<Backend["history"]["list"]>[0]) {
    return this.backend.history.list(filter);
  }
}

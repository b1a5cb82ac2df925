// One transport to the Go backend that works in both hosts:
//
//   - the Wails window: bound methods at window.go.app.<Service>.<Method>,
//     events through window.runtime.EventsOn;
//   - browser mode (`pitchline serve`): POST /api/<Service>/<Method> with the
//     arguments as a JSON array, events over Server-Sent Events at
//     /api/events. The per-launch token comes from the page URL (?token=...),
//     is kept in sessionStorage and sent as the X-Pitchline-Token header; the
//     server also sets a cookie on the first load.
//
// Either way a failed call rejects with an ErrorPayload {code, message}.
// Owned by the Go side together with contract.ts.

import type {
  Args, ErrorPayload, Role, EventMap, EventName, MethodName, Result, ServiceName,
} from './contract'

export * from './contract'

type Handler<E extends EventName> = (payload: EventMap[E]) => void

/** Transport is what backend.ts needs from a host. */
export interface Transport {
  readonly kind: 'wails' | 'http'
  call(service: string, method: string, args: unknown[]): Promise<unknown>
  on(event: string, handler: (payload: unknown) => void): () => void
  /** Tells the backend the first screen rendered (logged with timing). */
  ready(data: unknown): void
}

interface WailsWindow {
  go?: { app?: Record<string, Record<string, (...a: unknown[]) => Promise<unknown>>> }
  runtime?: {
    EventsOn(name: string, cb: (...data: unknown[]) => void): () => void
    EventsEmit(name: string, ...data: unknown[]): void
  }
}

/** toError turns anything a host rejects with into an ErrorPayload. */
export function toError(e: unknown): ErrorPayload {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const p = e as { code: unknown; message: unknown; detail?: unknown; host?: unknown }
    const out: ErrorPayload = { code: String(p.code), message: String(p.message) }
    if (typeof p.detail === 'string' && p.detail) out.detail = p.detail
    if (typeof p.host === 'string' && p.host) out.host = p.host
    return out
  }
  if (typeof e === 'string') {
    try { return toError(JSON.parse(e)) } catch { return { code: 'internal', message: e } }
  }
  if (e instanceof Error) return { code: 'internal', message: e.message }
  return { code: 'internal', message: String(e) }
}

/** wailsTransport uses the bindings Wails injects into the window. */
export function wailsTransport(w: WailsWindow): Transport {
  return {
    kind: 'wails',
    async call(service, method, args) {
      const fn = w.go?.app?.[service]?.[method]
      if (!fn) throw { code: 'not_started', message: `no binding ${service}.${method}` } satisfies ErrorPayload
      try { return await fn(...args) } catch (e) { throw toError(e) }
    },
    on(event, handler) {
      return w.runtime!.EventsOn(event, (...data) => handler(data[0]))
    },
    ready(data) { w.runtime?.EventsEmit('ui:ready', data) },
  }
}

const tokenKey = 'pitchline.token'

/** tokenFrom reads the launch token from the page URL or sessionStorage. */
export function tokenFrom(loc: { search: string }, store?: Pick<Storage, 'getItem' | 'setItem'>): string {
  const t = new URLSearchParams(loc.search).get('token') ?? ''
  if (t) { store?.setItem(tokenKey, t); return t }
  return store?.getItem(tokenKey) ?? ''
}

/** Minimal EventSource surface, injectable for tests. */
export interface EventSourceLike {
  addEventListener(type: string, cb: (ev: { data: string }) => void): void
  close(): void
  /** 0 connecting, 1 open, 2 closed for good (EventSource.readyState). */
  readonly readyState?: number
}

/**
 * httpTransport talks to `pitchline serve`.
 *
 * Reconnects: EventSource retries by itself after a dropped stream; when it
 * gives up (readyState 2, e.g. the server answered an error meanwhile) a new
 * one is opened after reconnectMs. After every reconnect the snapshot is
 * fetched again (SystemService.Snapshot) and handed to the 'snapshot'
 * listeners, so state changed while the stream was down is not lost.
 */
export function httpTransport(opts: {
  base?: string
  token: string
  fetch?: typeof fetch
  eventSource?: (url: string) => EventSourceLike
  reconnectMs?: number
}): Transport {
  const base = opts.base ?? ''
  const f = opts.fetch ?? fetch.bind(globalThis)
  const mkES = opts.eventSource ?? ((url: string) => new EventSource(url, { withCredentials: true }) as unknown as EventSourceLike)
  const reconnectMs = opts.reconnectMs ?? 1000
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  let es: EventSourceLike | null = null
  let attached = new Set<string>()
  const dispatch = (event: string, payload: unknown) => {
    for (const h of listeners.get(event) ?? []) h(payload)
  }
  const listen = (src: EventSourceLike, event: string) => {
    src.addEventListener(event, (ev) => {
      if (src !== es) return
      let payload: unknown
      try { payload = JSON.parse(ev.data) } catch { return }
      dispatch(event, payload)
    })
  }
  const resync = async () => {
    try {
      const snap = await call('SystemService', 'Snapshot', [])
      dispatch('snapshot', snap)
    } catch { /* the next reconnect tries again */ }
  }
  const open = () => {
    const src = mkES(`${base}/api/events?token=${encodeURIComponent(opts.token)}`)
    es = src
    let dropped = false
    src.addEventListener('open', () => {
      if (src !== es) return
      if (dropped) void resync()
      dropped = false
    })
    src.addEventListener('error', () => {
      if (src !== es) return
      dropped = true
      if (src.readyState === 2) {
        src.close()
        setTimeout(() => {
          if (es !== src) return
          const events = attached
          attached = new Set()
          open()
          for (const e of events) attach(e)
          void resync()
        }, reconnectMs)
      }
    })
  }
  const attach = (event: string) => {
    if (!es) open()
    if (attached.has(event)) return
    attached.add(event)
    listen(es!, event)
  }
  async function call(service: string, method: string, args: unknown[]): Promise<unknown> {
    let res: Response
    try {
      res = await f(`${base}/api/${service}/${method}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Pitchline-Token': opts.token },
        body: JSON.stringify(args),
      })
    } catch (e) {
      throw { code: 'unavailable', message: `backend unreachable: ${String(e)}` } satisfies ErrorPayload
    }
    const text = await res.text()
    let body: unknown = null
    if (text) { try { body = JSON.parse(text) } catch { body = text } }
    if (!res.ok) throw toError(body ?? `${res.status} ${res.statusText}`)
    return body
  }
  return {
    kind: 'http',
    call,
    on(event, handler) {
      let set = listeners.get(event)
      if (!set) { set = new Set(); listeners.set(event, set) }
      set.add(handler)
      attach(event)
      return () => { set!.delete(handler) }
    },
    ready(data) {
      void f(`${base}/api/ready`, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-Pitchline-Token': opts.token },
        body: JSON.stringify(data ?? null),
      }).catch(() => {})
    },
  }
}

/** detectTransport picks Wails when its bindings are present, else HTTP. */
export function detectTransport(w: Window & WailsWindow = window as Window & WailsWindow): Transport {
  if (w.go?.app && w.runtime) return wailsTransport(w)
  let store: Storage | undefined
  try { store = w.sessionStorage } catch { store = undefined }
  return httpTransport({ token: tokenFrom(w.location, store) })
}

/** Backend is the typed client: api.calls.dial(...), on('call', ...). */
export class Backend {
  constructor(readonly transport: Transport) {}

  /** invoke calls Service.Method with typed arguments and result. */
  invoke<S extends ServiceName, M extends MethodName<S>>(service: S, method: M, ...args: Args<S, M> & unknown[]): Promise<Result<S, M>> {
    return this.transport.call(service, method, args) as Promise<Result<S, M>>
  }

  /** on subscribes to one catalogue event; it returns the unsubscribe. */
  on<E extends EventName>(event: E, handler: Handler<E>): () => void {
    return this.transport.on(event, handler as (p: unknown) => void)
  }

  ready(data: unknown = null): void { this.transport.ready(data) }

  readonly calls = {
    dial: (target: string) => this.invoke('CallsService', 'Dial', target),
    dialFrom: (account: string, target: string) => this.invoke('CallsService', 'DialFrom', account, target),
    answer: (callId: string) => this.invoke('CallsService', 'Answer', callId),
    reject: (callId: string) => this.invoke('CallsService', 'Reject', callId),
    forward: (callId: string, target = '') => this.invoke('CallsService', 'Forward', callId, target),
    hangup: (callId: string) => this.invoke('CallsService', 'Hangup', callId),
    mute: (callId: string, on: boolean) => this.invoke('CallsService', 'Mute', callId, on),
    hold: (callId: string) => this.invoke('CallsService', 'Hold', callId),
    resume: (callId: string) => this.invoke('CallsService', 'Resume', callId),
    switchTo: (callId: string) => this.invoke('CallsService', 'SwitchTo', callId),
    sendDTMF: (callId: string, digits: string) => this.invoke('CallsService', 'SendDTMF', callId, digits),
    transfer: (callId: string, target: string) => this.invoke('CallsService', 'Transfer', callId, target),
    setNotes: (callId: string, notes: string) => this.invoke('CallsService', 'SetNotes', callId, notes),
    redial: () => this.invoke('CallsService', 'Redial'),
    list: () => this.invoke('CallsService', 'List'),
  }

  readonly devices = {
    list: () => this.invoke('DevicesService', 'List'),
    selectInput: (id: string) => this.invoke('DevicesService', 'SelectInput', id),
    selectOutput: (id: string) => this.invoke('DevicesService', 'SelectOutput', id),
    selectRinger: (id: string) => this.invoke('DevicesService', 'SelectRinger', id),
    testTone: (which: 'output' | 'ringer') => this.invoke('DevicesService', 'TestTone', which),
    setMeter: (on: boolean) => this.invoke('DevicesService', 'SetMeter', on),
  }

  readonly accounts = {
    list: () => this.invoke('AccountsService', 'List'),
    save: (input: Args<'AccountsService', 'Save'>[0]) => this.invoke('AccountsService', 'Save', input),
    remove: (id: string) => this.invoke('AccountsService', 'Remove', id),
    test: (input: Args<'AccountsService', 'Test'>[0]) => this.invoke('AccountsService', 'Test', input),
    setDND: (on: boolean) => this.invoke('AccountsService', 'SetDND', on),
    setDefault: (account: string) => this.invoke('AccountsService', 'SetDefault', account),
    demoNumbers: () => this.invoke('AccountsService', 'DemoNumbers'),
  }

  readonly contacts = {
    search: (query: string, limit = 20) => this.invoke('ContactsService', 'Search', query, limit),
    get: (id: string) => this.invoke('ContactsService', 'Get', id),
    callerId: (number: string) => this.invoke('ContactsService', 'CallerID', number),
  }

  readonly history = {
    list: (filter: Partial<Args<'HistoryService', 'List'>[0]> = {}) =>
      this.invoke('HistoryService', 'List', { direction: '', missed: false, since: '', until: '', limit: 0, ...filter }),
    detail: (id: string) => this.invoke('HistoryService', 'Detail', id),
    callBack: (id: string) => this.invoke('HistoryService', 'CallBack', id),
  }

  readonly settings = {
    get: () => this.invoke('SettingsService', 'Get'),
    save: (s: Args<'SettingsService', 'Save'>[0]) => this.invoke('SettingsService', 'Save', s),
  }

  readonly forms = {
    pending: () => this.invoke('FormsService', 'Pending'),
    save: (form: Args<'FormsService', 'Save'>[0]) => this.invoke('FormsService', 'Save', form),
    dismiss: (callId: string) => this.invoke('FormsService', 'Dismiss', callId),
    setRequireOutcome: (on: boolean) => this.invoke('FormsService', 'SetRequireOutcome', on),
  }

  readonly outcomes = {
    list: (includeDisabled = false) => this.invoke('OutcomesService', 'List', includeDisabled),
    create: (label: string) => this.invoke('OutcomesService', 'Create', label),
    rename: (id: number, label: string) => this.invoke('OutcomesService', 'Rename', id, label),
    remove: (id: number) => this.invoke('OutcomesService', 'Delete', id),
    setEnabled: (id: number, enabled: boolean) => this.invoke('OutcomesService', 'SetEnabled', id, enabled),
    setMapping: (id: number, vendor: string, value: string) => this.invoke('OutcomesService', 'SetMapping', id, vendor, value),
    vendorOutcomes: () => this.invoke('OutcomesService', 'VendorOutcomes'),
  }

  readonly crm = {
    connect: (input: Args<'CrmService', 'Connect'>[0]) => this.invoke('CrmService', 'Connect', input),
    disconnect: () => this.invoke('CrmService', 'Disconnect'),
    status: () => this.invoke('CrmService', 'Status'),
    syncNow: () => this.invoke('CrmService', 'SyncNow'),
    retry: (callId: string) => this.invoke('CrmService', 'Retry', callId),
    retryAll: () => this.invoke('CrmService', 'RetryAll'),
    failed: () => this.invoke('CrmService', 'Failed'),
  }

  readonly reports = {
    report: (q: Args<'ReportsService', 'Report'>[0]) => this.invoke('ReportsService', 'Report', q),
    exportCSV: (req: Args<'ReportsService', 'ExportCSV'>[0]) => this.invoke('ReportsService', 'ExportCSV', req),
    saveCSV: (req: Args<'ReportsService', 'SaveCSV'>[0]) => this.invoke('ReportsService', 'SaveCSV', req),
  }

  readonly dialer = {
    lists: () => this.invoke('DialerService', 'Lists'),
    columns: (csv: string) => this.invoke('DialerService', 'Columns', csv),
    importCSV: (input: Args<'DialerService', 'Import'>[0]) => this.invoke('DialerService', 'Import', input),
    rename: (id: string, name: string) => this.invoke('DialerService', 'Rename', id, name),
    saveSettings: (id: string, s: Args<'DialerService', 'SaveSettings'>[1]) => this.invoke('DialerService', 'SaveSettings', id, s),
    remove: (id: string) => this.invoke('DialerService', 'Delete', id),
    contacts: (id: string, offset = 0, limit = 100) => this.invoke('DialerService', 'Contacts', id, offset, limit),
    preview: (id: string, position: number) => this.invoke('DialerService', 'Preview', id, position),
    dial: (id: string, position: number) => this.invoke('DialerService', 'Dial', id, position),
    dnc: () => this.invoke('DialerService', 'DNC'),
    addDNC: (number: string, note = '', source: 'manual' | 'form' = 'manual') => this.invoke('DialerService', 'AddDNC', number, note, source),
    removeDNC: (number: string) => this.invoke('DialerService', 'RemoveDNC', number),
    importDNC: (text: string) => this.invoke('DialerService', 'ImportDNC', text),
    startSession: (id: string) => this.invoke('DialerService', 'StartSession', id),
    session: () => this.invoke('DialerService', 'Session'),
    sessionDial: () => this.invoke('DialerService', 'SessionDial'),
    sessionSkip: () => this.invoke('DialerService', 'SessionSkip'),
    sessionPause: () => this.invoke('DialerService', 'SessionPause'),
    sessionResume: () => this.invoke('DialerService', 'SessionResume'),
    sessionStop: () => this.invoke('DialerService', 'SessionStop'),
    crmLists: () => this.invoke('DialerService', 'CRMLists'),
    pullCRMList: (id: string) => this.invoke('DialerService', 'PullCRMList', id),
    checkVoicemail: (path: string) => this.invoke('DialerService', 'CheckVoicemail', path),
    checkApology: (path: string) => this.invoke('DialerService', 'CheckApology', path),
    recordVoicemail: (id: string) => this.invoke('DialerService', 'RecordVoicemail', id),
    voicemailRecording: () => this.invoke('DialerService', 'VoicemailRecording'),
    stopVoicemailRecording: () => this.invoke('DialerService', 'StopVoicemailRecording'),
    playVoicemail: (path: string) => this.invoke('DialerService', 'PlayVoicemail', path),
    stopVoicemailPlay: () => this.invoke('DialerService', 'StopVoicemailPlay'),
  }

  readonly conference = {
    get: (callId: string) => this.invoke('ConferenceService', 'Get', callId),
    add: (callId: string, target: string) => this.invoke('ConferenceService', 'Add', callId, target),
    merge: (callId: string, otherId: string) => this.invoke('ConferenceService', 'Merge', callId, otherId),
    hold: (callId: string, legId: string) => this.invoke('ConferenceService', 'Hold', callId, legId),
    resume: (callId: string, legId: string) => this.invoke('ConferenceService', 'Resume', callId, legId),
    mute: (callId: string, legId: string, on: boolean) => this.invoke('ConferenceService', 'Mute', callId, legId, on),
    remove: (callId: string, legId: string) => this.invoke('ConferenceService', 'Remove', callId, legId),
    leave: (callId: string) => this.invoke('ConferenceService', 'Leave', callId),
    endAll: (callId: string) => this.invoke('ConferenceService', 'EndAll', callId),
    invite: (callId: string, target: string, role: Role) => this.invoke('ConferenceService', 'Invite', callId, target, role),
    setRole: (callId: string, legId: string, role: Role) => this.invoke('ConferenceService', 'SetRole', callId, legId, role),
    consult: (callId: string, target: string) => this.invoke('ConferenceService', 'Consult', callId, target),
    completeTransfer: (callId: string, consultId: string) => this.invoke('ConferenceService', 'CompleteTransfer', callId, consultId),
    cancelConsult: (callId: string, consultId: string) => this.invoke('ConferenceService', 'CancelConsult', callId, consultId),
    monitor: (target: string, role: Role) => this.invoke('ConferenceService', 'Monitor', target, role),
    setMonitorRole: (callId: string, role: Role) => this.invoke('ConferenceService', 'SetMonitorRole', callId, role),
    createJoinLink: (callId: string, lang: string) => this.invoke('ConferenceService', 'CreateJoinLink', callId, lang),
    revokeJoinLink: (url: string) => this.invoke('ConferenceService', 'RevokeJoinLink', url),
    leads: () => this.invoke('ConferenceService', 'Leads'),
    setLeads: (list: string[]) => this.invoke('ConferenceService', 'SetLeads', list),
    joinLinkSettings: () => this.invoke('ConferenceService', 'JoinLinkSettings'),
    saveJoinLinkSettings: (js: Args<'ConferenceService', 'SaveJoinLinkSettings'>[0]) => this.invoke('ConferenceService', 'SaveJoinLinkSettings', js),
    chooseJoinLinkFile: (kind: 'cert' | 'key', title: string) => this.invoke('ConferenceService', 'ChooseJoinLinkFile', kind, title),
  }

  readonly scripts = {
    list: () => this.invoke('ScriptsService', 'List'),
    save: (s: Args<'ScriptsService', 'Save'>[0]) => this.invoke('ScriptsService', 'Save', s),
    remove: (id: number) => this.invoke('ScriptsService', 'Delete', id),
  }

  readonly system = {
    version: () => this.invoke('SystemService', 'Version'),
    snapshot: () => this.invoke('SystemService', 'Snapshot'),
  }
}

let current: Backend | null = null

/** api is the process-wide Backend, created on first use. */
export function api(): Backend {
  if (!current) current = new Backend(detectTransport())
  return current
}

/** setBackend replaces the process-wide Backend (tests). */
export function setBackend(b: Backend | null): void { current = b }

/** on subscribes to a catalogue event on the process-wide Backend. */
export function on<E extends EventName>(event: E, handler: Handler<E>): () => void {
  return api().on(event, handler)
}

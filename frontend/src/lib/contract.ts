// The backend contract: every bound service method (arguments → result) and
// the event catalogue (event name → exactly one payload type).
//
// This file mirrors Go: the view types in app/views.go (json tags are the
// field names), the services in app/services.go and the catalogue in
// app/events.go. app's TestContractMirrorsCatalogue fails when the event
// names or service methods here drift from Go. Owned by the Go side.

/** Call states as the engine reports them. */
export type CallState =
  | 'idle' | 'dialing' | 'ringing' | 'incoming' | 'answering'
  | 'connected' | 'held' | 'remote_held' | 'ended'

/** Registration states of an account. */
export type RegState =
  | 'unregistered' | 'registering' | 'registered' | 'failed' | 'reconnecting' | 'disabled'

export type Direction = 'inbound' | 'outbound'

/**
 * A rejected call delivers this (Wails ErrorFormatter and HTTP alike): a
 * stable code (the UI shows its own translation, lib/errors.ts), the Go
 * side's English sentence, the technical detail for the "details" toggle,
 * and the host the error names.
 */
export interface ErrorPayload { code: string; message: string; detail?: string; host?: string }

export interface CallerIDView {
  known: boolean; contactId: string; name: string; company: string
  dealName: string; dealAmount: string; dealCurrency: string
  e164: string; formatted: string
}

export interface Quality {
  /** 'unknown' until media statistics exist. */
  level: 'good' | 'fair' | 'poor' | 'unknown'
  lossPct: number; jitterMs: number; rttMs: number
}

export interface CallView {
  id: string; direction: Direction; state: CallState
  /** The AccountView.id of the account the call is on. */
  account: string
  remote: string; number: string; display: string
  callerId: CallerIDView
  muted: boolean; held: boolean; remoteHeld: boolean
  /** RFC 3339; answered is '' before the answer. */
  created: string; answered: string
  durationMs: number; codec: string; notes: string
  cause: string; status: number; reason: string
  quality: Quality
  forwardable: boolean
  /** The call's parties (one for a two-party call); 'conference' carries changes. */
  participants: ParticipantView[]
  /** The rep left the conference; the others stay bridged on this computer. */
  left: boolean
}

export type LegState =
  | 'dialing' | 'ringing' | 'incoming' | 'answering' | 'connected' | 'held' | 'remote_held' | 'ended'
export type Role = 'participant' | 'listen' | 'whisper' | 'barge'

/** One party of a call (app/conference.go). */
export interface ParticipantView {
  id: string; callId: string; name: string; number: string; remote: string
  state: LegState; role: Role
  muted: boolean; held: boolean; remoteHeld: boolean
  /** dBFS, -96 = silence. */
  levelDb: number; talking: boolean
  quality: Quality
}

/** A one-time browser join link (app/joinlink.go); expires is RFC 3339. */
/** network: the link works from other computers (Settings → Join links), not only this one. */
export interface JoinLinkView { url: string; callId: string; expires: string; network: boolean }
/** Where join links are served (Settings → Join links); only paths are kept, never the key. */
export interface JoinLinkSettings { lan: boolean; address: string; port: number; certFile: string; keyFile: string }
export interface JoinLinkSettingsView {
  settings: JoinLinkSettings
  /** This computer's network addresses to choose from. */
  addresses: string[]
  listen: string
  scheme: string
  certSubject: string
  certExpires: string
}

export interface ConferenceView { callId: string; left: boolean; participants: ParticipantView[] }

export interface TickParticipant { id: string; levelDb: number; talking: boolean; quality: Quality }

export interface Levels { active: boolean; micDb: number; speakerDb: number }

export interface AccountView {
  id: string; label: string; demo: boolean; active: boolean
  aor: string; authUser: string; displayName: string; registrar: string; outboundProxy: string
  transport: 'udp' | 'tcp' | 'tls' | string
  hasPassword: boolean; state: RegState; reason: string; dnd: boolean
  /** The classified failure behind a failed/reconnecting state. */
  error?: ErrorPayload | null
}

export interface AccountInput {
  aor: string; authUser: string; displayName: string; registrar: string; outboundProxy: string
  transport: string
  /** '' keeps the password already in the OS keychain. */
  password: string
}

export interface RegistrationTest { ok: boolean; state: RegState; reason: string; error?: ErrorPayload | null }

export interface DeviceView {
  id: string; name: string; input: boolean; output: boolean
  defaultInput: boolean; defaultOutput: boolean
}

export interface DevicesView {
  backend: string; devices: DeviceView[]
  /** '' = system default. */
  input: string; output: string; ringer: string
  meter: boolean; error: string; problem?: ErrorPayload | null
}

export interface PhoneView { label: string; raw: string; e164: string; formatted: string }
export interface DealView { id: string; name: string; amount: string; currency: string; stage: string }

export interface ContactView {
  id: string; name: string; firstName: string; lastName: string
  title: string; email: string; company: string; address: string
  phones: PhoneView[]; deals: DealView[]
}

export interface ContactHit { contact: ContactView; field: 'name' | 'company' | 'phone' | 'address' | string }

export interface HistoryFilter {
  direction: '' | Direction; missed: boolean
  /** RFC 3339 or YYYY-MM-DD; '' = unbounded. */
  since: string; until: string
  limit: number
}

export interface HistoryEntry {
  id: string; direction: Direction; missed: boolean; number: string
  callerId: CallerIDView; started: string; durationMs: number
  status: string; cause: string; notes: string
  /** 0 = no outcome chosen. */
  outcomeId: number; formDone: boolean
  /** Per connected CRM. */
  sync: SyncView[] | null
}

/** One logged call with its outcome label, deal, tasks and recording (HistoryService.Detail). */
export interface HistoryDetail {
  entry: HistoryEntry; outcomeLabel: string; dealName: string; dealStage: string
  tasks: TaskView[] | null
  /** Local path of the recording; '' = none. */
  recording: string
}
/** A follow-up task; times RFC 3339 ('' = unset). */
export interface TaskView { id: string; title: string; due: string; reminder: string; done: boolean }

/** A call's sync state for one CRM (app/forms.go). */
export interface SyncView { vendor: string; state: 'pending' | 'synced' | 'failed' | string; error: string; remoteId: string; attempts: number }

/** A configurable call outcome; mapping: vendor → the CRM's value. */
export interface OutcomeView { id: number; label: string; enabled: boolean; deleted: boolean; position: number; mapping: Record<string, string> }
export interface VendorOutcomeView { value: string; label: string }

/** A post-call outcome form (event "form"). */
export interface FormView {
  callId: string; state: 'pending' | 'saved' | 'dismissed'
  direction: Direction; number: string; callerId: CallerIDView
  contact: ContactView | null; deals: DealView[] | null
  status: string; started: string; durationMs: number
  notes: string; outcomes: OutcomeView[] | null; requireOutcome: boolean
}
export interface FormsView { pending: FormView[] | null; requireOutcome: boolean }
/** due/reminder: RFC 3339 ('' reminder = none). */
export interface TaskInputView { title: string; due: string; reminder: string }
export interface FormInput { callId: string; outcomeId: number; notes: string; dealId: string; task: TaskInputView | null }

export interface CRMConnectInput { vendor: string; baseUrl: string; token: string }
export interface CRMStatus {
  vendor: string; connected: boolean; reconnect: boolean; account: string; baseUrl: string
  state: '' | 'idle' | 'syncing' | 'backoff' | 'paused' | 'reconnect' | string; reason: string; until: string
  pending: number; failed: number; synced: number
  /** Drain progress: items synced since the queue was last empty, of sent + pending. */
  sent: number; total: number
  /** The CRM could not be reached; the worker retries at until (not a token problem). */
  offline: boolean
  lastPush: string; lastPull: string; pulled: Record<string, number> | null
}
export interface FailedItemView {
  id: number; vendor: string; kind: 'call' | 'task' | string; callId: string; error: string; attempts: number
  /** The call's direction, other party's number and contact name, and start (RFC 3339). */
  direction: Direction | string; number: string; name: string; started: string
  /** The follow-up task's title (kind 'task'). */
  task: string
}

export interface ScriptView { id: number; name: string; body: string; default: boolean }

/** Call scripts with branches (app/scripts.go). target '' ends the script. */
export interface ScriptChoiceView { label: string; target: string; outcome: string; note: string }
export interface ScriptSectionView { name: string; body: string; choices: ScriptChoiceView[] }
export interface CallScriptView { id: number; name: string; default: boolean; sections: ScriptSectionView[] }

export interface SettingsView {
  language: 'en' | 'ja'; defaultCountry: string; ringtone: string
  forwardTo: string; scripts: ScriptView[]
}

export interface DemoNumber {
  number: string; behaviour: 'answer' | 'busy' | 'no_answer' | 'callback' | string; description: string
}
export interface DemoView { active: boolean; numbers: DemoNumber[] }

export interface Snapshot {
  version: string; accounts: AccountView[]; calls: CallView[]
  devices: DevicesView; settings: SettingsView; demo: DemoView
  levels: Levels; lastDialed: string
  forms: FormsView; crm: CRMStatus
}

export interface TickCall { id: string; durationMs: number; quality: Quality; participants?: TickParticipant[] }
export interface Tick { levels: Levels; calls: TickCall[] }

export interface DialRequest { url: string; target: string; callId: string; error: ErrorPayload | null }
export interface DTMFView { callId: string; digit: string }
export interface TransferView { callId: string; target: string; status: number; reason: string; final: boolean; ok: boolean }
export interface Notice { level: 'info' | 'warning' | 'error'; code: string; message: string; params?: Record<string, string> | null; error?: ErrorPayload | null }

/** Reports (app/reports.go). Days are YYYY-MM-DD in timeZone. */
export interface ReportQuery {
  from: string; to: string
  /** IANA zone the days are counted in; '' = the backend computer's. */
  timeZone: string
  direction: '' | Direction; account: string
}
export interface ReportStats {
  calls: number; inbound: number; outbound: number; answered: number; missed: number; connected: number
  /** connected / outbound; null when no outbound call was attempted. */
  connectRate: number | null
  talkMs: number; avgTalkMs: number
}
/** id 0 with label '' is "no outcome". */
export interface ReportOutcome { id: number; label: string; deleted: boolean; calls: number }
/** byOutcome is aligned with ReportView.outcomes. */
export interface ReportDay { date: string; stats: ReportStats; byOutcome: number[] }
export interface ReportAccount { account: string; stats: ReportStats }
export interface ReportView {
  from: string; to: string; timeZone: string
  outcomes: ReportOutcome[]; days: ReportDay[]; total: ReportStats; accounts: ReportAccount[]
}
export type ExportTable = 'daily' | 'accounts' | 'history'
export interface ExportRequest {
  table: ExportTable
  report: ReportQuery
  /** For table 'history'; limit 0 exports every call. */
  history: HistoryFilter
  /** The desktop save dialog's title. */
  title: string
}
export interface CSVFile { name: string; content: string }

/** Event catalogue: event name → payload (app/events.go). */
/** Power dialer (app/dialer.go). Durations in ms, hours "HH:MM-HH:MM". */
export type DialerMode = 'preview' | 'power' | 'parallel'
export interface DialerSettingsView {
  mode: DialerMode | string; lines: number; wrapUpMs: number; callerId: string
  hours: string; maxAttempts: number; maxPerDay: number; retrySpacingMs: number
  /** The WAV or MP3 file dropped into machine answers in power and parallel modes ('' = none). */
  voicemail?: string
  /** The WAV or MP3 file an abandoned contact hears in parallel mode ('' = the bundled prompt). */
  apology?: string
  /** The list's call script (0 or absent = the default script). */
  scriptId?: number
}
export interface DialerListView { id: string; name: string; contacts: number; settings: DialerSettingsView; created: string; updated: string }
export type DialerField = 'name' | 'phone' | 'other_phone' | 'company' | 'email' | 'timezone' | 'extra' | 'ignore'
export interface DialerColumnView { header: string; field: DialerField | string; sample: string }
export interface DialerImportInput { name: string; csv: string; mapping: Record<string, string>; dryRun: boolean }
export interface DialerRowView {
  line: number; name: string; status: 'imported' | 'rejected' | string
  /** empty_phone | invalid_number | duplicate | bad_row ('' when imported). */
  reason: string; message: string; warnings: string[]
}
export interface DialerImportReport { list: DialerListView | null; imported: number; rejected: number; blank: number; rows: DialerRowView[] }
export interface DialerNumberView { raw: string; key: string; label: string }
/** status: 'ready' or the skip reason now: dnc | calling_hours | retry_cap | invalid_number. */
export interface DialerContactView { position: number; name: string; company: string; email: string; numbers: DialerNumberView[]; status: string; message: string }
export interface DialerContactsPage { total: number; contacts: DialerContactView[] }
export interface DialerPreview {
  listId: string; position: number; total: number; contact: DialerContactView
  number: string; formatted: string
  dealName: string; dealAmount: string; dealCurrency: string
  lastOutcome: string; lastCalled: string
  /** The contact's wall clock "HH:MM" in timeZone; zoneSource: contact | number | rep. */
  localTime: string; timeZone: string; zoneSource: string
  allowed: boolean; reason: string; message: string
}
export interface DNCEntryView { number: string; raw: string; note: string; source: string; added: string }
export interface DialerCounters { dialled: number; connected: number; voicemail: number; noAnswer: number; busy: number; abandoned: number; skipped: number }
/** reason: dnc | calling_hours | retry_cap | invalid_number | rep (the rep skipped). */
export interface DialerSkipView { index: number; contact: string; number: string; reason: string; message: string; localTime: string }
/** The dialer session (event 'dialer'); state: idle | ready | dialing | connected | wrap_up | paused | done | stopped. */
export interface DialerSessionView {
  /** seq orders the views: a higher seq is a later status. */
  active: boolean; seq: number; id: string; listId: string; listName: string; state: string; mode: string; lines: number
  counters: DialerCounters; done: number; total: number; current: DialerPreview | null
  needOutcome: boolean; paused: boolean; retriesPending: number; skips: DialerSkipView[]; error: ErrorPayload | null
}
export interface DNCImportReport { added: number; already: number; rejected: DialerRowView[]; entries: DNCEntryView[] }
/** The connected CRM's lists for the picker; vendor '' = none connected; supported false: message says to export a CSV. note '' or a code shown as a sentence above the lists (sell_smart_lists: Zendesk Sell's lists are its contact and lead tags). size -1 = unknown; object = what the list holds (contacts | persons | leads); listId = the call list pulled from it ('' = not yet). */
export interface DialerCRMListView { id: string; name: string; size: number; object: string; listId: string }
export interface DialerCRMListsView { vendor: string; supported: boolean; message: string; note: string; lists: DialerCRMListView[] }
/** Progress of a CRM list pull (event 'dialer_pull'); total -1 = unknown. */
export interface DialerPullView { crmListId: string; done: number; total: number }
export interface DialerVoicemailView { path: string; durationMs: number }
/** A voicemail being recorded from the microphone (DialerService.VoicemailRecording). */
export interface VoicemailRecordingView { recording: boolean; listId: string; elapsedMs: number; maxMs: number; levelDb: number }
/** A voicemail (or prompt) file played on the rep's speaker; reason: ended | stopped | call | replaced | quit ("" while playing). */
export interface VoicemailPlayView { playing: boolean; path: string; durationMs: number; reason: string }
export interface DialerPullProblem { name: string; reason: string; kind: string; number?: string; label?: string; other?: string; message: string }
export interface DialerPullReport {
  list: DialerListView; created: boolean; pulled: number; added: number; updated: number; removed: number; doNotCall: number
  problems: DialerPullProblem[]
}

export interface EventMap {
  snapshot: Snapshot
  call: CallView
  account: AccountView
  accounts: AccountView[]
  devices: DevicesView
  settings: SettingsView
  history: HistoryEntry
  tick: Tick
  conference: ConferenceView
  dtmf: DTMFView
  transfer: TransferView
  dial: DialRequest
  notice: Notice
  form: FormView
  sync: CRMStatus
  /** Every outcome not deleted (enabled or not), after the list changed. */
  outcomes: OutcomeView[]
  /** The dialer session's status after every session event. */
  dialer: DialerSessionView
  /** A CRM list being pulled into a call list. */
  dialer_pull: DialerPullView
  /** A voicemail file played on the speaker: started, and ended with why. */
  voicemail_play: VoicemailPlayView
  /** A voicemail recording's progress every 200 ms, and once when it ended. */
  voicemail_recording: VoicemailRecordingView
}
export type EventName = keyof EventMap

/** Services: Go struct name → method → [argument tuple, result]. */
export interface Services {
  CallsService: {
    Dial: [[target: string], CallView]
    /** account: an AccountView.id ('' = the default account, as Dial). */
    DialFrom: [[account: string, target: string], CallView]
    Answer: [[callId: string], CallView]
    Reject: [[callId: string], CallView]
    /** target '' forwards to settings.forwardTo (302 Moved Temporarily). */
    Forward: [[callId: string, target: string], CallView]
    Hangup: [[callId: string], CallView]
    Mute: [[callId: string, on: boolean], CallView]
    Hold: [[callId: string], CallView]
    Resume: [[callId: string], CallView]
    /** Holds every other call, then resumes (or answers) this one. */
    SwitchTo: [[callId: string], CallView]
    SendDTMF: [[callId: string, digits: string], CallView]
    Transfer: [[callId: string, target: string], CallView]
    SetNotes: [[callId: string, notes: string], CallView]
    Redial: [[], CallView]
    List: [[], CallView[]]
  }
  DevicesService: {
    List: [[], DevicesView]
    SelectInput: [[id: string], DevicesView]
    SelectOutput: [[id: string], DevicesView]
    SelectRinger: [[id: string], DevicesView]
    /** which: 'output' | 'ringer'. Resolves when the tone has started. */
    TestTone: [[which: string], boolean]
    /** Keeps the device open for the settings microphone meter. */
    SetMeter: [[on: boolean], DevicesView]
  }
  AccountsService: {
    List: [[], AccountView[]]
    Save: [[input: AccountInput], AccountView]
    Remove: [[id: string], AccountView[]]
    Test: [[input: AccountInput], RegistrationTest]
    SetDND: [[on: boolean], AccountView]
    /** Makes this account the one Dial calls from (every account registers). */
    SetDefault: [[account: string], AccountView[]]
    DemoNumbers: [[], DemoNumber[]]
  }
  ContactsService: {
    Search: [[query: string, limit: number], ContactHit[]]
    Get: [[id: string], ContactView]
    CallerID: [[number: string], CallerIDView]
  }
  HistoryService: {
    List: [[filter: HistoryFilter], HistoryEntry[]]
    Detail: [[id: string], HistoryDetail]
    CallBack: [[id: string], CallView]
  }
  SettingsService: {
    Get: [[], SettingsView]
    Save: [[settings: SettingsView], SettingsView]
  }
  SystemService: {
    Version: [[], string]
    Snapshot: [[], Snapshot]
  }
  FormsService: {
    Pending: [[], FormsView]
    Save: [[form: FormInput], HistoryEntry]
    /** Rejects with 'outcome_required' while "Require an outcome" is on. */
    Dismiss: [[callId: string], HistoryEntry]
    SetRequireOutcome: [[on: boolean], FormsView]
  }
  OutcomesService: {
    List: [[includeDisabled: boolean], OutcomeView[]]
    Create: [[label: string], OutcomeView[]]
    Rename: [[id: number, label: string], OutcomeView[]]
    Delete: [[id: number], OutcomeView[]]
    SetEnabled: [[id: number, enabled: boolean], OutcomeView[]]
    SetMapping: [[id: number, vendor: string, value: string], OutcomeView[]]
    /** The connected CRM's vocabulary (HubSpot: GET /calling/v1/dispositions). */
    VendorOutcomes: [[], VendorOutcomeView[]]
  }
  CrmService: {
    Connect: [[input: CRMConnectInput], CRMStatus]
    Disconnect: [[], CRMStatus]
    Status: [[], CRMStatus]
    SyncNow: [[], CRMStatus]
    Retry: [[callId: string], CRMStatus]
    RetryAll: [[], CRMStatus]
    Failed: [[], FailedItemView[]]
  }
  ReportsService: {
    Report: [[query: ReportQuery], ReportView]
    /** The CSV text and a file name (browser mode downloads it). */
    ExportCSV: [[req: ExportRequest], CSVFile]
    /** Desktop window only: native save dialog; resolves '' when cancelled. */
    SaveCSV: [[req: ExportRequest], string]
  }
  DialerService: {
    Lists: [[], DialerListView[]]
    Columns: [[csv: string], DialerColumnView[]]
    Import: [[input: DialerImportInput], DialerImportReport]
    Rename: [[id: string, name: string], DialerListView]
    SaveSettings: [[id: string, settings: DialerSettingsView], DialerListView]
    Delete: [[id: string], DialerListView[]]
    Contacts: [[id: string, offset: number, limit: number], DialerContactsPage]
    Preview: [[id: string, position: number], DialerPreview]
    /** Checks compliance, then dials like the dialpad; rejects with skip_* codes. */
    Dial: [[id: string, position: number], CallView]
    DNC: [[], DNCEntryView[]]
    AddDNC: [[number: string, note: string, source: string], DNCEntryView[]]
    RemoveDNC: [[number: string], DNCEntryView[]]
    ImportDNC: [[text: string], DNCImportReport]
    /** The session runner (softphone/dialer.Session), one at a time. */
    StartSession: [[id: string], DialerSessionView]
    Session: [[], DialerSessionView]
    SessionDial: [[], DialerSessionView]
    SessionSkip: [[], DialerSessionView]
    SessionPause: [[], DialerSessionView]
    SessionResume: [[], DialerSessionView]
    SessionStop: [[], DialerSessionView]
    /** The connected CRM's lists (HubSpot, Pipedrive, Zoho); Sell: supported false. */
    CRMLists: [[], DialerCRMListsView]
    /** Pulls (or refreshes) a CRM list into a call list; progress on 'dialer_pull'. */
    PullCRMList: [[id: string], DialerPullReport]
    /** Decodes a voicemail file as a drop will; rejects with dialer_voicemail. */
    CheckVoicemail: [[path: string], DialerVoicemailView]
    /** Decodes an apology prompt file as an abandoned call will (at most 15 s); rejects with dialer_apology. */
    CheckApology: [[path: string], DialerVoicemailView]
    /** Records the microphone as list id's voicemail (at most maxMs); rejects with voicemail_recording or voicemail_not_saved. */
    RecordVoicemail: [[id: string], VoicemailRecordingView]
    /** The running recording: elapsed time, level; recording false once it reached its limit. */
    VoicemailRecording: [[], VoicemailRecordingView]
    /** Ends the recording, checks it and sets it as the list's voicemail; rejects with voicemail_not_saved naming the kept file. */
    StopVoicemailRecording: [[], DialerVoicemailView]
    /** Checks the file as a drop will, then plays it on the speaker (replacing one playing); ends on 'voicemail_play'. */
    PlayVoicemail: [[path: string], VoicemailPlayView]
    /** Stops the playback (returns once the speaker is silent). */
    StopVoicemailPlay: [[], VoicemailPlayView]
    VoicemailPlay: [[], VoicemailPlayView]
  }
  ConferenceService: {
    Get: [[callId: string], ConferenceView]
    /** Dials target (number, contact's number or SIP address) into the call. */
    Add: [[callId: string, target: string], ConferenceView]
    /** Moves every participant of otherId into callId (both answered). */
    Merge: [[callId: string, otherId: string], ConferenceView]
    Hold: [[callId: string, legId: string], ConferenceView]
    Resume: [[callId: string, legId: string], ConferenceView]
    Mute: [[callId: string, legId: string, on: boolean], ConferenceView]
    Remove: [[callId: string, legId: string], ConferenceView]
    Leave: [[callId: string], ConferenceView]
    EndAll: [[callId: string], ConferenceView]
    /** Dials target into the call with a role (a lead listens, whispers or barges). */
    Invite: [[callId: string, target: string, role: Role], ConferenceView]
    SetRole: [[callId: string, legId: string, role: Role], ConferenceView]
    /** Holds the customer (callId) and calls a colleague; returns the consultation call. */
    Consult: [[callId: string, target: string], CallView]
    /** REFER with Replaces: hands the customer to the colleague; both calls end on success. */
    CompleteTransfer: [[callId: string, consultId: string], CallView]
    /** Hangs up the consultation call and resumes the customer. */
    CancelConsult: [[callId: string, consultId: string], CallView]
    /** The lead's side: calls a rep's Pitchline asking to listen, whisper or barge. */
    Monitor: [[target: string, role: Role], CallView]
    SetMonitorRole: [[callId: string, role: Role], CallView]
    /** lang: 'en' | 'ja' (the page's language; '' = the browser's). */
    CreateJoinLink: [[callId: string, lang: string], JoinLinkView]
    RevokeJoinLink: [[url: string], boolean]
    /** The team leads (SIP addresses) whose monitor requests this phone accepts. */
    Leads: [[], string[]]
    /** Saves and applies the lead list; rejects invalid_lead (the detail names the address). */
    SetLeads: [[list: string[]], string[]]
    /** Where join links are served (Settings → Join links). */
    JoinLinkSettings: [[], JoinLinkSettingsView]
    /** Checks and saves it; rejects with one join_* code per problem, nothing saved. */
    SaveJoinLinkSettings: [[js: JoinLinkSettings], JoinLinkSettingsView]
    /** The window's file dialog (kind 'cert' | 'key'); '' when cancelled; not_started in the browser. */
    ChooseJoinLinkFile: [[kind: string, title: string], string]
  }
  ScriptsService: {
    List: [[], CallScriptView[]]
    /** Rejects with invalid_argument naming the first problem. */
    Save: [[script: CallScriptView], CallScriptView]
    Delete: [[id: number], CallScriptView[]]
  }
}
export type ServiceName = keyof Services
export type MethodName<S extends ServiceName> = keyof Services[S] & string
export type Args<S extends ServiceName, M extends MethodName<S>> =
  Services[S][M] extends [infer A, unknown] ? A : never
export type Result<S extends ServiceName, M extends MethodName<S>> =
  Services[S][M] extends [unknown, infer R] ? R : never

/** Error codes (app/errfmt.go and app/services.go). */
export const ErrorCodes = {
  internal: 'internal',
  invalidArgument: 'invalid_argument',
  notStarted: 'not_started',
  canceled: 'canceled',
  timeout: 'timeout',
  noSuchCall: 'no_such_call',
  invalidState: 'invalid_state',
  invalidTarget: 'invalid_target',
  callFailed: 'call_failed',
  authFailed: 'auth_failed',
  registrationFailed: 'registration_failed',
  noKeychain: 'no_keychain',
  keychainLocked: 'keychain_locked',
  notFound: 'not_found',
  noSoundServer: 'no_sound_server',
  unauthorized: 'unauthorized',
  outcomeRequired: 'outcome_required',
  noForm: 'no_form',
  noSuchParticipant: 'no_such_participant',
  tooManyParticipants: 'too_many_participants',
  transferFailed: 'transfer_failed',
  joinLinkGone: 'join_link_gone',
  invalidLead: 'invalid_lead',
  joinAddressInvalid: 'join_address_invalid',
  joinPortInUse: 'join_port_in_use',
  joinCertMissing: 'join_cert_missing',
  joinKeyMissing: 'join_key_missing',
  joinNotCertificate: 'join_not_certificate',
  joinNotKey: 'join_not_key',
  joinKeyMismatch: 'join_key_mismatch',
  joinCertExpired: 'join_cert_expired',
  joinCertAddress: 'join_cert_address',
  joinAddressNotLocal: 'join_address_not_local',
  joinLanOff: 'join_lan_off',
  joinTlsRequired: 'join_tls_required',
  crmAuth: 'crm_auth',
  crmUnreachable: 'crm_unreachable',
  crmBadResponse: 'crm_bad_response',
  crmNotConnected: 'crm_not_connected',
  badCsv: 'bad_csv',
  dialerSettings: 'dialer_settings',
  dialerVoicemail: 'dialer_voicemail',
  voicemailRecording: 'voicemail_recording',
  voicemailNotSaved: 'voicemail_not_saved',
  dialerState: 'dialer_state',
  dialerTooLarge: 'dialer_too_large',
  skipDnc: 'skip_dnc',
  skipCallingHours: 'skip_calling_hours',
  skipRetryCap: 'skip_retry_cap',
  skipInvalidNumber: 'skip_invalid_number',
} as const

export namespace app {
	
	export class AccountInput {
	    aor: string;
	    authUser: string;
	    displayName: string;
	    registrar: string;
	    outboundProxy: string;
	    transport: string;
	    password: string;
	
	    static createFrom(source: any = {}) {
	        return new AccountInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.aor = source["aor"];
	        this.authUser = source["authUser"];
	        this.displayName = source["displayName"];
	        this.registrar = source["registrar"];
	        this.outboundProxy = source["outboundProxy"];
	        this.transport = source["transport"];
	        this.password = source["password"];
	    }
	}
	export class ErrorPayload {
	    code: string;
	    message: string;
	    detail?: string;
	    host?: string;
	
	    static createFrom(source: any = {}) {
	        return new ErrorPayload(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.code = source["code"];
	        this.message = source["message"];
	        this.detail = source["detail"];
	        this.host = source["host"];
	    }
	}
	export class AccountView {
	    id: string;
	    label: string;
	    demo: boolean;
	    active: boolean;
	    aor: string;
	    authUser: string;
	    displayName: string;
	    registrar: string;
	    outboundProxy: string;
	    transport: string;
	    hasPassword: boolean;
	    state: string;
	    reason: string;
	    error?: ErrorPayload;
	    dnd: boolean;
	
	    static createFrom(source: any = {}) {
	        return new AccountView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.demo = source["demo"];
	        this.active = source["active"];
	        this.aor = source["aor"];
	        this.authUser = source["authUser"];
	        this.displayName = source["displayName"];
	        this.registrar = source["registrar"];
	        this.outboundProxy = source["outboundProxy"];
	        this.transport = source["transport"];
	        this.hasPassword = source["hasPassword"];
	        this.state = source["state"];
	        this.reason = source["reason"];
	        this.error = this.convertValues(source["error"], ErrorPayload);
	        this.dnd = source["dnd"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CRMConnectInput {
	    vendor: string;
	    baseUrl: string;
	    token: string;
	
	    static createFrom(source: any = {}) {
	        return new CRMConnectInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.vendor = source["vendor"];
	        this.baseUrl = source["baseUrl"];
	        this.token = source["token"];
	    }
	}
	export class CRMStatus {
	    vendor: string;
	    connected: boolean;
	    reconnect: boolean;
	    account: string;
	    baseUrl: string;
	    state: string;
	    reason: string;
	    until: string;
	    pending: number;
	    failed: number;
	    synced: number;
	    sent: number;
	    total: number;
	    offline: boolean;
	    lastPush: string;
	    lastPull: string;
	    pulled: {[key: string]: number};
	
	    static createFrom(source: any = {}) {
	        return new CRMStatus(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.vendor = source["vendor"];
	        this.connected = source["connected"];
	        this.reconnect = source["reconnect"];
	        this.account = source["account"];
	        this.baseUrl = source["baseUrl"];
	        this.state = source["state"];
	        this.reason = source["reason"];
	        this.until = source["until"];
	        this.pending = source["pending"];
	        this.failed = source["failed"];
	        this.synced = source["synced"];
	        this.sent = source["sent"];
	        this.total = source["total"];
	        this.offline = source["offline"];
	        this.lastPush = source["lastPush"];
	        this.lastPull = source["lastPull"];
	        this.pulled = source["pulled"];
	    }
	}
	export class CSVFile {
	    name: string;
	    content: string;
	
	    static createFrom(source: any = {}) {
	        return new CSVFile(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.content = source["content"];
	    }
	}
	export class ScriptChoiceView {
	    label: string;
	    target: string;
	    outcome: string;
	    note: string;
	
	    static createFrom(source: any = {}) {
	        return new ScriptChoiceView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.label = source["label"];
	        this.target = source["target"];
	        this.outcome = source["outcome"];
	        this.note = source["note"];
	    }
	}
	export class ScriptSectionView {
	    name: string;
	    body: string;
	    choices: ScriptChoiceView[];
	
	    static createFrom(source: any = {}) {
	        return new ScriptSectionView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.body = source["body"];
	        this.choices = this.convertValues(source["choices"], ScriptChoiceView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class CallScriptView {
	    id: number;
	    name: string;
	    default: boolean;
	    sections: ScriptSectionView[];
	
	    static createFrom(source: any = {}) {
	        return new CallScriptView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.default = source["default"];
	        this.sections = this.convertValues(source["sections"], ScriptSectionView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ParticipantView {
	    id: string;
	    callId: string;
	    name: string;
	    number: string;
	    remote: string;
	    state: string;
	    role: string;
	    muted: boolean;
	    held: boolean;
	    remoteHeld: boolean;
	    levelDb: number;
	    talking: boolean;
	    quality: Quality;
	
	    static createFrom(source: any = {}) {
	        return new ParticipantView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.callId = source["callId"];
	        this.name = source["name"];
	        this.number = source["number"];
	        this.remote = source["remote"];
	        this.state = source["state"];
	        this.role = source["role"];
	        this.muted = source["muted"];
	        this.held = source["held"];
	        this.remoteHeld = source["remoteHeld"];
	        this.levelDb = source["levelDb"];
	        this.talking = source["talking"];
	        this.quality = this.convertValues(source["quality"], Quality);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Quality {
	    level: string;
	    lossPct: number;
	    jitterMs: number;
	    rttMs: number;
	
	    static createFrom(source: any = {}) {
	        return new Quality(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.level = source["level"];
	        this.lossPct = source["lossPct"];
	        this.jitterMs = source["jitterMs"];
	        this.rttMs = source["rttMs"];
	    }
	}
	export class CallerIDView {
	    known: boolean;
	    contactId: string;
	    name: string;
	    company: string;
	    dealName: string;
	    dealAmount: string;
	    dealCurrency: string;
	    e164: string;
	    formatted: string;
	
	    static createFrom(source: any = {}) {
	        return new CallerIDView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.known = source["known"];
	        this.contactId = source["contactId"];
	        this.name = source["name"];
	        this.company = source["company"];
	        this.dealName = source["dealName"];
	        this.dealAmount = source["dealAmount"];
	        this.dealCurrency = source["dealCurrency"];
	        this.e164 = source["e164"];
	        this.formatted = source["formatted"];
	    }
	}
	export class CallView {
	    id: string;
	    account: string;
	    direction: string;
	    state: string;
	    remote: string;
	    number: string;
	    display: string;
	    callerId: CallerIDView;
	    muted: boolean;
	    held: boolean;
	    remoteHeld: boolean;
	    created: string;
	    answered: string;
	    durationMs: number;
	    codec: string;
	    notes: string;
	    cause: string;
	    status: number;
	    reason: string;
	    quality: Quality;
	    forwardable: boolean;
	    participants: ParticipantView[];
	    left: boolean;
	
	    static createFrom(source: any = {}) {
	        return new CallView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.account = source["account"];
	        this.direction = source["direction"];
	        this.state = source["state"];
	        this.remote = source["remote"];
	        this.number = source["number"];
	        this.display = source["display"];
	        this.callerId = this.convertValues(source["callerId"], CallerIDView);
	        this.muted = source["muted"];
	        this.held = source["held"];
	        this.remoteHeld = source["remoteHeld"];
	        this.created = source["created"];
	        this.answered = source["answered"];
	        this.durationMs = source["durationMs"];
	        this.codec = source["codec"];
	        this.notes = source["notes"];
	        this.cause = source["cause"];
	        this.status = source["status"];
	        this.reason = source["reason"];
	        this.quality = this.convertValues(source["quality"], Quality);
	        this.forwardable = source["forwardable"];
	        this.participants = this.convertValues(source["participants"], ParticipantView);
	        this.left = source["left"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class ConferenceView {
	    callId: string;
	    left: boolean;
	    participants: ParticipantView[];
	
	    static createFrom(source: any = {}) {
	        return new ConferenceView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.callId = source["callId"];
	        this.left = source["left"];
	        this.participants = this.convertValues(source["participants"], ParticipantView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DealView {
	    id: string;
	    name: string;
	    amount: string;
	    currency: string;
	    stage: string;
	
	    static createFrom(source: any = {}) {
	        return new DealView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.amount = source["amount"];
	        this.currency = source["currency"];
	        this.stage = source["stage"];
	    }
	}
	export class PhoneView {
	    label: string;
	    raw: string;
	    e164: string;
	    formatted: string;
	
	    static createFrom(source: any = {}) {
	        return new PhoneView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.label = source["label"];
	        this.raw = source["raw"];
	        this.e164 = source["e164"];
	        this.formatted = source["formatted"];
	    }
	}
	export class ContactView {
	    id: string;
	    name: string;
	    firstName: string;
	    lastName: string;
	    title: string;
	    email: string;
	    company: string;
	    address: string;
	    phones: PhoneView[];
	    deals: DealView[];
	
	    static createFrom(source: any = {}) {
	        return new ContactView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.firstName = source["firstName"];
	        this.lastName = source["lastName"];
	        this.title = source["title"];
	        this.email = source["email"];
	        this.company = source["company"];
	        this.address = source["address"];
	        this.phones = this.convertValues(source["phones"], PhoneView);
	        this.deals = this.convertValues(source["deals"], DealView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ContactHit {
	    contact: ContactView;
	    field: string;
	
	    static createFrom(source: any = {}) {
	        return new ContactHit(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.contact = this.convertValues(source["contact"], ContactView);
	        this.field = source["field"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class DNCEntryView {
	    number: string;
	    raw: string;
	    note: string;
	    source: string;
	    added: string;
	
	    static createFrom(source: any = {}) {
	        return new DNCEntryView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.number = source["number"];
	        this.raw = source["raw"];
	        this.note = source["note"];
	        this.source = source["source"];
	        this.added = source["added"];
	    }
	}
	export class DialerRowView {
	    line: number;
	    name: string;
	    status: string;
	    reason: string;
	    message: string;
	    warnings: string[];
	
	    static createFrom(source: any = {}) {
	        return new DialerRowView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.line = source["line"];
	        this.name = source["name"];
	        this.status = source["status"];
	        this.reason = source["reason"];
	        this.message = source["message"];
	        this.warnings = source["warnings"];
	    }
	}
	export class DNCImportReport {
	    added: number;
	    already: number;
	    rejected: DialerRowView[];
	    entries: DNCEntryView[];
	
	    static createFrom(source: any = {}) {
	        return new DNCImportReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.added = source["added"];
	        this.already = source["already"];
	        this.rejected = this.convertValues(source["rejected"], DialerRowView);
	        this.entries = this.convertValues(source["entries"], DNCEntryView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class DemoNumber {
	    number: string;
	    behaviour: string;
	    description: string;
	
	    static createFrom(source: any = {}) {
	        return new DemoNumber(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.number = source["number"];
	        this.behaviour = source["behaviour"];
	        this.description = source["description"];
	    }
	}
	export class DemoView {
	    active: boolean;
	    numbers: DemoNumber[];
	
	    static createFrom(source: any = {}) {
	        return new DemoView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = source["active"];
	        this.numbers = this.convertValues(source["numbers"], DemoNumber);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DeviceView {
	    id: string;
	    name: string;
	    input: boolean;
	    output: boolean;
	    defaultInput: boolean;
	    defaultOutput: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DeviceView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.input = source["input"];
	        this.output = source["output"];
	        this.defaultInput = source["defaultInput"];
	        this.defaultOutput = source["defaultOutput"];
	    }
	}
	export class DevicesView {
	    backend: string;
	    devices: DeviceView[];
	    input: string;
	    output: string;
	    ringer: string;
	    meter: boolean;
	    error: string;
	    problem?: ErrorPayload;
	
	    static createFrom(source: any = {}) {
	        return new DevicesView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.backend = source["backend"];
	        this.devices = this.convertValues(source["devices"], DeviceView);
	        this.input = source["input"];
	        this.output = source["output"];
	        this.ringer = source["ringer"];
	        this.meter = source["meter"];
	        this.error = source["error"];
	        this.problem = this.convertValues(source["problem"], ErrorPayload);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerCRMListView {
	    id: string;
	    name: string;
	    size: number;
	    object: string;
	    listId: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerCRMListView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.size = source["size"];
	        this.object = source["object"];
	        this.listId = source["listId"];
	    }
	}
	export class DialerCRMListsView {
	    vendor: string;
	    supported: boolean;
	    message: string;
	    note: string;
	    lists: DialerCRMListView[];
	
	    static createFrom(source: any = {}) {
	        return new DialerCRMListsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.vendor = source["vendor"];
	        this.supported = source["supported"];
	        this.message = source["message"];
	        this.note = source["note"];
	        this.lists = this.convertValues(source["lists"], DialerCRMListView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerColumnView {
	    header: string;
	    field: string;
	    sample: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerColumnView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.header = source["header"];
	        this.field = source["field"];
	        this.sample = source["sample"];
	    }
	}
	export class DialerNumberView {
	    raw: string;
	    key: string;
	    label: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerNumberView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.raw = source["raw"];
	        this.key = source["key"];
	        this.label = source["label"];
	    }
	}
	export class DialerContactView {
	    position: number;
	    name: string;
	    company: string;
	    email: string;
	    numbers: DialerNumberView[];
	    status: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerContactView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.position = source["position"];
	        this.name = source["name"];
	        this.company = source["company"];
	        this.email = source["email"];
	        this.numbers = this.convertValues(source["numbers"], DialerNumberView);
	        this.status = source["status"];
	        this.message = source["message"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerContactsPage {
	    total: number;
	    contacts: DialerContactView[];
	
	    static createFrom(source: any = {}) {
	        return new DialerContactsPage(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.total = source["total"];
	        this.contacts = this.convertValues(source["contacts"], DialerContactView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerCounters {
	    dialled: number;
	    connected: number;
	    voicemail: number;
	    noAnswer: number;
	    busy: number;
	    abandoned: number;
	    skipped: number;
	
	    static createFrom(source: any = {}) {
	        return new DialerCounters(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.dialled = source["dialled"];
	        this.connected = source["connected"];
	        this.voicemail = source["voicemail"];
	        this.noAnswer = source["noAnswer"];
	        this.busy = source["busy"];
	        this.abandoned = source["abandoned"];
	        this.skipped = source["skipped"];
	    }
	}
	export class DialerImportInput {
	    name: string;
	    csv: string;
	    mapping: {[key: string]: string};
	    dryRun: boolean;
	
	    static createFrom(source: any = {}) {
	        return new DialerImportInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.csv = source["csv"];
	        this.mapping = source["mapping"];
	        this.dryRun = source["dryRun"];
	    }
	}
	export class DialerSettingsView {
	    mode: string;
	    lines: number;
	    wrapUpMs: number;
	    callerId: string;
	    hours: string;
	    maxAttempts: number;
	    maxPerDay: number;
	    retrySpacingMs: number;
	    voicemail: string;
	    apology: string;
	    scriptId: number;
	
	    static createFrom(source: any = {}) {
	        return new DialerSettingsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.mode = source["mode"];
	        this.lines = source["lines"];
	        this.wrapUpMs = source["wrapUpMs"];
	        this.callerId = source["callerId"];
	        this.hours = source["hours"];
	        this.maxAttempts = source["maxAttempts"];
	        this.maxPerDay = source["maxPerDay"];
	        this.retrySpacingMs = source["retrySpacingMs"];
	        this.voicemail = source["voicemail"];
	        this.apology = source["apology"];
	        this.scriptId = source["scriptId"];
	    }
	}
	export class DialerListView {
	    id: string;
	    name: string;
	    contacts: number;
	    settings: DialerSettingsView;
	    created: string;
	    updated: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerListView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.contacts = source["contacts"];
	        this.settings = this.convertValues(source["settings"], DialerSettingsView);
	        this.created = source["created"];
	        this.updated = source["updated"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerImportReport {
	    list?: DialerListView;
	    imported: number;
	    rejected: number;
	    blank: number;
	    rows: DialerRowView[];
	
	    static createFrom(source: any = {}) {
	        return new DialerImportReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.list = this.convertValues(source["list"], DialerListView);
	        this.imported = source["imported"];
	        this.rejected = source["rejected"];
	        this.blank = source["blank"];
	        this.rows = this.convertValues(source["rows"], DialerRowView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class DialerPreview {
	    listId: string;
	    position: number;
	    total: number;
	    contact: DialerContactView;
	    number: string;
	    formatted: string;
	    dealName: string;
	    dealAmount: string;
	    dealCurrency: string;
	    lastOutcome: string;
	    lastCalled: string;
	    localTime: string;
	    timeZone: string;
	    zoneSource: string;
	    allowed: boolean;
	    reason: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerPreview(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.listId = source["listId"];
	        this.position = source["position"];
	        this.total = source["total"];
	        this.contact = this.convertValues(source["contact"], DialerContactView);
	        this.number = source["number"];
	        this.formatted = source["formatted"];
	        this.dealName = source["dealName"];
	        this.dealAmount = source["dealAmount"];
	        this.dealCurrency = source["dealCurrency"];
	        this.lastOutcome = source["lastOutcome"];
	        this.lastCalled = source["lastCalled"];
	        this.localTime = source["localTime"];
	        this.timeZone = source["timeZone"];
	        this.zoneSource = source["zoneSource"];
	        this.allowed = source["allowed"];
	        this.reason = source["reason"];
	        this.message = source["message"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class DialerPullProblem {
	    name: string;
	    reason: string;
	    kind: string;
	    number?: string;
	    label?: string;
	    other?: string;
	    message: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerPullProblem(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.name = source["name"];
	        this.reason = source["reason"];
	        this.kind = source["kind"];
	        this.number = source["number"];
	        this.label = source["label"];
	        this.other = source["other"];
	        this.message = source["message"];
	    }
	}
	export class DialerPullReport {
	    list: DialerListView;
	    created: boolean;
	    pulled: number;
	    added: number;
	    updated: number;
	    removed: number;
	    doNotCall: number;
	    problems: DialerPullProblem[];
	
	    static createFrom(source: any = {}) {
	        return new DialerPullReport(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.list = this.convertValues(source["list"], DialerListView);
	        this.created = source["created"];
	        this.pulled = source["pulled"];
	        this.added = source["added"];
	        this.updated = source["updated"];
	        this.removed = source["removed"];
	        this.doNotCall = source["doNotCall"];
	        this.problems = this.convertValues(source["problems"], DialerPullProblem);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	export class DialerSkipView {
	    index: number;
	    contact: string;
	    number: string;
	    reason: string;
	    message: string;
	    localTime: string;
	
	    static createFrom(source: any = {}) {
	        return new DialerSkipView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.index = source["index"];
	        this.contact = source["contact"];
	        this.number = source["number"];
	        this.reason = source["reason"];
	        this.message = source["message"];
	        this.localTime = source["localTime"];
	    }
	}
	export class DialerSessionView {
	    active: boolean;
	    seq: number;
	    id: string;
	    listId: string;
	    listName: string;
	    state: string;
	    mode: string;
	    lines: number;
	    counters: DialerCounters;
	    done: number;
	    total: number;
	    current?: DialerPreview;
	    needOutcome: boolean;
	    paused: boolean;
	    retriesPending: number;
	    skips: DialerSkipView[];
	    error?: ErrorPayload;
	
	    static createFrom(source: any = {}) {
	        return new DialerSessionView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = source["active"];
	        this.seq = source["seq"];
	        this.id = source["id"];
	        this.listId = source["listId"];
	        this.listName = source["listName"];
	        this.state = source["state"];
	        this.mode = source["mode"];
	        this.lines = source["lines"];
	        this.counters = this.convertValues(source["counters"], DialerCounters);
	        this.done = source["done"];
	        this.total = source["total"];
	        this.current = this.convertValues(source["current"], DialerPreview);
	        this.needOutcome = source["needOutcome"];
	        this.paused = source["paused"];
	        this.retriesPending = source["retriesPending"];
	        this.skips = this.convertValues(source["skips"], DialerSkipView);
	        this.error = this.convertValues(source["error"], ErrorPayload);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class DialerVoicemailView {
	    path: string;
	    durationMs: number;
	
	    static createFrom(source: any = {}) {
	        return new DialerVoicemailView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.path = source["path"];
	        this.durationMs = source["durationMs"];
	    }
	}
	
	export class HistoryFilter {
	    direction: string;
	    missed: boolean;
	    since: string;
	    until: string;
	    limit: number;
	
	    static createFrom(source: any = {}) {
	        return new HistoryFilter(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.direction = source["direction"];
	        this.missed = source["missed"];
	        this.since = source["since"];
	        this.until = source["until"];
	        this.limit = source["limit"];
	    }
	}
	export class ReportQuery {
	    from: string;
	    to: string;
	    timeZone: string;
	    direction: string;
	    account: string;
	
	    static createFrom(source: any = {}) {
	        return new ReportQuery(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = source["from"];
	        this.to = source["to"];
	        this.timeZone = source["timeZone"];
	        this.direction = source["direction"];
	        this.account = source["account"];
	    }
	}
	export class ExportRequest {
	    table: string;
	    report: ReportQuery;
	    history: HistoryFilter;
	    title: string;
	
	    static createFrom(source: any = {}) {
	        return new ExportRequest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.table = source["table"];
	        this.report = this.convertValues(source["report"], ReportQuery);
	        this.history = this.convertValues(source["history"], HistoryFilter);
	        this.title = source["title"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FailedItemView {
	    id: number;
	    vendor: string;
	    kind: string;
	    callId: string;
	    error: string;
	    attempts: number;
	    direction: string;
	    number: string;
	    name: string;
	    started: string;
	    task: string;
	
	    static createFrom(source: any = {}) {
	        return new FailedItemView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.vendor = source["vendor"];
	        this.kind = source["kind"];
	        this.callId = source["callId"];
	        this.error = source["error"];
	        this.attempts = source["attempts"];
	        this.direction = source["direction"];
	        this.number = source["number"];
	        this.name = source["name"];
	        this.started = source["started"];
	        this.task = source["task"];
	    }
	}
	export class TaskInputView {
	    title: string;
	    due: string;
	    reminder: string;
	
	    static createFrom(source: any = {}) {
	        return new TaskInputView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.title = source["title"];
	        this.due = source["due"];
	        this.reminder = source["reminder"];
	    }
	}
	export class FormInput {
	    callId: string;
	    outcomeId: number;
	    notes: string;
	    dealId: string;
	    task?: TaskInputView;
	
	    static createFrom(source: any = {}) {
	        return new FormInput(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.callId = source["callId"];
	        this.outcomeId = source["outcomeId"];
	        this.notes = source["notes"];
	        this.dealId = source["dealId"];
	        this.task = this.convertValues(source["task"], TaskInputView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class OutcomeView {
	    id: number;
	    label: string;
	    enabled: boolean;
	    deleted: boolean;
	    position: number;
	    mapping: {[key: string]: string};
	
	    static createFrom(source: any = {}) {
	        return new OutcomeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.enabled = source["enabled"];
	        this.deleted = source["deleted"];
	        this.position = source["position"];
	        this.mapping = source["mapping"];
	    }
	}
	export class FormView {
	    callId: string;
	    state: string;
	    direction: string;
	    number: string;
	    callerId: CallerIDView;
	    contact?: ContactView;
	    deals: DealView[];
	    status: string;
	    started: string;
	    durationMs: number;
	    notes: string;
	    outcomes: OutcomeView[];
	    requireOutcome: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FormView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.callId = source["callId"];
	        this.state = source["state"];
	        this.direction = source["direction"];
	        this.number = source["number"];
	        this.callerId = this.convertValues(source["callerId"], CallerIDView);
	        this.contact = this.convertValues(source["contact"], ContactView);
	        this.deals = this.convertValues(source["deals"], DealView);
	        this.status = source["status"];
	        this.started = source["started"];
	        this.durationMs = source["durationMs"];
	        this.notes = source["notes"];
	        this.outcomes = this.convertValues(source["outcomes"], OutcomeView);
	        this.requireOutcome = source["requireOutcome"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class FormsView {
	    pending: FormView[];
	    requireOutcome: boolean;
	
	    static createFrom(source: any = {}) {
	        return new FormsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.pending = this.convertValues(source["pending"], FormView);
	        this.requireOutcome = source["requireOutcome"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class TaskView {
	    id: string;
	    title: string;
	    due: string;
	    reminder: string;
	    done: boolean;
	
	    static createFrom(source: any = {}) {
	        return new TaskView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.title = source["title"];
	        this.due = source["due"];
	        this.reminder = source["reminder"];
	        this.done = source["done"];
	    }
	}
	export class SyncView {
	    vendor: string;
	    state: string;
	    error: string;
	    remoteId: string;
	    attempts: number;
	
	    static createFrom(source: any = {}) {
	        return new SyncView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.vendor = source["vendor"];
	        this.state = source["state"];
	        this.error = source["error"];
	        this.remoteId = source["remoteId"];
	        this.attempts = source["attempts"];
	    }
	}
	export class HistoryEntry {
	    id: string;
	    direction: string;
	    missed: boolean;
	    number: string;
	    callerId: CallerIDView;
	    started: string;
	    durationMs: number;
	    status: string;
	    cause: string;
	    notes: string;
	    outcomeId: number;
	    formDone: boolean;
	    sync: SyncView[];
	
	    static createFrom(source: any = {}) {
	        return new HistoryEntry(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.direction = source["direction"];
	        this.missed = source["missed"];
	        this.number = source["number"];
	        this.callerId = this.convertValues(source["callerId"], CallerIDView);
	        this.started = source["started"];
	        this.durationMs = source["durationMs"];
	        this.status = source["status"];
	        this.cause = source["cause"];
	        this.notes = source["notes"];
	        this.outcomeId = source["outcomeId"];
	        this.formDone = source["formDone"];
	        this.sync = this.convertValues(source["sync"], SyncView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class HistoryDetail {
	    entry: HistoryEntry;
	    outcomeLabel: string;
	    dealName: string;
	    dealStage: string;
	    tasks: TaskView[];
	    recording: string;
	
	    static createFrom(source: any = {}) {
	        return new HistoryDetail(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.entry = this.convertValues(source["entry"], HistoryEntry);
	        this.outcomeLabel = source["outcomeLabel"];
	        this.dealName = source["dealName"];
	        this.dealStage = source["dealStage"];
	        this.tasks = this.convertValues(source["tasks"], TaskView);
	        this.recording = source["recording"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class JoinLinkSettings {
	    lan: boolean;
	    address: string;
	    port: number;
	    certFile: string;
	    keyFile: string;
	
	    static createFrom(source: any = {}) {
	        return new JoinLinkSettings(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.lan = source["lan"];
	        this.address = source["address"];
	        this.port = source["port"];
	        this.certFile = source["certFile"];
	        this.keyFile = source["keyFile"];
	    }
	}
	export class JoinLinkSettingsView {
	    settings: JoinLinkSettings;
	    addresses: string[];
	    listen: string;
	    scheme: string;
	    certSubject: string;
	    certExpires: string;
	
	    static createFrom(source: any = {}) {
	        return new JoinLinkSettingsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.settings = this.convertValues(source["settings"], JoinLinkSettings);
	        this.addresses = source["addresses"];
	        this.listen = source["listen"];
	        this.scheme = source["scheme"];
	        this.certSubject = source["certSubject"];
	        this.certExpires = source["certExpires"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class JoinLinkView {
	    url: string;
	    callId: string;
	    expires: string;
	    network: boolean;
	
	    static createFrom(source: any = {}) {
	        return new JoinLinkView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.url = source["url"];
	        this.callId = source["callId"];
	        this.expires = source["expires"];
	        this.network = source["network"];
	    }
	}
	export class Levels {
	    active: boolean;
	    micDb: number;
	    speakerDb: number;
	
	    static createFrom(source: any = {}) {
	        return new Levels(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.active = source["active"];
	        this.micDb = source["micDb"];
	        this.speakerDb = source["speakerDb"];
	    }
	}
	
	
	
	
	export class RegistrationTest {
	    ok: boolean;
	    state: string;
	    reason: string;
	    error?: ErrorPayload;
	
	    static createFrom(source: any = {}) {
	        return new RegistrationTest(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.ok = source["ok"];
	        this.state = source["state"];
	        this.reason = source["reason"];
	        this.error = this.convertValues(source["error"], ErrorPayload);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ReportStats {
	    calls: number;
	    inbound: number;
	    outbound: number;
	    answered: number;
	    missed: number;
	    connected: number;
	    connectRate?: number;
	    talkMs: number;
	    avgTalkMs: number;
	
	    static createFrom(source: any = {}) {
	        return new ReportStats(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.calls = source["calls"];
	        this.inbound = source["inbound"];
	        this.outbound = source["outbound"];
	        this.answered = source["answered"];
	        this.missed = source["missed"];
	        this.connected = source["connected"];
	        this.connectRate = source["connectRate"];
	        this.talkMs = source["talkMs"];
	        this.avgTalkMs = source["avgTalkMs"];
	    }
	}
	export class ReportAccount {
	    account: string;
	    stats: ReportStats;
	
	    static createFrom(source: any = {}) {
	        return new ReportAccount(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.account = source["account"];
	        this.stats = this.convertValues(source["stats"], ReportStats);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ReportDay {
	    date: string;
	    stats: ReportStats;
	    byOutcome: number[];
	
	    static createFrom(source: any = {}) {
	        return new ReportDay(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.date = source["date"];
	        this.stats = this.convertValues(source["stats"], ReportStats);
	        this.byOutcome = source["byOutcome"];
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class ReportOutcome {
	    id: number;
	    label: string;
	    deleted: boolean;
	    calls: number;
	
	    static createFrom(source: any = {}) {
	        return new ReportOutcome(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.label = source["label"];
	        this.deleted = source["deleted"];
	        this.calls = source["calls"];
	    }
	}
	
	
	export class ReportView {
	    from: string;
	    to: string;
	    timeZone: string;
	    outcomes: ReportOutcome[];
	    days: ReportDay[];
	    total: ReportStats;
	    accounts: ReportAccount[];
	
	    static createFrom(source: any = {}) {
	        return new ReportView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.from = source["from"];
	        this.to = source["to"];
	        this.timeZone = source["timeZone"];
	        this.outcomes = this.convertValues(source["outcomes"], ReportOutcome);
	        this.days = this.convertValues(source["days"], ReportDay);
	        this.total = this.convertValues(source["total"], ReportStats);
	        this.accounts = this.convertValues(source["accounts"], ReportAccount);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	export class ScriptView {
	    id: number;
	    name: string;
	    body: string;
	    default: boolean;
	
	    static createFrom(source: any = {}) {
	        return new ScriptView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.id = source["id"];
	        this.name = source["name"];
	        this.body = source["body"];
	        this.default = source["default"];
	    }
	}
	export class SettingsView {
	    language: string;
	    defaultCountry: string;
	    ringtone: string;
	    forwardTo: string;
	    scripts: ScriptView[];
	
	    static createFrom(source: any = {}) {
	        return new SettingsView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.language = source["language"];
	        this.defaultCountry = source["defaultCountry"];
	        this.ringtone = source["ringtone"];
	        this.forwardTo = source["forwardTo"];
	        this.scripts = this.convertValues(source["scripts"], ScriptView);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	export class Snapshot {
	    version: string;
	    accounts: AccountView[];
	    calls: CallView[];
	    devices: DevicesView;
	    settings: SettingsView;
	    demo: DemoView;
	    levels: Levels;
	    lastDialed: string;
	    forms: FormsView;
	    crm: CRMStatus;
	
	    static createFrom(source: any = {}) {
	        return new Snapshot(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.version = source["version"];
	        this.accounts = this.convertValues(source["accounts"], AccountView);
	        this.calls = this.convertValues(source["calls"], CallView);
	        this.devices = this.convertValues(source["devices"], DevicesView);
	        this.settings = this.convertValues(source["settings"], SettingsView);
	        this.demo = this.convertValues(source["demo"], DemoView);
	        this.levels = this.convertValues(source["levels"], Levels);
	        this.lastDialed = source["lastDialed"];
	        this.forms = this.convertValues(source["forms"], FormsView);
	        this.crm = this.convertValues(source["crm"], CRMStatus);
	    }
	
		convertValues(a: any, classs: any, asMap: boolean = false): any {
		    if (!a) {
		        return a;
		    }
		    if (a.slice && a.map) {
		        return (a as any[]).map(elem => this.convertValues(elem, classs));
		    } else if ("object" === typeof a) {
		        if (asMap) {
		            for (const key of Object.keys(a)) {
		                a[key] = new classs(a[key]);
		            }
		            return a;
		        }
		        return new classs(a);
		    }
		    return a;
		}
	}
	
	
	
	export class VendorOutcomeView {
	    value: string;
	    label: string;
	
	    static createFrom(source: any = {}) {
	        return new VendorOutcomeView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.value = source["value"];
	        this.label = source["label"];
	    }
	}
	export class VoicemailPlayView {
	    playing: boolean;
	    path: string;
	    durationMs: number;
	    reason: string;
	
	    static createFrom(source: any = {}) {
	        return new VoicemailPlayView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.playing = source["playing"];
	        this.path = source["path"];
	        this.durationMs = source["durationMs"];
	        this.reason = source["reason"];
	    }
	}
	export class VoicemailRecordingView {
	    recording: boolean;
	    listId: string;
	    elapsedMs: number;
	    maxMs: number;
	    levelDb: number;
	
	    static createFrom(source: any = {}) {
	        return new VoicemailRecordingView(source);
	    }
	
	    constructor(source: any = {}) {
	        if ('string' === typeof source) source = JSON.parse(source);
	        this.recording = source["recording"];
	        this.listId = source["listId"];
	        this.elapsedMs = source["elapsedMs"];
	        this.maxMs = source["maxMs"];
	        this.levelDb = source["levelDb"];
	    }
	}

}


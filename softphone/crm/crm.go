package crm

import (
	"context"
	"time"
)

// Vendor names a CRM. The values are the command-line spellings
// (`pitchline crm connect hubspot|pipedrive|sell|zoho`).
type Vendor string

// The supported CRMs. VendorLocal is the embedded SQLite store, used when
// no CRM is connected.
const (
	VendorLocal     Vendor = "local"
	VendorHubSpot   Vendor = "hubspot"
	VendorPipedrive Vendor = "pipedrive"
	VendorSell      Vendor = "sell"
	VendorZoho      Vendor = "zoho"
)

// String returns the vendor's command-line name.
func (v Vendor) String() string { return string(v) }

// Name returns the CRM's name as a rep knows it ("HubSpot", "Zendesk
// Sell"), for sentences; an unknown vendor's command-line name otherwise.
func (v Vendor) Name() string {
	switch v {
	case VendorLocal:
		return "Pitchline"
	case VendorHubSpot:
		return "HubSpot"
	case VendorPipedrive:
		return "Pipedrive"
	case VendorSell:
		return "Zendesk Sell"
	case VendorZoho:
		return "Zoho CRM"
	}
	return string(v)
}

// Direction is a call's direction from the rep's point of view.
type Direction string

// Call directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// String returns the direction name.
func (d Direction) String() string { return string(d) }

// CallStatus is how a call ended, in Pitchline's vocabulary. Adapters map
// it to the vendor's (HubSpot hs_call_status, Zoho Call_Type "Missed", ...).
type CallStatus string

// Final call statuses.
const (
	StatusCompleted CallStatus = "completed" // answered and talked
	StatusNoAnswer  CallStatus = "no_answer" // outbound, nobody picked up
	StatusBusy      CallStatus = "busy"
	StatusFailed    CallStatus = "failed"   // network/SIP failure
	StatusCanceled  CallStatus = "canceled" // we hung up while ringing
	StatusMissed    CallStatus = "missed"   // inbound, not answered
)

// String returns the status name.
func (s CallStatus) String() string { return string(s) }

// Call is one finished call, as pushed to a CRM. ID is the local UUID and
// the idempotency key: an adapter that is asked to create a call it already
// created (after a crash or a lost response) must not duplicate it; see
// Adapter.FindCalls.
type Call struct {
	ID        string // local UUID
	Direction Direction
	From      string // E.164 when it parses, else the original text
	To        string
	Started   time.Time
	Answered  time.Time // zero when never answered
	Ended     time.Time
	Duration  time.Duration // talk time (answer to end); zero when unanswered
	Status    CallStatus
	// Outcome is the vendor's own outcome value, already mapped from the
	// local outcome (HubSpot disposition GUID, Pipedrive outcome enum, Sell
	// outcome id, Zoho Call_Result text). Empty when none was chosen.
	Outcome      string
	OutcomeLabel string // the local label, for vendors that store text
	Title        string // e.g. "Call with Margaret Lee"
	Notes        string
	// ContactID and DealID are the vendor's record ids (empty when the
	// number matched no synced contact, or no deal was chosen).
	ContactID    string
	CompanyID    string
	DealID       string
	RecordingURL string
}

// Task is a follow-up task created after a call.
type Task struct {
	ID        string // local UUID, idempotency key
	Title     string
	Notes     string
	Due       time.Time
	Reminder  time.Time // zero for none
	ContactID string    // vendor ids, as in Call
	DealID    string
	CallID    string // the vendor id of the call it follows, when known
}

// Phone is one number of a contact.
type Phone struct {
	Label  string // "work", "mobile", "home", vendor label...
	Number string // as the vendor stores it
}

// Contact is a person record pulled from, or looked up in, a CRM.
type Contact struct {
	ID        string // vendor id
	FirstName string
	LastName  string
	Email     string
	Title     string
	CompanyID string
	Company   string // company name, when the vendor returns it inline
	Phones    []Phone
	Address   string
	TimeZone  string // IANA name when known (the dialer's calling hours)
	Updated   time.Time
	Deleted   bool // archived/removed since the last incremental sync
}

// Company is an organisation record.
type Company struct {
	ID      string
	Name    string
	Phone   string
	Address string
	Domain  string
	Updated time.Time
	Deleted bool
}

// Deal is an opportunity.
type Deal struct {
	ID         string
	Name       string
	Amount     string // decimal text, exactly as the vendor sent it
	Currency   string // ISO 4217, empty when the vendor's account default
	Stage      string
	ContactIDs []string
	CompanyID  string
	Updated    time.Time
	Deleted    bool
}

// Outcome is one value of a vendor's call-outcome vocabulary.
type Outcome struct {
	Value string // what goes on the wire (GUID, enum, id, text)
	Label string // human label
}

// ObjectKind selects what Pull fetches.
type ObjectKind string

// Object kinds synced from a CRM.
const (
	KindContacts  ObjectKind = "contacts"
	KindCompanies ObjectKind = "companies"
	KindDeals     ObjectKind = "deals"
)

// String returns the kind name.
func (k ObjectKind) String() string { return string(k) }

// Page is one page of a pull. Exactly one of the slices is filled,
// according to the requested kind. Cursor is opaque; pass it back to get
// the next page while More is true.
type Page struct {
	Contacts  []Contact
	Companies []Company
	Deals     []Deal
	Cursor    string
	More      bool
}

// Account describes the CRM account a token belongs to (for the settings
// page and `pitchline crm connect`).
type Account struct {
	Vendor Vendor
	ID     string // portal id, company domain, ...
	Name   string // human name of the account or user
	User   string // the token's user, when the API says
}

// Result is the outcome of creating one item in a batch.
type Result struct {
	LocalID  string
	RemoteID string // set on success
	Err      error  // wrapped sentinel on failure
}

// Adapter is one CRM. Implementations are safe for concurrent use, honour
// ctx cancellation and deadlines, and never retry by themselves: they
// classify the failure with the sentinels in errors.go and leave pacing to
// the sync worker.
type Adapter interface {
	// Vendor names the CRM.
	Vendor() Vendor
	// Check verifies the token and returns the account it belongs to.
	Check(ctx context.Context) (Account, error)
	// Outcomes lists the vendor's call-outcome vocabulary (HubSpot reads
	// GET /calling/v1/dispositions; the others return their documented
	// fixed or account-defined lists).
	Outcomes(ctx context.Context) ([]Outcome, error)
	// MaxBatch is how many calls one CreateCalls request may carry
	// (HubSpot 100; 1 for vendors without batch create).
	MaxBatch() int
	// FindCalls returns, for those of the given local call ids that
	// already exist at the vendor, local id -> vendor id. The worker calls
	// it before re-sending anything whose earlier attempt had an unknown
	// result, so that a call is created exactly once.
	FindCalls(ctx context.Context, localIDs []string) (map[string]string, error)
	// CreateCalls creates up to MaxBatch calls with their associations
	// (contact, and deal when chosen). It returns one Result per input in
	// order; a non-nil error means the whole request failed.
	CreateCalls(ctx context.Context, calls []Call) ([]Result, error)
	// CreateTask creates a follow-up task and returns its vendor id.
	CreateTask(ctx context.Context, t Task) (string, error)
	// LookupPhone finds contacts by an E.164 number.
	LookupPhone(ctx context.Context, e164 string) ([]Contact, error)
	// Search finds contacts by free text (name, company, number).
	Search(ctx context.Context, query string, limit int) ([]Contact, error)
	// Pull fetches one page of kind changed since `since` (zero: full
	// sync), continuing from cursor.
	Pull(ctx context.Context, kind ObjectKind, since time.Time, cursor string) (Page, error)
}

// TaskFinder is implemented by adapters that can find follow-up tasks an
// earlier attempt created, by the local id the adapter wrote into the task
// (a marker in its notes or description). The sync worker calls it before
// re-sending a task whose earlier attempt had an unknown result (a crash,
// a lost response), so that a task, like a call, is created exactly once.
// Adapters without it may duplicate a task in that case.
type TaskFinder interface {
	// FindTasks returns, for those of the given tasks (by Task.ID, the
	// local id) that already exist at the vendor, local id -> vendor id.
	// It may complete what the earlier attempt left undone for a task it
	// finds (HubSpot: the association with Task.CallID).
	FindTasks(ctx context.Context, tasks []Task) (map[string]string, error)
}

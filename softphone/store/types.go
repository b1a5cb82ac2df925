package store

import (
	"strings"
	"time"
	"unicode/utf8"
)

// MaxNotesBytes is the largest notes text (call notes, task notes) the store
// accepts: 4 MiB, far above the 65,536 characters the window's notes boxes take
// so that notes arriving from the CLI or the API are kept in full. Longer
// text is refused with ErrTooLarge, never truncated. A CRM whose notes field
// is smaller gets a truncated copy with a marker (crm.FitNotes); the store
// keeps the whole text.
const MaxNotesBytes = 4 << 20

// MaxScriptBytes is the largest call-script body the store accepts.
const MaxScriptBytes = 64 << 10

// Phone is one number of a contact. Raw is the original text; E164 is the
// normalised number, or "" when Raw could not be parsed.
type Phone struct {
	ID    int64
	Label string // "work", "mobile", "home", ...
	Raw   string
	E164  string
}

// Company is an organisation.
type Company struct {
	ID       string
	Name     string
	Address  string
	Phone    string
	Domain   string
	Source   Vendor // VendorLocal for records created here
	RemoteID string // the vendor's id when Source is a CRM
	Updated  time.Time
}

// Deal is an opportunity. Amount is decimal text ("12500.00"), Currency an
// ISO 4217 code.
type Deal struct {
	ID         string
	Name       string
	Amount     string
	Currency   string
	Stage      string
	CompanyID  string
	ContactIDs []string
	Source     Vendor
	RemoteID   string
	Updated    time.Time
}

// Contact is a person with any number of phone numbers.
type Contact struct {
	ID        string
	FirstName string
	LastName  string
	Title     string
	Email     string
	Address   string
	TimeZone  string // IANA name, empty when unknown
	CompanyID string
	Company   string // the company's name; filled by Contact, used by UpsertContact when CompanyID is empty
	Phones    []Phone
	Deals     []Deal // filled by Contact; ignored by UpsertContact
	Source    Vendor
	RemoteID  string
	Updated   time.Time
}

// Name returns the contact's display name: first and last name joined by a
// space, or just one of them. Names written in Chinese or Japanese
// characters are shown family name first (田中 太郎).
func (c Contact) Name() string {
	f, l := strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	if startsCJK(f) && startsCJK(l) {
		f, l = l, f
	}
	return strings.TrimSpace(f + " " + l)
}

func startsCJK(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return s != "" && isCJK(r)
}

// SearchHit is one Search result: the contact and the field that matched
// ("name", "company", "phone" or "address").
type SearchHit struct {
	Contact Contact
	Field   string
}

// CallerID is what LookupNumber knows about a number. DealName, DealAmount
// and DealCurrency describe the contact's most relevant open deal (the most
// recently updated deal whose stage is not closed), empty when none.
type CallerID struct {
	ContactID    string
	Name         string
	Company      string
	DealName     string
	DealAmount   string
	DealCurrency string
	E164         string
	Formatted    string // national format for the default region, international otherwise
}

// CallRecord is one row of the call log.
type CallRecord struct {
	ID            string // UUID
	Direction     Direction
	From, To      string
	Account       string // the SIP account (address of record) that carried the call
	Started       time.Time
	Answered      time.Time // zero when never answered
	Ended         time.Time
	Duration      time.Duration // talk time
	Status        CallStatus
	SIPCode       int
	Cause         string
	RecordingPath string
	ContactID     string
	DealID        string
	OutcomeID     int64
	Notes         string
	// FormDone is true once the outcome form was saved, or when none is
	// needed (a missed inbound call).
	FormDone bool
	// Sync is the call's outbox state per connected CRM (filled by Call
	// and History).
	Sync []SyncStatus
}

// SyncStatus is a call's sync state for one CRM. State is "pending"
// (including in flight), "synced" or "failed".
type SyncStatus struct {
	Vendor   Vendor
	State    string
	RemoteID string
	Error    string
	Attempts int
	Updated  time.Time
}

// OutcomeForm is what the rep fills in after a call.
type OutcomeForm struct {
	OutcomeID int64 // 0: none chosen
	Notes     string
	DealID    string // "" keeps the call's deal
	Task      *TaskInput
}

// TaskInput is a follow-up task to create with the form.
type TaskInput struct {
	Title    string
	Due      time.Time
	Reminder time.Time // zero: none
}

// Task is a stored follow-up task.
type Task struct {
	ID        string
	CallID    string
	ContactID string
	DealID    string
	Title     string
	Notes     string
	Due       time.Time
	Reminder  time.Time
	Done      bool
	Created   time.Time
}

// HistoryFilter selects calls from the log. Zero values select everything;
// Limit 0 means 100 for History and no limit for ExportHistoryCSV.
type HistoryFilter struct {
	Direction Direction // "" all
	Missed    bool      // only missed inbound calls
	Since     time.Time
	Until     time.Time
	Limit     int
	Offset    int
}

// Outcome is a configurable call outcome. Mapping holds the vendor's own
// value for each CRM (HubSpot disposition GUID, Zoho Call_Result text, ...).
type Outcome struct {
	ID       int64
	Label    string
	Enabled  bool
	Deleted  bool
	Position int
	Mapping  map[Vendor]string
}

// Outbox item states.
const (
	OutboxPending  = "pending"
	OutboxInFlight = "inflight"
	OutboxSynced   = "synced"
	OutboxFailed   = "failed"
)

// Outbox item kinds.
const (
	KindCall = "call"
	KindTask = "task"
)

// OutboxItem is one record waiting to be (or already) pushed to a CRM.
type OutboxItem struct {
	ID        int64
	Vendor    Vendor
	Kind      string // KindCall or KindTask
	RefID     string // the call or task UUID
	Attempts  int
	NextAt    time.Time
	LastError string
	State     string // OutboxPending, OutboxInFlight, OutboxSynced, OutboxFailed
	// Uncertain is true when an earlier attempt was in flight when its
	// process stopped: the CRM may or may not have the record, so the worker
	// must look it up (Adapter.FindCalls) before creating it again.
	Uncertain bool
	RemoteID  string // set once synced
}

// ImportReport tells what ImportContactsCSV did with every data row:
// Total == Inserted + Updated + Skipped + len(Rejected).
type ImportReport struct {
	Total    int
	Inserted int
	Updated  int
	Skipped  int // already present and unchanged
	Rejected []RowError
}

// RowError is a rejected CSV row. Row is the spreadsheet row number: the
// header is row 1, the first data row is row 2 (for a record spanning
// several lines, the line it starts on).
type RowError struct {
	Row    int
	Reason string
	Raw    []string
}

package store

// The store's own vocabulary for calls and CRM names. It does not import
// the CRM plug-in (softphone/crm): softphone/crm/sync, the adapter between
// the two, converts these to crm.Vendor, crm.Direction, crm.CallStatus,
// crm.Call and crm.Task. The string values are the ones the database holds,
// and the same spellings the CRM package uses.

// Vendor names where a record came from (VendorLocal for records created
// here), or a CRM that outcome mappings, outbox items and sync state belong
// to, spelled as on the command line ("hubspot", "pipedrive", "sell",
// "zoho"). Apart from VendorLocal the store treats the names as opaque.
type Vendor string

// VendorLocal marks records created in this store rather than pulled from a
// CRM.
const VendorLocal Vendor = "local"

// String returns the vendor's name.
func (v Vendor) String() string { return string(v) }

// Direction is a call's direction from the rep's point of view.
type Direction string

// Call directions.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
)

// String returns the direction name.
func (d Direction) String() string { return string(d) }

// CallStatus is how a call ended.
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

// CallStatuses lists every final call status, in the order above.
func CallStatuses() []CallStatus {
	return []CallStatus{StatusCompleted, StatusNoAnswer, StatusBusy, StatusFailed, StatusCanceled, StatusMissed}
}

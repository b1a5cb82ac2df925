package sync

import (
	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// The store has its own vocabulary and does not import the CRM plug-in, so
// that the dependency runs one way (sync -> store, sync -> crm). This file
// is where the two meet: the values are the same strings on both sides
// (TestConversionKeepsEveryValue checks it), the conversions are explicit.

// StoreVendor returns a CRM's name in the store's vocabulary.
func StoreVendor(v crm.Vendor) store.Vendor { return store.Vendor(v) }

// CRMVendor returns a vendor name read from the store as a crm.Vendor.
func CRMVendor(v store.Vendor) crm.Vendor { return crm.Vendor(v) }

// CRMCall converts a call prepared by store.CallForSync to what the CRM
// adapters push.
func CRMCall(c store.SyncCall) crm.Call {
	return crm.Call{
		ID: c.ID, Direction: crm.Direction(c.Direction), From: c.From, To: c.To,
		Started: c.Started, Answered: c.Answered, Ended: c.Ended, Duration: c.Duration,
		Status: crm.CallStatus(c.Status), Outcome: c.Outcome, OutcomeLabel: c.OutcomeLabel,
		Title: c.Title, Notes: c.Notes, ContactID: c.ContactID, CompanyID: c.CompanyID,
		DealID: c.DealID, RecordingURL: c.RecordingURL,
	}
}

// CRMTask converts a task prepared by store.TaskForSync to what the CRM
// adapters push.
func CRMTask(t store.SyncTask) crm.Task {
	return crm.Task{
		ID: t.ID, Title: t.Title, Notes: t.Notes, Due: t.Due, Reminder: t.Reminder,
		ContactID: t.ContactID, DealID: t.DealID, CallID: t.CallID,
	}
}

// Package sync is the CRM sync worker: it drains the store's outbox to a
// crm.Adapter (calls in batches of Adapter.MaxBatch, then their follow-up
// tasks) and pulls contacts, companies and deals from the CRM into the
// store.
//
// # Exactly once
//
// Every outbox item is marked in flight (store.MarkInFlight) before its
// request is sent. When a request ends without a known result (a 5xx,
// a timeout, a connection reset, a body that cannot be read, or a crash
// that leaves the item in flight, which the store reports as Uncertain),
// the item goes back to pending with a reason starting with
// UnknownResultPrefix, and before it is created again the worker asks
// Adapter.FindCalls whether the CRM already has it (HubSpot's search lags
// writes, so that check waits WithCheckDelay, default 10 s). A call found
// there is marked synced with the CRM's id instead of being sent again.
//
// # Failures
//
//   - 429: wait Retry-After (or the backoff when none is given); a daily
//     quota pauses the vendor until the reset (Drain returns ErrPaused and
//     the items stay pending, with the reason in Status).
//   - 5xx, timeouts, resets: exponential backoff with jitter, capped
//     (WithBackoff).
//   - expired or revoked token: the vendor stops, the queue is kept and
//     Status says "reconnect your CRM" (Drain returns crm.ErrAuth).
//   - the CRM rejects one record, or answers it with garbage: that item is
//     marked failed with the vendor's reason; store.Retry queues it again.
//
// A follow-up task is sent only once the call it follows is synced (the
// task carries the call's CRM id), or when that call failed for good.
// Task creation has no lookup at HubSpot, so a task whose request had an
// unknown result may be created twice; calls never are.
package sync

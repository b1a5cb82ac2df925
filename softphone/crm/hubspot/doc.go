// Package hubspot is the HubSpot implementation of crm.Adapter, over
// HubSpot's CRM v3 REST API (https://developers.hubspot.com/docs/api/crm/understanding-the-crm).
//
// Calls are logged with POST /crm/v3/objects/calls/batch/create, up to 100
// per request, associated inline with their contact (associationTypeId
// 194) and deal (206). Each call carries the local call UUID in
// hs_call_external_id, a documented call property that HubSpot stores as
// given (it exists for calling apps to name their own call id, see
// https://developers.hubspot.com/docs/api/crm/calls); FindCalls searches
// that property with an IN filter, which is what makes a retry after a
// lost response create the call exactly once. A custom property would
// need the schema-write scope and a setup step in every portal, so the
// built-in one is used. HubSpot's search index lags writes by seconds
// (crm-apis notes §1.6): the sync worker must wait about 10 s after an
// unknown outcome before asking FindCalls.
//
// The inputs also carry objectWriteTraceId = local id, so results of a 201
// or 207 batch are matched back to their inputs without relying on order.
//
// Pacing: the client keeps a sliding-window log of its own requests and
// waits before exceeding the burst limit (default 100 per 10 s, Free and
// Starter; WithRateLimit for 190 or 250), and it honours
// X-HubSpot-RateLimit-Remaining / -Interval-Milliseconds from responses. A
// classic token bucket would allow a full bucket plus the refill inside
// one rolling window, which HubSpot's TEN_SECONDLY_ROLLING limit refuses.
// Search requests have their own limit (4 per second per token,
// https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase)
// and are exempt from the burst limit. Pacing is waiting, not retrying: the
// adapter never re-sends a request by itself.
//
// Errors: 401 → crm.ErrAuth, 403 → crm.ErrForbidden, 429 →
// *crm.RateLimitError (Retry-After when sent; else TEN_SECONDLY_ROLLING
// waits for the window, DAILY until midnight in the portal's time zone),
// 5xx, 408, 423, 477, timeouts, resets and truncated bodies →
// crm.ErrTransient, other 4xx → crm.ErrRejected (404 OBJECT_NOT_FOUND →
// crm.ErrNotFound), a complete body that is not the expected JSON →
// crm.ErrBadResponse. Vendor errors are wrapped as *crm.APIError with
// HubSpot's category and message.
//
// Incremental pulls use search on lastmodifieddate (contacts) or
// hs_lastmodifieddate (companies, deals) GTE since, sorted ascending.
// HubSpot's search pages through at most 10,000 results; when a pull
// reaches that cap the cursor restarts the search from the last record's
// modification time (GTE, so records sharing that instant are sent again,
// which an upserting sync tolerates).
package hubspot

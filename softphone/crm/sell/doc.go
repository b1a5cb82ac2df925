// Package sell is the Zendesk Sell (Core API v2, formerly Base CRM) adapter
// of Pitchline's CRM plug-in: it implements [crm.Adapter].
//
// What it speaks (crm-apis.md §3; links beside the code):
//   - calls: POST /v2/calls with {"data":{...}}
//     (https://developer.zendesk.com/api-reference/sales-crm/resources/calls/),
//     made_at ISO-8601 UTC, duration in whole seconds, outcome_id read from
//     GET /v2/call_outcomes, the contact as resource_type/resource_id and
//     the deal in associated_deal_ids;
//   - tasks: POST /v2/tasks (content, due_date, remind_at, resource);
//   - lookup: GET /v2/contacts?phone= then ?mobile= (UNCONFIRMED filters);
//   - pull: GET /v2/contacts (is_organization=false for people, true for
//     companies) and GET /v2/deals, paged with page/per_page;
//   - call lists (crm.ListSource, lists.go): Sell's smart lists are not in
//     its API, so a list is a contact or lead tag (GET /v2/tags), its
//     records found with the Search API (POST /v3/contacts/search,
//     /v3/leads/search) and read with GET /v2/contacts?ids= or
//     /v2/leads?ids=.
//
// Authentication is "Authorization: Bearer <token>" (personal access token
// or OAuth 2.0 access token), and every request carries a User-Agent,
// which Sell requires (400 invalid_user_agent otherwise).
//
// Exactly-once: the local call UUID is the call's external_id, the field
// Sell offers for "your system's unique call id". The v2 calls list has no
// documented external_id filter, so FindCalls pages through GET /v2/calls
// (100 per page) and matches external_id.
//
// Rate limit: 36,000 requests per hour per token; a throttled request gets
// 429 without rate-limit headers, so RateLimitError.RetryAfter is zero
// unless a Retry-After header appears
// (https://developer.zendesk.com/api-reference/sales-crm/rate-limits/).
//
// The faithful fake used by the tests lives in sellfake.
package sell

// Package sellfake is a faithful in-memory fake of the parts of the Zendesk
// Sell Core API v2 that the sell adapter uses, served over real HTTP on
// 127.0.0.1 (crm-apis.md §3 and §7; links beside the handlers).
//
// It requires "Authorization: Bearer" and a User-Agent (400
// invalid_user_agent without one), validates the {"data":{...}} request
// envelope, required fields, JSON types, ISO-8601 times and outcome ids
// (an account-defined list served at GET /v2/call_outcomes), answers the
// {"data","meta"} / {"items","meta"} envelopes and the
// {"errors":[{"error":{code,message,details,field}}],"meta":{http_status,logref}}
// error shape (422 for validation errors), stores what it received, serves
// seeded contacts (people and organisations), leads, deals and tags with
// page/per_page paging, answers the Search API (POST /v3/contacts/search
// and /v3/leads/search, see search.go) for tag call lists, and enforces 36,000 requests per hour per token with a bare 429
// (no rate-limit headers). Faults come from the shared crmtest.Injector
// that wraps the handler; see Server.Faults.
package sellfake

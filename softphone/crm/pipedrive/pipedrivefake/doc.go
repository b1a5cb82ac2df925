// Package pipedrivefake is a faithful in-memory fake of the parts of
// Pipedrive's REST API v1 that the pipedrive adapter uses, served over real
// HTTP on 127.0.0.1 (crm-apis.md §2 and §7; links beside the handlers),
// and people filters (GET /v1/filters, GET /v1/persons?filter_id=; shapes
// from memory of Pipedrive's reference, see filters.go).
//
// It validates authentication (x-api-token header, ?api_token= or an OAuth
// Bearer token), required fields, JSON types, time formats and the
// call-log outcome enum, answers Pipedrive's {success,data,additional_data}
// envelope and {success:false,error,error_info} errors, stores what it
// received (query helpers for tests), serves seeded persons,
// organizations and deals with start/limit paging and /v1/recents, and
// enforces the documented rate limits: a rolling 2 s burst window per token
// with x-ratelimit-limit/-remaining/-reset headers (and
// x-daily-requests-left on POST/PUT), 10 searches per 2 s, and an optional
// daily budget. Faults (429, 5xx, timeouts, resets, malformed JSON,
// expired token, lost responses) come from the shared crmtest.Injector that
// wraps the handler; see Server.Faults.
package pipedrivefake

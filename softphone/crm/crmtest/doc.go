// Package crmtest is a small kit shared by the faithful CRM fakes
// (crm/hubspot/hubspotfake, and the Pipedrive, Sell and Zoho fakes): an
// http.Handler middleware, [Injector], that sits in front of a fake's own
// handler and
//
//   - injects scripted faults, either into the next N requests or into
//     requests whose method and path match a pattern: an HTTP status with
//     a body and headers (429 + Retry-After, 500/502/503), a timeout that
//     holds the request until the client gives up, a TCP reset, a 200 with
//     a truncated JSON body, and an expired-token 401. A fault can also be
//     applied after the fake handled the request (the "lost response":
//     the record exists but the client never hears so);
//   - enforces sliding-window rate limits ([Limiter], e.g. HubSpot's 100
//     requests per 10 s) and lets the fake write its vendor's own 429 body
//     and rate-limit headers through callbacks;
//   - keeps a request log (method, path, status, time, fault) and
//     counters.
//
// Time comes from an injectable [Clock]; [ManualClock] makes window
// arithmetic deterministic in tests.
//
// The package is test infrastructure, but it is an ordinary package (not a
// _test file) so that each vendor's fake package, and a process that runs
// a fake for a crash test, can import it.
package crmtest

// Package hubspotfake is an in-memory HubSpot for tests: the CRM v3
// endpoints the hubspot adapter uses (calls batch create and search,
// tasks create, contacts/companies/deals list and search, contacts batch
// read), the Lists API v3 (list search, list fetch, memberships; see
// lists.go), plus GET /account-info/v3/details and GET
// /calling/v1/dispositions.
//
// It is faithful where the adapter could go wrong:
//
//   - every request under /crm/v3/objects and /crm/v3/lists is validated with kin-openapi
//     against HubSpot's own OpenAPI specs, embedded from openapi/ (see
//     openapi/README.md for their origin); a mismatch gets HubSpot's 400
//     error body with category VALIDATION_ERROR;
//   - Bearer tokens, 401 INVALID_AUTHENTICATION / EXPIRED_AUTHENTICATION;
//   - the rolling burst limit (default 100 per 10 s) with HubSpot's 429
//     body (policyName TEN_SECONDLY_ROLLING) and both generations of
//     X-HubSpot-RateLimit-* headers, the per-second search limit (search
//     is exempt from the burst limit), and the daily limit (policyName
//     DAILY, reset at midnight in the portal's zone);
//   - batch create answers 201, or 207 with per-item errors carrying the
//     input's objectWriteTraceId in their context;
//   - search: filter groups ORed, filters ANDed, literal matching (no
//     phone normalisation), 200 results per page, 10,000 results at most,
//     optional index lag.
//
// Faults (resets, timeouts, 5xx, malformed bodies) come from the
// crmtest.Injector in front of the handler: see Server.Faults.
//
// References: https://developers.hubspot.com/docs/api/crm/calls,
// https://developers.hubspot.com/docs/api/crm/search,
// https://developers.hubspot.com/docs/api/usage-details.
package hubspotfake

// Package pipedrive is the Pipedrive adapter of Pitchline's CRM plug-in: it
// implements [crm.Adapter] over Pipedrive's REST API v1.
//
// What it speaks (see docs links beside the code):
//   - calls: POST /v1/callLogs (https://developers.pipedrive.com/docs/api/v1/CallLogs),
//     times as "YYYY-MM-DD HH:MM:SS" UTC, duration in seconds as a string,
//     outcome from the fixed six-value enum;
//   - tasks: POST /v1/activities with type "task"
//     (https://developers.pipedrive.com/docs/api/v1/Activities);
//   - lookup: GET /v1/persons/search?fields=phone&exact_match=true
//     (https://developers.pipedrive.com/docs/api/v1/Persons#searchPersons);
//   - pull: GET /v1/persons, /v1/organizations, /v1/deals for a full sync and
//     GET /v1/recents?since_timestamp= for an incremental one
//     (https://developers.pipedrive.com/docs/api/v1/Recents), paged with
//     start/limit.
//
// Authentication is the API token in the x-api-token header (the default),
// the legacy ?api_token= query parameter, or an OAuth access token as
// "Authorization: Bearer" (https://pipedrive.readme.io/docs/core-api-concepts-authentication).
//
// Exactly-once: call logs have no custom fields and no search, so the local
// call UUID goes into the note as the visible tag "[pitchline:<uuid>]";
// FindCalls pages through GET /v1/callLogs (50 per page, the documented
// maximum) and matches the tag. This costs one list request per 50 call logs
// of the user, which is acceptable because the sync worker only calls it for
// items whose earlier attempt had an unknown result.
//
// The faithful fake used by the tests lives in pipedrivefake.
package pipedrive

// Package zoho is the Zoho CRM adapter of Pitchline's CRM plug-in: it
// implements [crm.Adapter] over the REST API v2 (crm-apis.md §4; links
// beside the code).
//
//   - calls: POST /crm/v2/Calls with {"data":[...]}, up to 100 records per
//     request (MaxBatch 100), per-record results
//     (https://www.zoho.com/crm/developer/docs/api/v2/insert-records.html).
//     Call_Type Inbound/Outbound/Missed, Call_Start_Time ISO-8601 with an
//     offset, Call_Duration "mm:ss" plus Call_Duration_in_seconds,
//     Call_Result from the Calls module's picklist, Who_Id the contact,
//     What_Id + $se_module the deal (or account);
//   - tasks: POST /crm/v2/Tasks;
//   - lookup: GET /crm/v2/Contacts/search?phone= (and ?word= for Search)
//     (https://www.zoho.com/crm/developer/docs/api/v2/search-records.html);
//   - pull: GET /crm/v2/Contacts, /Accounts, /Deals with page/per_page (200
//     max) and If-Modified-Since for an incremental sync
//     (https://www.zoho.com/crm/developer/docs/api/v2/get-records.html).
//
// Authentication is "Authorization: Zoho-oauthtoken <access_token>"; the
// API domain depends on the data centre (.com, .eu, .in, ...), so the base
// URL is configurable.
//
// Exactly-once: the local call UUID is written into the call's Description
// as the tag "[pitchline:<uuid>]", and FindCalls runs
// GET /crm/v2/Calls/search?word=<uuid> for each id, then checks the tag in
// the returned Description (UNCONFIRMED that word search covers
// Description; crm-apis.md §4.2 documents word search on modules).
//
// The faithful fake used by the tests lives in zohofake.
package zoho

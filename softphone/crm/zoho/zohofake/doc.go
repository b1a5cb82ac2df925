// Package zohofake is a faithful in-memory fake of the parts of Zoho CRM's
// REST API v2 that the zoho adapter uses, served over real HTTP on
// 127.0.0.1 (crm-apis.md §4 and §7; links beside the handlers), and
// Contacts custom views (GET /crm/v2/settings/custom_views, GET
// /crm/v2/Contacts?cvid=; shapes from memory of Zoho's reference, see
// views.go).
//
// It requires "Authorization: Zoho-oauthtoken <token>", validates each
// inserted record (mandatory Subject, Call_Type Inbound/Outbound/Missed,
// Call_Start_Time ISO-8601 with offset, Call_Duration "mm:ss" for
// completed calls, Call_Result against the picklist, Who_Id/What_Id and
// $se_module against stored records), answers per-record results
// {code,details,message,status} (201 all created, 207 mixed, 400 all
// refused), 204 for an empty search, 304 for If-Modified-Since with no
// change, stores what it received, serves seeded Contacts, Accounts and
// Deals with page/per_page paging, and enforces the rolling 24-hour credit
// budget (429 LIMIT_EXCEEDED) and a concurrency cap (429
// TOO_MANY_REQUESTS). Faults come from the shared crmtest.Injector that
// wraps the handler; see Server.Faults.
package zohofake

// Package crm is the vendor-neutral contract between Pitchline and the CRMs
// it logs calls to: HubSpot, Pipedrive, Zendesk Sell and Zoho CRM. Each
// vendor lives in its own sub-package (crm/hubspot, crm/pipedrive, crm/sell,
// crm/zoho) and implements [Adapter]. The sync worker that drains the local
// outbox into an Adapter lives in crm/sync.
//
// crm is a plug-in of the engine: it may import softphone, but the engine
// never imports it (internal/archtest enforces this).
//
// Adapters speak each vendor's documented REST API; the base URL is always
// configurable so tests point them at the faithful fakes in the vendor
// sub-packages' fake packages, and so that HubSpot's dated API paths keep
// working. API tokens come from the OS keychain (softphone/secret) or, for
// automation, from an environment variable; an Adapter never writes them
// anywhere.
package crm

package store

// CRM names as the store gets them from the CRM plug-in (Vendor's
// values); the store itself treats them as opaque.
const (
	vendorHubSpot   Vendor = "hubspot"
	vendorPipedrive Vendor = "pipedrive"
	vendorSell      Vendor = "sell"
	vendorZoho      Vendor = "zoho"
)

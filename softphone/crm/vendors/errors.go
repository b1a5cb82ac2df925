package vendors

import "errors"

// ErrUnknownVendor is returned for a vendor name other than hubspot,
// pipedrive, sell or zoho.
var ErrUnknownVendor = errors.New("unknown CRM (hubspot, pipedrive, sell or zoho)")

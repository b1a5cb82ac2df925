package vendors

import (
	"fmt"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
)

// KeychainService is the OS keychain service under which CRM API tokens
// are stored, one entry per vendor (KeychainAccount). Tokens live nowhere
// else.
const KeychainService = "pitchline-crm"

// All lists the supported vendors.
var All = []crm.Vendor{crm.VendorHubSpot, crm.VendorPipedrive, crm.VendorSell, crm.VendorZoho}

// KeychainAccount is the keychain account holding v's API token.
func KeychainAccount(v crm.Vendor) string { return "crm:" + string(v) }

// BaseURLSetting is the store setting holding v's base URL ("" or absent:
// the vendor's own host).
func BaseURLSetting(v crm.Vendor) string { return "crm." + string(v) + ".base_url" }

// Parse returns the vendor named s.
func Parse(s string) (crm.Vendor, error) {
	for _, v := range All {
		if string(v) == s {
			return v, nil
		}
	}
	return "", fmt.Errorf("%q: %w", s, ErrUnknownVendor)
}

// New builds v's adapter with token. baseURL "" keeps the vendor's default
// host; tests point it at the vendor's fake.
func New(v crm.Vendor, token, baseURL string) (crm.Adapter, error) {
	switch v {
	case crm.VendorHubSpot:
		var opts []hubspot.Option
		if baseURL != "" {
			opts = append(opts, hubspot.WithBaseURL(baseURL))
		}
		return hubspot.New(token, opts...)
	case crm.VendorPipedrive:
		var opts []pipedrive.Option
		if baseURL != "" {
			opts = append(opts, pipedrive.WithBaseURL(baseURL))
		}
		return pipedrive.New(token, opts...)
	case crm.VendorSell:
		var opts []sell.Option
		if baseURL != "" {
			opts = append(opts, sell.WithBaseURL(baseURL))
		}
		return sell.New(token, opts...)
	case crm.VendorZoho:
		var opts []zoho.Option
		if baseURL != "" {
			opts = append(opts, zoho.WithBaseURL(baseURL))
		}
		return zoho.New(token, opts...)
	}
	return nil, fmt.Errorf("%q: %w", v, ErrUnknownVendor)
}

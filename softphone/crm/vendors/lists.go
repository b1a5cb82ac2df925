package vendors

import (
	"fmt"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive"
	"github.com/pitchline/pitchline/softphone/crm/sell"
	"github.com/pitchline/pitchline/softphone/crm/zoho"
)

// NewListSource builds the vendor's call-list source (HubSpot lists,
// Pipedrive filters, Sell contact and lead tags, Zoho custom views). dncField names
// the record field that holds a do-not-call flag where the vendor has no
// standard one ("" for none, or the vendor's default). baseURL "" keeps
// the vendor's default host. A vendor without list support yet returns an
// error wrapping crm.ErrUnsupported.
func NewListSource(v crm.Vendor, token, baseURL, dncField string) (crm.ListSource, error) {
	var a crm.Adapter
	var err error
	switch v {
	case crm.VendorHubSpot:
		opts := []hubspot.Option{hubspot.WithDoNotCallProperty(dncField)}
		if baseURL != "" {
			opts = append(opts, hubspot.WithBaseURL(baseURL))
		}
		a, err = hubspot.New(token, opts...)
	case crm.VendorPipedrive:
		opts := []pipedrive.Option{pipedrive.WithDoNotCallField(dncField)}
		if baseURL != "" {
			opts = append(opts, pipedrive.WithBaseURL(baseURL))
		}
		a, err = pipedrive.New(token, opts...)
	case crm.VendorZoho:
		opts := []zoho.Option{zoho.WithDoNotCallField(dncField)}
		if baseURL != "" {
			opts = append(opts, zoho.WithBaseURL(baseURL))
		}
		a, err = zoho.New(token, opts...)
	case crm.VendorSell:
		// Sell's smart lists are in no documented API; its lists here are
		// contact and lead tags (softphone/crm/sell/lists.go).
		opts := []sell.Option{sell.WithDoNotCallField(dncField)}
		if baseURL != "" {
			opts = append(opts, sell.WithBaseURL(baseURL))
		}
		a, err = sell.New(token, opts...)
	default:
		if _, perr := Parse(string(v)); perr != nil {
			return nil, perr
		}
		a, err = New(v, token, baseURL)
	}
	if err != nil {
		return nil, err
	}
	ls, ok := a.(crm.ListSource)
	if !ok {
		return nil, fmt.Errorf("%s call lists: %w", v, crm.ErrUnsupported)
	}
	return ls, nil
}

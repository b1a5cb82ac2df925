package vendors

import (
	"errors"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
)

func TestNewEveryVendor(t *testing.T) {
	for _, v := range All {
		a, err := New(v, "token", "http://127.0.0.1:9")
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if a.Vendor() != v {
			t.Errorf("New(%s) built a %s adapter", v, a.Vendor())
		}
		if p, err := Parse(string(v)); err != nil || p != v {
			t.Errorf("Parse(%q) = %q, %v", v, p, err)
		}
	}
	if _, err := New("salesforce", "t", ""); !errors.Is(err, ErrUnknownVendor) {
		t.Errorf("unknown vendor: %v, want ErrUnknownVendor", err)
	}
	if _, err := Parse("Hubspot"); !errors.Is(err, ErrUnknownVendor) {
		t.Errorf("Parse is exact: %v", err)
	}
	if KeychainAccount(crm.VendorZoho) != "crm:zoho" || BaseURLSetting(crm.VendorSell) != "crm.sell.base_url" {
		t.Error("the keychain and settings names changed: tokens stored by earlier versions would be lost")
	}
}

// TestNewListSourceEveryVendor: every vendor has a call-list source (Sell's
// are its contact and lead tags), with or without a do-not-call field.
func TestNewListSourceEveryVendor(t *testing.T) {
	for _, v := range All {
		for _, dnc := range []string{"", "do_not_call"} {
			ls, err := NewListSource(v, "token", "http://127.0.0.1:9", dnc)
			if err != nil || ls.Vendor() != v {
				t.Fatalf("NewListSource(%s, %q) = %v, %v", v, dnc, ls, err)
			}
		}
	}
	if _, err := NewListSource("salesforce", "t", "", ""); !errors.Is(err, ErrUnknownVendor) {
		t.Errorf("unknown vendor: %v, want ErrUnknownVendor", err)
	}
}

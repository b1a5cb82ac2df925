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

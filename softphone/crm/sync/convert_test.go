package sync

import (
	"reflect"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// TestConversionKeepsEveryValue: the store's vocabulary and the CRM
// package's are the same strings, value for value, so the conversions in
// convert.go lose nothing.
func TestConversionKeepsEveryValue(t *testing.T) {
	statuses := map[store.CallStatus]crm.CallStatus{
		store.StatusCompleted: crm.StatusCompleted, store.StatusNoAnswer: crm.StatusNoAnswer,
		store.StatusBusy: crm.StatusBusy, store.StatusFailed: crm.StatusFailed,
		store.StatusCanceled: crm.StatusCanceled, store.StatusMissed: crm.StatusMissed,
	}
	if len(store.CallStatuses()) != len(statuses) {
		t.Errorf("store has %d call statuses, the test knows %d", len(store.CallStatuses()), len(statuses))
	}
	for _, s := range store.CallStatuses() {
		want, ok := statuses[s]
		if got := CRMCall(store.SyncCall{Status: s}).Status; !ok || got != want {
			t.Errorf("status %q -> %q, want %q", s, got, want)
		}
	}
	for s, want := range map[store.Direction]crm.Direction{store.Inbound: crm.Inbound, store.Outbound: crm.Outbound} {
		if got := CRMCall(store.SyncCall{Direction: s}).Direction; got != want {
			t.Errorf("direction %q -> %q, want %q", s, got, want)
		}
	}
	if StoreVendor(crm.VendorLocal) != store.VendorLocal {
		t.Errorf("crm.VendorLocal -> %q, want %q", StoreVendor(crm.VendorLocal), store.VendorLocal)
	}
	for _, v := range []crm.Vendor{crm.VendorHubSpot, crm.VendorPipedrive, crm.VendorSell, crm.VendorZoho} {
		if got := CRMVendor(StoreVendor(v)); got != v {
			t.Errorf("vendor %q -> %q and back", v, got)
		}
	}
}

// TestConversionCopiesEveryField: CRMCall and CRMTask fill every field of
// crm.Call and crm.Task from the same-named field of the store's record,
// and both sides have the same fields (a field added to one side only
// fails here).
func TestConversionCopiesEveryField(t *testing.T) {
	check := func(src, dst any) {
		t.Helper()
		s, d := reflect.ValueOf(src), reflect.ValueOf(dst)
		if s.NumField() != d.NumField() {
			t.Errorf("%s has %d fields, %s %d", s.Type(), s.NumField(), d.Type(), d.NumField())
		}
		for i := range d.NumField() {
			name := d.Type().Field(i).Name
			sf := s.FieldByName(name)
			if !sf.IsValid() {
				t.Errorf("%s.%s has no counterpart in %s", d.Type(), name, s.Type())
				continue
			}
			df := d.Field(i)
			if df.IsZero() || !sf.Type().ConvertibleTo(df.Type()) || !reflect.DeepEqual(sf.Convert(df.Type()).Interface(), df.Interface()) {
				t.Errorf("%s.%s = %v, want %v", d.Type(), name, df, sf)
			}
		}
	}
	// fill gives every field of *p a distinct non-zero value.
	fill := func(p any) {
		v := reflect.ValueOf(p).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			switch f.Interface().(type) {
			case time.Time:
				f.Set(reflect.ValueOf(time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)))
			case time.Duration:
				f.Set(reflect.ValueOf(time.Duration(i+1) * time.Second))
			default:
				if f.Kind() != reflect.String {
					t.Fatalf("%s.%s: fill knows no %s", v.Type(), v.Type().Field(i).Name, f.Type())
				}
				f.SetString(v.Type().Field(i).Name + "-value")
			}
		}
	}
	var c store.SyncCall
	fill(&c)
	check(c, CRMCall(c))
	var tk store.SyncTask
	fill(&tk)
	check(tk, CRMTask(tk))
}

package app

import (
	"slices"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

// TestUnmappedOutcomeIsReported connects HubSpot from the window: outcomes
// are mapped by label (softphone/crm/sync.MapOutcomes, shared with the
// command line), the rep is told which outcomes have no HubSpot value, and
// a call saved with such an outcome is announced when it reaches HubSpot
// without one, not sent silently (issue 9 §4).
func TestUnmappedOutcomeIsReported(t *testing.T) {
	fake, err := hubspotfake.New(hubspotfake.WithToken("tok-unmapped"))
	if err != nil {
		t.Fatal(err)
	}
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fake.Close() })
	a, l := startApp(t, t.TempDir(), newKeychain(t))
	s := a.svcs
	if _, err := s.Crm.Connect(CRMConnectInput{Vendor: "hubspot", BaseURL: base, Token: "tok-unmapped"}); err != nil {
		t.Fatal(err)
	}
	n := waitFor(t, l, EvNotice, "unmapped outcomes on connect", func(n Notice) bool { return n.Code == CodeOutcomeUnmapped })
	if !strings.Contains(n.Message, "“Meeting booked”") || !strings.Contains(n.Message, "“Not interested”") ||
		strings.Contains(n.Message, "“Connected”") || !strings.Contains(n.Message, "HubSpot") {
		t.Fatalf("connect notice %+v: want the unmapped outcomes named, and only those", n)
	}
	// The window says it in its own language from the params.
	if labels := strings.Split(n.Params["labels"], "\n"); n.Params["vendor"] != "HubSpot" || len(labels) != 2 ||
		!slices.Contains(labels, "Meeting booked") || !slices.Contains(labels, "Not interested") {
		t.Fatalf("connect notice params %q, want the vendor and the unmapped labels one per line", n.Params)
	}
	outcomes, err := s.Outcomes.List(false)
	if err != nil {
		t.Fatal(err)
	}
	var booked OutcomeView
	for _, o := range outcomes {
		switch o.Label {
		case "Meeting booked":
			booked = o
		case "Connected", "Left voicemail", "No answer":
			if o.Mapping["hubspot"] == "" {
				t.Errorf("%q not mapped by label: %+v", o.Label, o)
			}
		}
	}
	if booked.ID == 0 || booked.Mapping["hubspot"] != "" {
		t.Fatalf("Meeting booked: %+v", booked)
	}

	v, err := s.Calls.Dial("+15550100166")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, l, v.ID, "connected")
	hangUpAndForm(t, a, l, v.ID)
	if _, err := s.Forms.Save(FormInput{CallID: v.ID, OutcomeID: booked.ID, Notes: "booked a demo"}); err != nil {
		t.Fatal(err)
	}
	n = waitFor(t, l, EvNotice, "unmapped outcome on sync", func(n Notice) bool {
		return n.Code == CodeOutcomeSyncedUnmapped
	})
	if !strings.Contains(n.Message, "“Meeting booked”") || !strings.Contains(n.Message, "reached HubSpot without an outcome") ||
		!strings.Contains(n.Message, "Settings → Outcomes") || n.Params["labels"] != "Meeting booked" || n.Params["vendor"] != "HubSpot" {
		t.Fatalf("sync notice %+v", n)
	}
	calls := fake.Calls()
	if len(calls) != 1 || calls[0].Properties["hs_call_disposition"] != "" || !strings.Contains(calls[0].Properties["hs_call_body"], "booked a demo") {
		t.Fatalf("HubSpot holds %+v", calls)
	}
}

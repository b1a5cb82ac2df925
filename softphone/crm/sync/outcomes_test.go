package sync

import (
	"context"
	"slices"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

// TestMapOutcomesByLabel maps the default outcomes to HubSpot's default
// dispositions by label, keeps a mapping set by hand, and lists the
// enabled outcomes left without a value.
func TestMapOutcomesByLabel(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	list, err := e.st.Outcomes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, o := range list {
		ids[o.Label] = o.ID
	}
	// By hand: "Busy" means HubSpot's "Left live message" in this account;
	// "Wrong number" is not offered any more.
	const liveMessage = "a4c4c377-d246-4b32-a13b-75a56a4cd0ff"
	if err := e.st.SetOutcomeMapping(ctx, ids["Busy"], hubspotV, liveMessage); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetOutcomeEnabled(ctx, ids["Wrong number"], false); err != nil {
		t.Fatal(err)
	}
	res, err := MapOutcomes(ctx, e.st, e.client("test-token"))
	if err != nil {
		t.Fatal(err)
	}
	wantMapped := []string{"Connected", "Left voicemail", "Left live message", "No answer", "Wrong number"}
	wantUnmapped := []string{"Not interested", "Meeting booked"}
	if !slices.Equal(res.Mapped, wantMapped) || !slices.Equal(res.Unmapped, wantUnmapped) {
		t.Fatalf("mapped %q, unmapped %q; want %q and %q", res.Mapped, res.Unmapped, wantMapped, wantUnmapped)
	}
	byLabel := map[string]string{}
	for _, d := range hubspotfake.DefaultDispositions {
		byLabel[d.Label] = d.ID
	}
	after, err := e.st.Outcomes(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range after {
		want := byLabel[o.Label]
		switch o.Label {
		case "Busy":
			want = liveMessage
		case "Talked to the buyer": // mapped by newEnv
			want = connected
		}
		if o.Mapping[hubspotV] != want {
			t.Errorf("%q maps to %q, want %q", o.Label, o.Mapping[hubspotV], want)
		}
	}
	if u, err := UnmappedOutcomes(ctx, e.st, crm.VendorHubSpot); err != nil || !slices.Equal(u, wantUnmapped) {
		t.Fatalf("UnmappedOutcomes %q %v", u, err)
	}
	// Again: nothing new to map.
	if res, err := MapOutcomes(ctx, e.st, e.client("test-token")); err != nil || len(res.Mapped) != 0 {
		t.Fatalf("second MapOutcomes: %+v %v", res, err)
	}
}

// TestDrainCountsUnmappedOutcomes: a call whose outcome has no value for
// the CRM is sent without one and counted in Progress.Unmapped by label;
// mapped ones are not.
func TestDrainCountsUnmappedOutcomes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	mapped := e.logCalls(2, 0)
	o, err := e.st.CreateOutcome(ctx, "Gatekeeper")
	if err != nil {
		t.Fatal(err)
	}
	e.outcome = o.ID
	unmapped := e.logCalls(3, 0)
	p, err := e.worker(e.client("test-token")).Drain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.Done != 5 || len(p.Unmapped) != 1 || p.Unmapped["Gatekeeper"] != 3 {
		t.Fatalf("progress %+v, want 5 sent and 3 without an outcome (Gatekeeper)", p)
	}
	for _, id := range mapped {
		if c, _ := e.fake.CallByExternalID(id); c.Properties["hs_call_disposition"] != connected {
			t.Errorf("mapped call %s: %v", id, c.Properties)
		}
	}
	for _, id := range unmapped {
		if c, _ := e.fake.CallByExternalID(id); c.Properties["hs_call_disposition"] != "" {
			t.Errorf("unmapped call %s: %v", id, c.Properties)
		}
	}
}

package app

import (
	"slices"
	"testing"
)

// offeredLabels returns the labels of the enabled outcomes in list.
func offeredLabels(list []OutcomeView) []string {
	var out []string
	for _, o := range list {
		if o.Enabled && !o.Deleted {
			out = append(out, o.Label)
		}
	}
	return out
}

// TestOutcomeChangesReachOpenForms: while a form is open, creating,
// renaming, disabling and deleting outcomes emits EvOutcomes with the
// admin's list, and the pending form (Pending and the snapshot) offers the
// current enabled outcomes.
func TestOutcomeChangesReachOpenForms(t *testing.T) {
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs
	v, err := s.Calls.Dial("100")
	if err != nil {
		t.Fatal(err)
	}
	callState(t, l, v.ID, "connected")
	form := hangUpAndForm(t, a, l, v.ID)
	if slices.Contains(offeredLabels(form.Outcomes), "Wrong person") {
		t.Fatalf("form outcomes before: %v", offeredLabels(form.Outcomes))
	}
	pendingLabels := func() []string {
		t.Helper()
		p, err := s.Forms.Pending()
		if err != nil || len(p.Pending) != 1 {
			t.Fatalf("pending forms: %+v %v", p, err)
		}
		snap, err := s.System.Snapshot()
		if err != nil || len(snap.Forms.Pending) != 1 {
			t.Fatalf("snapshot forms: %+v %v", snap.Forms, err)
		}
		if a, b := offeredLabels(p.Pending[0].Outcomes), offeredLabels(snap.Forms.Pending[0].Outcomes); !slices.Equal(a, b) {
			t.Fatalf("Pending %v, snapshot %v", a, b)
		}
		return offeredLabels(p.Pending[0].Outcomes)
	}

	list, err := s.Outcomes.Create("Wrong person")
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, o := range list {
		if o.Label == "Wrong person" {
			id = o.ID
		}
	}
	ev := waitFor(t, l, EvOutcomes, "created", func(list []OutcomeView) bool { return slices.Contains(offeredLabels(list), "Wrong person") })
	if len(ev) != len(list) {
		t.Fatalf("event %d outcomes, List %d", len(ev), len(list))
	}
	if got := pendingLabels(); !slices.Contains(got, "Wrong person") {
		t.Fatalf("open form after create: %v", got)
	}

	if _, err := s.Outcomes.Rename(id, "Wrong contact"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, l, EvOutcomes, "renamed", func(list []OutcomeView) bool { return slices.Contains(offeredLabels(list), "Wrong contact") })
	if got := pendingLabels(); !slices.Contains(got, "Wrong contact") || slices.Contains(got, "Wrong person") {
		t.Fatalf("open form after rename: %v", got)
	}

	if _, err := s.Outcomes.SetEnabled(id, false); err != nil {
		t.Fatal(err)
	}
	ev = waitFor(t, l, EvOutcomes, "disabled", func(list []OutcomeView) bool {
		for _, o := range list {
			if o.ID == id && !o.Enabled {
				return true
			}
		}
		return false
	})
	if slices.Contains(offeredLabels(ev), "Wrong contact") {
		t.Fatalf("disabled outcome offered: %v", ev)
	}
	if got := pendingLabels(); slices.Contains(got, "Wrong contact") {
		t.Fatalf("open form after disable: %v", got)
	}

	connected := int64(0)
	for _, o := range ev {
		if o.Label == "Connected" {
			connected = o.ID
		}
	}
	if _, err := s.Outcomes.Delete(connected); err != nil {
		t.Fatal(err)
	}
	ev = waitFor(t, l, EvOutcomes, "deleted", func(list []OutcomeView) bool { return !slices.Contains(offeredLabels(list), "Connected") })
	for _, o := range ev {
		if o.ID == connected {
			t.Fatalf("deleted outcome in the event: %+v", o)
		}
	}
	if got := pendingLabels(); slices.Contains(got, "Connected") || len(got) == 0 {
		t.Fatalf("open form after delete: %v", got)
	}
	// A bad change emits nothing new and keeps the form's list.
	before := pendingLabels()
	if _, err := s.Outcomes.Rename(id, ""); err == nil {
		t.Fatal("empty label accepted")
	}
	if got := pendingLabels(); !slices.Equal(got, before) {
		t.Fatalf("form changed by a refused rename: %v → %v", before, got)
	}
}

package sync

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/store"
)

// OutcomeMapping tells what MapOutcomes found: the outcomes it mapped, and
// the enabled outcomes that still have no value in the CRM's vocabulary
// (calls logged with those reach the CRM without an outcome).
type OutcomeMapping struct {
	Vendor crm.Vendor
	// Mapped lists the labels mapped by this call, in display order.
	Mapped []string
	// Unmapped lists the labels of enabled outcomes with no value for the
	// vendor, in display order.
	Unmapped []string
}

// MapOutcomes maps every outcome that has no value for a's CRM yet to the
// CRM's outcome with the same label (case-insensitive, spaces trimmed),
// e.g. "No answer" to HubSpot's "No answer" disposition id. Mappings set
// by hand are kept. Both the desktop app and `pitchline crm connect` call
// it when a CRM is connected, so an outcome reaches the CRM whichever way
// it was connected.
func MapOutcomes(ctx context.Context, st *store.Store, a crm.Adapter) (OutcomeMapping, error) {
	v := a.Vendor()
	res := OutcomeMapping{Vendor: v}
	vo, err := a.Outcomes(ctx)
	if err != nil {
		return res, fmt.Errorf("reading the %s call outcomes: %w", v, err)
	}
	byLabel := map[string]string{}
	for _, o := range vo {
		if k := labelKey(o.Label); k != "" && o.Value != "" {
			if _, dup := byLabel[k]; !dup {
				byLabel[k] = o.Value
			}
		}
	}
	list, err := st.Outcomes(ctx, true)
	if err != nil {
		return res, err
	}
	for _, o := range list {
		if o.Deleted || o.Mapping[StoreVendor(v)] != "" {
			continue
		}
		val := byLabel[labelKey(o.Label)]
		if val == "" {
			if o.Enabled {
				res.Unmapped = append(res.Unmapped, o.Label)
			}
			continue
		}
		if err := st.SetOutcomeMapping(ctx, o.ID, StoreVendor(v), val); err != nil {
			return res, fmt.Errorf("mapping outcome %q to %s: %w", o.Label, v, err)
		}
		res.Mapped = append(res.Mapped, o.Label)
	}
	return res, nil
}

// UnmappedOutcomes lists the enabled outcomes that have no value for v, in
// display order.
func UnmappedOutcomes(ctx context.Context, st *store.Store, v crm.Vendor) ([]string, error) {
	list, err := st.Outcomes(ctx, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range list {
		if o.Mapping[StoreVendor(v)] == "" {
			out = append(out, o.Label)
		}
	}
	return out, nil
}

func labelKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// noOutcome reports whether c carries a local outcome that has no value
// in the CRM's vocabulary (no mapping): the CRM gets the call without it.
func noOutcome(c crm.Call) bool { return c.OutcomeLabel != "" && c.Outcome == "" }

// SortedLabels returns the labels of an Unmapped count map, sorted.
func SortedLabels(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

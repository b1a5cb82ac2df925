package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	crmsync "github.com/pitchline/pitchline/softphone/crm/sync"
	"github.com/pitchline/pitchline/softphone/store"
)

// VendorOutcomeView is one value of a CRM's call-outcome vocabulary (what
// an outcome can be mapped to).
type VendorOutcomeView struct {
	// Value is what goes on the wire (HubSpot disposition GUID, ...).
	Value string `json:"value"`
	// Label is the CRM's label.
	Label string `json:"label"`
}

// OutcomesService is the outcomes admin: create, rename, delete, enable
// and disable outcomes, and map each to every CRM's vocabulary.
type OutcomesService struct{ c *core }

// storeErr turns the store's validation errors into invalid_argument.
func storeErr(err error) error {
	if errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrDuplicate) || errors.Is(err, store.ErrTooLarge) {
		return fmt.Errorf("%w: %v", ErrInvalidArgument, err)
	}
	return err
}

// List returns every outcome that is not deleted (includeDisabled) or only
// the enabled ones.
func (s *OutcomesService) List(includeDisabled bool) ([]OutcomeView, error) {
	list, err := s.c.outcomeViews(includeDisabled)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, o := range list {
		if !o.Deleted {
			out = append(out, o)
		}
	}
	return out, nil
}

// Create adds an enabled outcome at the end of the list.
func (s *OutcomesService) Create(label string) ([]OutcomeView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if _, err := st.CreateOutcome(s.c.ctx, strings.TrimSpace(label)); err != nil {
		return nil, storeErr(err)
	}
	return s.c.outcomesChanged()
}

// Rename changes an outcome's label (old calls show the new label).
func (s *OutcomesService) Rename(id int64, label string) ([]OutcomeView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if err := st.RenameOutcome(s.c.ctx, id, strings.TrimSpace(label)); err != nil {
		return nil, storeErr(err)
	}
	return s.c.outcomesChanged()
}

// Delete removes an outcome from the list; calls that have it keep it.
func (s *OutcomesService) Delete(id int64) ([]OutcomeView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if err := st.DeleteOutcome(s.c.ctx, id); err != nil {
		return nil, storeErr(err)
	}
	return s.c.outcomesChanged()
}

// SetEnabled offers (true) or stops offering (false) an outcome.
func (s *OutcomesService) SetEnabled(id int64, enabled bool) ([]OutcomeView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	if err := st.SetOutcomeEnabled(s.c.ctx, id, enabled); err != nil {
		return nil, storeErr(err)
	}
	return s.c.outcomesChanged()
}

// SetMapping maps an outcome to a CRM's value ("" removes the mapping).
func (s *OutcomesService) SetMapping(id int64, vendor, value string) ([]OutcomeView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	v, err := parseVendor(vendor)
	if err != nil {
		return nil, err
	}
	if err := st.SetOutcomeMapping(s.c.ctx, id, crmsync.StoreVendor(v), strings.TrimSpace(value)); err != nil {
		return nil, storeErr(err)
	}
	return s.c.outcomesChanged()
}

// outcomesChanged tells the UI that the outcome list changed (EvOutcomes)
// and gives the pending forms the enabled outcomes, so a form that is open
// (or shown again from the snapshot) offers the current list. It returns
// every outcome that is not deleted, as OutcomesService.List(true).
func (c *core) outcomesChanged() ([]OutcomeView, error) {
	list, err := c.outcomeViews(true)
	if err != nil {
		return nil, err
	}
	all := make([]OutcomeView, 0, len(list))
	offered := make([]OutcomeView, 0, len(list))
	for _, o := range list {
		if o.Deleted {
			continue
		}
		all = append(all, o)
		if o.Enabled {
			offered = append(offered, o)
		}
	}
	c.forms.mu.Lock()
	for _, e := range c.forms.entries {
		if e.logged {
			e.view.Outcomes = offered
		}
	}
	c.forms.mu.Unlock()
	emit(c.out, EvOutcomes, all)
	return all, nil
}

// VendorOutcomes reads the connected CRM's outcome vocabulary (HubSpot:
// GET /calling/v1/dispositions).
func (s *OutcomesService) VendorOutcomes() ([]VendorOutcomeView, error) {
	a, _, err := s.c.crm.adapterNow()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(s.c.ctx, 20*time.Second)
	defer cancel()
	list, err := a.Outcomes(ctx)
	if err != nil {
		return nil, crmErr(err)
	}
	out := make([]VendorOutcomeView, 0, len(list))
	for _, o := range list {
		out = append(out, VendorOutcomeView{Value: o.Value, Label: o.Label})
	}
	return out, nil
}

// autoMap maps every outcome that has no value for a's CRM yet to the
// CRM's outcome with the same label (softphone/crm/sync.MapOutcomes, the
// same code `pitchline crm connect` runs), and tells the rep which
// outcomes are left without one: calls with those reach the CRM without
// an outcome.
func (c *core) autoMap(ctx context.Context, a crm.Adapter) {
	res, err := crmsync.MapOutcomes(ctx, c.st, a)
	if err != nil {
		c.log.Warn("CRM outcomes not mapped", "vendor", a.Vendor(), "err", err)
		emit(c.out, EvNotice, Notice{Level: "warning", Code: CodeOutcomeMatchFailed, Params: map[string]string{"vendor": a.Vendor().Name()},
			Message: fmt.Sprintf("Outcomes could not be matched with %s's: calls reach %s without an outcome until you map them in Settings → Outcomes.",
				a.Vendor().Name(), a.Vendor().Name())})
		return
	}
	if len(res.Mapped) > 0 {
		c.log.Info("outcomes mapped by label", "vendor", a.Vendor(), "outcomes", res.Mapped)
		if _, err := c.outcomesChanged(); err != nil {
			c.log.Warn("outcomes not announced", "err", err)
		}
	}
	if len(res.Unmapped) > 0 {
		c.log.Info("outcomes without a CRM value", "vendor", a.Vendor(), "outcomes", res.Unmapped)
		emit(c.out, EvNotice, Notice{Level: "warning", Code: CodeOutcomeUnmapped,
			Params: map[string]string{"vendor": a.Vendor().Name(), "labels": strings.Join(res.Unmapped, "\n")},
			Message: fmt.Sprintf("%s has no outcome named %s: calls with these outcomes reach %s without one. Map them in Settings → Outcomes.",
				a.Vendor().Name(), quoteLabels(res.Unmapped), a.Vendor().Name())})
	}
}

// Notice codes of outcomes and the connected CRM's vocabulary (their
// Params: vendor, and labels one per line).
const (
	// CodeOutcomeUnmapped: outcomes with no value in the CRM's vocabulary
	// (their calls reach the CRM without one).
	CodeOutcomeUnmapped = "crm_outcome_unmapped"
	// CodeOutcomeMatchFailed: the CRM's outcomes could not be read to
	// match ours.
	CodeOutcomeMatchFailed = "crm_outcome_match_failed"
	// CodeOutcomeSyncedUnmapped: calls were synced without an outcome
	// because theirs has no mapping.
	CodeOutcomeSyncedUnmapped = "crm_outcome_synced_unmapped"
)

// noteUnmapped tells the rep, once per outcome while the worker runs,
// that calls were synced without a CRM outcome because their outcome has
// no mapping.
func (c *core) noteUnmapped(v crm.Vendor, counts map[string]int) {
	var fresh []string
	c.crm.mu.Lock()
	for _, l := range crmsync.SortedLabels(counts) {
		if !c.crm.unmappedSaid[l] {
			if c.crm.unmappedSaid == nil {
				c.crm.unmappedSaid = map[string]bool{}
			}
			c.crm.unmappedSaid[l] = true
			fresh = append(fresh, l)
		}
	}
	c.crm.mu.Unlock()
	if len(fresh) == 0 {
		return
	}
	emit(c.out, EvNotice, Notice{Level: "warning", Code: CodeOutcomeSyncedUnmapped,
		Params: map[string]string{"vendor": v.Name(), "labels": strings.Join(fresh, "\n")},
		Message: fmt.Sprintf("Calls with the outcome %s reached %s without an outcome: it is not mapped to one of %s's. Map it in Settings → Outcomes.",
			quoteLabels(fresh), v.Name(), v.Name())})
}

// quoteLabels writes labels as “A”, “B” and “C”.
func quoteLabels(labels []string) string {
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = "“" + l + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

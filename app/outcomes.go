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

// autoMap maps every outcome that has no value for v yet to the vendor
// outcome with the same label (case-insensitive), e.g. "No answer" to
// HubSpot's "No answer" disposition GUID.
func (c *core) autoMap(ctx context.Context, a crm.Adapter) {
	vo, err := a.Outcomes(ctx)
	if err != nil {
		c.log.Warn("CRM outcomes not read", "vendor", a.Vendor(), "err", err)
		return
	}
	byLabel := map[string]string{}
	for _, o := range vo {
		byLabel[strings.ToLower(strings.TrimSpace(o.Label))] = o.Value
	}
	list, err := c.st.Outcomes(ctx, true)
	if err != nil {
		return
	}
	changed := false
	for _, o := range list {
		if o.Deleted || o.Mapping[crmsync.StoreVendor(a.Vendor())] != "" {
			continue
		}
		if val := byLabel[strings.ToLower(o.Label)]; val != "" {
			if err := c.st.SetOutcomeMapping(ctx, o.ID, crmsync.StoreVendor(a.Vendor()), val); err != nil {
				c.log.Warn("outcome mapping", "outcome", o.Label, "err", err)
				continue
			}
			changed = true
		}
	}
	if changed {
		if _, err := c.outcomesChanged(); err != nil {
			c.log.Warn("outcomes not announced", "err", err)
		}
	}
}

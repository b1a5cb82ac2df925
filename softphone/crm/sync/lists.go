package sync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/store"
)

// A CRM's own list (HubSpot list, Pipedrive filter, Sell tag, Zoho
// custom view) becomes a dialer call list here: this package is the one
// that may see both the CRM plug-in and the store.
//
// The call list's id is CallListID(vendor, list id), so pulling the same
// CRM list again refreshes it in place. Each contact carries its CRM
// record in Extra (ExtraCRM, ExtraCRMID). A session's attempts point at
// contact positions, so a refresh keeps every contact already on the list
// at its position: updated from the CRM when still there, kept with no
// number (ExtraRemoved "true"; a session skips it) when the CRM list no
// longer has it. New records are appended. Session history and attempts
// are therefore untouched by a refresh.
//
// A contact the CRM flags do-not-call (crm.ListContact.DoNotCall) has
// ExtraDoNotCall "true", and its numbers go on the local do-not-call list
// with source DNCSource(vendor), which the dialer checks before every dial
// (and click-to-call too). A refresh that finds the flag lifted takes off
// the numbers it put there, never those added by hand or from a file.

// Keys of dialer.Contact.Extra set on contacts pulled from a CRM.
const (
	ExtraCRM       = "crm"
	ExtraCRMID     = "crm_id"
	ExtraDoNotCall = "do_not_call"
	ExtraRemoved   = "crm_removed"
)

// CallListID is the dialer list id of a CRM list.
func CallListID(v crm.Vendor, listID string) string { return "crm:" + string(v) + ":" + listID }

// DNCSource is the do-not-call source of numbers a CRM flagged.
func DNCSource(v crm.Vendor) string { return "crm:" + string(v) }

// ListProblem is a CRM record that did not reach the call list as is.
type ListProblem struct {
	// CRMID and Name identify the record.
	CRMID, Name string
	// Reason is empty_phone, invalid_number or duplicate (the record was
	// left off, or kept at its place with no number on a refresh), or ""
	// for a warning (a number left out, an unknown time zone).
	Reason dialer.RejectReason
	// Kind names the sentence (ProblemEmptyPhone ...), so that a window can
	// say it in its own language from Name, Number, Label and Other.
	Kind string
	// Number and Label are the number concerned and its label (phone,
	// mobile ...), for ProblemNumberLeftOut and ProblemNumberShared (and
	// the first bad number for ProblemInvalidNumber).
	Number, Label string
	// Other is the earlier contact that has the number (ProblemNumberShared),
	// or the time zone not known (ProblemTimeZone).
	Other string
	// Message is one sentence a rep can act on, in English (the CLI's and
	// the log's; with a number left out it also says why).
	Message string
}

// The kinds of ListProblem.
const (
	ProblemEmptyPhone    = "empty_phone"     // no number at all
	ProblemInvalidNumber = "invalid_number"  // no number that parses
	ProblemDuplicate     = "duplicate"       // only numbers earlier contacts have
	ProblemNumberLeftOut = "number_left_out" // one number did not parse; the others kept
	ProblemNumberShared  = "number_shared"   // one number is an earlier contact's; dialled once
	ProblemTimeZone      = "time_zone"       // the record's time zone is unknown; the number's is used
)

// ListPullOptions tune PullCallList.
type ListPullOptions struct {
	// Name names a new call list (default: the CRM list's name); on a
	// refresh a non-empty Name renames it.
	Name string
	// Region reads national numbers ("US" when empty).
	Region string
	// Progress, when set, gets the records read so far and the total (-1
	// when unknown) after each page.
	Progress func(done, total int)
}

// ListPullResult says what a pull did.
type ListPullResult struct {
	// List is the saved call list.
	List *dialer.List
	// Created is true on the first pull, false on a refresh.
	Created bool
	// Pulled counts the records the CRM list holds.
	Pulled int
	// Added, Updated and Removed count contacts appended, refreshed in
	// place, and newly marked removed.
	Added, Updated, Removed int
	// DoNotCall counts the records flagged do-not-call in the CRM.
	DoNotCall int
	// Problems lists the records left off or kept without a number, and
	// warnings.
	Problems []ListProblem
}

// PullCallList pulls CRM list listID from src and saves it as a dialer
// call list in st, creating it or refreshing it (see the comment above).
// Nothing is saved when the pull fails.
func PullCallList(ctx context.Context, st *store.Store, src crm.ListSource, listID string, opts ListPullOptions) (*ListPullResult, error) {
	if st == nil || src == nil {
		return nil, fmt.Errorf("%w: nil store or list source", ErrBadOption)
	}
	v := src.Vendor()
	region := strings.ToUpper(opts.Region)
	if region == "" {
		region = "US"
	}
	id := CallListID(v, listID)
	old, err := dialer.LoadList(ctx, st, id)
	if err != nil && !errors.Is(err, dialer.ErrNotFound) {
		return nil, err
	}
	res := &ListPullResult{Created: old == nil}
	name := strings.TrimSpace(opts.Name)
	if name == "" && old == nil {
		name, err = crmListName(ctx, src, listID)
		if err != nil {
			return nil, err
		}
	}
	recs, err := src.PullList(ctx, listID, opts.Progress)
	if err != nil {
		return nil, fmt.Errorf("sync: pull %s list %s: %w", v, listID, err)
	}
	res.Pulled = len(recs)

	fresh := make(map[string]dialer.Contact, len(recs))
	ok := make(map[string]bool, len(recs))
	seenNum := map[string]string{} // number key -> name of the first record with it
	dnc := map[string]bool{}       // number keys the CRM flags now
	for _, r := range recs {
		c, problems := listContact(v, r, region)
		// A number already on an earlier record is dialled once.
		var nums []dialer.Number
		var shared []ListProblem
		for _, n := range c.Numbers {
			if first, dup := seenNum[n.Key]; dup {
				shared = append(shared, ListProblem{CRMID: r.ID, Name: c.Name, Kind: ProblemNumberShared, Number: n.Raw, Label: n.Label, Other: first,
					Message: fmt.Sprintf("%s's number %s is also %s's; it is dialled once, for %s.", c.Name, n.Raw, first, first)})
				continue
			}
			seenNum[n.Key] = c.Name
			nums = append(nums, n)
		}
		if len(c.Numbers) > 0 && len(nums) == 0 {
			// Left off: one sentence, naming the first number and whose it is.
			problems = append(problems, ListProblem{CRMID: r.ID, Name: c.Name, Reason: dialer.RejectDuplicate, Kind: ProblemDuplicate,
				Number: shared[0].Number, Other: shared[0].Other,
				Message: fmt.Sprintf("%s has only numbers that earlier contacts of the list have (%s is %s's); left off.", c.Name, shared[0].Number, shared[0].Other)})
		} else {
			problems = append(problems, shared...)
		}
		c.Numbers = nums
		if r.DoNotCall {
			res.DoNotCall++
			for _, n := range nums {
				dnc[n.Key] = true
			}
		}
		res.Problems = append(res.Problems, problems...)
		fresh[r.ID] = c
		ok[r.ID] = len(nums) > 0
	}

	l := &dialer.List{ID: id, Name: name, Settings: dialer.DefaultSettings()}
	placed := map[string]bool{}
	if old != nil {
		l.Settings = old.Settings
		if name == "" {
			l.Name = old.Name
		}
		for _, oc := range old.Contacts {
			cid := oc.Extra[ExtraCRMID]
			if c, in := fresh[cid]; in && cid != "" && !placed[cid] {
				l.Contacts = append(l.Contacts, c)
				placed[cid] = true
				res.Updated++
				continue
			}
			// Gone from the CRM list: keep the place (attempts point at
			// it), but never dial it.
			if oc.Extra[ExtraRemoved] != "true" {
				res.Removed++
			}
			extra := map[string]string{}
			for k, val := range oc.Extra {
				extra[k] = val
			}
			extra[ExtraRemoved] = "true"
			oc.Extra, oc.Numbers = extra, nil
			l.Contacts = append(l.Contacts, oc)
		}
	}
	for _, r := range recs {
		if placed[r.ID] || !ok[r.ID] {
			continue
		}
		placed[r.ID] = true
		l.Contacts = append(l.Contacts, fresh[r.ID])
		res.Added++
	}
	if len(l.Contacts) > dialer.MaxContacts {
		return nil, fmt.Errorf("%w: %s list %s has %d contacts; a call list holds at most %d", dialer.ErrTooLarge, v, listID, len(l.Contacts), dialer.MaxContacts)
	}
	if err := syncDNC(ctx, st, v, region, dnc, seenNum); err != nil {
		return nil, err
	}
	if err := dialer.SaveList(ctx, st, l); err != nil {
		return nil, err
	}
	res.List = l
	return res, nil
}

// crmListName finds listID's name among src's lists.
func crmListName(ctx context.Context, src crm.ListSource, listID string) (string, error) {
	refs, err := src.Lists(ctx)
	if err != nil {
		return "", fmt.Errorf("sync: %s lists: %w", src.Vendor(), err)
	}
	for _, r := range refs {
		if r.ID == listID && strings.TrimSpace(r.Name) != "" {
			return r.Name, nil
		}
	}
	return fmt.Sprintf("%s list %s", src.Vendor(), listID), nil
}

// listContact converts one record; problems say what was left out.
func listContact(v crm.Vendor, r crm.ListContact, region string) (dialer.Contact, []ListProblem) {
	c := dialer.Contact{Name: clean(r.DisplayName()), Company: clean(r.Company), Email: clean(r.Email),
		Extra: map[string]string{ExtraCRM: string(v), ExtraCRMID: r.ID}}
	if r.DoNotCall {
		c.Extra[ExtraDoNotCall] = "true"
	}
	var problems []ListProblem
	if z := r.TimeZone; z != "" {
		if _, err := time.LoadLocation(z); err == nil && !strings.EqualFold(z, "local") {
			c.TimeZone = z
		} else {
			problems = append(problems, ListProblem{CRMID: r.ID, Name: c.Name, Kind: ProblemTimeZone, Other: z,
				Message: fmt.Sprintf("%s's time zone %q is unknown; the number's time zone is used for calling hours.", c.Name, z)})
		}
	}
	var firstErr error
	var firstBad string
	var leftOut []ListProblem // numbers left out of a record that keeps others
	for _, p := range r.Phones {
		n, err := dialer.ParseNumber(p.Number, region)
		if errors.Is(err, dialer.ErrEmptyNumber) {
			continue
		}
		if err != nil {
			if firstErr == nil {
				firstErr, firstBad = err, p.Number
			}
			leftOut = append(leftOut, ListProblem{CRMID: r.ID, Name: c.Name, Kind: ProblemNumberLeftOut, Number: p.Number, Label: p.Label,
				Message: fmt.Sprintf("%s's %s number was left out: %v.", c.Name, orLabel(p.Label), err)})
			continue
		}
		n.Label = p.Label
		dup := false
		for _, o := range c.Numbers {
			dup = dup || o.Key == n.Key
		}
		if !dup {
			c.Numbers = append(c.Numbers, n)
		}
	}
	if len(c.Numbers) > 0 {
		problems = append(problems, leftOut...)
	} else {
		// One sentence for a record left off: not one per bad number too.
		if firstErr != nil {
			problems = append(problems, ListProblem{CRMID: r.ID, Name: c.Name, Reason: dialer.RejectInvalidNumber, Kind: ProblemInvalidNumber, Number: firstBad,
				Message: fmt.Sprintf("%s has no valid number in %s (%s: %v); correct it there and pull the list again.", c.Name, v.Name(), firstBad, firstErr)})
		} else {
			problems = append(problems, ListProblem{CRMID: r.ID, Name: c.Name, Reason: dialer.RejectEmptyPhone, Kind: ProblemEmptyPhone,
				Message: fmt.Sprintf("%s has no phone number in %s; add one there and pull the list again.", c.Name, v.Name())})
		}
	}
	return c, problems
}

func orLabel(l string) string {
	if l == "" {
		return "phone"
	}
	return l
}

// clean makes CRM text safe for the store: valid UTF-8, no control
// characters.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s))
}

// syncDNC puts the flagged numbers on the local do-not-call list with the
// CRM's source, and takes off the CRM-sourced entries of the list's other
// numbers (flag lifted).
func syncDNC(ctx context.Context, st *store.Store, v crm.Vendor, region string, flagged map[string]bool, all map[string]string) error {
	src := DNCSource(v)
	d, err := dialer.NewDNC(st, region)
	if err != nil {
		return err
	}
	entries, err := st.DNCEntries(ctx)
	if err != nil {
		return err
	}
	have := make(map[string]string, len(entries))
	for _, e := range entries {
		have[e.Number] = e.Source
	}
	for key := range all {
		source, on := have[key]
		switch {
		case flagged[key] && !on:
			if _, err := d.Add(ctx, key, fmt.Sprintf("Do not call in %s", v.Name()), src); err != nil {
				return err
			}
		case !flagged[key] && on && source == src:
			if err := d.Remove(ctx, key); err != nil && !errors.Is(err, dialer.ErrNotFound) {
				return err
			}
		}
	}
	return nil
}

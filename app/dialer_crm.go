package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
	crmsync "github.com/pitchline/pitchline/softphone/crm/sync"
)

// This file binds the connected CRM's own lists to the dialer's list
// picker: HubSpot lists, Pipedrive filters, Zendesk Sell contact and lead
// tags and Zoho custom views are listed and pulled into call lists
// (softphone/crm/sync.PullCallList, the code `pitchline dialer pull`
// runs), with progress on EvDialerPull, and pulled again on demand. Sell's
// smart lists are in no documented Sell API: for Sell the view carries the
// note NoteSellSmartLists, which the window turns into one sentence (pick
// a tag, or export the smart list to CSV).

// DialerCRMListsView is what the list picker offers from the connected CRM.
type DialerCRMListsView struct {
	// Vendor is the connected CRM ("" when none is connected).
	Vendor string `json:"vendor"`
	// Supported is false when the CRM's lists cannot be read (Zendesk
	// Sell): Message then says what to do instead.
	Supported bool `json:"supported"`
	// Message is one sentence for the rep when Supported is false.
	Message string `json:"message"`
	// Note is "" or a code the window shows as a sentence above the lists:
	// NoteSellSmartLists for Zendesk Sell.
	Note string `json:"note"`
	// Lists are the CRM's contact lists.
	Lists []DialerCRMListView `json:"lists"`
}

// DialerCRMListView is one list of the CRM.
type DialerCRMListView struct {
	// ID is the CRM's list id.
	ID string `json:"id"`
	// Name is the list's name in the CRM.
	Name string `json:"name"`
	// Size is the number of records (-1 when the CRM does not say).
	Size int `json:"size"`
	// Object is what the list holds: "contacts", "persons" or "leads"
	// (for Sell, whether the tag is a contact or a lead tag).
	Object string `json:"object"`
	// ListID is the call list pulled from it ("" when not pulled yet).
	ListID string `json:"listId"`
}

// DialerPullView is the progress of a CRM list pull (event "dialer_pull").
type DialerPullView struct {
	// CRMListID is the CRM's list being pulled.
	CRMListID string `json:"crmListId"`
	// Done is the records read so far; Total the list's size (-1 unknown).
	Done  int `json:"done"`
	Total int `json:"total"`
}

// DialerPullProblem is a record of the CRM list that was left off.
type DialerPullProblem struct {
	// Name is the record's name.
	Name string `json:"name"`
	// Reason is empty_phone, invalid_number or duplicate (left off), or
	// empty for a warning.
	Reason string `json:"reason"`
	// Kind names the sentence for the window's language: empty_phone,
	// invalid_number, duplicate, number_left_out, number_shared, time_zone.
	Kind string `json:"kind"`
	// Number, Label and Other fill it: the number and its label, and the
	// earlier contact with the same number or the unknown time zone.
	Number string `json:"number,omitempty"`
	Label  string `json:"label,omitempty"`
	Other  string `json:"other,omitempty"`
	// Message says why, in an English sentence (with the detail).
	Message string `json:"message"`
}

// DialerPullReport is the result of PullCRMList.
type DialerPullReport struct {
	// List is the call list as saved.
	List DialerListView `json:"list"`
	// Created is true for a first pull, false for a refresh.
	Created bool `json:"created"`
	// Pulled counts the CRM records read.
	Pulled int `json:"pulled"`
	// Added, Updated and Removed compare a refresh with the list before.
	Added   int `json:"added"`
	Updated int `json:"updated"`
	Removed int `json:"removed"`
	// DoNotCall counts contacts the CRM marks do-not-call.
	DoNotCall int `json:"doNotCall"`
	// Problems are the records left off.
	Problems []DialerPullProblem `json:"problems"`
}

// NoteSellSmartLists is the note of Zendesk Sell's lists: its smart lists
// are not in its API, so its lists are contact and lead tags; a rep who
// needs a smart list exports it to CSV.
const NoteSellSmartLists = "sell_smart_lists"

// CodeCRMSellSearch means Zendesk Sell refused its Search API, which a tag
// list needs (a plan without it, or a token that may not read).
const CodeCRMSellSearch = "crm_sell_search"

// crmListSource returns the connected CRM's list source; ok is false (with
// the view filled in) when the CRM has no lists the dialer can read.
func (s *DialerService) crmListSource() (crm.ListSource, DialerCRMListsView, error) {
	a, v, err := s.c.crm.adapterNow()
	if err != nil {
		return nil, DialerCRMListsView{Vendor: string(v), Lists: []DialerCRMListView{}}, err
	}
	view := DialerCRMListsView{Vendor: string(v), Lists: []DialerCRMListView{}}
	src, ok := a.(crm.ListSource)
	if !ok {
		view.Message = fmt.Sprintf("%s's lists can't be read here: export the list to CSV and import the file.", v)
		return nil, view, nil
	}
	view.Supported = true
	if v == crm.VendorSell {
		view.Note = NoteSellSmartLists
	}
	return src, view, nil
}

// CRMLists returns the connected CRM's contact lists, each with the call
// list pulled from it, if any. With no CRM connected it returns an empty
// view (Vendor ""), not an error: the picker then offers CSV import only.
func (s *DialerService) CRMLists() (DialerCRMListsView, error) {
	src, view, err := s.crmListSource()
	if err != nil {
		var ce codedError
		if errors.As(err, &ce) && ce.code == CodeCRMNotConnected {
			return DialerCRMListsView{Lists: []DialerCRMListView{}}, nil
		}
		return view, err
	}
	if src == nil {
		return view, nil
	}
	st, err := s.c.storeOrErr()
	if err != nil {
		return view, err
	}
	ctx, cancel := context.WithTimeout(s.c.ctx, checkTimeout)
	defer cancel()
	refs, err := src.Lists(ctx)
	if err != nil {
		return view, crmErr(err)
	}
	pulled := map[string]bool{}
	if ls, err := st.DialerLists(s.c.ctx); err == nil {
		for _, l := range ls {
			pulled[l.ID] = true
		}
	}
	for _, r := range refs {
		lv := DialerCRMListView{ID: r.ID, Name: r.Name, Size: r.Size, Object: r.Object}
		if id := crmsync.CallListID(src.Vendor(), r.ID); pulled[id] {
			lv.ListID = id
		}
		view.Lists = append(view.Lists, lv)
	}
	return view, nil
}

// PullCRMList pulls the CRM's list id into a call list (a first pull
// saves it, a later one refreshes it, keeping its settings and session
// history), emitting EvDialerPull as records are read.
func (s *DialerService) PullCRMList(id string) (DialerPullReport, error) {
	if strings.TrimSpace(id) == "" {
		return DialerPullReport{}, fmt.Errorf("%w: which CRM list to pull?", ErrInvalidArgument)
	}
	src, view, err := s.crmListSource()
	if err != nil {
		return DialerPullReport{}, err
	}
	if src == nil {
		return DialerPullReport{}, fmt.Errorf("%w: %s", ErrInvalidArgument, view.Message)
	}
	st, err := s.c.storeOrErr()
	if err != nil {
		return DialerPullReport{}, err
	}
	emit(s.c.out, EvDialerPull, DialerPullView{CRMListID: id, Total: -1})
	res, err := crmsync.PullCallList(s.c.ctx, st, src, id, crmsync.ListPullOptions{Region: st.Region(),
		Progress: func(done, total int) {
			emit(s.c.out, EvDialerPull, DialerPullView{CRMListID: id, Done: done, Total: total})
		}})
	if err != nil {
		if src.Vendor() == crm.VendorSell && errors.Is(err, crm.ErrForbidden) {
			// The tag and the records are v2 reads the connect check
			// already made; what Sell refuses is its Search API.
			return DialerPullReport{}, ErrorPayload{Code: CodeCRMSellSearch, Message: MessageFor(CodeCRMSellSearch, ""), Detail: err.Error()}
		}
		return DialerPullReport{}, crmErr(err)
	}
	l := res.List
	rep := DialerPullReport{List: listView(l.ID, l.Name, len(l.Contacts), l.Settings, l.Created, l.Updated), Created: res.Created,
		Pulled: res.Pulled, Added: res.Added, Updated: res.Updated, Removed: res.Removed, DoNotCall: res.DoNotCall,
		Problems: make([]DialerPullProblem, len(res.Problems))}
	for i, p := range res.Problems {
		rep.Problems[i] = DialerPullProblem{Name: p.Name, Reason: string(p.Reason), Kind: p.Kind, Number: p.Number, Label: p.Label,
			Other: p.Other, Message: p.Message}
	}
	return rep, nil
}

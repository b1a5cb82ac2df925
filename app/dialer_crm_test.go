package app

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
)

// TestDialerCRMListsPullAndRefresh: with no CRM connected the picker's CRM
// part is empty (no error); connected to HubSpot (the fake), the lists are
// offered, one is pulled into a call list with progress events and a
// report of the record left off, is then marked as pulled, and a second
// pull refreshes it after HubSpot's list changed.
func TestDialerCRMListsPullAndRefresh(t *testing.T) {
	crmSrv := newSwitchableCRM(t, hubspotfake.WithToken("tok"))
	fake := crmSrv.fake
	var ids []string
	for _, p := range []map[string]string{
		{"firstname": "Margaret", "lastname": "Lee", "phone": "+12125550199", "company": "Lee Logistics"},
		{"firstname": "Nobody", "lastname": "Phoneless"},
		{"firstname": "Ken", "lastname": "Ito", "mobilephone": "+81312345678"},
	} {
		ids = append(ids, fake.AddContact(p))
	}
	listID := fake.AddList("Q3 prospects", ids...)
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs

	v, err := s.Dialer.CRMLists()
	if err != nil || v.Vendor != "" || len(v.Lists) != 0 {
		t.Fatalf("CRMLists without a CRM = %+v, %v", v, err)
	}
	if _, err := s.Crm.Connect(CRMConnectInput{Vendor: "hubspot", BaseURL: crmSrv.url(), Token: "tok"}); err != nil {
		t.Fatal(err)
	}
	v, err = s.Dialer.CRMLists()
	if err != nil || v.Vendor != "hubspot" || !v.Supported || len(v.Lists) != 1 || v.Lists[0].ID != listID ||
		v.Lists[0].Name != "Q3 prospects" || v.Lists[0].Size != 3 || v.Lists[0].ListID != "" {
		t.Fatalf("CRMLists = %+v, %v", v, err)
	}

	rep, err := s.Dialer.PullCRMList(listID)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Created || rep.Pulled != 3 || rep.List.Contacts != 2 || len(rep.Problems) != 1 || rep.Problems[0].Name != "Nobody Phoneless" ||
		rep.Problems[0].Reason != "empty_phone" || rep.Problems[0].Message == "" {
		t.Fatalf("pull report %+v", rep)
	}
	waitFor(t, l, EvDialerPull, "pull progress 3 of 3", func(p DialerPullView) bool {
		return p.CRMListID == listID && p.Done == 3 && p.Total == 3
	})
	lists, err := s.Dialer.Lists()
	if err != nil || len(lists) != 1 || lists[0].ID != rep.List.ID || lists[0].Name != "Q3 prospects" {
		t.Fatalf("Lists after the pull = %+v, %v", lists, err)
	}
	if v, err = s.Dialer.CRMLists(); err != nil || v.Lists[0].ListID != rep.List.ID {
		t.Fatalf("CRMLists after the pull = %+v, %v", v, err)
	}

	// Refresh on demand: HubSpot's list lost Ken.
	if err := fake.SetListMembers(listID, ids[0], ids[1]); err != nil {
		t.Fatal(err)
	}
	rep, err = s.Dialer.PullCRMList(listID)
	if err != nil || rep.Created || rep.Pulled != 2 || rep.Removed != 1 || rep.List.ID != lists[0].ID {
		t.Fatalf("refresh report %+v, %v", rep, err)
	}

	if _, err := s.Dialer.PullCRMList(" "); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("PullCRMList of no list: %v", err)
	}
}

// TestDialerCRMListsSellTags: connected to Zendesk Sell (its fake), the
// picker offers Sell's contact and lead tags with the note that smart
// lists are not in Sell's API; a contact tag is pulled into a call list
// with progress, and an account whose plan lacks Sell's Search API gets
// its own sentence.
func TestDialerCRMListsSellTags(t *testing.T) {
	fake, err := sellfake.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	fake.AddContact(sellfake.Contact{FirstName: "Margaret", LastName: "Lee", Phone: "+12125550199", Tags: []string{"q3"}})
	fake.AddContact(sellfake.Contact{FirstName: "Nobody", LastName: "Phoneless", Tags: []string{"q3"}})
	fake.AddContact(sellfake.Contact{FirstName: "Ken", LastName: "Ito", Mobile: "+81312345678", Tags: []string{"q3"}})
	fake.AddLead(sellfake.Lead{FirstName: "Mia", LastName: "Wong", Mobile: "+85291234567", Tags: []string{"webinar"}})
	kc := newKeychain(t)
	a, l := startApp(t, t.TempDir(), kc)
	s := a.svcs
	if _, err := s.Crm.Connect(CRMConnectInput{Vendor: "sell", BaseURL: fake.URL(), Token: fake.Token()}); err != nil {
		t.Fatal(err)
	}
	v, err := s.Dialer.CRMLists()
	if err != nil || v.Vendor != "sell" || !v.Supported || v.Note != NoteSellSmartLists || len(v.Lists) != 2 ||
		v.Lists[0].Name != "q3" || v.Lists[0].Object != "contacts" || v.Lists[0].Size != -1 ||
		v.Lists[1].Name != "webinar" || v.Lists[1].Object != "leads" {
		t.Fatalf("CRMLists on Sell = %+v, %v", v, err)
	}
	tag := v.Lists[0].ID
	rep, err := s.Dialer.PullCRMList(tag)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Created || rep.Pulled != 3 || rep.List.Contacts != 2 || rep.List.Name != "q3" || rep.List.ID != "crm:sell:"+tag ||
		len(rep.Problems) != 1 || rep.Problems[0].Reason != "empty_phone" {
		t.Fatalf("pull report %+v", rep)
	}
	waitFor(t, l, EvDialerPull, "pull progress 3 of 3", func(p DialerPullView) bool {
		return p.CRMListID == tag && p.Done == 3 && p.Total == 3
	})
	if v, err = s.Dialer.CRMLists(); err != nil || v.Lists[0].ListID != rep.List.ID {
		t.Fatalf("CRMLists after the pull = %+v, %v", v, err)
	}

	// An account whose Sell plan has no Search API.
	noSearch, err := sellfake.New(sellfake.WithoutSearchAPI())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(noSearch.Close)
	vip := noSearch.AddTag("vip", "contact")
	if _, err := s.Crm.Connect(CRMConnectInput{Vendor: "sell", BaseURL: noSearch.URL(), Token: noSearch.Token()}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Dialer.PullCRMList(strconv.FormatInt(vip, 10))
	if p := a.errfmt.Payload(err); p.Code != CodeCRMSellSearch || !strings.Contains(p.Message, "Search API") || !strings.Contains(p.Detail, "403") {
		t.Fatalf("pull without the Search API: %+v (%v)", p, err)
	}
}

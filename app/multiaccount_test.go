package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// TestTwoAccounts: with two accounts saved, both register at Kamailio,
// an inbound call to the second is shown on the second account, Dial goes
// out through the default account (the first, then the second once it is
// made the default), and DialFrom through the account it names.
func TestTwoAccounts(t *testing.T) {
	k := testlab.StartKamailio(t)
	bob := testlab.StartBaresip(t, "bob", testlab.WithAccount("bob", k.Password("bob"), k.Addr(), "udp"))
	kc := newKeychain(t)
	a, log := startApp(t, t.TempDir(), kc)
	alice, carol := k.URI("alice"), k.URI("carol")
	for _, u := range []string{"alice", "carol"} {
		if _, err := a.svcs.Accounts.Save(AccountInput{AOR: k.URI(u), Password: k.Password(u)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{alice, carol} {
		waitFor(t, log, EvAccount, id+" registered", func(v AccountView) bool { return v.ID == id && v.State == "registered" })
	}
	cx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	for _, u := range []string{"alice", "carol", "bob"} {
		if _, err := k.WaitRegistered(cx, u); err != nil {
			t.Fatalf("%s not registered at Kamailio: %v", u, err)
		}
	}
	accts, _ := a.svcs.Accounts.List()
	if len(accts) != 3 || accts[0].ID != alice || !accts[0].Active || accts[1].Active || accts[1].State != "registered" || !accts[2].Demo || accts[2].Active {
		t.Fatalf("accounts %+v: want alice (default) and carol, both registered, then the demo line", accts)
	}

	// Inbound to the second account.
	if _, err := bob.Command(cx, "dial", carol); err != nil {
		t.Fatal(err)
	}
	in := callState(t, log, "", "incoming")
	if in.Account != carol {
		t.Fatalf("inbound call to carol shown on account %q", in.Account)
	}
	if _, err := a.svcs.Calls.Reject(in.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, log, EvCall, "rejected", func(v CallView) bool { return v.ID == in.ID && v.State == "ended" })

	// outVia dials bob with dial and checks bob sees the call from user.
	outVia := func(user string, dial func() (CallView, error)) {
		t.Helper()
		mark := bob.Mark()
		v, err := dial()
		if err != nil {
			t.Fatal(err)
		}
		if v.Account != k.URI(user) {
			t.Errorf("call placed on account %q, want %s", v.Account, k.URI(user))
		}
		wc, wcancel := context.WithTimeout(cx, 10*time.Second)
		defer wcancel()
		ev, err := bob.WaitEventAfter(wc, mark, "CALL_ESTABLISHED") // bob answers at once
		if err != nil {
			for _, e := range bob.Events() {
				t.Logf("%d %s %s %s", e.Seq, e.Type, e.PeerURI, e.Param)
			}
			t.Fatal(err)
		}
		if !strings.Contains(ev.PeerURI, "sip:"+user+"@") {
			t.Errorf("bob got the call from %q, want %s", ev.PeerURI, user)
		}
		if _, err := a.svcs.Calls.Hangup(v.ID); err != nil {
			t.Fatal(err)
		}
		waitFor(t, log, EvCall, "hung up", func(c CallView) bool { return c.ID == v.ID && c.State == "ended" })
	}
	outVia("alice", func() (CallView, error) { return a.svcs.Calls.Dial("bob") })
	outVia("carol", func() (CallView, error) { return a.svcs.Calls.DialFrom(carol, "bob") })
	if _, err := a.svcs.Calls.DialFrom("sip:nobody@127.0.0.1", "bob"); err == nil {
		t.Error("DialFrom an unknown account accepted")
	}
	after, err := a.svcs.Accounts.SetDefault(carol)
	if err != nil {
		t.Fatal(err)
	}
	if after[0].Active || !after[1].Active || after[2].Active {
		t.Fatalf("after SetDefault(carol): %+v", after)
	}
	outVia("carol", func() (CallView, error) { return a.svcs.Calls.Dial("bob") })
}

package cli_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
)

// TestDialerListsAndPullHubSpot lists the HubSpot fake's lists, pulls one
// into a call list with progress and a per-record report, then refreshes
// it after HubSpot's list changed.
func TestDialerListsAndPullHubSpot(t *testing.T) {
	fake, err := hubspotfake.New()
	if err != nil {
		t.Fatal(err)
	}
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	var ids []string
	for _, p := range []map[string]string{
		{"firstname": "Margaret", "lastname": "Lee", "phone": "+12125550199", "company": "Lee Logistics", "dnc": "true"},
		{"firstname": "Nobody", "lastname": "Phoneless"},
		{"firstname": "Ken", "lastname": "Ito", "mobilephone": "+81312345678", "hs_timezone": "asia_slash_tokyo"},
	} {
		ids = append(ids, fake.AddContact(p))
	}
	listID := fake.AddList("Q3 prospects", ids...)
	fake.AddObjectList("Companies to call", "0-2")
	data := filepath.Join(t.TempDir(), "data")
	const T = 60 * time.Second
	env := []string{"HS_TOKEN=test-token"}
	if r := run(t, env, T, "crm", "connect", "hubspot", "--base-url", base, "--token-env", "HS_TOKEN", "--data-dir", data); r.code != 0 {
		t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
	}

	r := run(t, env, T, "dialer", "lists", "--crm", "hubspot", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 0 || r.stdout != listID+"\t3\tQ3 prospects\n" {
		t.Fatalf("lists: %d %q %q", r.code, r.stdout, r.stderr)
	}

	r = run(t, env, T, "dialer", "pull", "--crm", "hubspot", "--list", listID, "--dnc-field", "dnc", "--json",
		"--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("pull: %d %q %q", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	if len(lines) != 3 || lines[0]["event"] != "pull_progress" || lines[0]["done"] != float64(3) || lines[0]["total"] != float64(3) ||
		lines[1]["event"] != "pull_problem" || lines[1]["contact"] != "Nobody Phoneless" || lines[1]["reason"] != "empty_phone" {
		t.Fatalf("pull output %v", lines)
	}
	done := lines[2]
	if done["event"] != "pull_done" || done["list_id"] != "crm:hubspot:"+listID || done["name"] != "Q3 prospects" ||
		done["contacts"] != float64(2) || done["created"] != true || done["do_not_call"] != float64(1) {
		t.Fatalf("pull_done %v", done)
	}

	// HubSpot's list changes: Margaret leaves, a new contact joins.
	nina := fake.AddContact(map[string]string{"firstname": "Nina", "phone": "+12125550142"})
	if err := fake.SetListMembers(listID, ids[1], ids[2], nina); err != nil {
		t.Fatal(err)
	}
	r = run(t, env, T, "dialer", "pull", "--crm", "hubspot", "--list", listID, "--name", "Q3 (refreshed)",
		"--token-env", "HS_TOKEN", "--data-dir", data)
	want := `refreshed call list "Q3 (refreshed)" (crm:hubspot:` + listID + `): 3 contacts from 3 hubspot records (1 added, 1 updated, 1 removed, 0 do-not-call)`
	if r.code != 0 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "Nobody Phoneless has no phone number in HubSpot") ||
		!strings.Contains(r.stderr, "pulled 3 of 3") {
		t.Fatalf("refresh: %d %q %q", r.code, r.stdout, r.stderr)
	}

	// The pulled list runs as --list crm:hubspot:ID. At 12:00 UTC it is
	// 07:00 in New York and 21:00 in Tokyo, so every contact with a number
	// is skipped for its calling hours and nothing is dialled.
	rargs := []string{"dialer", "run", "--sip-uri", "sip:rep@127.0.0.1", "--no-register", "--audio", "null",
		"--list", "crm:hubspot:" + listID, "--now", "2026-12-07T12:00:00Z", "--json", "--data-dir", data}
	r = run(t, []string{"TZ=UTC"}, T, rargs...)
	if r.code != 0 {
		t.Fatalf("dialer run of the pulled list: %d %q %q", r.code, r.stdout, r.stderr)
	}
	skipped := map[string]string{}
	for _, l := range jsonLines(t, r.stdout) {
		switch l["event"] {
		case "dial":
			t.Fatalf("dialled out of hours: %v", l)
		case "skipped":
			skipped[fmt.Sprint(l["contact"])] = fmt.Sprint(l["reason"])
		}
	}
	if skipped["Ken Ito"] != "calling_hours" || skipped["Nina"] != "calling_hours" {
		t.Fatalf("skips of the pulled list: %v (stdout %q)", skipped, r.stdout)
	}
	r = run(t, []string{"TZ=UTC"}, T, append(rargs[:8:8], "crm:hubspot:404", "--data-dir", data)...)
	if r.code != 1 || !strings.Contains(r.stderr, "pull it first") {
		t.Fatalf("unknown CRM list: %d %q", r.code, r.stderr)
	}

	// Errors: an unknown list (exit 1, says what to do), no --crm (usage,
	// exit 2), an expired token (reconnect).
	r = run(t, env, T, "dialer", "pull", "--crm", "hubspot", "--list", "999999", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 1 || !strings.Contains(r.stderr, "has no list") {
		t.Fatalf("unknown list: %d %q", r.code, r.stderr)
	}
	if r := run(t, env, T, "dialer", "lists", "--data-dir", data); r.code != 2 {
		t.Fatalf("no --crm: %d %q", r.code, r.stderr)
	}
	fake.ExpireToken("test-token")
	r = run(t, env, T, "dialer", "lists", "--crm", "hubspot", "--token-env", "HS_TOKEN", "--data-dir", data)
	if r.code != 1 || !strings.Contains(r.stderr, "reconnect your CRM") {
		t.Fatalf("expired token: %d %q", r.code, r.stderr)
	}
}

// TestDialerPullOtherVendors pulls a Pipedrive filter, a Zendesk Sell
// contact tag and a Zoho custom view through the binary; for Sell, the
// lists command says that its smart lists are not in its API, and an
// account without Sell's Search API is told so.
func TestDialerPullOtherVendors(t *testing.T) {
	const T = 60 * time.Second
	type vendorCase struct {
		vendor, base, token, listID, dncField string
		total                                 float64 // the progress total (-1: the CRM does not say)
	}
	cases := []func(t *testing.T) vendorCase{
		func(t *testing.T) vendorCase {
			fake, err := pipedrivefake.New()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			a := fake.AddPerson(pipedrivefake.Person{FirstName: "Ana", LastName: "Diaz", Phones: []pipedrivefake.Value{{Label: "work", Value: "+12125550111", Primary: true}},
				Custom: map[string]any{"abc123": "yes"}})
			b := fake.AddPerson(pipedrivefake.Person{FirstName: "Ben", LastName: "Ng"})
			return vendorCase{"pipedrive", fake.URL(), fake.Token(), fmt.Sprint(fake.AddFilter("Follow-ups", a, b)), "abc123", -1}
		},
		func(t *testing.T) vendorCase {
			fake, err := zohofake.New()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			a := fake.AddContact(zohofake.Contact{FirstName: "Ana", LastName: "Diaz", Phone: "+12125550111", Custom: map[string]any{"Do_Not_Call": true}})
			b := fake.AddContact(zohofake.Contact{FirstName: "Ben", LastName: "Ng"})
			return vendorCase{"zoho", fake.URL(), fake.Token(), fake.AddView("Follow-ups", "Contacts", a, b), "Do_Not_Call", -1}
		},
		func(t *testing.T) vendorCase {
			fake, err := sellfake.New()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(fake.Close)
			fake.AddContact(sellfake.Contact{FirstName: "Ana", LastName: "Diaz", Phone: "+12125550111", Tags: []string{"Follow-ups"},
				Custom: map[string]any{"Do not call": true}})
			fake.AddContact(sellfake.Contact{FirstName: "Ben", LastName: "Ng", Tags: []string{"Follow-ups"}})
			fake.AddContact(sellfake.Contact{FirstName: "Cy", LastName: "Untagged", Phone: "+12125550112"})
			return vendorCase{"sell", fake.URL(), fake.Token(), fmt.Sprint(fake.AddTag("Follow-ups", "contact")), "Do not call", 2}
		},
	}
	for _, mk := range cases {
		c := mk(t)
		t.Run(c.vendor, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			env := []string{"CRM_TOKEN=" + c.token}
			if r := run(t, env, T, "crm", "connect", c.vendor, "--base-url", c.base, "--token-env", "CRM_TOKEN", "--data-dir", data); r.code != 0 {
				t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
			}
			r := run(t, env, T, "dialer", "lists", "--crm", c.vendor, "--json", "--token-env", "CRM_TOKEN", "--data-dir", data)
			lines := jsonLines(t, r.stdout)
			if r.code != 0 || len(lines) != 1 || lines[0]["id"] != c.listID || lines[0]["name"] != "Follow-ups" {
				t.Fatalf("lists: %d %v %q", r.code, lines, r.stderr)
			}
			r = run(t, env, T, "dialer", "pull", "--crm", c.vendor, "--list", c.listID, "--dnc-field", c.dncField, "--json",
				"--token-env", "CRM_TOKEN", "--data-dir", data)
			lines = jsonLines(t, r.stdout)
			if r.code != 0 || len(lines) != 3 || lines[0]["event"] != "pull_progress" || lines[0]["total"] != c.total ||
				lines[1]["contact"] != "Ben Ng" || lines[1]["reason"] != "empty_phone" {
				t.Fatalf("pull: %d %v %q", r.code, lines, r.stderr)
			}
			if d := lines[2]; d["list_id"] != "crm:"+c.vendor+":"+c.listID || d["contacts"] != float64(1) || d["do_not_call"] != float64(1) {
				t.Fatalf("pull_done %v", d)
			}
		})
	}

	t.Run("sell text and no Search API", func(t *testing.T) {
		fake, err := sellfake.New(sellfake.WithoutSearchAPI())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		lead := fake.AddTag("webinar", "lead")
		data := filepath.Join(t.TempDir(), "data")
		env := []string{"CRM_TOKEN=" + fake.Token()}
		if r := run(t, env, T, "crm", "connect", "sell", "--base-url", fake.URL(), "--token-env", "CRM_TOKEN", "--data-dir", data); r.code != 0 {
			t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
		}
		r := run(t, env, T, "dialer", "lists", "--crm", "sell", "--token-env", "CRM_TOKEN", "--data-dir", data)
		if r.code != 0 || r.stdout != fmt.Sprintf("%d\t?\twebinar (tag on leads)\n", lead) ||
			!strings.Contains(r.stderr, "smart lists are not in its API") || !strings.Contains(r.stderr, "export a smart list to CSV") {
			t.Fatalf("sell lists: %d %q %q", r.code, r.stdout, r.stderr)
		}
		r = run(t, env, T, "dialer", "pull", "--crm", "sell", "--list", fmt.Sprint(lead), "--token-env", "CRM_TOKEN", "--data-dir", data)
		if r.code != 1 || !strings.Contains(r.stderr, "Search API") || !strings.Contains(r.stderr, "Sell plans") {
			t.Fatalf("sell pull without the Search API: %d %q %q", r.code, r.stdout, r.stderr)
		}
	})
}

package cli_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
	"github.com/pitchline/pitchline/softphone/crm/pipedrive/pipedrivefake"
	"github.com/pitchline/pitchline/softphone/crm/sell/sellfake"
	"github.com/pitchline/pitchline/softphone/crm/zoho/zohofake"
)

// outcomeFake is one vendor's fake for TestCRMOutcomeReachesEveryVendor.
type outcomeFake struct {
	base, token string
	// want maps a local outcome label to the value the vendor's own
	// outcome field must hold (found by label when connecting).
	want map[string]string
	// outcomeOf returns the outcome field of the call whose notes hold
	// note, and whether the fake holds exactly one such call.
	outcomeOf func(note string) (string, bool)
	// unmapped is what the field holds for a call whose outcome has no
	// mapping (Pipedrive requires an outcome and derives it from the
	// call's status).
	unmapped string
}

// unmappedLabel is a default local outcome no fake's vocabulary has.
const unmappedLabel = "Meeting booked"

var outcomeVendors = []struct {
	vendor crm.Vendor
	start  func(t *testing.T) outcomeFake
}{
	{crm.VendorHubSpot, func(t *testing.T) outcomeFake {
		fake, err := hubspotfake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fake.Close() })
		base, err := fake.Start()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{}
		for _, d := range hubspotfake.DefaultDispositions {
			if slices.Contains([]string{"Connected", "Left voicemail", "No answer", "Busy", "Wrong number"}, d.Label) {
				want[d.Label] = d.ID
			}
		}
		return outcomeFake{base: base, token: "test-token", want: want, outcomeOf: func(note string) (string, bool) {
			var got []string
			for _, c := range fake.Calls() {
				if strings.Contains(c.Properties["hs_call_body"], note) {
					got = append(got, c.Properties["hs_call_disposition"])
				}
			}
			return strings.Join(got, ","), len(got) == 1
		}}
	}},
	{crm.VendorPipedrive, func(t *testing.T) outcomeFake {
		fake, err := pipedrivefake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		return outcomeFake{base: fake.URL(), token: fake.Token(), unmapped: "connected",
			want: map[string]string{"Left voicemail": "left_voicemail", "No answer": "no_answer", "Busy": "busy", "Wrong number": "wrong_number"},
			outcomeOf: func(note string) (string, bool) {
				var got []string
				for _, l := range fake.CallLogs() {
					if strings.Contains(l.Note, note) {
						got = append(got, l.Outcome)
					}
				}
				return strings.Join(got, ","), len(got) == 1
			}}
	}},
	{crm.VendorSell, func(t *testing.T) outcomeFake {
		fake, err := sellfake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		want := map[string]string{}
		for _, o := range sellfake.DefaultOutcomes {
			if slices.Contains([]string{"Left voicemail", "No answer", "Not interested", "Busy"}, o.Name) {
				want[o.Name] = fmt.Sprint(o.ID)
			}
		}
		return outcomeFake{base: fake.URL(), token: fake.Token(), unmapped: "", want: want,
			outcomeOf: func(note string) (string, bool) {
				var got []string
				for _, c := range fake.Calls() {
					if strings.Contains(c.Summary, note) {
						v := ""
						if c.OutcomeID != 0 {
							v = fmt.Sprint(c.OutcomeID)
						}
						got = append(got, v)
					}
				}
				return strings.Join(got, ","), len(got) == 1
			}}
	}},
	{crm.VendorZoho, func(t *testing.T) outcomeFake {
		fake, err := zohofake.New()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(fake.Close)
		// Zoho's default Call_Result picklist shares one label with the
		// default outcomes.
		return outcomeFake{base: fake.URL(), token: fake.Token(), want: map[string]string{"Not interested": "Not interested"},
			outcomeOf: func(note string) (string, bool) {
				var got []string
				for _, r := range fake.Records("Calls") {
					if strings.Contains(r.Str("Description"), note) {
						got = append(got, r.Str("Call_Result"))
					}
				}
				return strings.Join(got, ","), len(got) == 1
			}}
	}},
}

// TestCRMOutcomeReachesEveryVendor connects each CRM from the command line,
// logs calls with outcomes, syncs, and checks that the CRM's own outcome
// field holds the value whose label matches (issue 9 §4): mapping by
// label happens on `crm connect` as in the app. A call whose outcome has
// no counterpart is reported by `crm sync`, not sent silently.
func TestCRMOutcomeReachesEveryVendor(t *testing.T) {
	for _, v := range outcomeVendors {
		t.Run(string(v.vendor), func(t *testing.T) {
			t.Parallel()
			f := v.start(t)
			data := filepath.Join(t.TempDir(), "data")
			env := []string{"CRM_TOKEN=" + f.token}
			const T = 60 * time.Second

			r := run(t, env, T, "crm", "connect", string(v.vendor), "--json", "--base-url", f.base, "--token-env", "CRM_TOKEN", "--data-dir", data)
			if r.code != 0 {
				t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
			}
			conn := jsonLines(t, r.stdout)[0]
			mapped := fmt.Sprint(conn["outcomes_mapped"])
			for label := range f.want {
				if !strings.Contains(mapped, label) {
					t.Errorf("connect mapped %s, want %q among them", mapped, label)
				}
			}
			if u := fmt.Sprint(conn["outcomes_unmapped"]); !strings.Contains(u, unmappedLabel) {
				t.Errorf("connect reports %s unmapped, want %q among them", u, unmappedLabel)
			}

			labels := append(slices.Sorted(mapsKeys(f.want)), unmappedLabel)
			for i, label := range labels {
				r := run(t, nil, T, "calls", "log", "--to", fmt.Sprintf("+1555010%04d", 100+i), "--direction", "outbound",
					"--started", time.Date(2026, 3, 2, 9, i, 0, 0, time.UTC).Format(time.RFC3339), "--duration", "42s",
					"--status", "completed", "--outcome", label, "--notes", "outcome test "+label, "--data-dir", data)
				if r.code != 0 {
					t.Fatalf("calls log %q: %d %q", label, r.code, r.stderr)
				}
			}
			r = run(t, env, T, "crm", "sync", "--json", "--token-env", "CRM_TOKEN", "--data-dir", data)
			if r.code != 0 {
				t.Fatalf("sync: %d %q %q", r.code, r.stdout, r.stderr)
			}
			lines := jsonLines(t, r.stdout)
			var reported []map[string]any
			for _, l := range lines {
				if l["event"] == "unmapped_outcome" {
					reported = append(reported, l)
				}
			}
			if len(reported) != 1 || reported[0]["outcome"] != unmappedLabel || reported[0]["calls"] != float64(1) {
				t.Errorf("sync reported unmapped outcomes %v, want %q for 1 call", reported, unmappedLabel)
			}
			done := lines[len(lines)-1]
			if done["event"] != "done" || done["sent"] != float64(len(labels)) || done["failed"] != float64(0) {
				t.Fatalf("sync ended with %v", done)
			}
			for label, want := range f.want {
				if got, one := f.outcomeOf("outcome test " + label); !one || got != want {
					t.Errorf("call with outcome %q: the CRM holds %q (one record: %v), want %q", label, got, one, want)
				}
			}
			if got, one := f.outcomeOf("outcome test " + unmappedLabel); !one || got != f.unmapped {
				t.Errorf("call with the unmapped outcome: the CRM holds %q (one record: %v), want %q", got, one, f.unmapped)
			}

			// The text output says it too, and what to do.
			r = run(t, nil, T, "calls", "log", "--to", "+15550100199", "--direction", "outbound", "--started", "2026-03-02T10:00:00Z",
				"--duration", "5s", "--status", "completed", "--outcome", unmappedLabel, "--data-dir", data)
			if r.code != 0 {
				t.Fatalf("calls log: %d %q", r.code, r.stderr)
			}
			r = run(t, env, T, "crm", "sync", "--token-env", "CRM_TOKEN", "--data-dir", data)
			if r.code != 0 || !strings.Contains(r.stdout, `1 calls sent without an outcome: "`+unmappedLabel+`" has no `+string(v.vendor)+" mapping") ||
				!strings.Contains(r.stdout, "Settings → Outcomes") {
				t.Fatalf("text sync: %d %q %q", r.code, r.stdout, r.stderr)
			}
		})
	}
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestGlobalFlagsBeforeCommand checks that --data-dir (and --json) work
// before the command as after it, as with git and go.
func TestGlobalFlagsBeforeCommand(t *testing.T) {
	fake, err := hubspotfake.New()
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	base, err := fake.Start()
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(t.TempDir(), "data")
	env := []string{"HS_TOKEN=test-token"}
	const T = 60 * time.Second

	// Before the command...
	r := run(t, env, T, "--data-dir", data, "crm", "connect", "hubspot", "--base-url", base, "--token-env", "HS_TOKEN")
	if r.code != 0 || !strings.Contains(r.stdout, `outcomes mapped to hubspot by label: "Connected", "Left voicemail"`) ||
		!strings.Contains(r.stdout, `no hubspot outcome has the label of "Not interested", "Meeting booked"`) {
		t.Fatalf("connect: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, T, "--data-dir="+data, "--json", "calls", "log", "--to", "+15550100142", "--direction", "outbound",
		"--started", "2026-03-02T09:00:00Z", "--duration", "42s", "--status", "completed", "--outcome", "Connected"); r.code != 0 ||
		jsonLines(t, r.stdout)[0]["event"] != "logged" {
		t.Fatalf("calls log: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// ...after it, in the same store.
	if r := run(t, nil, T, "calls", "log", "--to", "+15550100143", "--direction", "outbound", "--started", "2026-03-02T09:05:00Z",
		"--duration", "42s", "--status", "completed", "--outcome", "Connected", "--data-dir", data); r.code != 0 {
		t.Fatalf("calls log: %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = run(t, env, T, "--data-dir", data, "crm", "sync", "--json", "--token-env", "HS_TOKEN")
	if r.code != 0 {
		t.Fatalf("pitchline --data-dir D crm sync: %d %q %q", r.code, r.stdout, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	if last := lines[len(lines)-1]; last["event"] != "done" || last["sent"] != float64(2) {
		t.Fatalf("sync ended with %v", last)
	}
	if r := run(t, env, T, "crm", "sync", "--token-env", "HS_TOKEN", "--data-dir", data); r.code != 0 || !strings.Contains(r.stdout, "queue empty (0 sent") {
		t.Fatalf("pitchline crm sync --data-dir D: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := len(fake.Calls()); n != 2 {
		t.Fatalf("the CRM holds %d calls, want 2", n)
	}
	// A flag that only a command has still goes after it, and says so.
	for _, args := range [][]string{
		{"--token-env", "HS_TOKEN", "crm", "sync"},
		{"--data-dir"},
	} {
		if r := run(t, nil, T, args...); r.code != 2 {
			t.Errorf("pitchline %q: exit %d %q, want 2", args, r.code, r.stderr)
		}
	}
}

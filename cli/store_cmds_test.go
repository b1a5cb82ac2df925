package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

func TestStoreImportLookupCallsExport(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	csvPath := filepath.Join(dir, "contacts.csv")
	os.WriteFile(csvPath, []byte("Name,Company,Phone,Mobile\n"+
		"Margaret Lee,Marcom,+1 (555) 010-0199,\n"+
		"Broken Number,Acme,call me,\n"+
		"Mark Thompson,Acme,+1 555 010 0142,+1 555 010 0143\n"), 0o644)
	const T = 30 * time.Second

	r := run(t, nil, T, "import", "contacts", csvPath, "--json", "--data-dir", data)
	if r.code != 1 {
		t.Fatalf("import with a bad row: exit %d, stderr %q", r.code, r.stderr)
	}
	lines := jsonLines(t, r.stdout)
	if len(lines) != 2 || lines[0]["event"] != "rejected" || lines[0]["row"] != 3.0 ||
		!strings.Contains(lines[0]["reason"].(string), "invalid phone") || lines[1]["inserted"] != 2.0 || lines[1]["rejected"] != 1.0 {
		t.Fatalf("import report %v", lines)
	}
	good := filepath.Join(dir, "good.csv")
	os.WriteFile(good, []byte("Name,Company,Phone\nMargaret Lee,Marcom,+1 (555) 010-0199\n"), 0o644)
	r = run(t, nil, T, "import", "contacts", good, "--json", "--data-dir", data)
	if r.code != 0 || !strings.Contains(r.stdout, `"inserted":0`) || !strings.Contains(r.stdout, `"skipped":1`) {
		t.Fatalf("re-import: exit %d %q %q", r.code, r.stdout, r.stderr)
	}

	r = run(t, nil, T, "lookup", "5550100143", "--json", "--data-dir", data)
	l := jsonLines(t, r.stdout)
	if r.code != 0 || len(l) != 1 || l[0]["name"] != "Mark Thompson" || l[0]["company"] != "Acme" ||
		l[0]["number"] != "+15550100143" || l[0]["formatted"] != "(555) 010-0143" {
		t.Fatalf("lookup: exit %d %v %q", r.code, l, r.stderr)
	}
	r = run(t, nil, T, "lookup", "+1 555 010 0111", "--data-dir", data)
	if r.code != 1 {
		t.Fatalf("unknown number: exit %d", r.code)
	}
	r = run(t, nil, T, "lookup", "not-a-number", "--data-dir", data)
	if r.code != 2 || !strings.Contains(r.stderr, "pitchline:") {
		t.Fatalf("bad number: exit %d %q", r.code, r.stderr)
	}

	r = run(t, nil, T, "calls", "log", "--to", "+1 (555) 010-0199", "--direction", "outbound", "--started", "2025-03-04T09:00:00Z",
		"--duration", "42s", "--status", "completed", "--outcome", "meeting booked", "--notes", "demo next week",
		"--task", "Send agenda", "--due", "2025-03-05T09:00:00Z", "--json", "--data-dir", data)
	l = jsonLines(t, r.stdout)
	if r.code != 0 || len(l) != 1 || l[0]["event"] != "logged" || l[0]["contact_id"] == "" {
		t.Fatalf("calls log: exit %d %q %q", r.code, r.stdout, r.stderr)
	}

	out := filepath.Join(dir, "history.csv")
	r = run(t, nil, T, "history", "export", out, "--data-dir", data)
	if r.code != 0 {
		t.Fatalf("export: exit %d %q", r.code, r.stderr)
	}
	f, _ := os.Open(out)
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 2 {
		t.Fatalf("export: %v %v", recs, err)
	}
	row := strings.Join(recs[1], "|")
	for _, want := range []string{"outbound", "2025-03-04T09:00:00Z", "|42|", "completed", "Margaret Lee", "Meeting booked", "demo next week"} {
		if !strings.Contains(row, want) {
			t.Errorf("export row %q lacks %q", row, want)
		}
	}
}

func TestStoreUsageErrors(t *testing.T) {
	data := t.TempDir()
	base := []string{"calls", "log", "--data-dir", data, "--to", "+15550100199", "--direction", "outbound",
		"--started", "2025-03-04T09:00:00Z", "--duration", "42s", "--status", "completed"}
	for _, args := range [][]string{
		{"import"},
		{"import", "people", "x.csv"},
		{"lookup"},
		{"history", "export"},
		{"calls", "log", "--data-dir", data},
		append(append([]string{}, base...), "--outcome", "Connected", "--direction", "sideways"),
		append(append([]string{}, base...), "--outcome", "Connected", "--started", "yesterday"),
		append(append([]string{}, base...), "--outcome", "Connected", "--status", "missed"),
		append(append([]string{}, base...), "--outcome", "Connected", "--duration", "forever"),
		append(append([]string{}, base...), "--outcome", "Connected", "--task", "x"),
		append(append([]string{}, base...), "--outcome", "No such outcome"),
		append(append([]string{}, base...), "--outcome", "Connected", "--deal", "No such deal"),
		append([]string{}, base...), // no --outcome
	} {
		r := run(t, nil, 30*time.Second, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "pitchline:") {
			t.Errorf("%v: exit %d stderr %q, want 2 with a message", args, r.code, r.stderr)
		}
	}
	r := run(t, nil, 30*time.Second, "import", "contacts", filepath.Join(data, "missing.csv"), "--data-dir", data)
	if r.code != 1 || !strings.Contains(r.stderr, "missing.csv") {
		t.Errorf("missing file: exit %d %q", r.code, r.stderr)
	}
}

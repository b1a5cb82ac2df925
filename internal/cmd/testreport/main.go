// Command testreport keeps `make test`'s output readable while recording
// which tests were skipped and why, and prints that list at the end.
//
//	go test -json ./... | testreport go -skips build/test-reports/go-skips.jsonl
//
// reads `go test -json` (test2json events) on standard input and prints what
// plain `go test` prints: build errors, the output of failed tests, and one
// result line per package; it appends every skipped test, with the lines it
// logged (its reason), to the skips file. It always exits 0 when it could read
// its input, so the go test exit status (set -o pipefail) decides.
//
//	testreport skips build/test-reports
//
// prints every skip recorded in that directory: go-skips.jsonl and the vitest
// JSON reports (*.vitest.json, from --reporter=json), one line each.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "go":
		fs := flag.NewFlagSet("go", flag.ExitOnError)
		skips := fs.String("skips", "", "append skipped tests to this JSON-lines file")
		_ = fs.Parse(os.Args[2:])
		if *skips == "" {
			usage()
		}
		err = goMode(os.Stdin, os.Stdout, *skips)
	case "skips":
		if len(os.Args) != 3 {
			usage()
		}
		err = skipsMode(os.Stdout, os.Args[2])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testreport:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: go test -json ... | testreport go -skips FILE\n       testreport skips DIR")
	os.Exit(2)
}

// event is one test2json event (go doc test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	ImportPath string // build-output, build-fail
}

// Skip is one skipped test and its reason, as stored in the skips file.
type Skip struct {
	Suite  string `json:"suite"` // "go", "vitest"
	Where  string `json:"where"` // Go package or test file
	Test   string `json:"test"`
	Reason string `json:"reason"`
}

func goMode(in io.Reader, out io.Writer, skipsPath string) error {
	if err := os.MkdirAll(filepath.Dir(skipsPath), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(skipsPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	r := newRenderer(out)
	if err := r.run(in); err != nil {
		f.Close()
		return err
	}
	enc := json.NewEncoder(f)
	for _, s := range r.skips {
		if err := enc.Encode(s); err != nil {
			f.Close()
			return err
		}
	}
	if n := len(r.skips); n > 0 {
		fmt.Fprintf(out, "testreport: %d Go test(s) skipped; the list with reasons is printed at the end of make test (make test-skips)\n", n)
	}
	return f.Close()
}

// renderer turns test2json events back into plain go test output.
type renderer struct {
	out     io.Writer
	pending map[[2]string][]string // (package, test) -> output lines so far
	order   map[string][]string    // package -> tests in start order
	skips   []Skip
}

func newRenderer(out io.Writer) *renderer {
	return &renderer{out: out, pending: map[[2]string][]string{}, order: map[string][]string{}}
}

func (r *renderer) run(in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 64*1024), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(r.out, "%s\n", line) // not an event: go command output
			continue
		}
		r.event(e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// Input ended: print what tests that never ended logged (a killed binary).
	for _, pkg := range sortedKeys(r.order) {
		r.flush(pkg)
	}
	return nil
}

func (r *renderer) event(e event) {
	key := [2]string{e.Package, e.Test}
	switch {
	case e.Action == "build-output":
		fmt.Fprint(r.out, e.Output)
	case e.Test == "" && e.Action == "output":
		if strings.HasPrefix(e.Output, "FAIL") {
			r.flush(e.Package) // a panic or a timeout ended the binary mid-test
		}
		if s := strings.TrimSpace(e.Output); s != "PASS" && !strings.HasPrefix(s, "=== ") {
			fmt.Fprint(r.out, e.Output)
		}
	case e.Test == "" && e.Action == "fail":
		r.flush(e.Package)
	case e.Test == "":
	case e.Action == "run":
		r.order[e.Package] = append(r.order[e.Package], e.Test)
		r.pending[key] = nil
	case e.Action == "output":
		if !strings.HasPrefix(strings.TrimSpace(e.Output), "=== ") {
			r.pending[key] = append(r.pending[key], e.Output)
		}
	case e.Action == "fail":
		fmt.Fprint(r.out, strings.Join(failFirst(r.pending[key]), ""))
		delete(r.pending, key)
	case e.Action == "skip":
		r.skips = append(r.skips, Skip{Suite: "go", Where: e.Package, Test: e.Test, Reason: reason(r.pending[key])})
		delete(r.pending, key)
	case e.Action == "pass":
		delete(r.pending, key)
	}
}

// flush prints the output of pkg's tests that have not ended.
func (r *renderer) flush(pkg string) {
	for _, test := range r.order[pkg] {
		key := [2]string{pkg, test}
		if lines, ok := r.pending[key]; ok {
			fmt.Fprint(r.out, strings.Join(lines, ""))
			delete(r.pending, key)
		}
	}
	delete(r.order, pkg)
}

// failFirst moves the "--- FAIL:" line before the lines the test logged, as
// plain go test prints it (with -json the logs stream first).
func failFirst(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "--- FAIL:") {
			out := append([]string{l}, lines[:i]...)
			return append(out, lines[i+1:]...)
		}
	}
	return lines
}

// reason joins what a skipped test logged, without its "--- SKIP" line.
func reason(lines []string) string {
	var parts []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "--- SKIP:") {
			continue
		}
		parts = append(parts, l)
	}
	if len(parts) == 0 {
		return "(no reason given)"
	}
	return strings.Join(parts, " / ")
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// vitestReport is the part of vitest's JSON reporter output read here.
type vitestReport struct {
	TestResults []struct {
		Name             string `json:"name"`
		AssertionResults []struct {
			FullName string `json:"fullName"`
			Status   string `json:"status"`
		} `json:"assertionResults"`
	} `json:"testResults"`
}

func skipsMode(out io.Writer, dir string) error {
	var all []Skip
	b, err := os.ReadFile(filepath.Join(dir, "go-skips.jsonl"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	for {
		var s Skip
		if err := dec.Decode(&s); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("go-skips.jsonl: %w", err)
		}
		all = append(all, s)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.vitest.json"))
	if err != nil {
		return err
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		var rep vitestReport
		if err := json.Unmarshal(b, &rep); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		for _, f := range rep.TestResults {
			for _, a := range f.AssertionResults {
				switch a.Status {
				case "skipped", "pending", "todo", "disabled":
					where := f.Name
					if wd, err := os.Getwd(); err == nil {
						if rel, err := filepath.Rel(wd, f.Name); err == nil {
							where = rel
						}
					}
					all = append(all, Skip{Suite: "vitest", Where: where, Test: a.FullName,
						Reason: a.Status + " (vitest records no reason: see the skipIf/runIf condition)"})
				}
			}
		}
	}
	if len(all) == 0 {
		fmt.Fprintln(out, "skipped tests: none")
		return nil
	}
	fmt.Fprintf(out, "skipped tests: %d\n", len(all))
	for _, s := range all {
		sep := " "
		if s.Suite == "vitest" {
			sep = " > "
		}
		fmt.Fprintf(out, "  %-6s %s%s%s: %s\n", s.Suite, strings.TrimPrefix(s.Where, "github.com/pitchline/pitchline/"), sep, s.Test, s.Reason)
	}
	return nil
}

package amd

import (
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"
)

// corpusFile is one row of testdata/manifest.csv (scripts/amd-corpus.sh).
type corpusFile struct {
	Name    string
	Label   Result
	HasBeep bool
	BeepAt  time.Duration
	BeepLen time.Duration
	Set     string // "tune", "holdout" or "fresh"
	Voice   string
	Noise   string
	Text    string
	Rate    int
	Samples []int16
}

// readWAV reads a PCM 16-bit mono WAV file.
func readWAV(path string) ([]int16, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("%s: not a RIFF/WAVE file", path)
	}
	rate, fmtOK := 0, false
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := b[p+8:]
		if size > len(body) {
			size = len(body)
		}
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, fmt.Errorf("%s: short fmt chunk", path)
			}
			format, ch := binary.LittleEndian.Uint16(body[0:2]), binary.LittleEndian.Uint16(body[2:4])
			bits := binary.LittleEndian.Uint16(body[14:16])
			if (format != 1 && format != 0xFFFE) || ch != 1 || bits != 16 {
				return nil, 0, fmt.Errorf("%s: want PCM 16-bit mono, got format %d, %d channels, %d bits", path, format, ch, bits)
			}
			rate, fmtOK = int(binary.LittleEndian.Uint32(body[4:8])), true
		case "data":
			if !fmtOK {
				return nil, 0, fmt.Errorf("%s: data before fmt", path)
			}
			s := make([]int16, size/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(body[2*i:]))
			}
			return s, rate, nil
		}
		p += 8 + size + size%2
	}
	return nil, 0, fmt.Errorf("%s: no data chunk", path)
}

// loadCorpus reads the manifest and every file it lists.
func loadCorpus(t testing.TB) []corpusFile {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "manifest.csv"))
	if err != nil {
		t.Fatalf("corpus manifest: %v (regenerate with scripts/amd-corpus.sh)", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("corpus manifest: %v", err)
	}
	if len(rows) < 2 || len(rows[0]) < 10 || rows[0][0] != "file" || rows[0][1] != "label" {
		t.Fatalf("corpus manifest: unexpected header %q", rows[0])
	}
	var out []corpusFile
	for _, r := range rows[1:] {
		c := corpusFile{Name: r[0], Label: Result(r[1]), HasBeep: r[2] == "1", Set: r[5], Voice: r[6], Noise: r[8], Text: r[9]}
		if c.Label != Human && c.Label != Machine {
			t.Fatalf("%s: label %q", c.Name, r[1])
		}
		if c.HasBeep {
			at, err1 := strconv.Atoi(r[3])
			ln, err2 := strconv.Atoi(r[4])
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: beep_at_ms %q beep_ms %q", c.Name, r[3], r[4])
			}
			c.BeepAt, c.BeepLen = time.Duration(at)*time.Millisecond, time.Duration(ln)*time.Millisecond
		}
		c.Samples, c.Rate, err = readWAV(filepath.Join("testdata", c.Name))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// run is one corpus file through a detector: the decision, and for a
// machine decision the drop moment and the beep found.
type run struct {
	File     corpusFile
	Decision Decision
	Decided  bool
	Drop     bool
	DropAt   time.Duration
	DropWhy  string
	BeepAt   time.Duration
	BeepOK   bool
	BeepFreq float64
}

// classify feeds a file in 20 ms frames: Feed until decided, then
// FeedGreeting until the drop (after a machine decision) or the end.
func classify(t testing.TB, c corpusFile, opts ...Option) run {
	t.Helper()
	d, err := New(c.Rate, opts...)
	if err != nil {
		t.Fatal(err)
	}
	r := run{File: c}
	n := c.Rate / 50
	for p := 0; p+n <= len(c.Samples); p += n {
		fr := c.Samples[p : p+n]
		if !r.Decided {
			r.Decision, r.Decided = d.Feed(fr)
			continue
		}
		if r.Decision.Result != Machine {
			break
		}
		if drop, why := d.FeedGreeting(fr); drop {
			r.Drop, r.DropAt, r.DropWhy = true, d.Elapsed(), why
			break
		}
	}
	r.BeepAt, r.BeepFreq, r.BeepOK = d.Beep()
	return r
}

// summary is the confusion matrix and decision times of a set of runs.
type summary struct {
	N, Correct int
	Matrix     map[Result]map[Result]int // label -> result -> count
	Times      []time.Duration           // decision times, sorted
}

func summarize(runs []run) summary {
	s := summary{Matrix: map[Result]map[Result]int{Human: {}, Machine: {}}}
	for _, r := range runs {
		s.N++
		res := r.Decision.Result
		if !r.Decided {
			res = Unknown
		}
		s.Matrix[r.File.Label][res]++
		if res == r.File.Label {
			s.Correct++
		}
		s.Times = append(s.Times, r.Decision.After)
	}
	sort.Slice(s.Times, func(i, j int) bool { return s.Times[i] < s.Times[j] })
	return s
}

func (s summary) quantile(q float64) time.Duration {
	if len(s.Times) == 0 {
		return 0
	}
	i := int(q*float64(len(s.Times)-1) + 0.5)
	return s.Times[i]
}

func (s summary) String() string {
	return fmt.Sprintf("%d/%d correct (%.1f %%); human -> human %d, machine %d, unknown %d; machine -> human %d, machine %d, unknown %d; decision median %v, p95 %v, within 2.5 s %.0f %%",
		s.Correct, s.N, 100*float64(s.Correct)/float64(max(s.N, 1)),
		s.Matrix[Human][Human], s.Matrix[Human][Machine], s.Matrix[Human][Unknown],
		s.Matrix[Machine][Human], s.Matrix[Machine][Machine], s.Matrix[Machine][Unknown],
		s.quantile(0.5), s.quantile(0.95), 100*s.within(2500*time.Millisecond))
}

// within is the share of decisions made within d.
func (s summary) within(d time.Duration) float64 {
	n := sort.Search(len(s.Times), func(i int) bool { return s.Times[i] > d })
	return float64(n) / float64(max(len(s.Times), 1))
}

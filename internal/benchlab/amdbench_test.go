//go:build benchlab && linux

package benchlab

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone"
	"github.com/pitchline/pitchline/softphone/dialer"
	"github.com/pitchline/pitchline/softphone/dialer/amd"
)

// The answering-machine-detection benchmark of issue 11, section 3
// (BENCHMARKS.md, "Answering-machine detection"): every file of the
// labelled corpus (softphone/dialer/amd/testdata) classified twice, side by
// side in the same run:
//
//   - files direct: the file's samples fed to an amd.Detector, as the
//     package's own tests do;
//   - through real peers: the file played by a baresip peer (aufile,
//     PCMU) registered at a real Kamailio, answering a call that a real
//     softphone.Phone places through Kamailio; the dialer's own AMD
//     (dialer.NewAMD: Classify, then Drop for a machine, with a 1 s
//     voicemail) listens to the engine's received-audio tap, as in a
//     dialer session.
//
// Run it with scripts/bench.d/55-amd-peers.sh, or
//
//	go test -tags benchlab -run TestAMDCorpusThroughPeers -v ./internal/benchlab/
//
// Environment:
//
//	PITCHLINE_BENCH_AMD_PEERS   baresip peers, each taking one call at a time (default 4)
//	PITCHLINE_BENCH_OUT         also append the Markdown report to this file

// amdFile is one row of the corpus manifest.
type amdFile struct {
	name, set       string
	label           amd.Result
	beep            bool
	beepEnd         time.Duration
	rate            int
	samples         []int16
	direct, viaPeer amdOutcome
}

// amdOutcome is one classification: the result, the decision time (audio
// time fed to the detector; through peers also the wall time from the
// answer to Classify's return) and the drop.
type amdOutcome struct {
	result  amd.Result
	after   time.Duration // audio time at the decision
	wall    time.Duration // through peers: answer -> decision (what decision_ms reports)
	dropWhy string
	err     string
}

const amdCorpusDir = "../../softphone/dialer/amd/testdata"

func loadAMDCorpus(t *testing.T) []*amdFile {
	t.Helper()
	f, err := os.Open(filepath.Join(amdCorpusDir, "manifest.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 || rows[0][0] != "file" {
		t.Fatalf("corpus manifest: %v", err)
	}
	var out []*amdFile
	for _, r := range rows[1:] {
		c := &amdFile{name: r[0], label: amd.Result(r[1]), beep: r[2] == "1", set: r[5]}
		if c.beep {
			at, _ := strconv.Atoi(r[3])
			ln, _ := strconv.Atoi(r[4])
			c.beepEnd = time.Duration(at+ln) * time.Millisecond
		}
		if c.rate, c.samples, err = testlab.ReadWAV(filepath.Join(amdCorpusDir, c.name)); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// classifyDirect feeds the file in 20 ms frames: Feed until decided, then
// FeedGreeting until the drop after a machine decision.
func classifyDirect(c *amdFile) amdOutcome {
	d, err := amd.New(c.rate)
	if err != nil {
		return amdOutcome{result: amd.Unknown, err: err.Error()}
	}
	o := amdOutcome{result: amd.Unknown}
	n, decided := c.rate/50, false
	for p := 0; p+n <= len(c.samples); p += n {
		fr := c.samples[p : p+n]
		if !decided {
			var dec amd.Decision
			if dec, decided = d.Feed(fr); decided {
				o.result, o.after = dec.Result, dec.After
			}
			continue
		}
		if o.result != amd.Machine {
			break
		}
		if drop, why := d.FeedGreeting(fr); drop {
			o.dropWhy = why
			break
		}
	}
	return o
}

// amdLog keeps what the dialer's AMD logs per call: the detector's
// decision time ("decision", debug) and the drop's reason ("dropping the
// voicemail").
type amdLog struct {
	mu    sync.Mutex
	after map[string]time.Duration
	why   map[string]string
}

func (l *amdLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *amdLog) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *amdLog) WithGroup(string) slog.Handler            { return l }
func (l *amdLog) Handle(_ context.Context, r slog.Record) error {
	var call, why string
	var after time.Duration
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "call":
			call = a.Value.String()
		case "after":
			after = a.Value.Duration()
		case "why":
			why = a.Value.String()
		}
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	switch r.Message {
	case "decision":
		l.after[call] = after
	case "dropping the voicemail":
		l.why[call] = why
	}
	return nil
}

func TestAMDCorpusThroughPeers(t *testing.T) {
	peers := 4
	if v := os.Getenv("PITCHLINE_BENCH_AMD_PEERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 8 {
			t.Fatalf("PITCHLINE_BENCH_AMD_PEERS=%q: want 1 to 8", v)
		}
		peers = n
	}
	corpus := loadAMDCorpus(t)
	for _, c := range corpus {
		c.direct = classifyDirect(c)
	}
	loadBefore := loadavg()
	started := time.Now()

	// The peers' files: the corpus file and 4 s of silence, so that the
	// peer (aufile hangs up at the end of its file) is still on the line
	// when a greeting without a beep is followed by the drop's 2 s of
	// silence, and a human waits for an answer.
	dir := t.TempDir()
	padded := map[string]string{}
	for _, c := range corpus {
		s := append(slices.Clone(c.samples), make([]int16, 4*c.rate)...)
		p := filepath.Join(dir, c.name)
		if err := testlab.WriteWAV(p, c.rate, s); err != nil {
			t.Fatal(err)
		}
		padded[c.name] = p
	}
	voicemail := filepath.Join(dir, "voicemail.wav")
	if err := testlab.WriteToneWAV(voicemail, 700, 1); err != nil {
		t.Fatal(err)
	}

	var kopts []testlab.KamailioOption
	for i := 1; i <= peers; i++ {
		kopts = append(kopts, testlab.WithUser(fmt.Sprintf("amdpeer%d", i), fmt.Sprintf("amdpeer%dpw", i)))
	}
	k := testlab.StartKamailio(t, append(kopts, testlab.WithoutTLS())...)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	var bs []*testlab.Baresip
	for i := 1; i <= peers; i++ {
		u := fmt.Sprintf("amdpeer%d", i)
		b := testlab.StartBaresip(t, u, testlab.WithAccount(u, k.Password(u), k.Addr(), "udp"),
			testlab.WithSourceWAV(padded[corpus[0].name]))
		if _, err := k.WaitRegistered(ctx, u); err != nil {
			t.Fatalf("%s not registered: %v", u, err)
		}
		bs = append(bs, b)
	}

	logs := &amdLog{after: map[string]time.Duration{}, why: map[string]string{}}
	eng := startPhone(ctx, t, softphone.AccountConfig{AOR: "sip:alice@" + k.Addr(), Password: k.Password("alice"), Transport: "udp", Register: true},
		slog.LevelWarn)
	det, err := dialer.NewAMD(slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	defer det.Close()

	jobs := make(chan *amdFile)
	var wg sync.WaitGroup
	for _, b := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				c.viaPeer = amdThroughPeer(ctx, eng, det, logs, b, padded[c.name], voicemail)
			}
		}()
	}
	for _, c := range corpus {
		jobs <- c
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(started)

	failed := 0
	for _, c := range corpus {
		if c.viaPeer.err != "" {
			failed++
			t.Errorf("%s through a peer: %s", c.name, c.viaPeer.err)
		}
	}
	report(t, amdReport(corpus, peers, elapsed, loadBefore))
}

// amdThroughPeer makes peer b play path, calls it through Kamailio and
// runs the dialer's AMD on the call: Classify, then for a machine Drop
// (which waits for the beep or the silence after the greeting and plays
// the voicemail), then hangs up.
func amdThroughPeer(ctx context.Context, eng *dialer.PhoneEngine, det *dialer.AMD, logs *amdLog, b *testlab.Baresip, path, voicemail string) amdOutcome {
	o := amdOutcome{result: amd.Unknown}
	if _, err := b.Command(ctx, "ausrc", "aufile,"+path); err != nil {
		o.err = "switching the peer's source: " + err.Error()
		return o
	}
	cctx, hangup := context.WithCancel(ctx)
	defer hangup()
	call, err := eng.Dial(cctx, b.AOR(), dialer.DialOptions{})
	if err != nil {
		o.err = "dial: " + err.Error()
		return o
	}
	defer func() { // hang up and wait for the end, so the peer is free
		hangup()
		for range call.Updates() {
		}
	}()
	for answered := false; !answered; {
		select {
		case u, ok := <-call.Updates():
			if !ok || u.Ended {
				o.err = fmt.Sprintf("ended before the answer: %s %d %s", u.Cause, u.Status, u.Reason)
				return o
			}
			answered = u.Answered
		case <-time.After(30 * time.Second):
			o.err = "no answer within 30 s"
			return o
		}
	}
	answered := time.Now()
	actx, done := context.WithTimeout(cctx, 5*time.Second) // the session's default AMD timeout
	res, err := det.Classify(actx, call)
	done()
	o.wall = time.Since(answered)
	if err != nil {
		o.err = "classify: " + err.Error()
		return o
	}
	o.result = amd.Result(res)
	logs.mu.Lock()
	o.after = logs.after[call.ID()]
	logs.mu.Unlock()
	if res == dialer.AMDMachine {
		dctx, done := context.WithTimeout(cctx, 30*time.Second)
		err := det.Drop(dctx, call, voicemail)
		done()
		logs.mu.Lock()
		o.dropWhy = logs.why[call.ID()]
		logs.mu.Unlock()
		if err != nil && o.dropWhy == "" {
			o.dropWhy = "none (" + err.Error() + ")"
		}
	}
	return o
}

// amdReport is the Markdown report: per set and path, the confusion
// matrix and decision times; then the drops and every file on which the
// two paths disagree.
func amdReport(corpus []*amdFile, peers int, elapsed time.Duration, load string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "AMD corpus, files direct and through %d baresip peers via Kamailio (PCMU), %d files, %v, load average before %s\n\n",
		peers, len(corpus), elapsed.Round(time.Second), load)
	b.WriteString("| set | path | correct | human → human / machine / unknown | machine → human / machine / unknown | decision median | p95 | within 2.5 s | answer → decision median (wall) | p95 (wall) |\n|---|---|---|---|---|---|---|---|---|---|\n")
	q := func(ds []time.Duration, p float64) time.Duration {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return ds[int(p*float64(len(ds)-1)+0.5)]
	}
	for _, set := range []string{"all", "tune", "holdout", "fresh"} {
		for _, path := range []string{"direct", "peers"} {
			m := map[amd.Result]map[amd.Result]int{amd.Human: {}, amd.Machine: {}}
			var after, wall []time.Duration
			n, ok, within := 0, 0, 0
			for _, c := range corpus {
				if set != "all" && c.set != set {
					continue
				}
				o := c.direct
				if path == "peers" {
					o = c.viaPeer
					wall = append(wall, o.wall)
				}
				n++
				m[c.label][o.result]++
				if o.result == c.label {
					ok++
				}
				if o.after <= 2500*time.Millisecond {
					within++
				}
				after = append(after, o.after)
			}
			w1, w2 := "", ""
			if path == "peers" {
				w1, w2 = fmt.Sprint(q(wall, 0.5).Round(10*time.Millisecond)), fmt.Sprint(q(wall, 0.95).Round(10*time.Millisecond))
			}
			fmt.Fprintf(&b, "| %s (%d) | %s | %.1f %% | %d / %d / %d | %d / %d / %d | %v | %v | %.0f %% | %s | %s |\n",
				set, n, path, 100*float64(ok)/float64(n),
				m[amd.Human][amd.Human], m[amd.Human][amd.Machine], m[amd.Human][amd.Unknown],
				m[amd.Machine][amd.Human], m[amd.Machine][amd.Machine], m[amd.Machine][amd.Unknown],
				q(after, 0.5), q(after, 0.95), 100*float64(within)/float64(n), w1, w2)
		}
	}
	drops := map[string][2]int{}
	for _, c := range corpus {
		if c.label != amd.Machine {
			continue
		}
		kind := "no beep"
		if c.beep {
			kind = "beep"
		}
		for i, why := range []string{c.direct.dropWhy, c.viaPeer.dropWhy} {
			d := drops[kind+": "+why]
			d[i]++
			drops[kind+": "+why] = d
		}
	}
	b.WriteString("\nDrops of machine files, by the file's beep and the drop's reason (direct / peers): ")
	keys := make([]string, 0, len(drops))
	for k := range drops {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d / %d; ", k, drops[k][0], drops[k][1])
	}
	b.WriteString("\n\nFiles where the paths disagree:")
	none := true
	for _, c := range corpus {
		if c.direct.result != c.viaPeer.result || c.direct.dropWhy != c.viaPeer.dropWhy {
			none = false
			fmt.Fprintf(&b, "\n- %s (%s, %s): direct %s after %v, drop %q; peers %s after %v, drop %q %s",
				c.name, c.set, c.label, c.direct.result, c.direct.after, c.direct.dropWhy,
				c.viaPeer.result, c.viaPeer.after, c.viaPeer.dropWhy, c.viaPeer.err)
		}
	}
	if none {
		b.WriteString(" none.")
	}
	b.WriteString("\n")
	return b.String()
}

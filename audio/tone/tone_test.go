package tone

import (
	"errors"
	"io"
	"math"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio"
	"github.com/pitchline/pitchline/audio/dsp"
)

// read pulls d of audio from g.
func read(t testing.TB, g *Generator, d time.Duration) []int16 {
	n := audio.FrameSamples(g.Rate())
	frames := int(d / audio.FrameDuration)
	out := make([]int16, 0, frames*n)
	buf := make([]int16, n)
	for i := 0; i < frames; i++ {
		if err := g.ReadFrame(buf); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		out = append(out, buf...)
	}
	return out
}

// expectation of a cadence: frequencies and an on/off pattern in ms, as
// published (written out independently of presets.go).
type plan struct {
	freqs   []float64
	pattern []int   // on, off, on, off... ms
	minPow  float64 // per-frame Goertzel power that counts as sounding
}

func checkCadence(t *testing.T, name string, g *Generator, p plan) {
	t.Helper()
	rate := g.Rate()
	cycle := 0
	for _, v := range p.pattern {
		cycle += v
	}
	pcm := read(t, g, time.Duration(2*cycle)*time.Millisecond)
	n := audio.FrameSamples(rate)
	mismatch := 0
	for f := 0; f*n < len(pcm); f++ {
		ms := (f * 20) % cycle
		// Expected state at the frame; skip frames straddling a transition.
		pos, on, edge := 0, false, false
		for i, v := range p.pattern {
			if ms >= pos && ms < pos+v {
				on = i%2 == 0
				edge = ms+20 > pos+v || ms < pos+5
			}
			pos += v
		}
		if edge {
			continue
		}
		frame := pcm[f*n : (f+1)*n]
		sounding := true
		for _, fr := range p.freqs {
			min := p.minPow
			if min == 0 {
				min = 0.001 // -30 dB
			}
			if dsp.Goertzel(frame, rate, fr) < min {
				sounding = false
			}
		}
		silent := dsp.Peak(frame) == 0
		if on && !sounding || !on && !silent {
			mismatch++
			if mismatch < 5 {
				t.Errorf("%s: frame %d (%d ms into cycle): want on=%v, got sounding=%v silent=%v", name, f, ms, on, sounding, silent)
			}
		}
	}
	// Frequency check over the first burst: the plan's frequencies dominate.
	burst := pcm[:p.pattern[0]*rate/1000]
	got, _ := dsp.DominantFrequency(burst, rate, 300, 1000, 1)
	near := false
	for _, fr := range p.freqs {
		if math.Abs(got-fr) <= 2 {
			near = true
		}
	}
	if !near {
		t.Errorf("%s: dominant frequency %v Hz, want one of %v", name, got, p.freqs)
	}
}

func TestRingback(t *testing.T) {
	plans := map[Region]plan{
		RegionUS: {freqs: []float64{440, 480}, pattern: []int{2000, 4000}},
		RegionUK: {freqs: []float64{400, 450}, pattern: []int{400, 200, 400, 2000}},
		RegionEU: {freqs: []float64{425}, pattern: []int{1000, 4000}},
		RegionJP: {freqs: []float64{384, 400, 416}, pattern: []int{1000, 2000}},
	}
	for _, rate := range []int{8000, 48000} {
		for region, p := range plans {
			g, err := NewRingback(rate, region)
			if err != nil {
				t.Fatal(err)
			}
			if region == RegionJP {
				// Per-frame check of the carrier only (the 16 Hz envelope
				// dips inside a 20 ms frame); sidebands are checked below.
				p.freqs, p.minPow = []float64{400}, 1e-5
			}
			checkCadence(t, "ringback "+region.String(), g, p)
		}
	}
	// Japan: 400 Hz modulated by 16 Hz has sidebands at 384 and 416 Hz.
	g, _ := NewRingback(8000, RegionJP)
	burst := read(t, g, time.Second)
	c, lo, hi := dsp.Goertzel(burst, 8000, 400), dsp.Goertzel(burst, 8000, 384), dsp.Goertzel(burst, 8000, 416)
	if lo < c/8 || hi < c/8 || dsp.Goertzel(burst, 8000, 450) > c/1000 {
		t.Errorf("jp ringback: carrier %.4g, sidebands %.4g/%.4g", c, lo, hi)
	}
	if _, err := NewRingback(8000, "xx"); !errors.Is(err, ErrRegion) {
		t.Errorf("unknown region: %v", err)
	}
}

func TestBusy(t *testing.T) {
	plans := map[Region]plan{
		RegionUS: {freqs: []float64{480, 620}, pattern: []int{500, 500}},
		RegionUK: {freqs: []float64{400}, pattern: []int{375, 375}},
		RegionEU: {freqs: []float64{425}, pattern: []int{500, 500}},
		RegionJP: {freqs: []float64{400}, pattern: []int{500, 500}},
	}
	for region, p := range plans {
		g, err := NewBusy(16000, region)
		if err != nil {
			t.Fatal(err)
		}
		checkCadence(t, "busy "+region.String(), g, p)
	}
}

func TestDTMF(t *testing.T) {
	rows := []float64{697, 770, 852, 941}
	cols := []float64{1209, 1336, 1477, 1633}
	keys := [][]rune{{'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}}
	all := append(append([]float64{}, rows...), cols...)
	for r, row := range keys {
		for c, key := range row {
			g, err := NewDTMF(key, 8000, 100*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			pcm := read(t, g, 100*time.Millisecond)
			best := [2]float64{}
			bestP := [2]float64{}
			for _, f := range all {
				p := dsp.Goertzel(pcm, 8000, f)
				k := 0
				if f > 1000 {
					k = 1
				}
				if p > bestP[k] {
					best[k], bestP[k] = f, p
				}
			}
			if best[0] != rows[r] || best[1] != cols[c] {
				t.Errorf("digit %c: strongest %v, want %v+%v", key, best, rows[r], cols[c])
			}
			if err := g.ReadFrame(make([]int16, 160)); err != io.EOF {
				t.Errorf("digit %c after duration: %v, want io.EOF", key, err)
			}
		}
	}
	// A 50 ms digit: two full frames, a half frame zero-padded, then EOF.
	g, _ := NewDTMF('5', 8000, 50*time.Millisecond)
	buf := make([]int16, 160)
	for i := 0; i < 3; i++ {
		if err := g.ReadFrame(buf); err != nil {
			t.Fatal(err)
		}
	}
	if dsp.Peak(buf[:60]) == 0 || dsp.Peak(buf[80:]) != 0 {
		t.Errorf("last frame: head peak %v, tail peak %v", dsp.Peak(buf[:60]), dsp.Peak(buf[80:]))
	}
	if err := g.ReadFrame(buf); err != io.EOF {
		t.Errorf("want EOF, got %v", err)
	}
	if _, err := NewDTMF('x', 8000, time.Second); !errors.Is(err, ErrDigit) {
		t.Errorf("bad digit: %v", err)
	}
	if _, err := NewDTMF('1', 8000, 0); !errors.Is(err, ErrParam) {
		t.Errorf("zero duration: %v", err)
	}
	if lo, hi, err := DTMFFrequencies('d'); err != nil || lo != 941 || hi != 1633 {
		t.Errorf("d: %v %v %v", lo, hi, err)
	}
}

func TestSinePhaseContinuous(t *testing.T) {
	for _, rate := range []int{8000, 22050, 44100, 48000} {
		g, err := NewSine(1000, 0.5, rate)
		if err != nil {
			t.Fatal(err)
		}
		pcm := read(t, g, 3*time.Second)
		for i, v := range pcm {
			want := math.Round(0.5 * 32767 * math.Sin(2*math.Pi*1000*float64(i)/float64(rate)))
			if math.Abs(float64(v)-want) > 1 {
				t.Fatalf("rate %d sample %d = %d, want %v (phase drift or discontinuity)", rate, i, v, want)
			}
		}
	}
	if _, err := NewSine(5000, 0.5, 8000); !errors.Is(err, ErrParam) {
		t.Errorf("above Nyquist: %v", err)
	}
	if _, err := NewSine(1000, 1.5, 8000); !errors.Is(err, ErrParam) {
		t.Errorf("amp: %v", err)
	}
	if _, err := NewSine(1000, 0.5, 11025); !errors.Is(err, ErrRate) {
		t.Errorf("rate: %v", err)
	}
}

// TestBurstsHaveNoClicks: within and at the edges of bursts the sample step
// never exceeds what a sine of the tone's frequency allows.
func TestBurstsHaveNoClicks(t *testing.T) {
	g, _ := NewRingback(48000, RegionUS)
	pcm := read(t, g, 6*time.Second)
	maxStep := 2 * progressAmp * 32767 * 2 * math.Pi * 480 / 48000 * 1.05
	for i := 1; i < len(pcm); i++ {
		if d := math.Abs(float64(pcm[i]) - float64(pcm[i-1])); d > maxStep+2 {
			t.Fatalf("step %v at sample %d (max %v)", d, i, maxStep)
		}
	}
}

func TestRingtoneMelody(t *testing.T) {
	g, err := NewRingtone(16000)
	if err != nil {
		t.Fatal(err)
	}
	pcm := read(t, g, 3600*time.Millisecond)
	notes := []float64{659.26, 830.61, 987.77, 1318.51}
	for phrase := 0; phrase < 2; phrase++ {
		for i, want := range notes {
			start := (phrase*800 + i*120 + 10) * 16 // ms → samples at 16 kHz, skip 10 ms
			seg := pcm[start : start+100*16]
			got, _ := dsp.DominantFrequency(seg, 16000, 500, 1500, 1)
			if math.Abs(got-want) > 10 {
				t.Errorf("phrase %d note %d: %v Hz, want %v", phrase, i, got, want)
			}
		}
	}
	if p := dsp.Peak(pcm[1700*16:]); p != 0 {
		t.Errorf("pause not silent: peak %v", p)
	}
	if dsp.Peak(read(t, g, 100*time.Millisecond)) == 0 {
		t.Error("melody does not repeat")
	}
}

func BenchmarkRingback48k(b *testing.B) {
	g, _ := NewRingback(48000, RegionUS)
	buf := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.ReadFrame(buf)
	}
}

func BenchmarkDTMF8k(b *testing.B) {
	g, _ := NewDTMF('5', 8000, time.Minute)
	buf := make([]int16, 160)
	b.ReportAllocs()
	for b.Loop() {
		if g.ReadFrame(buf) == io.EOF {
			g.Reset()
		}
	}
}

func BenchmarkRingtone48k(b *testing.B) {
	g, _ := NewRingtone(48000)
	buf := make([]int16, 960)
	b.ReportAllocs()
	for b.Loop() {
		_ = g.ReadFrame(buf)
	}
}

// TestDTMFSequence: every digit sounds in turn, each for its time, with
// silence between them, then EOF; bad input is refused.
func TestDTMFSequence(t *testing.T) {
	const on, off = 120 * time.Millisecond, 40 * time.Millisecond
	g, err := NewDTMFSequence("19#", 8000, on, off)
	if err != nil {
		t.Fatal(err)
	}
	pcm := read(t, g, 3*(on+off))
	at := func(d time.Duration) int { return int(d * 8000 / time.Second) }
	for i, d := range "19#" {
		lo, hi, _ := DTMFFrequencies(d)
		start := time.Duration(i) * (on + off)
		seg := pcm[at(start+10*time.Millisecond):at(start+on-10*time.Millisecond)]
		for _, f := range []float64{lo, hi} {
			if p := dsp.Goertzel(seg, 8000, f); p < 0.01 {
				t.Errorf("digit %c: %v Hz power %.4f", d, f, p)
			}
		}
		if gap := pcm[at(start+on+5*time.Millisecond):at(start+on+off-5*time.Millisecond)]; dsp.Peak(gap) != 0 {
			t.Errorf("after digit %c: gap peak %v, want silence", d, dsp.Peak(gap))
		}
	}
	if err := g.ReadFrame(make([]int16, 160)); err != io.EOF {
		t.Errorf("after the sequence: %v, want io.EOF", err)
	}
	for _, bad := range []struct {
		digits  string
		on, off time.Duration
	}{{"", on, off}, {"1x", on, off}, {"1", 0, off}, {"1", on, -1}} {
		if _, err := NewDTMFSequence(bad.digits, 8000, bad.on, bad.off); err == nil {
			t.Errorf("NewDTMFSequence(%q, %v, %v) accepted", bad.digits, bad.on, bad.off)
		}
	}
}

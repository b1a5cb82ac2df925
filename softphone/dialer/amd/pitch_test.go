package amd

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// glide returns n samples at rate of a voiced-like sound: the first eight
// harmonics of an F0 that moves exponentially from f0 to f1 Hz, at
// amplitude amp.
func glide(rate, n int, f0, f1, amp float64) []int16 {
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		f := f0 * math.Pow(f1/f0, float64(i)/float64(n))
		phase += 2 * math.Pi * f / float64(rate)
		var v float64
		for h := 1; h <= 8; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		out[i] = int16(amp * v / 2)
	}
	return out
}

// TestPitchEstimate: YIN finds the F0 of steady harmonic tones within 2 %
// across the voice range, and none in white noise.
func TestPitchEstimate(t *testing.T) {
	for _, f := range []float64{70, 100, 150, 220, 300, 380} {
		var p pitchTracker
		for _, v := range glide(8000, 800, f, f, 8000) {
			p.push(float64(v))
		}
		got, ap, ok := p.estimate()
		if !ok || math.Abs(got-f)/f > 0.02 {
			t.Errorf("%v Hz: got %v Hz (aperiodicity %.2f, ok %v)", f, got, ap, ok)
		}
	}
	var p pitchTracker
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 800; i++ {
		p.push(r.NormFloat64() * 3000)
	}
	if got, ap, ok := p.estimate(); ok {
		t.Errorf("white noise: got %v Hz (aperiodicity %.2f), want none", got, ap)
	}
	var q pitchTracker
	for i := 0; i < pitchBuf-1; i++ {
		q.push(1000)
	}
	if _, _, ok := q.estimate(); ok {
		t.Error("estimate with too few samples")
	}
}

// utterance is 500 ms of silence, a 450 ms glide from f0 to f1 Hz, then
// 1.5 s of silence, at rate.
func utterance(rate int, f0, f1 float64) []int16 {
	s := make([]int16, rate/2)
	s = append(s, glide(rate, rate*450/1000, f0, f1, 12000)...)
	return append(s, make([]int16, rate*3/2)...)
}

// TestQuestionRise: with the question rule on (the default), a rising
// glide (a "Hello?") is a human after the question silence, and a falling
// one (a "Hello.") waits for the full human silence; with the rule off
// both wait. At every rate. (The pause per syllable is off here: the glide
// is one long syllable, which would lengthen the human silence; it has its
// own test.)
func TestQuestionRise(t *testing.T) {
	const qs = 400 * time.Millisecond
	for _, rate := range []int{8000, 16000, 48000} {
		for _, tc := range []struct {
			name     string
			f0, f1   float64
			opts     []Option
			reason   string
			minAfter time.Duration
		}{
			{"rising, rule on", 140, 220, []Option{WithQuestionSilence(qs)}, ReasonQuestion, 950*time.Millisecond + qs},
			{"falling, rule on", 220, 140, []Option{WithQuestionSilence(qs)}, ReasonShortGreeting, 950*time.Millisecond + DefaultHumanSilence},
			{"flat, rule on", 180, 180, []Option{WithQuestionSilence(qs)}, ReasonShortGreeting, 950*time.Millisecond + DefaultHumanSilence},
			{"rising, rule off", 140, 220, []Option{WithQuestionSilence(0)}, ReasonShortGreeting, 950*time.Millisecond + DefaultHumanSilence},
			{"rising, default", 140, 220, nil, ReasonQuestion, 950*time.Millisecond + DefaultQuestionSilence},
			{"low voice rising, rule on", 90, 140, []Option{WithQuestionSilence(qs)}, ReasonQuestion, 950*time.Millisecond + qs},
		} {
			d, err := New(rate, append([]Option{WithPausePerSyllable(0)}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			s := utterance(rate, tc.f0, tc.f1)
			n := rate / 50
			var dec Decision
			ok := false
			for p := 0; p+n <= len(s) && !ok; p += n {
				dec, ok = d.Feed(s[p : p+n])
			}
			if !ok || dec.Result != Human || dec.Reason != tc.reason {
				t.Errorf("%d Hz, %s: %+v (decided %v), want human: %q", rate, tc.name, dec, ok, tc.reason)
				continue
			}
			// The decision comes after the glide and the silence, at most
			// two frames late.
			if dec.After < tc.minAfter || dec.After > tc.minAfter+40*time.Millisecond {
				t.Errorf("%d Hz, %s: decided after %v, want %v", rate, tc.name, dec.After, tc.minAfter)
			}
		}
	}
}

// TestPausePerSyllable: a falling one-syllable glide of 450 ms waits for
// 1.5 times its syllable length (675 ms) by default, longer than the
// human silence (550 ms), and for the human silence with the option off.
func TestPausePerSyllable(t *testing.T) {
	for _, tc := range []struct {
		opts []Option
		want time.Duration
	}{
		{nil, 950*time.Millisecond + time.Duration(DefaultPausePerSyllable*450)*time.Millisecond},
		{[]Option{WithPausePerSyllable(0)}, 950*time.Millisecond + DefaultHumanSilence},
		{[]Option{WithPausePerSyllable(3)}, 950*time.Millisecond + 1350*time.Millisecond},
	} {
		d, err := New(8000, tc.opts...)
		if err != nil {
			t.Fatal(err)
		}
		s := utterance(8000, 220, 140)
		var dec Decision
		ok := false
		for p := 0; p+160 <= len(s) && !ok; p += 160 {
			dec, ok = d.Feed(s[p : p+160])
		}
		if !ok || dec.Result != Human || dec.Syllables != 1 {
			t.Fatalf("%d options: %+v (decided %v), want a one-syllable human", len(tc.opts), dec, ok)
		}
		// Within two frames of the glide's end plus the silence (the
		// voice-activity edge moves the measured length by a frame).
		if dec.After < tc.want-40*time.Millisecond || dec.After > tc.want+40*time.Millisecond {
			t.Errorf("%d options: decided after %v, want %v", len(tc.opts), dec.After, tc.want)
		}
	}
}

func TestQuestionOptions(t *testing.T) {
	for _, o := range []Option{WithQuestionSilence(100 * time.Millisecond), WithQuestionSilence(6 * time.Second),
		WithQuestionRise(0.4), WithQuestionRise(25), WithQuestionRise(math.NaN())} {
		if _, err := New(8000, o); err == nil {
			t.Error("accepted an out-of-range question option")
		}
	}
	if _, err := New(8000, WithQuestionSilence(0), WithQuestionRise(2)); err != nil {
		t.Error(err)
	}
}

// TestZeroAllocsQuestion: the pitch tracking adds no allocation.
func TestZeroAllocsQuestion(t *testing.T) {
	s := utterance(8000, 140, 220)
	d, err := New(8000, WithQuestionSilence(400*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	p := 0
	if a := testing.AllocsPerRun(200, func() {
		if p+160 > len(s) {
			p = 0
			d.Reset()
		}
		d.Feed(s[p : p+160])
		p += 160
	}); a != 0 {
		t.Errorf("Feed with the question rule: %v allocs per frame", a)
	}
}

// TestContourRise: the rise of a contour's end, on contours set by hand.
// A run of wrong F0 values at a word's fading end (noise read as a higher
// period, adjacent to the true F0) is not a rise: only the final stretch
// without a jump of more than 3 semitones between adjacent frames counts.
func TestContourRise(t *testing.T) {
	nan := math.NaN()
	for _, tc := range []struct {
		name    string
		contour []float64
		whole   bool // continuity off
		rise    float64
		ok      bool
	}{
		{"steady rise", []float64{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4}, false, 3, true}, // end 3.5 (median), low 0.5
		{"fall", []float64{4, 3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0}, false, -0.5, true},
		{"single octave error removed by the median", []float64{0, 0, 0, 12, 0, 0, 0}, false, 0, true},
		{"run of wrong values at the end", []float64{0, 0, 0, 0, 0, 0, 7, 7, 7, 7}, false, 0, true},
		{"the same over the whole contour", []float64{0, 0, 0, 0, 0, 0, 7, 7, 7, 7}, true, 7, true},
		{"too short after the jump", []float64{0, 0, 0, 0, 0, 0, 0, 7, 7, 7}, false, 0, false},
		{"a reset across an unvoiced frame is allowed", []float64{0, 0, 0, 0, nan, 4, 4.5, 5, 5}, false, 5, true},
		{"more than an octave", []float64{0, 0, 2.5, 5, 7.5, 10, 12.5, 15, 15, 15}, false, 0, false},
		{"too few F0 values", []float64{nan, 0, nan, 2, nan, 4}, false, 0, false},
	} {
		d, err := New(8000, WithQuestionSilence(400*time.Millisecond), withPitchContinuity(!tc.whole))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range tc.contour {
			d.contour[d.contourPos] = v
			d.contourPos = (d.contourPos + 1) % contourLen
			d.contourN = min(d.contourN+1, contourLen)
		}
		rise, ok := d.contourRise()
		if ok != tc.ok || (ok && math.Abs(rise-tc.rise) > 1e-9) {
			t.Errorf("%s: rise %v, ok %v; want %v, %v", tc.name, rise, ok, tc.rise, tc.ok)
		}
	}
}

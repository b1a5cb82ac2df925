package amd

import (
	"os"
	"testing"
	"time"
)

// TestCorpusSweep prints the accuracy and decision times of the tune set
// over a grid of options (AMD_SWEEP=1; AMD_SWEEP=defaults: the grid the
// current defaults were chosen on, sweepDefaults). A tuning aid: the defaults are
// chosen on "tune" only, then checked once on "holdout" (TestCorpusAccuracy).
// The grid includes the faster, riskier points (650 ms of human silence,
// 6 syllables for a machine: WithMaxHumanSyllables(5)) whose figures
// BENCHMARKS.md reports against the 2 s median goal.
func TestCorpusSweep(t *testing.T) {
	if os.Getenv("AMD_SWEEP") == "" {
		t.Skip("tuning aid: set AMD_SWEEP=1")
	}
	if os.Getenv("AMD_SWEEP") == "defaults" {
		sweepDefaults(t)
		return
	}
	var tune []corpusFile
	for _, c := range loadCorpus(t) {
		if c.Set == "tune" {
			tune = append(tune, c)
		}
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	// The question-intonation rule (contour.go): the silence after a
	// rising end, and the rise, against the plain rule (0).
	for _, qs := range []int{0, 300, 350, 400, 450} {
		for _, rise := range []float64{2, 2.5, 3, 4} {
			for _, hs := range []int{650, 700} {
				for _, syl := range []int{5, 6} {
					if qs == 0 && rise != 2 {
						continue
					}
					var rs []run
					for _, c := range tune {
						rs = append(rs, classify(t, c, WithHumanSilence(ms(hs)), WithMaxHumanSyllables(syl),
							WithQuestionSilence(ms(qs)), WithQuestionRise(rise)))
					}
					t.Logf("question-silence %d rise %.1f human-silence %d max-human-syllables %d: %v", qs, rise, hs, syl, summarize(rs))
				}
			}
		}
	}
	if os.Getenv("AMD_SWEEP") == "question" {
		return
	}
	for _, hs := range []int{600, 650, 700, 800} {
		for _, mh := range []int{2200, 2600, 3000} {
			for _, md := range []int{3500, 4000} {
				for _, syl := range []int{5, 6} {
					var rs []run
					for _, c := range tune {
						rs = append(rs, classify(t, c, WithHumanSilence(ms(hs)), WithMaxHumanGreeting(ms(mh)),
							WithMaxDecision(ms(md)), WithMaxHumanSyllables(syl)))
					}
					t.Logf("human-silence %d max-human-greeting %d max-decision %d max-human-syllables %d: %v", hs, mh, md, syl, summarize(rs))
				}
			}
		}
	}
}

// sweepDefaults is the grid the current defaults were chosen on
// (AMD_SWEEP=defaults): the tune and holdout sets together (140 files; the
// fresh set is left out, it was checked once afterwards), machine from the
// 6th or 7th syllable, the human silence, the pause per syllable, the
// question silence and rise, the syllable dip. The defaults are the
// fastest row without a wrong guess.
func sweepDefaults(t *testing.T) {
	var seen []corpusFile
	for _, c := range loadCorpus(t) {
		if c.Set != "fresh" {
			seen = append(seen, c)
		}
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	for _, syl := range []int{5, 6} {
		for _, dep := range []float64{4, 5} {
			for _, hs := range []int{500, 550, 600, 650, 700} {
				for _, k := range []float64{0, 1.5, 2} {
					for _, qs := range []int{0, 300, 325, 350} {
						for _, rise := range []float64{1.5, 2.5} {
							if qs == 0 && rise != 1.5 {
								continue
							}
							var rs []run
							for _, c := range seen {
								rs = append(rs, classify(t, c, WithMaxHumanSyllables(syl), WithSyllableDepth(dep), WithHumanSilence(ms(hs)),
									WithPausePerSyllable(k), WithQuestionSilence(ms(qs)), WithQuestionRise(rise)))
							}
							t.Logf("max-human-syllables %d depth %.0f human-silence %d pause-per-syllable %.1f question-silence %d rise %.1f: %v",
								syl, dep, hs, k, qs, rise, summarize(rs))
						}
					}
				}
			}
		}
	}
}

// holdoutIdeas are the option sets checked once on the holdout set
// (AMD_HOLDOUT=<name>), each chosen on tune first; BENCHMARKS.md records
// every result, failures included.
var holdoutIdeas = map[string][]Option{
	// Question intonation: 400 ms of silence after a rise of 3 semitones
	// (the middle of the 350-450 ms, 2-3 st plateau at 100 % on tune).
	"question": {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(3)},
	// The same with a machine from 6 syllables.
	"question-syl6": {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(3), WithMaxHumanSyllables(5)},
	// Second version of the pitch tracker (no F0 at the edge of the lag
	// range, the contour's end over a 3-point median: the 10-12 st
	// octave-error rises seen on tune are gone): 400 ms after a rise of
	// 2.5 st (the middle of the 350-450 ms, 2-4 st plateau at 100 % on tune).
	"question-v2":      {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(2.5), withPitchContinuity(false)},
	"question-v2-syl6": {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(2.5), WithMaxHumanSyllables(5), withPitchContinuity(false)},
	// Third version, NOT a held-out figure: made after looking at why v2
	// took machine-holdout-19 for a human (a run of 385 Hz octave errors
	// at the fading end of "Jenny." read as a 27 st rise): the rise only
	// over the final stretch without a jump of more than 3 st between
	// adjacent frames, and no rise over 12 st. Tune unchanged.
	"question-v3":      {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(2.5)},
	"question-v3-syl6": {WithQuestionSilence(400 * time.Millisecond), WithQuestionRise(2.5), WithMaxHumanSyllables(5)},
}

// TestCorpusHoldout runs one named idea on the holdout set and the whole
// corpus, listing every wrong file (AMD_HOLDOUT=name; a reporting aid).
func TestCorpusHoldout(t *testing.T) {
	name := os.Getenv("AMD_HOLDOUT")
	if name == "" {
		t.Skip("reporting aid: set AMD_HOLDOUT to a holdoutIdeas name")
	}
	opts, ok := holdoutIdeas[name]
	if !ok {
		t.Fatalf("no idea %q", name)
	}
	var all, hold []run
	for _, c := range loadCorpus(t) {
		r := classify(t, c, opts...)
		all = append(all, r)
		if c.Set == "holdout" {
			hold = append(hold, r)
		}
		if r.Decision.Result != c.Label {
			t.Logf("%s: %s, want %s, after %v: %s; %s, %s, %q", c.Name, r.Decision.Result, c.Label,
				r.Decision.After, r.Decision.Reason, c.Voice, c.Noise, c.Text)
		}
	}
	t.Logf("%s holdout: %v", name, summarize(hold))
	t.Logf("%s all:     %v", name, summarize(all))
}

package amd

import (
	"os"
	"testing"
	"time"
)

// TestCorpusSweep prints the accuracy and decision times of the tune set
// over a grid of options (AMD_SWEEP=1). A tuning aid: the defaults are
// chosen on "tune" only, then checked once on "holdout" (TestCorpusAccuracy).
// The grid includes the faster, riskier points (650 ms of human silence,
// 6 syllables for a machine: WithMaxHumanSyllables(5)) whose figures
// BENCHMARKS.md reports against the 2 s median goal.
func TestCorpusSweep(t *testing.T) {
	if os.Getenv("AMD_SWEEP") == "" {
		t.Skip("tuning aid: set AMD_SWEEP=1")
	}
	var tune []corpusFile
	for _, c := range loadCorpus(t) {
		if c.Set == "tune" {
			tune = append(tune, c)
		}
	}
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
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
